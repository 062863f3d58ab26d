/**
 * Host (CPU) tensors of a checkpoint: a row-major shape with float32 data, and the map of
 * named tensors a checkpoint is made of.
 *
 * @module
 */

/**
 * A row-major float32 tensor in host memory.
 *
 * @example
 * ```ts
 * const t: HostTensor = { shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) };
 * ```
 */
export type HostTensor = { shape: number[]; data: Float32Array };

/**
 * Named tensors, in transformers' parameter names (e.g. `bert.embeddings.word_embeddings.weight`).
 *
 * @example
 * ```ts
 * const m: TensorMap = new Map([["classifier.bias", { shape: [3], data: new Float32Array(3) }]]);
 * ```
 */
export type TensorMap = Map<string, HostTensor>;

/**
 * The number of elements of a shape (1 for a scalar `[]`).
 *
 * @example
 * ```ts
 * numel([2, 3, 4]); // 24
 * ```
 */
export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
