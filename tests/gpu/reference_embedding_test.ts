import assert from "node:assert/strict";
import { embeddingBackward, embeddingForward } from "../../lib/gpu/reference/embedding.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("embeddingForward sums the lookups", () => {
  const out = embeddingForward({
    rows: 2,
    cols: 2,
    lookups: [
      { table: new Float64Array([1, 2, 3, 4, 5, 6]), ids: [2, 0] },
      { table: new Float64Array([10, 20, 30, 40]), ids: [0, 1] },
    ],
  });
  assert.deepEqual(Array.from(out), [15, 26, 31, 42]);
});

Deno.test("embeddingForward names a bad id", () => {
  assert.throws(
    () =>
      embeddingForward({ rows: 1, cols: 1, lookups: [{ table: new Float64Array(3), ids: [3] }] }),
    /id 3 at token 0 is outside the table/,
  );
});

Deno.test("embeddingBackward matches finite differences, skips padding_idx", () => {
  const rows = 9, cols = 3, vocab = 5;
  const ids = [0, 4, 1, 1, 3, 4, 4, 0, 2];
  const table = randn(12, vocab * cols), w = randn(13, rows * cols);
  const numeric = numericGradient(
    (t) => dot(embeddingForward({ rows, cols, lookups: [{ table: t, ids }] }), w),
    table,
  );
  const dtable = new Float64Array(vocab * cols);
  embeddingBackward({ dout: w, ids, dtable, rows, cols });
  assert.ok(maxError(dtable, numeric) < 1e-8);
  const padded = new Float64Array(vocab * cols);
  embeddingBackward({ dout: w, ids, dtable: padded, rows, cols, paddingIdx: 4 });
  assert.deepEqual(Array.from(padded.subarray(12, 15)), [0, 0, 0]);
  assert.deepEqual(padded.subarray(0, 12), dtable.subarray(0, 12));
});
