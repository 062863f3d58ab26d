import assert from "node:assert/strict";
import { rotaryBackward, rotaryForward, rotaryTable } from "../../lib/gpu/reference/rotary.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("rotaryForward turns the two halves of a head against each other (worked by hand)", () => {
  // head of 4 at position 2, theta 100: inverse frequencies 1 and 100^-0.5 = 0.1, so the
  // pair (x0, x2) turns by 2 radians and (x1, x3) by 0.2; row 0 (position 0) stays
  const x = new Float64Array([5, 6, 7, 8, 9, 9, 9, 9, 1, 2, 3, 4]);
  const out = rotaryForward(x, { rows: 3, seq: 3, heads: 1, headDim: 4, theta: 100 });
  const [c2, s2, c02, s02] = [Math.cos(2), Math.sin(2), Math.cos(0.2), Math.sin(0.2)];
  const expected = [1 * c2 - 3 * s2, 2 * c02 - 4 * s02, 3 * c2 + 1 * s2, 4 * c02 + 2 * s02];
  assert.deepEqual(Array.from(out.subarray(0, 4)), [5, 6, 7, 8]);
  assert.ok(maxError(out.subarray(8), expected) < 1e-6); // angle 0.1 rounded to float32
  // position = row modulo seq: with seq 2 the third row is at position 0 again
  const again = rotaryForward(x, { rows: 3, seq: 2, heads: 1, headDim: 4, theta: 100 });
  assert.deepEqual(Array.from(again.subarray(8)), [1, 2, 3, 4]);
});

Deno.test("rotaryTable rounds the angle to float32 as transformers does", () => {
  // transformers: inv_freq = 1 / theta ** (arange(0, d, 2).float() / d), angle = inv_freq * p
  // in float32; at p = 511, pair 1 of d = 8, theta = 10000: inv_freq = 0.1
  const t = rotaryTable(512, 8, 10000);
  const angle = Math.fround(511 * Math.fround(0.1));
  assert.equal(t[(511 * 4 + 1) * 2], Math.cos(angle));
  assert.notEqual(angle, 511 * 0.1); // the rounding is visible at this position
});

Deno.test("rotaryForward leaves the columns past the heads alone (values of a fused projection)", () => {
  const x = randn(3, 5 * 10);
  const out = rotaryForward(x, { rows: 5, seq: 5, heads: 2, headDim: 4, ld: 10, theta: 1e4 });
  for (let r = 0; r < 5; r++) {
    assert.deepEqual(Array.from(out.subarray(r * 10 + 8, r * 10 + 10)), [
      x[r * 10 + 8],
      x[r * 10 + 9],
    ]);
  }
});

Deno.test("rotaryBackward matches finite differences", () => {
  const s = { rows: 7, seq: 4, heads: 3, headDim: 6, ld: 20, theta: 10 };
  const x = randn(1, 7 * 20, 2), w = randn(2, 7 * 20);
  const numeric = numericGradient((v) => dot(rotaryForward(v, s), w), x);
  assert.ok(maxError(rotaryBackward(w, s), numeric) < 1e-6);
});

Deno.test("rotary refuses an odd head width", () => {
  assert.throws(
    () => rotaryForward(new Float64Array(3), { rows: 1, seq: 1, heads: 1, headDim: 3, theta: 1 }),
    /rotaryForward: headDim 3 is not a positive even integer/,
  );
});
