/**
 * Row normalisation kernels: layer norm, with or without bias, and RMSNorm, forward (saving
 * mean and rstd per row) and backward (dx, dgamma, dbeta, all accumulated). CPU references:
 * `lib/gpu/reference/layernorm.ts` (PyTorch `layer_norm` semantics) and
 * `lib/gpu/reference/rmsnorm.ts` (transformers' `LlamaRMSNorm`).
 *
 * One kernel generator for the three: RMSNorm is layer norm without centring (mean taken as
 * 0, the `mean(g)` term of dx dropped), and a norm without bias leaves beta and dbeta out of
 * the bindings, so every form keeps the lavapipe and hardware-GPU layouts below.
 *
 * Design for lavapipe (a CPU, where workgroup barriers are expensive): the forward and the
 * dx backward run one invocation per row (rows are 128-768 wide, and a few hundred to a
 * few thousand rows keep both cores busy), with a two-pass mean/variance (one workgroup
 * per row with a shared-memory tree reduction measured ~10x slower, bench/kernels_bench.ts);
 * rows whose width is a multiple of 4 use vec4 loads. dgamma and dbeta run one invocation per column walking down the rows (recomputing `xhat` from the saved
 * mean and rstd), so no invocation writes where another does. On hardware GPUs, where so
 * few invocations leave the device idle, dx takes a workgroup of 64 per row (partial sums
 * added in workgroup memory) and dgamma/dbeta 16 row lanes per column
 * (lib/gpu/kernels/column_lanes.ts).
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";
import { columnLanesGrid, columnLanesKernel } from "./column_lanes.ts";

/** Invocations per row of the hardware-GPU dx kernel (a power of two). */
const ROW_LANES = 64;

/**
 * Which normalisation a kernel set computes: `center` subtracts the row mean (layer norm;
 * without it, RMSNorm's `x * rsqrt(mean(x^2) + eps)`), `bias` adds beta (and sums dbeta).
 */
type Form = { center: boolean; bias: boolean };

/** WGSL storage declarations, bound 0, 1, ... in order (null entries are left out). */
function declare(
  T: string,
  list: (readonly [string, "read" | "read_write", string] | null)[],
): string {
  return list.filter((b) => b !== null).map(([name, access, type], i) =>
    `@group(0) @binding(${i}) var<storage, ${access}> ${name}: array<${type === "T" ? T : type}>;`
  ).join("\n") + `\n@group(0) @binding(${
    list.filter((b) => b !== null).length
  }) var<uniform> u: U;`;
}

// The kernels come in two widths: f32 (any cols) and vec4 (cols a multiple of 4, 4x fewer
// loads and loop trips; then \`u.cols\` counts groups of 4 columns). \`hsum\` adds lanes.
function kernels(
  vec: boolean,
  f: Form,
): { forward: Kernel; dx: Kernel; dxRows: Kernel; params: Kernel; paramsLanes: Kernel } {
  const T = vec ? "vec4<f32>" : "f32";
  const W = vec ? 4 : 1;
  const tag = `${f.center ? "layernorm" : "rmsnorm"}${f.bias ? "" : "-nobias"}`;
  const head = `fn hsum(v: ${T}) -> f32 { return ${vec ? "v.x + v.y + v.z + v.w" : "v"}; }`;
  const mean = f.center ? ["mean", "read_write", "f32"] as const : null;
  const forward: Kernel = {
    name: `${tag}-forward-${T}`,
    code: `${head}
struct U { rows: u32, cols: u32, eps: f32 }
${
      declare(T, [
        ["x", "read", "T"],
        ["gamma", "read", "T"],
        f.bias ? ["beta", "read", "T"] : null,
        ["out", "read_write", "T"],
        mean,
        ["rstd", "read_write", "f32"],
      ])
    }
${flatMain("r")}
  if (r >= u.rows) { return; }
  let base = r * u.cols;
  let n = f32(u.cols * ${W}u);${
      f.center
        ? `
  var sum = ${T}(0.0);
  for (var c = 0u; c < u.cols; c++) { sum += x[base + c]; }
  let m = hsum(sum) / n;`
        : `
  let m = 0.0;`
    }
  var sq = ${T}(0.0);
  for (var c = 0u; c < u.cols; c++) { let d = x[base + c] - m; sq = fma(d, d, sq); }
  let s = inverseSqrt(hsum(sq) / n + u.eps);
  for (var c = 0u; c < u.cols; c++) {
    out[base + c] = ${
      f.bias ? "fma((x[base + c] - m) * s, gamma[c], beta[c])" : "(x[base + c] - m) * s * gamma[c]"
    };
  }${f.center ? "\n  mean[r] = m;" : ""}
  rstd[r] = s;
}`,
  };
  const meanRead = f.center ? ["mean", "read", "f32"] as const : null;
  const rowMean = f.center ? "mean[r]" : "0.0";
  const dxHead = `${head}
struct U { rows: u32, cols: u32 }
${
    declare(T, [
      ["dout", "read", "T"],
      ["x", "read", "T"],
      ["gamma", "read", "T"],
      meanRead,
      ["rstd", "read", "f32"],
      ["dx", "read_write", "T"],
    ])
  }`;
  // the column loops of dx, from column c0 in steps of dc, and the row's two means between
  // (without centring, the mean of g drops out: RMSNorm's dx = s (g - xhat mean(g xhat)))
  const dxBody = (c0: string, dc: string, means: string) => `
  let base = r * u.cols;
  let m = ${rowMean};
  let s = rstd[r];
  var gSum = ${T}(0.0);
  var gxSum = ${T}(0.0);
  for (var c = ${c0}; c < u.cols; c += ${dc}) {
    let g = dout[base + c] * gamma[c];
    gSum += g;
    gxSum = fma(g, (x[base + c] - m) * s, gxSum);
  }
  let n = f32(u.cols * ${W}u);${means}
  for (var c = ${c0}; c < u.cols; c += ${dc}) {
    let xhat = (x[base + c] - m) * s;
    let g = dout[base + c] * gamma[c];
    dx[base + c] += s * (g - ${f.center ? "gMean - " : ""}xhat * gxMean);
  }
}`;
  const dx: Kernel = {
    name: `${tag}-backward-dx-${T}`,
    code: `${dxHead}
${flatMain("r")}
  if (r >= u.rows) { return; }${
      dxBody(
        "0u",
        "1u",
        `
  let gMean = hsum(gSum) / n;
  let gxMean = hsum(gxSum) / n;`,
      )
    }`,
  };
  // the hardware-GPU form: a workgroup of ROW_LANES invocations per row, which split the
  // columns and add their partial sums in workgroup memory
  const dxRows: Kernel = {
    name: `${tag}-backward-dx-rows-${T}`,
    code: `${dxHead}
var<workgroup> part: array<vec2<f32>, ${ROW_LANES}>;
@compute @workgroup_size(${ROW_LANES})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_id) lid: vec3<u32>) {
  let r = wg.x + wg.y * nwg.x;
  if (r >= u.rows) { return; }${
      dxBody(
        "lid.x",
        `${ROW_LANES}u`,
        `
  part[lid.x] = vec2<f32>(hsum(gSum), hsum(gxSum));
  workgroupBarrier();
  for (var w = ${ROW_LANES / 2}u; w > 0u; w = w / 2u) {
    if (lid.x < w) { part[lid.x] += part[lid.x + w]; }
    workgroupBarrier();
  }
  let gMean = part[0].x / n;
  let gxMean = part[0].y / n;`,
      )
    }`,
  };
  const paramsHead = `${head}
struct U { rows: u32, cols: u32 }
${
    declare(T, [
      ["dout", "read", "T"],
      ["x", "read", "T"],
      meanRead,
      ["rstd", "read", "f32"],
      ["dgamma", "read_write", "T"],
      f.bias ? ["dbeta", "read_write", "T"] : null,
    ])
  }`;
  const paramsRow = `let d = dout[r * u.cols + c];
    dg = fma(d, (x[r * u.cols + c] - ${rowMean}) * rstd[r], dg);${f.bias ? "\n    db += d;" : ""}`;
  const sums = f.bias ? ["dg", "db"] : ["dg"];
  const paramsFinish = f.bias ? "dgamma[c] += dg; dbeta[c] += db;" : "dgamma[c] += dg;";
  const params: Kernel = {
    name: `${tag}-backward-params-${T}`,
    code: `${paramsHead}
${flatMain("c")}
  if (c >= u.cols) { return; }
${sums.map((v) => `  var ${v} = ${T}(0.0);`).join("\n")}
  for (var r = 0u; r < u.rows; r++) {
    ${paramsRow}
  }
  ${paramsFinish}
}`,
  };
  // the hardware-GPU form: 16 row lanes per column (column_lanes.ts)
  const paramsLanes = columnLanesKernel({
    name: `${tag}-backward-params-lanes-${T}`,
    head: paramsHead,
    T,
    sums,
    row: paramsRow,
    finish: paramsFinish,
  });
  return { forward, dx, dxRows, params, paramsLanes };
}

const FORMS = new Map<string, ReturnType<typeof kernels>>();

/** The kernel set of a form for `cols` columns, and its width (vec4 when cols allow). */
function kernelsFor(f: Form, cols: number): [ReturnType<typeof kernels>, number] {
  const w = cols % 4 === 0 ? 4 : 1;
  const key = `${w}${f.center}${f.bias}`;
  let k = FORMS.get(key);
  if (!k) FORMS.set(key, k = kernels(w === 4, f));
  return [k, w];
}

function check(
  what: string,
  rows: number,
  cols: number,
  named: Record<string, Tensor | undefined>,
): void {
  const rowsOnly = new Set(["mean", "rstd"]),
    colsOnly = new Set(["gamma", "beta", "dgamma", "dbeta", "weight", "dweight"]);
  for (const [name, t] of Object.entries(named)) {
    if (t === undefined) continue;
    const want = rowsOnly.has(name) ? rows : colsOnly.has(name) ? cols : rows * cols;
    if (t.size !== want) {
      throw new Error(
        `${what}: ${name} has ${t.size} elements, [${rows}, ${cols}] needs ${want}`,
      );
    }
  }
}

function forward(s: Step, f: Form, o: {
  x: Tensor;
  gamma: Tensor;
  beta?: Tensor;
  out: Tensor;
  mean?: Tensor;
  rstd: Tensor;
  rows: number;
  cols: number;
  eps: number;
}): void {
  const [k, w] = kernelsFor(f, o.cols);
  const bindings = [o.x, o.gamma, o.beta, o.out, o.mean, o.rstd].filter((t) => t !== undefined);
  s.dispatch(
    k.forward,
    bindings,
    flatGrid(o.rows),
    packUniforms("uuf", [o.rows, o.cols / w, o.eps]),
  );
}

function backward(s: Step, f: Form, o: {
  dout: Tensor;
  x: Tensor;
  gamma: Tensor;
  mean?: Tensor;
  rstd: Tensor;
  dx: Tensor;
  dgamma: Tensor;
  dbeta?: Tensor;
  rows: number;
  cols: number;
}): void {
  const { dout, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols } = o;
  const [k, w] = kernelsFor(f, cols);
  const u = packUniforms("uu", [rows, cols / w]);
  const dxBindings = [dout, x, gamma, mean, rstd, dx].filter((t) => t !== undefined);
  if (s.gpu.isFallback) s.dispatch(k.dx, dxBindings, flatGrid(rows), u);
  else {
    const gx = Math.min(rows, 65535);
    s.dispatch(k.dxRows, dxBindings, [gx, Math.ceil(rows / gx)], u);
  }
  const bindings = [dout, x, mean, rstd, dgamma, dbeta].filter((t) => t !== undefined);
  if (!s.gpu.isFallback) s.dispatch(k.paramsLanes, bindings, columnLanesGrid(cols / w), u);
  else s.dispatch(k.params, bindings, flatGrid(cols / w), u);
}

/**
 * Records the layer-norm forward of `x` `[rows, cols]` into `out`, saving `mean` and
 * `rstd` `[rows]` for the backward. `eps`: 1e-12 for BERT, 1e-5 for GPT-2. Without `beta`,
 * no bias is added (ModernBERT's `norm_bias = false`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { layerNormForward } from "./layernorm.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const out = tensor(gpu, [1, 3]), mean = tensor(gpu, [1]), rstd = tensor(gpu, [1]);
 * layerNormForward(s, { x: tensor(gpu, [1, 3], [1, 2, 3]), gamma: tensor(gpu, [3], [1, 1, 1]),
 *   beta: tensor(gpu, [3], [0, 0, 0]), out, mean, rstd, rows: 1, cols: 3, eps: 1e-5 });
 * const r = s.read(out);
 * await s.submit(); // mean 2, variance 2/3: (x - 2) / sqrt(2/3 + 1e-5)
 * const want = [-1.2247, 0, 1.2247];
 * assert.ok((await r).every((v, i) => Math.abs(v - want[i]) < 1e-4));
 * ```
 */
export function layerNormForward(s: Step, o: {
  x: Tensor;
  gamma: Tensor;
  beta?: Tensor;
  out: Tensor;
  mean: Tensor;
  rstd: Tensor;
  rows: number;
  cols: number;
  eps: number;
}): void {
  const { x, gamma, beta, out, mean, rstd, rows, cols } = o;
  check("layerNormForward", rows, cols, { x, gamma, beta, out, mean, rstd });
  forward(s, { center: true, bias: beta !== undefined }, o);
}

/**
 * Records the layer-norm backward, ADDING into `dx` `[rows, cols]`, `dgamma` and `dbeta`
 * `[cols]` (zero them first when nothing else contributes); without `dbeta` (a norm without
 * bias) no bias gradient is summed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { layerNormBackward } from "./layernorm.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const x = tensor(gpu, [1, 3], [1, 2, 3]), gamma = tensor(gpu, [3], [1, 1, 1]);
 * const mean = tensor(gpu, [1], [2]), rstd = tensor(gpu, [1], [1.2247]);
 * const dx = zeros(gpu, [1, 3]), dgamma = zeros(gpu, [3]), dbeta = zeros(gpu, [3]);
 * layerNormBackward(s, { dout: tensor(gpu, [1, 3], [1, 0, 0]), x, gamma, mean, rstd,
 *   dx, dgamma, dbeta, rows: 1, cols: 3 });
 * const r = s.read(dbeta);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(1, 0, 0)); // dbeta = dout summed over rows
 * ```
 */
export function layerNormBackward(s: Step, o: {
  dout: Tensor;
  x: Tensor;
  gamma: Tensor;
  mean: Tensor;
  rstd: Tensor;
  dx: Tensor;
  dgamma: Tensor;
  dbeta?: Tensor;
  rows: number;
  cols: number;
}): void {
  const { dout, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols } = o;
  check("layerNormBackward", rows, cols, { dout, x, gamma, mean, rstd, dx, dgamma, dbeta });
  backward(s, { center: true, bias: dbeta !== undefined }, o);
}

/**
 * Records the RMSNorm forward (Llama's `LlamaRMSNorm`: `out = x * rsqrt(mean(x^2) + eps) *
 * weight`, no mean subtracted, no bias) of `x` `[rows, cols]` into `out`, saving `rstd`
 * `[rows]` for the backward. CPU reference: `lib/gpu/reference/rmsnorm.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { rmsNormForward } from "./layernorm.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [1, 2]), rstd = tensor(gpu, [1]);
 * rmsNormForward(s, { x: tensor(gpu, [1, 2], [3, 4]), weight: tensor(gpu, [2], [1, 2]), out,
 *   rstd, rows: 1, cols: 2, eps: 0 });
 * const r = s.read(out);
 * await s.submit(); // rms = sqrt((9 + 16) / 2)
 * assert.ok(Math.abs((await r)[1] - 8 / Math.sqrt(12.5)) < 1e-6); // out[1] = 4 * 2 / rms
 * ```
 */
export function rmsNormForward(s: Step, o: {
  x: Tensor;
  weight: Tensor;
  out: Tensor;
  rstd: Tensor;
  rows: number;
  cols: number;
  eps: number;
}): void {
  const { x, weight, out, rstd, rows, cols } = o;
  check("rmsNormForward", rows, cols, { x, weight, out, rstd });
  forward(s, { center: false, bias: false }, { ...o, gamma: weight });
}

/**
 * Records the RMSNorm backward, ADDING into `dx` `[rows, cols]` and `dweight` `[cols]`:
 * with `xhat = x * rstd` and `g = dout * weight`, `dx += rstd * (g - xhat * mean(g * xhat))`,
 * `dweight += sum_rows dout * xhat`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { rmsNormBackward } from "./layernorm.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dx = zeros(gpu, [1, 2]), dweight = zeros(gpu, [2]);
 * rmsNormBackward(s, { dout: tensor(gpu, [1, 2], [1, 1]), x: tensor(gpu, [1, 2], [3, 4]),
 *   weight: tensor(gpu, [2], [1, 1]), rstd: tensor(gpu, [1], [0.2]), dx, dweight, rows: 1, cols: 2 });
 * const r = s.read(dweight);
 * await s.submit();
 * assert.ok(Math.abs((await r)[1] - 0.8) < 1e-6); // dweight = dout * x * rstd = 4 * 0.2
 * ```
 */
export function rmsNormBackward(s: Step, o: {
  dout: Tensor;
  x: Tensor;
  weight: Tensor;
  rstd: Tensor;
  dx: Tensor;
  dweight: Tensor;
  rows: number;
  cols: number;
}): void {
  const { dout, x, weight, rstd, dx, dweight, rows, cols } = o;
  check("rmsNormBackward", rows, cols, { dout, x, weight, rstd, dx, dweight });
  backward(s, { center: false, bias: false }, { ...o, gamma: weight, dgamma: dweight });
}
