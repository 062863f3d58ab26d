/**
 * Layer normalisation over the last axis of `[rows, cols]` activations, forward and
 * backward: the CPU reference for `lib/gpu/kernels/layernorm.ts`. Same numbers as
 * PyTorch's `torch.nn.functional.layer_norm` (biased variance, `eps` inside the root).
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * Layer-norm forward: `out = (x - mean) * rstd * gamma + beta` per row, with
 * `rstd = 1 / sqrt(var + eps)` (no `beta`: no bias, PyTorch's `LayerNorm(bias=False)`);
 * returns `mean` and `rstd` per row for the backward.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerNormForward } from "./layernorm.ts";
 * const { out, mean } = layerNormForward({
 *   x: new Float64Array([1, 2, 3]), gamma: new Float64Array([1, 1, 1]),
 *   beta: new Float64Array(3), rows: 1, cols: 3, eps: 1e-5,
 * }); // (x - 2) / sqrt(2/3 + 1e-5)
 * const want = [-1.2247357, 0, 1.2247357];
 * assert.ok(out.every((v, i) => Math.abs(v - want[i]) < 1e-7));
 * assert.deepEqual(Array.from(mean), [2]);
 * ```
 */
export function layerNormForward<T extends FloatArray>(
  o: { x: T; gamma: T; beta?: T; rows: number; cols: number; eps: number },
): { out: T; mean: T; rstd: T } {
  const { x, gamma, beta, rows, cols, eps } = o;
  const out = zerosLike(x, rows * cols);
  const mean = zerosLike(x, rows);
  const rstd = zerosLike(x, rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let m = 0;
    for (let c = 0; c < cols; c++) m += x[base + c];
    m /= cols;
    let v = 0;
    for (let c = 0; c < cols; c++) v += (x[base + c] - m) ** 2;
    const s = 1 / Math.sqrt(v / cols + eps);
    for (let c = 0; c < cols; c++) {
      out[base + c] = (x[base + c] - m) * s * gamma[c] + (beta ? beta[c] : 0);
    }
    mean[r] = m;
    rstd[r] = s;
  }
  return { out, mean, rstd };
}

/**
 * Layer-norm backward. ADDS into `dx`, `dgamma` and `dbeta` (gradient buffers accumulate,
 * as in llm.c): with `xhat = (x - mean) * rstd` and `g = dout * gamma`,
 * `dx += rstd * (g - mean(g) - xhat * mean(g * xhat))`, `dgamma += sum_rows dout * xhat`,
 * `dbeta += sum_rows dout` (left out without `dbeta`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { layerNormBackward, layerNormForward } from "./layernorm.ts";
 * const x = new Float64Array([1, 2, 3]), gamma = new Float64Array([1, 1, 1]);
 * const f = layerNormForward({ x, gamma, beta: new Float64Array(3), rows: 1, cols: 3, eps: 1e-5 });
 * const dx = new Float64Array(3), dgamma = new Float64Array(3), dbeta = new Float64Array(3);
 * layerNormBackward({ dout: new Float64Array([1, 0, 0]), x, gamma, mean: f.mean, rstd: f.rstd,
 *   rows: 1, cols: 3, dx, dgamma, dbeta });
 * assert.deepEqual(Array.from(dbeta), [1, 0, 0]); // dout summed over rows
 * assert.deepEqual(Array.from(dgamma), [f.out[0], 0, 0]); // dout * xhat
 * assert.ok(Math.abs(dx[0] + dx[1] + dx[2]) < 1e-15); // shifting a row's x changes nothing
 * ```
 */
export function layerNormBackward<T extends FloatArray>(o: {
  dout: T;
  x: T;
  gamma: T;
  mean: T;
  rstd: T;
  rows: number;
  cols: number;
  dx: T;
  dgamma: T;
  dbeta?: T;
}): void {
  const { dout, x, gamma, mean, rstd, rows, cols, dx, dgamma, dbeta } = o;
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const m = mean[r], s = rstd[r];
    let gMean = 0, gxMean = 0;
    for (let c = 0; c < cols; c++) {
      const g = dout[base + c] * gamma[c];
      gMean += g;
      gxMean += g * (x[base + c] - m) * s;
    }
    gMean /= cols;
    gxMean /= cols;
    for (let c = 0; c < cols; c++) {
      const xhat = (x[base + c] - m) * s;
      const g = dout[base + c] * gamma[c];
      dx[base + c] += s * (g - gMean - xhat * gxMean);
      dgamma[c] += dout[base + c] * xhat;
      if (dbeta) dbeta[c] += dout[base + c];
    }
  }
}
