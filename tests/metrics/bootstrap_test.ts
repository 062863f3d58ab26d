import assert from "node:assert/strict";
import {
  bootstrapF1,
  documentCounts,
  microF1,
  quantileSorted,
} from "../../lib/metrics/bootstrap.ts";
import { f1Score } from "../../lib/metrics/seqeval.ts";

const DOCS = [
  { tp: 3, pred: 4, gold: 4 },
  { tp: 1, pred: 2, gold: 3 },
  { tp: 5, pred: 5, gold: 6 },
  { tp: 0, pred: 1, gold: 2 },
  { tp: 7, pred: 9, gold: 8 },
];

Deno.test("quantileSorted matches numpy's default (linear) quantile", () => {
  // numpy 1.24.2: np.quantile([.1,.2,.3,.5,.7,.8,.9], q) for q = .025, .975, .5
  // gives 0.115, 0.885, 0.5
  const x = [0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9];
  assert.ok(Math.abs(quantileSorted(x, 0.025) - 0.115) < 1e-15);
  assert.ok(Math.abs(quantileSorted(x, 0.975) - 0.885) < 1e-15);
  assert.equal(quantileSorted(x, 0.5), 0.5);
  assert.equal(quantileSorted(x, 1), 0.9);
});

Deno.test("bootstrapF1: point estimate is the micro F1 of all documents", () => {
  const r = bootstrapF1(DOCS, { iterations: 500, seed: 3 });
  // 16 matches, 21 predicted, 23 gold: F1 = 2 * 16 / (21 + 23) up to rounding
  assert.ok(Math.abs(r.f1 - 32 / 44) < 1e-15);
  assert.equal(r.f1, microF1({ tp: 16, pred: 21, gold: 23 }));
  assert.ok(r.lower <= r.f1 && r.f1 <= r.upper);
  assert.equal(r.replicates.length, 500);
  for (let i = 1; i < r.replicates.length; i++) assert.ok(r.replicates[i - 1] <= r.replicates[i]);
});

Deno.test("bootstrapF1: seeded, reproducible, and degenerate when all documents agree", () => {
  const a = bootstrapF1(DOCS, { iterations: 200, seed: 9 });
  const b = bootstrapF1(DOCS, { iterations: 200, seed: 9 });
  const c = bootstrapF1(DOCS, { iterations: 200, seed: 10 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.replicates, c.replicates);
  const same = Array.from({ length: 6 }, () => ({ tp: 2, pred: 3, gold: 4 }));
  const d = bootstrapF1(same, { iterations: 100, seed: 1 });
  assert.equal(d.lower, d.f1);
  assert.equal(d.upper, d.f1);
  // a wider level gives a wider interval from the same replicates
  const n90 = bootstrapF1(DOCS, { iterations: 400, seed: 5, level: 0.9 });
  const n99 = bootstrapF1(DOCS, { iterations: 400, seed: 5, level: 0.99 });
  assert.ok(n99.lower <= n90.lower && n99.upper >= n90.upper);
});

Deno.test("documentCounts: summed, they give seqeval's micro F1 of the whole corpus", () => {
  const yTrue = [[["B-PER", "I-PER", "O"], ["B-ORG"]], [["O", "B-LOC"]], [["B-PER"]]];
  const yPred = [[["B-PER", "O", "O"], ["B-ORG"]], [["O", "B-LOC"]], [["B-ORG"]]];
  const counts = documentCounts(yTrue, yPred);
  assert.deepEqual(counts, [
    { tp: 1, pred: 2, gold: 2 },
    { tp: 1, pred: 1, gold: 1 },
    { tp: 0, pred: 1, gold: 1 },
  ]);
  const total = counts.reduce((s, c) => ({
    tp: s.tp + c.tp,
    pred: s.pred + c.pred,
    gold: s.gold + c.gold,
  }));
  assert.equal(microF1(total), f1Score(yTrue.flat(), yPred.flat()));
  assert.throws(() => documentCounts([[["O"]]], [[["O", "O"]]]), /document 0: sentence 0/);
});

Deno.test("bootstrapF1: bad input is an error", () => {
  assert.throws(() => bootstrapF1([]), /at least one document/);
  assert.throws(() => bootstrapF1([{ tp: 3, pred: 2, gold: 4 }]), /document 0/);
  assert.throws(() => bootstrapF1(DOCS, { level: 1 }), /level/);
  assert.throws(() => bootstrapF1(DOCS, { iterations: 0 }), /iterations/);
});
