import assert from "node:assert/strict";
import {
  dropoutBackward,
  dropoutForward,
  dropoutThreshold,
  pcgHash,
} from "../../lib/gpu/reference/dropout.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("pcgHash matches a hand computation", () => {
  // pcg_hash(0): state = 2891336453; shift = (state >> 28) + 4 = 14;
  // word = ((state >> 14) ^ state) * 277803737 mod 2^32; out = (word >> 22) ^ word,
  // worked with Python integers: 129708002.
  assert.equal(pcgHash(0), 129708002);
});

Deno.test("dropout keeps about 1 - p, scales by 1 / (1 - p), is reproducible", () => {
  const n = 100000, p = 0.1;
  const x = new Float32Array(n).fill(1);
  const a = dropoutForward(x, { p, seed: 42, step: 3 });
  let kept = 0;
  for (const v of a) {
    if (v !== 0) {
      kept++;
      assert.equal(v, Math.fround(1 / 0.9));
    }
  }
  // binomial sd = sqrt(n p (1-p)) ~ 95; allow 5 sd
  assert.ok(Math.abs(kept - n * (1 - p)) < 5 * 95, `kept ${kept}`);
  assert.deepEqual(dropoutForward(x, { p, seed: 42, step: 3 }), a);
  const other = dropoutForward(x, { p, seed: 42, step: 4 });
  let same = 0;
  for (let i = 0; i < n; i++) if ((other[i] === 0) === (a[i] === 0)) same++;
  // independent masks agree on p^2 + (1-p)^2 = 82% of elements
  assert.ok(Math.abs(same / n - 0.82) < 0.01, `agreement ${same / n}`);
  assert.equal(dropoutThreshold(0.1), 1677722);
  assert.throws(() => dropoutThreshold(1.5), /^Error: dropoutThreshold: probability 1.5 is not/);
  assert.deepEqual(Array.from(dropoutForward(x.subarray(0, 3), { p: 1, seed: 1, step: 1 })), [
    0,
    0,
    0,
  ]);
});

Deno.test("dropoutBackward matches finite differences", () => {
  const o = { p: 0.3, seed: 7, step: 1 };
  const x = randn(14, 50), w = randn(15, 50);
  const numeric = numericGradient((v) => dot(dropoutForward(v, o), w), x);
  assert.ok(maxError(dropoutBackward(w, o), numeric) < 1e-8);
});
