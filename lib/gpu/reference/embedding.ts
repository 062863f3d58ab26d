/**
 * Embedding lookup, forward and backward: the sum of several table lookups per token
 * (word + position + token type for BERT, word + position for GPT-2), and the gradient
 * scatter-add into each table. The CPU reference for `lib/gpu/kernels/embedding.ts`.
 * Matches PyTorch's `nn.Embedding`, including `padding_idx` (that row gets no gradient).
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * One table lookup: `table` `[vocab, cols]` indexed by `ids` (one id per token row).
 */
export type Lookup<T extends FloatArray> = { table: T; ids: ArrayLike<number> };

/**
 * Throws a clear error when an id is not a row of its table.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkIds } from "./embedding.ts";
 * checkIds([0, 5], 10, "word ids"); // ok
 * assert.throws(() => checkIds([0, 10], 10, "word ids"),
 *   /word ids: id 10 at token 1 is outside the table \(0..9\)/);
 * ```
 */
export function checkIds(ids: ArrayLike<number>, vocab: number, what: string): void {
  for (let n = 0; n < ids.length; n++) {
    const id = ids[n];
    if (!Number.isInteger(id) || id < 0 || id >= vocab) {
      throw new Error(`${what}: id ${id} at token ${n} is outside the table (0..${vocab - 1})`);
    }
  }
}

/**
 * Embedding forward: `out[n, c] = sum over lookups of table[ids[n], c]`, `[rows, cols]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingForward } from "./embedding.ts";
 * const out = embeddingForward({ rows: 1, cols: 2, lookups: [
 *   { table: new Float32Array([1, 2, 3, 4]), ids: [1] },
 *   { table: new Float32Array([10, 20]), ids: [0] },
 * ] });
 * assert.deepEqual(out, Float32Array.of(13, 24)); // [3 + 10, 4 + 20]
 * ```
 */
export function embeddingForward<T extends FloatArray>(
  o: { lookups: Lookup<T>[]; rows: number; cols: number },
): T {
  const { lookups, rows, cols } = o;
  if (lookups.length === 0) throw new Error("embeddingForward: no lookups");
  const out = zerosLike(lookups[0].table, rows * cols);
  lookups.forEach(({ table, ids }, li) => {
    if (ids.length !== rows) {
      throw new Error(`embeddingForward: lookup ${li} has ${ids.length} ids for ${rows} rows`);
    }
    checkIds(ids, table.length / cols, `embeddingForward lookup ${li}`);
    for (let n = 0; n < rows; n++) {
      const src = ids[n] * cols;
      for (let c = 0; c < cols; c++) out[n * cols + c] += table[src + c];
    }
  });
  return out;
}

/**
 * Embedding backward for one table: ADDS `dout[n, :]` into `dtable[ids[n], :]` for every
 * token `n` whose id is not `paddingIdx`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingBackward } from "./embedding.ts";
 * const dtable = new Float32Array(4);
 * embeddingBackward({ dout: new Float32Array([1, 2, 3, 4]), ids: [1, 1], dtable, rows: 2, cols: 2 });
 * assert.deepEqual(dtable, Float32Array.of(0, 0, 4, 6)); // both tokens add into row 1
 * ```
 */
export function embeddingBackward<T extends FloatArray>(o: {
  dout: T;
  ids: ArrayLike<number>;
  dtable: T;
  rows: number;
  cols: number;
  paddingIdx?: number;
}): void {
  const { dout, ids, dtable, rows, cols, paddingIdx } = o;
  checkIds(ids, dtable.length / cols, "embeddingBackward");
  for (let n = 0; n < rows; n++) {
    if (ids[n] === paddingIdx) continue;
    const dst = ids[n] * cols;
    for (let c = 0; c < cols; c++) dtable[dst + c] += dout[n * cols + c];
  }
}
