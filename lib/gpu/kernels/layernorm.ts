/**
 * Layer normalisation kernels, forward (saving mean and rstd per row) and backward
 * (dx, dgamma, dbeta, all accumulated). CPU reference: `lib/gpu/reference/layernorm.ts`
 * (PyTorch `layer_norm` semantics).
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

// The kernels come in two widths: f32 (any cols) and vec4 (cols a multiple of 4, 4x fewer
// loads and loop trips; then \`u.cols\` counts groups of 4 columns). \`hsum\` adds lanes.
function kernels(
  vec: boolean,
): { forward: Kernel; dx: Kernel; dxRows: Kernel; params: Kernel; paramsLanes: Kernel } {
  const T = vec ? "vec4<f32>" : "f32";
  const W = vec ? 4 : 1;
  const head = `fn hsum(v: ${T}) -> f32 { return ${vec ? "v.x + v.y + v.z + v.w" : "v"}; }`;
  const forward: Kernel = {
    name: `layernorm-forward-${T}`,
    code: `${head}
struct U { rows: u32, cols: u32, eps: f32 }
@group(0) @binding(0) var<storage, read> x: array<${T}>;
@group(0) @binding(1) var<storage, read> gamma: array<${T}>;
@group(0) @binding(2) var<storage, read> beta: array<${T}>;
@group(0) @binding(3) var<storage, read_write> out: array<${T}>;
@group(0) @binding(4) var<storage, read_write> mean: array<f32>;
@group(0) @binding(5) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(6) var<uniform> u: U;
${flatMain("r")}
  if (r >= u.rows) { return; }
  let base = r * u.cols;
  let n = f32(u.cols * ${W}u);
  var sum = ${T}(0.0);
  for (var c = 0u; c < u.cols; c++) { sum += x[base + c]; }
  let m = hsum(sum) / n;
  var sq = ${T}(0.0);
  for (var c = 0u; c < u.cols; c++) { let d = x[base + c] - m; sq = fma(d, d, sq); }
  let s = inverseSqrt(hsum(sq) / n + u.eps);
  for (var c = 0u; c < u.cols; c++) {
    out[base + c] = fma((x[base + c] - m) * s, gamma[c], beta[c]);
  }
  mean[r] = m;
  rstd[r] = s;
}`,
  };
  const dxHead = `${head}
struct U { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> dout: array<${T}>;
@group(0) @binding(1) var<storage, read> x: array<${T}>;
@group(0) @binding(2) var<storage, read> gamma: array<${T}>;
@group(0) @binding(3) var<storage, read> mean: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
@group(0) @binding(5) var<storage, read_write> dx: array<${T}>;
@group(0) @binding(6) var<uniform> u: U;`;
  // the column loops of dx, from column c0 in steps of dc, and the row's two means between
  const dxBody = (c0: string, dc: string, means: string) => `
  let base = r * u.cols;
  let m = mean[r];
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
    dx[base + c] += s * (g - gMean - xhat * gxMean);
  }
}`;
  const dx: Kernel = {
    name: `layernorm-backward-dx-${T}`,
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
    name: `layernorm-backward-dx-rows-${T}`,
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
@group(0) @binding(0) var<storage, read> dout: array<${T}>;
@group(0) @binding(1) var<storage, read> x: array<${T}>;
@group(0) @binding(2) var<storage, read> mean: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
@group(0) @binding(4) var<storage, read_write> dgamma: array<${T}>;
@group(0) @binding(5) var<storage, read_write> dbeta: array<${T}>;
@group(0) @binding(6) var<uniform> u: U;`;
  const paramsRow = `let d = dout[r * u.cols + c];
    dg = fma(d, (x[r * u.cols + c] - mean[r]) * rstd[r], dg);
    db += d;`;
  const paramsFinish = "dgamma[c] += dg; dbeta[c] += db;";
  const params: Kernel = {
    name: `layernorm-backward-params-${T}`,
    code: `${paramsHead}
${flatMain("c")}
  if (c >= u.cols) { return; }
  var dg = ${T}(0.0);
  var db = ${T}(0.0);
  for (var r = 0u; r < u.rows; r++) {
    ${paramsRow}
  }
  ${paramsFinish}
}`,
  };
  // the hardware-GPU form: 16 row lanes per column (column_lanes.ts)
  const paramsLanes = columnLanesKernel({
    name: `layernorm-backward-params-lanes-${T}`,
    head: paramsHead,
    T,
    sums: ["dg", "db"],
    row: paramsRow,
    finish: paramsFinish,
  });
  return { forward, dx, dxRows, params, paramsLanes };
}

const SCALAR = kernels(false);
const VEC4 = kernels(true);

function check(what: string, rows: number, cols: number, named: Record<string, Tensor>): void {
  const rowsOnly = new Set(["mean", "rstd"]),
    colsOnly = new Set(["gamma", "beta", "dgamma", "dbeta"]);
  for (const [name, t] of Object.entries(named)) {
    const want = rowsOnly.has(name) ? rows : colsOnly.has(name) ? cols : rows * cols;
    if (t.size !== want) {
      throw new Error(
        `lib/gpu/kernels/layernorm.ts ${what}: ${name} has ${t.size} elements, ` +
          `[${rows}, ${cols}] needs ${want}`,
      );
    }
  }
}

/**
 * Records the layer-norm forward of `x` `[rows, cols]` into `out`, saving `mean` and
 * `rstd` `[rows]` for the backward. `eps`: 1e-12 for BERT, 1e-5 for GPT-2.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const out = tensor(gpu, [1, 3]), mean = tensor(gpu, [1]), rstd = tensor(gpu, [1]);
 * layerNormForward(s, { x: tensor(gpu, [1, 3], [1, 2, 3]), gamma: tensor(gpu, [3], [1, 1, 1]),
 *   beta: tensor(gpu, [3], [0, 0, 0]), out, mean, rstd, rows: 1, cols: 3, eps: 1e-5 });
 * await s.submit(); // out ~ [-1.2247, 0, 1.2247]
 * ```
 */
export function layerNormForward(s: Step, o: {
  x: Tensor;
  gamma: Tensor;
  beta: Tensor;
  out: Tensor;
  mean: Tensor;
  rstd: Tensor;
  rows: number;
  cols: number;
  eps: number;
}): void {
  const { x, gamma, beta, out, mean, rstd, rows, cols } = o;
  check("layerNormForward", rows, cols, { x, gamma, beta, out, mean, rstd });
  const [k, w] = cols % 4 === 0 ? [VEC4, 4] : [SCALAR, 1];
  s.dispatch(
    k.forward,
    [x, gamma, beta, out, mean, rstd],
    flatGrid(rows),
    packUniforms("uuf", [rows, cols / w, o.eps]),
  );
}

/**
 * Records the layer-norm backward, ADDING into `dx` `[rows, cols]`, `dgamma` and `dbeta`
 * `[cols]` (zero them first when nothing else contributes).
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const x = tensor(gpu, [1, 3], [1, 2, 3]), gamma = tensor(gpu, [3], [1, 1, 1]);
 * const mean = tensor(gpu, [1], [2]), rstd = tensor(gpu, [1], [1.2247]);
 * const dx = zeros(gpu, [1, 3]), dgamma = zeros(gpu, [3]), dbeta = zeros(gpu, [3]);
 * layerNormBackward(s, { dout: tensor(gpu, [1, 3], [1, 0, 0]), x, gamma, mean, rstd,
 *   dx, dgamma, dbeta, rows: 1, cols: 3 });
 * await s.submit();
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
  dbeta: Tensor;
  rows: number;
  cols: number;
}): void {
  const { dout, x, gamma, mean, rstd, dx, dgamma, dbeta, rows, cols } = o;
  check("layerNormBackward", rows, cols, { dout, x, gamma, mean, rstd, dx, dgamma, dbeta });
  const [k, w] = cols % 4 === 0 ? [VEC4, 4] : [SCALAR, 1];
  const u = packUniforms("uu", [rows, cols / w]);
  if (s.gpu.isFallback) s.dispatch(k.dx, [dout, x, gamma, mean, rstd, dx], flatGrid(rows), u);
  else {
    const gx = Math.min(rows, 65535);
    s.dispatch(k.dxRows, [dout, x, gamma, mean, rstd, dx], [gx, Math.ceil(rows / gx)], u);
  }
  const bindings = [dout, x, mean, rstd, dgamma, dbeta];
  if (!s.gpu.isFallback) s.dispatch(k.paramsLanes, bindings, columnLanesGrid(cols / w), u);
  else s.dispatch(k.params, bindings, flatGrid(cols / w), u);
}
