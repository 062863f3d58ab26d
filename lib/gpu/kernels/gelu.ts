/**
 * GELU kernels, forward and backward, erf form (BERT) and tanh form (GPT-2). CPU
 * reference: `lib/gpu/reference/gelu.ts` (PyTorch `F.gelu` semantics).
 *
 * The GELU math lives here once ({@link GELU_WGSL}) for every kernel that applies a GELU
 * (this one, the gated feed-forward of `./gated.ts`).
 *
 * erf has no WGSL builtin: `Phi(x) = 0.5 erfc(-x / sqrt 2)` uses the Chebyshev-fitted
 * erfc of Numerical Recipes (`erfcc`, fractional error < 1.2e-7), as the reference does.
 * The tanh form clamps its input to +-8, where `tanh(sqrt(2/pi) (x + 0.044715 x^3))` is
 * already +-1 in f32 (its argument passes 24), so the values are the unclamped formula's
 * while x^3 and the derivative's x^2 cannot overflow (unclamped, `0 * inf` makes the derivative
 * NaN from |x| ~ 1e19 on) and no backend's tanh sees an argument that could overflow inside it.
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { GeluKind } from "../reference/gelu.ts";
import { dispatchElementwise, ELEMENTWISE_MAIN, packUniforms } from "./grid.ts";

/**
 * WGSL: `geluErf`, `geluTanh` and their derivatives `geluErfGrad`, `geluTanhGrad` (and
 * the helpers `erfcPos`, `phi`, `tanhInput`, `tanhOf`), the one GELU source of every kernel
 * that applies one (this module's, the gated feed-forward of `./gated.ts`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { gelu } from "../reference/gelu.ts";
 * import { GELU_WGSL } from "./gelu.ts";
 * const code = `${GELU_WGSL}
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @compute @workgroup_size(1) fn main() { x[0] = geluErf(x[0]); x[1] = geluTanhGrad(x[1]); }`;
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [2], [1, 0]);
 * s.dispatch({ name: "gelu-two", code }, [x], [1]);
 * const r = s.read(x);
 * await s.submit();
 * const [y, dy] = await r;
 * assert.ok(Math.abs(y - gelu(1, "erf")) < 1e-6);
 * assert.ok(Math.abs(dy - 0.5) < 1e-6);
 * ```
 */
export const GELU_WGSL = `
fn erfcPos(a: f32) -> f32 { // erfc(a) for a >= 0
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  return t * exp(-a * a + p);
}
fn phi(x: f32) -> f32 { // standard normal CDF
  let z = x * 0.70710678118654752;
  let e = erfcPos(abs(z));
  return select(1.0 - 0.5 * e, 0.5 * e, z < 0.0);
}
fn tanhInput(x: f32) -> f32 { return clamp(x, -8.0, 8.0); } // tanh of it is +-1 from 8 on
fn tanhOf(c: f32) -> f32 { return tanh(0.7978845608028654 * (c + 0.044715 * c * c * c)); }
fn geluErf(x: f32) -> f32 { return x * phi(x); }
fn geluErfGrad(x: f32) -> f32 { return phi(x) + x * 0.3989422804014327 * exp(-0.5 * x * x); }
fn geluTanh(x: f32) -> f32 { return 0.5 * x * (1.0 + tanhOf(tanhInput(x))); }
fn geluTanhGrad(x: f32) -> f32 {
  let c = tanhInput(x);
  let th = tanhOf(c);
  return 0.5 * (1.0 + th) + 0.5 * c * (1.0 - th * th) * 0.7978845608028654 * (1.0 + 0.134145 * c * c);
}`;

// One element per invocation, or (vec4) four: lavapipe loads and stores lane by lane, so
// vec4 accesses are ~4x fewer.
function kernel(kind: GeluKind, backward: boolean, vec: boolean): Kernel {
  const fn = kind === "erf" ? "geluErf" : "geluTanh";
  const T = vec ? "vec4<f32>" : "f32";
  const one = (c: string) => backward ? `d${c} * ${fn}Grad(v${c})` : `${fn}(v${c})`;
  const value = vec
    ? `vec4<f32>(${["x", "y", "z", "w"].map((c) => one(`.${c}`)).join(", ")})`
    : one("");
  return {
    name: `gelu-${kind}-${backward ? "backward" : "forward"}-${T}`,
    code: `${GELU_WGSL}
struct U { count: u32 }
@group(0) @binding(0) var<storage, read> x: array<${T}>;
${backward ? `@group(0) @binding(1) var<storage, read> dout: array<${T}>;` : ""}
@group(0) @binding(${backward ? 2 : 1}) var<storage, read_write> out: array<${T}>;
@group(0) @binding(${backward ? 3 : 2}) var<uniform> u: U;
fn one(i: u32) {
  let v = x[i];
${backward ? "  let d = dout[i];\n" : ""}  out[i] = ${value};
}
${ELEMENTWISE_MAIN}`,
  };
}

// KERNELS[kind][backward ? 1 : 0] = [scalar, vec4]
const pair = (kind: GeluKind, backward: boolean) =>
  [kernel(kind, backward, false), kernel(kind, backward, true)] as const;
const count = (n: number) => packUniforms("u", [n]);
const KERNELS = {
  erf: [pair("erf", false), pair("erf", true)],
  tanh: [pair("tanh", false), pair("tanh", true)],
};

/**
 * Records `out = gelu(x)` elementwise (`out` must not alias `x`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { geluForward } from "./gelu.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [2]);
 * geluForward(s, { gpu, x: tensor(gpu, [2], [-1, 1]), out, kind: "erf" });
 * const r = s.read(out);
 * await s.submit(); // x * Phi(x)
 * const [a, b] = await r;
 * assert.ok(Math.abs(a - -0.158655) < 1e-5 && Math.abs(b - 0.841345) < 1e-5);
 * ```
 */
export function geluForward(
  s: Step,
  o: { gpu: Gpu; x: Tensor; out: Tensor; kind: GeluKind; chunkBytes?: number },
): void {
  dispatchElementwise(s, [o.x, o.out], KERNELS[o.kind][0], count, o);
}

/**
 * Records `dx = dout * gelu'(x)` elementwise (written, not accumulated).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { geluBackward } from "./gelu.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dx = tensor(gpu, [1]);
 * geluBackward(s, { gpu, x: tensor(gpu, [1], [0]), dout: tensor(gpu, [1], [2]), dx, kind: "tanh" });
 * const r = s.read(dx);
 * await s.submit(); // 2 * gelu'(0) = 2 * 0.5
 * assert.ok(Math.abs((await r)[0] - 1) < 1e-6);
 * ```
 */
export function geluBackward(
  s: Step,
  o: { gpu: Gpu; x: Tensor; dout: Tensor; dx: Tensor; kind: GeluKind; chunkBytes?: number },
): void {
  dispatchElementwise(s, [o.x, o.dout, o.dx], KERNELS[o.kind][1], count, o);
}
