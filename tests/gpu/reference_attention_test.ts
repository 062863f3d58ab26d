import assert from "node:assert/strict";
import {
  softmaxBackward,
  softmaxForward,
  type SoftmaxShape,
} from "../../lib/gpu/reference/attention.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("softmaxForward with key mask and causal mask matches PyTorch", () => {
  // torch.softmax(s * 0.5 + [0, 0, -inf] + causal -inf mask, -1) in float64.
  const expected = [
    1,
    0,
    0,
    0.5249791874789399,
    0.47502081252106,
    0,
    0.37754066879814546,
    0.6224593312018546,
    0,
  ];
  const p = softmaxForward(new Float64Array([0.5, 1, -2, 0.3, 0.1, 0.2, 1, 2, 3]), {
    batch: 1,
    heads: 1,
    seq: 3,
    scale: 0.5,
    keyMask: [1, 1, 0],
    causal: true,
  });
  assert.ok(maxError(p, expected) < 1e-14);
});

Deno.test("softmaxForward gives a zero row when no key is visible", () => {
  const p = softmaxForward(new Float64Array([1, 2, 3, 4]), {
    batch: 1,
    heads: 1,
    seq: 2,
    scale: 1,
    keyMask: [0, 1],
    causal: true,
  });
  assert.deepEqual(Array.from(p), [0, 0, 0, 1]);
});

Deno.test("softmaxBackward matches finite differences (masked, 2 batches x 3 heads)", () => {
  const s: SoftmaxShape = {
    batch: 2,
    heads: 3,
    seq: 5,
    scale: 0.7,
    keyMask: [1, 1, 1, 0, 0, 1, 1, 1, 1, 1],
    causal: true,
  };
  const n = 2 * 3 * 5 * 5;
  const scores = randn(7, n, 2), w = randn(8, n);
  const numeric = numericGradient((x) => dot(softmaxForward(x, s), w), scores);
  const analytic = softmaxBackward(softmaxForward(scores, s), w, s);
  assert.ok(maxError(analytic, numeric) < 1e-6);
});

Deno.test("softmaxForward with a sliding window: keys within floor(window / 2), padding still hidden", () => {
  // equal scores: each query's probabilities are uniform over its visible keys
  const s = { batch: 1, heads: 1, seq: 5, scale: 1 };
  const rows = (p: Float64Array) =>
    Array.from({ length: 5 }, (_, i) => Array.from(p.subarray(i * 5, i * 5 + 5)));
  const w4 = rows(softmaxForward(new Float64Array(25), { ...s, window: 4 })); // radius 2
  assert.deepEqual(w4[0], [1 / 3, 1 / 3, 1 / 3, 0, 0]);
  assert.deepEqual(w4[2], [0.2, 0.2, 0.2, 0.2, 0.2]);
  assert.deepEqual(w4[4], [0, 0, 1 / 3, 1 / 3, 1 / 3]);
  // local_attention 5 // 2 = 2 as well; 3 // 2 = 1
  assert.deepEqual(rows(softmaxForward(new Float64Array(25), { ...s, window: 5 })), w4);
  assert.deepEqual(rows(softmaxForward(new Float64Array(25), { ...s, window: 3 }))[1], [
    1 / 3,
    1 / 3,
    1 / 3,
    0,
    0,
  ]);
  // with key 1 padding, query 0 sees keys 0 and 2
  const masked = rows(
    softmaxForward(new Float64Array(25), { ...s, window: 4, keyMask: [1, 0, 1, 1, 1] }),
  );
  assert.deepEqual(masked[0], [0.5, 0, 0.5, 0, 0]);
});

Deno.test("softmaxBackward matches finite differences with a sliding window", () => {
  const s: SoftmaxShape = {
    batch: 2,
    heads: 2,
    seq: 6,
    scale: 0.9,
    window: 2,
    keyMask: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
  };
  const n = 2 * 2 * 6 * 6;
  const scores = randn(9, n, 2), w = randn(10, n);
  const numeric = numericGradient((x) => dot(softmaxForward(x, s), w), scores);
  assert.ok(maxError(softmaxBackward(softmaxForward(scores, s), w, s), numeric) < 1e-6);
});
