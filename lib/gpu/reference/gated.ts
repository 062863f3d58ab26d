/**
 * The gated activation of gated feed-forward layers, forward and backward: the CPU reference
 * for `lib/gpu/kernels/gated.ts`. Both layouts in transformers take one `[rows, 2 * cols]`
 * projection whose first half is activated and whose second half gates it:
 * ModernBERT's `ModernBertMLP` (`input, gate = Wi(x).chunk(2)`, `act(input) * gate`, act the
 * config's `hidden_activation`, `"gelu"` being the exact erf form of `ACT2FN`) and Llama's
 * SwiGLU (`act(gate_proj(x)) * up_proj(x)` with act SiLU, once `gate_proj` and `up_proj` are
 * stacked in that order into one projection).
 *
 * Rules, each with its reason:
 * - One `[rows, 2 * cols]` input, activated half first: both families' layouts, with no copy
 *   between the stacked projection and the gate.
 * - GELU comes from `./gelu.ts` (its erfc approximation, as the kernels compute it).
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";
import { gelu, geluGrad, type GeluKind } from "./gelu.ts";

/**
 * The activation of the first half: a GELU form (`"erf"`: ModernBERT's `"gelu"`; `"tanh"`:
 * `"gelu_pytorch_tanh"`) or `"silu"` (`x * sigmoid(x)`, Llama's `hidden_act`).
 */
export type GatedActivation = GeluKind | "silu";

/**
 * The activation of one value.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activate } from "./gated.ts";
 * assert.equal(activate(0, "silu"), 0);
 * assert.equal(activate(2, "silu"), 2 / (1 + Math.exp(-2)));
 * ```
 */
export function activate(x: number, a: GatedActivation): number {
  return a === "silu" ? x / (1 + Math.exp(-x)) : gelu(x, a);
}

/**
 * The derivative of the activation at one value (SiLU: `s (1 + x (1 - s))`, `s = sigmoid(x)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activateGrad } from "./gated.ts";
 * assert.equal(activateGrad(0, "silu"), 0.5);
 * ```
 */
export function activateGrad(x: number, a: GatedActivation): number {
  if (a !== "silu") return geluGrad(x, a);
  const s = 1 / (1 + Math.exp(-x));
  return s * (1 + x * (1 - s));
}

/**
 * Gated forward: `out[r, c] = act(x[r, c]) * x[r, cols + c]` for `x` `[rows, 2 * cols]`;
 * returns `out` `[rows, cols]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatedForward } from "./gated.ts";
 * // one row, cols 1: silu(0) * 5 = 0
 * assert.deepEqual(Array.from(gatedForward(new Float64Array([0, 5]), { rows: 1, cols: 1, activation: "silu" })), [0]);
 * ```
 */
export function gatedForward<T extends FloatArray>(
  x: T,
  s: { rows: number; cols: number; activation: GatedActivation },
): T {
  check(x, s, "gatedForward");
  const { rows, cols, activation } = s;
  const out = zerosLike(x, rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[r * cols + c] = activate(x[r * 2 * cols + c], activation) * x[r * 2 * cols + cols + c];
    }
  }
  return out;
}

/**
 * Gated backward: `dx` `[rows, 2 * cols]` (written, not accumulated) from `dout`
 * `[rows, cols]`: the activated half gets `dout * gate * act'(input)`, the gate
 * `dout * act(input)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { gatedBackward } from "./gated.ts";
 * const dx = gatedBackward(new Float64Array([0, 5]), new Float64Array([2]), { rows: 1, cols: 1, activation: "silu" });
 * assert.deepEqual(Array.from(dx), [2 * 5 * 0.5, 0]);
 * ```
 */
export function gatedBackward<T extends FloatArray>(
  x: T,
  dout: T,
  s: { rows: number; cols: number; activation: GatedActivation },
): T {
  check(x, s, "gatedBackward");
  const { rows, cols, activation } = s;
  const dx = zerosLike(x, rows * 2 * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const i = r * 2 * cols + c, d = dout[r * cols + c];
      dx[i] = d * x[i + cols] * activateGrad(x[i], activation);
      dx[i + cols] = d * activate(x[i], activation);
    }
  }
  return dx;
}

function check(x: FloatArray, s: { rows: number; cols: number }, what: string): void {
  if (x.length !== s.rows * 2 * s.cols) {
    throw new Error(
      `${what}: x has ${x.length} elements, [${s.rows}, 2 * ${s.cols}] needs ${
        s.rows * 2 * s.cols
      }`,
    );
  }
}
