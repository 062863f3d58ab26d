/**
 * RMS normalisation over the last axis of `[rows, cols]` activations, forward and backward:
 * the CPU reference for the RMSNorm form of `lib/gpu/kernels/layernorm.ts`. Same numbers as
 * transformers' `LlamaRMSNorm` (`weight * x * rsqrt(mean(x^2) + eps)`, no mean subtracted,
 * no bias; it computes in float32, as the kernel does, and this reference in the array's
 * type).
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * RMSNorm forward: `out = x * rstd * weight` per row with `rstd = 1 / sqrt(mean(x^2) + eps)`;
 * returns `rstd` per row for the backward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rmsNormForward } from "./rmsnorm.ts";
 * const { out } = rmsNormForward({ x: new Float64Array([3, 4]), weight: new Float64Array([1, 2]),
 *   rows: 1, cols: 2, eps: 0 });
 * assert.deepEqual(Array.from(out), [3 / Math.sqrt(12.5), 8 / Math.sqrt(12.5)]);
 * ```
 */
export function rmsNormForward<T extends FloatArray>(
  o: { x: T; weight: T; rows: number; cols: number; eps: number },
): { out: T; rstd: T } {
  const { x, weight, rows, cols, eps } = o;
  const out = zerosLike(x, rows * cols);
  const rstd = zerosLike(x, rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sq = 0;
    for (let c = 0; c < cols; c++) sq += x[base + c] ** 2;
    const s = 1 / Math.sqrt(sq / cols + eps);
    for (let c = 0; c < cols; c++) out[base + c] = x[base + c] * s * weight[c];
    rstd[r] = s;
  }
  return { out, rstd };
}

/**
 * RMSNorm backward. ADDS into `dx` and `dweight`: with `xhat = x * rstd` and
 * `g = dout * weight`, `dx += rstd * (g - xhat * mean(g * xhat))` and
 * `dweight += sum_rows dout * xhat`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rmsNormBackward } from "./rmsnorm.ts";
 * // one column: out = x / sqrt(x^2) = sign(x) for any x, so dx = 0
 * const dx = new Float64Array(1), dweight = new Float64Array(1);
 * rmsNormBackward({ dout: new Float64Array([1]), x: new Float64Array([2]), weight: new Float64Array([1]),
 *   rstd: new Float64Array([0.5]), rows: 1, cols: 1, dx, dweight });
 * assert.deepEqual([dx[0], dweight[0]], [0, 1]);
 * ```
 */
export function rmsNormBackward<T extends FloatArray>(o: {
  dout: T;
  x: T;
  weight: T;
  rstd: T;
  rows: number;
  cols: number;
  dx: T;
  dweight: T;
}): void {
  const { dout, x, weight, rstd, rows, cols, dx, dweight } = o;
  for (let r = 0; r < rows; r++) {
    const base = r * cols, s = rstd[r];
    let gx = 0;
    for (let c = 0; c < cols; c++) gx += dout[base + c] * weight[c] * x[base + c] * s;
    gx /= cols;
    for (let c = 0; c < cols; c++) {
      const xhat = x[base + c] * s;
      dx[base + c] += s * (dout[base + c] * weight[c] - xhat * gx);
      dweight[c] += dout[base + c] * xhat;
    }
  }
}
