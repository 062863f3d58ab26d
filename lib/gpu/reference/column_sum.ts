/**
 * Column sums of `[rows, cols]`, added into a `[cols]` buffer: the bias gradient of a
 * linear layer (`dbias += sum over rows of dout`). The CPU reference for
 * `lib/gpu/kernels/column_sum.ts`.
 *
 * @module
 */
import type { FloatArray } from "./float_array.ts";

/**
 * `into[c] += sum_r x[r, c]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { columnSum } from "./column_sum.ts";
 * const db = new Float32Array(2);
 * columnSum(new Float32Array([1, 2, 3, 4]), 2, 2, db);
 * assert.deepEqual(db, Float32Array.of(4, 6)); // [1 + 3, 2 + 4]
 * ```
 */
export function columnSum<T extends FloatArray>(x: T, rows: number, cols: number, into: T): void {
  if (x.length !== rows * cols || into.length !== cols) {
    throw new Error(`columnSum: ${x.length} elements / ${into.length} sums for [${rows}, ${cols}]`);
  }
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) into[c] += x[r * cols + c];
  }
}
