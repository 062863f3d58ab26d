import assert from "node:assert/strict";
import { crossEntropy } from "../../lib/gpu/reference/cross_entropy.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { randn } from "./test_data.ts";

Deno.test("crossEntropy matches PyTorch cross_entropy with ignore_index -100", () => {
  // F.cross_entropy(logits, [1, -100, 2]) and its gradient, float64, torch 1.13.
  const r = crossEntropy({
    logits: new Float64Array([1, 2, 0.5, 0.1, -1, 3, 2, 2, 2]),
    targets: [1, -100, 2],
    rows: 3,
    classes: 3,
  });
  assert.ok(Math.abs(r.loss - 0.7814905363880273) < 1e-14);
  const expected = [
    0.11561194881107452,
    -0.18573414039411879,
    0.07012219158304424,
    0,
    0,
    0,
    0.16666666666666666,
    0.16666666666666666,
    -0.33333333333333337,
  ];
  assert.ok(maxError(r.dlogits, expected) < 1e-14);
  assert.equal(r.count, 2);
});

Deno.test("crossEntropy gradient matches finite differences; all-ignored gives NaN", () => {
  const rows = 6, classes = 5, targets = [4, -100, 0, 2, -100, 3];
  const logits = randn(16, rows * classes, 3);
  const numeric = numericGradient(
    (x) => 2.5 * crossEntropy({ logits: x, targets, rows, classes }).loss,
    logits,
  );
  const r = crossEntropy({ logits, targets, rows, classes, gradScale: 2.5 });
  assert.ok(maxError(r.dlogits, numeric) < 1e-7);
  const none = crossEntropy({ logits, targets: [-100, -100], rows: 2, classes: 15 });
  assert.ok(Number.isNaN(none.loss));
  assert.throws(
    () => crossEntropy({ logits, targets: [5], rows: 1, classes: 5 }),
    /target 5 at row 0/,
  );
});
