/**
 * The gated activation of gated feed-forward layers (ModernBERT's GeGLU, Llama's SwiGLU),
 * forward and backward: `out = act(x[:, :cols]) * x[:, cols:]` over a `[rows, 2 * cols]`
 * projection. CPU reference: `lib/gpu/reference/gated.ts`.
 *
 * Rules, each with its reason:
 * - One input with the activated half first, as both families' stacked projections come:
 *   no split copy before the gate and none of its gradient after.
 * - One invocation per output element (or four, vec4, when `cols` is a multiple of 4: lavapipe
 *   loads lane by lane); the backward writes both halves of `dx` from the same invocation,
 *   which reads each input once.
 * - Rows run in chunks whose bindings fit the device's limit (a few thousand tokens times a
 *   2 * 1536 wide projection pass lavapipe's 128 MiB).
 *
 * @module
 */
import type { Binding, Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import type { GatedActivation } from "../reference/gated.ts";
import { GELU_WGSL } from "./gelu.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";

const ACT: Record<GatedActivation, [string, string]> = {
  erf: ["geluErf(v)", "geluErfGrad(v)"],
  tanh: ["geluTanh(v)", "geluTanhGrad(v)"],
  silu: ["v / (1.0 + exp(-v))", "siluGrad(v)"],
};

function kernel(a: GatedActivation, backward: boolean, vec: boolean): Kernel {
  const T = vec ? "vec4<f32>" : "f32";
  const lanes = (f: string) =>
    vec ? `vec4<f32>(${["x", "y", "z", "w"].map((c) => `${f}(w.${c})`).join(", ")})` : `${f}(w)`;
  return {
    name: `gated-${a}-${backward ? "backward" : "forward"}-${T}`,
    code: `${GELU_WGSL}
fn siluGrad(v: f32) -> f32 { let s = 1.0 / (1.0 + exp(-v)); return s * (1.0 + v * (1.0 - s)); }
fn act1(v: f32) -> f32 { return ${ACT[a][0]}; }
fn grad1(v: f32) -> f32 { return ${ACT[a][1]}; }
fn act(w: ${T}) -> ${T} { return ${lanes("act1")}; }
fn grad(w: ${T}) -> ${T} { return ${lanes("grad1")}; }
struct U { count: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> x: array<${T}>;
${
      backward
        ? `@group(0) @binding(1) var<storage, read> dout: array<${T}>;
@group(0) @binding(2) var<storage, read_write> dx: array<${T}>;
@group(0) @binding(3) var<uniform> u: U;`
        : `@group(0) @binding(1) var<storage, read_write> out: array<${T}>;
@group(0) @binding(2) var<uniform> u: U;`
    }
${flatMain("e")}
  if (e >= u.count) { return; }
  let i = (e / u.cols) * 2u * u.cols + e % u.cols;
  let v = x[i];
  let g = x[i + u.cols];
${
      backward
        ? `  let d = dout[e];
  dx[i] = d * g * grad(v);
  dx[i + u.cols] = d * act(v);`
        : "  out[e] = act(v) * g;"
    }
}`,
  };
}

const KERNELS = new Map<string, Kernel>();
function kernelFor(a: GatedActivation, backward: boolean, vec: boolean): Kernel {
  const key = `${a}${backward}${vec}`;
  let k = KERNELS.get(key);
  if (!k) KERNELS.set(key, k = kernel(a, backward, vec));
  return k;
}

type GatedShape = { rows: number; cols: number; activation: GatedActivation; chunkBytes?: number };

function dispatch(
  s: Step,
  what: string,
  backward: boolean,
  o: GatedShape,
  wide: Tensor[],
  narrow: Tensor[],
): void {
  const { rows, cols } = o;
  for (const t of wide) {
    if (t.size !== rows * 2 * cols) {
      throw new Error(
        `${what}: a tensor has ${t.size} elements, [${rows}, 2 * ${cols}] needs ${rows * 2 * cols}`,
      );
    }
  }
  for (const t of narrow) {
    if (t.size !== rows * cols) {
      throw new Error(
        `${what}: a tensor has ${t.size} elements, [${rows}, ${cols}] needs ${rows * cols}`,
      );
    }
  }
  const align = s.gpu.limits.minStorageBufferOffsetAlignment;
  for (const t of [...wide, ...narrow]) {
    if (t.offset % align !== 0) {
      throw new Error(`${what}: a tensor starts at byte ${t.offset}, not a multiple of ${align}`);
    }
  }
  const w = cols % 4 === 0 ? 4 : 1;
  const maxBytes = Math.min(o.chunkBytes ?? Infinity, s.gpu.limits.maxStorageBufferBindingSize);
  // chunks of whole rows, a multiple of `step` rows so every chunk's byte offset is aligned
  const step = align / 4;
  let chunk = Math.floor(maxBytes / (2 * cols * 4) / step) * step;
  if (chunk < 1) chunk = Math.min(rows, step); // too wide to chunk aligned: one binding
  const kernel = kernelFor(o.activation, backward, w === 4);
  for (let r0 = 0; r0 < rows; r0 += chunk) {
    const n = Math.min(chunk, rows - r0);
    const range = (t: Tensor, width: number): Binding => ({
      buffer: t.buffer,
      offset: t.offset + r0 * width * 4,
      size: n * width * 4,
    });
    const count = (n * cols) / w;
    s.dispatch(
      kernel,
      [
        ...wide.slice(0, 1).map((t) => range(t, 2 * cols)),
        ...narrow.map((t) => range(t, cols)),
        ...wide.slice(1).map((t) => range(t, 2 * cols)),
      ],
      flatGrid(count),
      packUniforms("uu", [count, cols / w]),
    );
  }
}

/**
 * Records `out[r, c] = act(x[r, c]) * x[r, cols + c]` for `x` `[rows, 2 * cols]` and `out`
 * `[rows, cols]` (tensors at aligned offsets; `chunkBytes` caps the bytes bound at once).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { gatedForward } from "./gated.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [1, 1]);
 * gatedForward(s, { x: tensor(gpu, [1, 2], [1, 3]), out, rows: 1, cols: 1, activation: "silu" });
 * const r = s.read(out);
 * await s.submit();
 * assert.ok(Math.abs((await r)[0] - 3 / (1 + Math.exp(-1))) < 1e-6); // silu(1) * 3
 * ```
 */
export function gatedForward(s: Step, o: GatedShape & { x: Tensor; out: Tensor }): void {
  dispatch(s, "gatedForward", false, o, [o.x], [o.out]);
}

/**
 * Records the gated backward: `dx` `[rows, 2 * cols]` (written, not accumulated) from `dout`
 * `[rows, cols]` and the forward's input `x`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { gatedBackward } from "./gated.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dx = tensor(gpu, [1, 2]);
 * gatedBackward(s, { x: tensor(gpu, [1, 2], [0, 5]), dout: tensor(gpu, [1, 1], [2]), dx,
 *   rows: 1, cols: 1, activation: "erf" });
 * const r = s.read(dx);
 * await s.submit(); // gelu'(0) = 0.5, gelu(0) = 0
 * assert.deepEqual(await r, Float32Array.of(5, 0)); // [2 * 5 * 0.5, 2 * 0]
 * ```
 */
export function gatedBackward(
  s: Step,
  o: GatedShape & { x: Tensor; dout: Tensor; dx: Tensor },
): void {
  dispatch(s, "gatedBackward", true, o, [o.x, o.dx], [o.dout]);
}
