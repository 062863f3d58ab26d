/**
 * The array type the CPU references compute in: `Float32Array` to compare with the GPU
 * kernels, `Float64Array` for finite-difference checks of the backward passes.
 *
 * @module
 */

/**
 * A float array the references accept: f32 to mirror the GPU, f64 for gradient checks.
 */
export type FloatArray = Float32Array | Float64Array;

/**
 * A new zero-filled array of the same element type as `like`, with `length` elements.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { zerosLike } from "./float_array.ts";
 * assert.deepEqual(zerosLike(new Float64Array(2), 5), new Float64Array(5));
 * assert.ok(zerosLike(new Float32Array(2), 1) instanceof Float32Array);
 * ```
 */
export function zerosLike<T extends FloatArray>(like: T, length: number): T {
  return (like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as T;
}
