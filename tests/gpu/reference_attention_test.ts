import assert from "node:assert/strict";
import {
  mergeHeads,
  mergeQkv,
  softmaxBackward,
  softmaxForward,
  type SoftmaxShape,
  splitHeads,
  splitQkv,
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

Deno.test("head permutations are inverse and adjoint", () => {
  const s = { batch: 2, seq: 3, heads: 4, headDim: 5 };
  const x = randn(9, 2 * 3 * 4 * 5);
  assert.deepEqual(mergeHeads(splitHeads(x, s), s), x);
  // element (b=1, t=2, h=3, k=4) moves to ((b*H + h)*T + t)*d + k
  assert.equal(splitHeads(x, s)[((1 * 4 + 3) * 3 + 2) * 5 + 4], x[((1 * 3 + 2) * 4 + 3) * 5 + 4]);
  const qkv = randn(10, 3 * x.length);
  const { q, k, v } = splitQkv(qkv, s);
  assert.deepEqual(mergeQkv(q, k, v, s), qkv);
  // adjoint: <split(x), y> = <x, merge(y)> makes merge the backward of split
  const y = randn(11, x.length);
  assert.ok(Math.abs(dot(splitHeads(x, s), y) - dot(x, mergeHeads(y, s))) < 1e-12);
  // v of token (b=0, t=1), head 2 comes from part 2 of the fused row
  assert.equal(v[((0 * 4 + 2) * 3 + 1) * 5], qkv[((0 * 3 + 1) * 3 + 2) * 4 * 5 + 2 * 5]);
});
