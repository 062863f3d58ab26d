/**
 * Host (CPU) tensors of a checkpoint: a row-major shape with float32 data, and the map of
 * named tensors a checkpoint is made of.
 *
 * @module
 */

/**
 * A row-major float32 tensor in host memory.
 */
export type HostTensor = { shape: number[]; data: Float32Array };

/**
 * Named tensors, in transformers' parameter names (e.g. `bert.embeddings.word_embeddings.weight`).
 */
export type TensorMap = Map<string, HostTensor>;

/**
 * The number of elements of a shape (1 for a scalar `[]`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numel } from "./host_tensor.ts";
 * assert.equal(numel([2, 3, 4]), 24);
 * assert.equal(numel([]), 1); // a scalar
 * ```
 */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
