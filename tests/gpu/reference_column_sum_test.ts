import assert from "node:assert/strict";
import { columnSum } from "../../lib/gpu/reference/column_sum.ts";

Deno.test("columnSum adds each column's sum into the buffer", () => {
  const into = new Float64Array([10, 20, 30]);
  columnSum(new Float64Array([1, 2, 3, 4, 5, 6]), 2, 3, into);
  assert.deepEqual(Array.from(into), [15, 27, 39]);
  assert.throws(() => columnSum(new Float64Array(5), 2, 3, into), /\[2, 3\]/);
});
