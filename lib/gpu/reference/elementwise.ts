/**
 * Elementwise helpers of the forward and backward passes (residual add, gradient
 * accumulation, scaling, filling): the CPU reference for `lib/gpu/kernels/elementwise.ts`.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * `out = a + b` (the residual connection).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { add } from "./elementwise.ts";
 * assert.deepEqual(add(new Float32Array([1, 2]), new Float32Array([3, 4])), Float32Array.of(4, 6));
 * ```
 */
export function add<T extends FloatArray>(a: T, b: T): T {
  if (a.length !== b.length) throw new Error(`add: lengths differ (${a.length}, ${b.length})`);
  const out = zerosLike(a, a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] + b[i];
  return out;
}

/**
 * `dst += alpha * src`, in place (gradient accumulation, the backward of a residual add).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { accumulate } from "./elementwise.ts";
 * const d = new Float32Array([1, 1]);
 * accumulate(d, new Float32Array([2, 3]), 0.5);
 * assert.deepEqual(d, Float32Array.of(2, 2.5));
 * ```
 */
export function accumulate<T extends FloatArray>(dst: T, src: T, alpha = 1): void {
  if (dst.length !== src.length) {
    throw new Error(`accumulate: lengths differ (${dst.length}, ${src.length})`);
  }
  for (let i = 0; i < dst.length; i++) dst[i] += alpha * src[i];
}

/**
 * `x *= alpha`, in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scale } from "./elementwise.ts";
 * const x = new Float32Array([1, -2]);
 * scale(x, 3);
 * assert.deepEqual(x, Float32Array.of(3, -6));
 * ```
 */
export function scale<T extends FloatArray>(x: T, alpha: number): void {
  for (let i = 0; i < x.length; i++) x[i] *= alpha;
}
