import assert from "node:assert/strict";
import { repeatKvBackward, repeatKvForward } from "../../lib/gpu/reference/repeat_kv.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("repeatKvForward: query head h reads key/value head floor(h / groups) (worked by hand)", () => {
  // one token of a row [q q | k0 k1 | v0 v1] with heads of 1: keys at column 2, ld 6
  const row = new Float64Array([9, 9, 1, 2, 3, 4]);
  const out = repeatKvForward(row.subarray(2), {
    rows: 1,
    parts: 2,
    kvHeads: 2,
    groups: 3,
    headDim: 1,
    ld: 6,
  });
  assert.deepEqual(Array.from(out), [1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4]);
});

Deno.test("repeatKvBackward matches finite differences (sums over the sharing query heads)", () => {
  const s = { rows: 3, parts: 2, kvHeads: 2, groups: 3, headDim: 4, ld: 21 };
  const x = randn(1, 3 * 21), w = randn(2, 3 * 2 * 6 * 4);
  const numeric = numericGradient((v) => dot(repeatKvForward(v, s), w), x);
  assert.ok(maxError(repeatKvBackward(w, s), numeric) < 1e-8);
});
