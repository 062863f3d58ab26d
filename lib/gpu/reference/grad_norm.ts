/**
 * The global gradient norm over many tensors and the clipping factor derived from it:
 * the CPU reference for `lib/gpu/kernels/grad_norm.ts`. Same numbers as PyTorch's
 * `torch.nn.utils.clip_grad_norm_` (L2 norm, `max_norm / (norm + 1e-6)` clamped at 1).
 *
 * @module
 */

/**
 * The L2 norm of all elements of all `grads` together (summed in f64).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { globalNorm } from "./grad_norm.ts";
 * assert.equal(globalNorm([new Float32Array([3]), new Float32Array([4])]), 5);
 * ```
 */
export function globalNorm(grads: ArrayLike<number>[]): number {
  let sum = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) sum += g[i] * g[i];
  return Math.sqrt(sum);
}

/**
 * The factor every gradient is multiplied by: `min(1, maxNorm / (norm + 1e-6))`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { clipFactor } from "./grad_norm.ts";
 * assert.equal(clipFactor(5, 1), 1 / (5 + 1e-6)); // ~0.2
 * assert.equal(clipFactor(0.5, 1), 1); // under the limit: unchanged
 * ```
 */
export function clipFactor(norm: number, maxNorm: number): number {
  return Math.min(1, maxNorm / (norm + 1e-6));
}
