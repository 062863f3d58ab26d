/**
 * GELU activation, forward and backward, in the two forms the models use: the exact
 * erf form (BERT's `"gelu"`, PyTorch `F.gelu(x)`) and the tanh approximation (GPT-2's
 * `"gelu_new"`, PyTorch `F.gelu(x, approximate="tanh")`). The CPU reference for
 * `lib/gpu/kernels/gelu.ts`.
 *
 * erf has no WGSL builtin, so both the kernel and this reference compute it from the
 * Chebyshev-fitted complementary error function of Numerical Recipes (`erfcc`, section
 * 6.2): fractional error below 1.2e-7 everywhere, so the absolute error of erf is below
 * 1.2e-7 and the tail `Phi(x)` for negative `x` keeps its relative accuracy. (The
 * accurate float64 `erf` of the plain-TypeScript model reference is `erf` in
 * `lib/models/reference.ts`; this module keeps to the kernel's approximation.) The kernels
 * clamp the tanh form's input to +-8, which changes no f32 value (tanh is +-1 there), so
 * this reference does not.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * Which GELU: `"erf"` = `x * Phi(x)` (exact), `"tanh"` =
 * `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`.
 */
export type GeluKind = "erf" | "tanh";

/**
 * The complementary error function, `erfc(z) = 1 - erf(z)`, fractional error < 1.2e-7.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { erfc } from "./gelu.ts";
 * assert.ok(Math.abs(erfc(1) - 0.1572992070502851) < 1.2e-7 * 0.1572992070502851);
 * ```
 */
export function erfc(z: number): number {
  const a = Math.abs(z);
  const t = 1 / (1 + 0.5 * a);
  const r = t *
    Math.exp(
      -a * a - 1.26551223 +
        t * (1.00002368 +
            t * (0.37409196 +
                t * (0.09678418 +
                    t * (-0.18628806 +
                        t * (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? r : 2 - r;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * GELU of one value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gelu } from "./gelu.ts";
 * assert.ok(Math.abs(gelu(1, "erf") - 0.8413447) < 1e-7); // Phi(1)
 * assert.ok(Math.abs(gelu(1, "tanh") - 0.8411920) < 1e-7);
 * ```
 */
export function gelu(x: number, kind: GeluKind): number {
  if (kind === "erf") return x * 0.5 * erfc(-x * Math.SQRT1_2);
  return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
}

/**
 * The derivative of GELU at one value: `Phi(x) + x phi(x)` for erf, the derivative of
 * the tanh formula for tanh.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluGrad } from "./gelu.ts";
 * assert.ok(Math.abs(geluGrad(0, "erf") - 0.5) < 1e-7); // Phi(0)
 * ```
 */
export function geluGrad(x: number, kind: GeluKind): number {
  if (kind === "erf") {
    return 0.5 * erfc(-x * Math.SQRT1_2) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
  }
  const th = Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x));
  return 0.5 * (1 + th) +
    0.5 * x * (1 - th * th) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * x * x);
}

/**
 * GELU forward, element by element.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluForward } from "./gelu.ts";
 * const y = geluForward(new Float32Array([-1, 0, 1]), "tanh");
 * const want = [-0.1588080, 0, 0.8411920];
 * assert.ok(y.every((v, i) => Math.abs(v - want[i]) < 1e-6));
 * ```
 */
export function geluForward<T extends FloatArray>(x: T, kind: GeluKind): T {
  const out = zerosLike(x, x.length);
  for (let i = 0; i < x.length; i++) out[i] = gelu(x[i], kind);
  return out;
}

/**
 * GELU backward: `dx[i] = dout[i] * gelu'(x[i])` (written, not accumulated).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluBackward } from "./gelu.ts";
 * const dx = geluBackward(new Float64Array([0]), new Float64Array([2]), "erf");
 * assert.ok(Math.abs(dx[0] - 1) < 1e-6); // 2 * gelu'(0) = 2 * 0.5
 * ```
 */
export function geluBackward<T extends FloatArray>(x: T, dout: T, kind: GeluKind): T {
  const dx = zerosLike(x, x.length);
  for (let i = 0; i < x.length; i++) dx[i] = dout[i] * geluGrad(x[i], kind);
  return dx;
}
