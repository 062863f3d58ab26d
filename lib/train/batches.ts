/**
 * Batches for training: examples grouped by length so that little padding is wasted
 * (dynamic padding to the longest in each batch), in an order fixed by a seed. As
 * Hugging Face's `group_by_length`: shuffle, cut into mega-batches of 50 batches,
 * sort each by length (longest first), cut into batches, shuffle the batches.
 *
 * @module
 */
import { createRandom, shuffle } from "../core/random.ts";

/**
 * A training example: subword ids and their label ids (-100 where no loss applies).
 */
export type Example = { inputIds: number[]; labels: number[] };

/**
 * A padded batch in row-major `[size, length]` arrays.
 */
export type Batch = {
  size: number;
  length: number;
  inputIds: Int32Array;
  labels: Int32Array;
  attentionMask: Int32Array;
  /** Indices of the examples, in row order. */
  examples: number[];
};

/**
 * Pads examples `indices` to the longest of them (ids with `padId`, labels with -100).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { padBatch } from "./batches.ts";
 * const examples = [{ inputIds: [1, 2], labels: [0, 1] }, { inputIds: [3], labels: [1] }];
 * const b = padBatch(examples, [0, 1], 0);
 * assert.equal(b.length, 2);
 * assert.deepEqual(b.inputIds, new Int32Array([1, 2, 3, 0])); // second row: [3, 0]
 * assert.deepEqual(b.labels, new Int32Array([0, 1, 1, -100]));
 * assert.deepEqual(b.attentionMask, new Int32Array([1, 1, 1, 0]));
 * ```
 */
export function padBatch(examples: readonly Example[], indices: number[], padId: number): Batch {
  const length = Math.max(1, ...indices.map((i) => examples[i].inputIds.length));
  const size = indices.length;
  const inputIds = new Int32Array(size * length).fill(padId);
  const labels = new Int32Array(size * length).fill(-100);
  const attentionMask = new Int32Array(size * length);
  indices.forEach((ex, row) => {
    const e = examples[ex];
    if (e.labels.length !== e.inputIds.length) {
      throw new Error(`example ${ex}: ${e.inputIds.length} ids but ${e.labels.length} labels`);
    }
    inputIds.set(e.inputIds, row * length);
    labels.set(e.labels, row * length);
    attentionMask.fill(1, row * length, row * length + e.inputIds.length);
  });
  return { size, length, inputIds, labels, attentionMask, examples: indices };
}

/**
 * One epoch's batches, length-grouped and shuffled by `seed` (pass a different seed per epoch).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lengthGroupedBatches } from "./batches.ts";
 * const examples = [[1], [1, 2, 3], [4], [5, 6, 7]]
 *   .map((ids) => ({ inputIds: ids, labels: ids.map(() => 0) }));
 * const batches = lengthGroupedBatches(examples, { batchSize: 2, seed: 1, padId: 0 });
 * assert.deepEqual(batches.map((b) => b.examples), [[1, 3], [0, 2]]); // long ones, short ones
 * assert.ok(batches.every((b) => b.attentionMask.every((m) => m === 1))); // so no padding
 * ```
 */
export function lengthGroupedBatches(
  examples: readonly Example[],
  o: { batchSize: number; seed: number; padId: number; megaBatches?: number },
): Batch[] {
  const random = createRandom(o.seed);
  const order = shuffle(Array.from(examples, (_, i) => i), random);
  const mega = o.batchSize * (o.megaBatches ?? 50);
  const groups: number[][] = [];
  for (let start = 0; start < order.length; start += mega) {
    const sorted = order.slice(start, start + mega)
      .sort((a, b) => examples[b].inputIds.length - examples[a].inputIds.length);
    for (let i = 0; i < sorted.length; i += o.batchSize) {
      groups.push(sorted.slice(i, i + o.batchSize));
    }
  }
  return shuffle(groups, random).map((g) => padBatch(examples, g, o.padId));
}

/**
 * Batches in the given order with no shuffling (for evaluation and prediction), still
 * grouped by length to save padding; `examples` of each batch map rows back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sequentialBatches } from "./batches.ts";
 * const examples = [[1], [1, 2, 3], [4, 5]]
 *   .map((ids) => ({ inputIds: ids, labels: ids.map(() => 0) }));
 * const batches = sequentialBatches(examples, { batchSize: 2, padId: 0 });
 * assert.deepEqual(batches.map((b) => b.examples), [[1, 2], [0]]); // longest first
 * ```
 */
export function sequentialBatches(
  examples: readonly Example[],
  o: { batchSize: number; padId: number },
): Batch[] {
  const order = Array.from(examples, (_, i) => i)
    .sort((a, b) => examples[b].inputIds.length - examples[a].inputIds.length || a - b);
  const batches: Batch[] = [];
  for (let i = 0; i < order.length; i += o.batchSize) {
    batches.push(padBatch(examples, order.slice(i, i + o.batchSize), o.padId));
  }
  return batches;
}
