import assert from "node:assert/strict";
import {
  f1Score,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  type ScoreOptions,
  scoresFromCounts,
} from "../../lib/metrics/seqeval.ts";
import { README_PRED, README_TRUE } from "./fixtures/seqeval_readme.ts";

// seqeval's README (fixtures/seqeval_readme.ts) and docstring examples (published figures).
const DOC_TRUE = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "O", "O"], ["B-PER", "I-PER", "O"]];
const DOC_PRED = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];

Deno.test("seqeval README: f1_score 0.50, and the same in strict IOB2", () => {
  assert.equal(f1Score(README_TRUE, README_PRED), 0.5);
  assert.equal(f1Score(README_TRUE, README_PRED, { mode: "strict", scheme: "IOB2" }), 0.5);
});

Deno.test("seqeval docstrings: micro 0.6666666666666666, macro 0.75, per type [0.5, 1]", () => {
  for (const fn of [precisionScore, recallScore, f1Score]) {
    assert.equal(fn(DOC_TRUE, DOC_PRED), 0.6666666666666666);
    assert.equal(fn(DOC_TRUE, DOC_PRED, { average: "micro" }), 0.6666666666666666);
    assert.equal(fn(DOC_TRUE, DOC_PRED, { average: "macro" }), 0.75);
    assert.equal(fn(DOC_TRUE, DOC_PRED, { average: "weighted" }), 0.6666666666666666);
    assert.deepEqual(fn(DOC_TRUE, DOC_PRED, { average: null }), [0.5, 1]);
  }
});

Deno.test("seqeval test_v1 scores: A, B, C per type and averages", () => {
  // tests/test_v1.py (seqeval 1.2.2): exact values of its output_dict test
  const yTrue = [["B-A", "B-B", "O", "B-A"]], yPred = [["O", "B-B", "B-C", "B-A"]];
  const per = precisionRecallFscoreSupport(yTrue, yPred, { zeroDivision: 0 });
  assert.deepEqual(per.labels, ["A", "B", "C"]);
  assert.deepEqual(per.precision, [1, 1, 0]);
  assert.deepEqual(per.recall, [0.5, 1, 0]);
  assert.deepEqual(per.f1, [0.6666666666666666, 1, 0]);
  assert.deepEqual(per.support, [2, 1, 0]);
  const macro = precisionRecallFscoreSupport(yTrue, yPred, { average: "macro", zeroDivision: 0 });
  assert.equal(macro.precision, 0.6666666666666666);
  assert.equal(macro.recall, 0.5);
  assert.equal(macro.f1, 0.5555555555555555);
  assert.equal(macro.support, 3);
  const weighted = precisionRecallFscoreSupport(yTrue, yPred, {
    average: "weighted",
    zeroDivision: 0,
  });
  assert.equal(weighted.precision, 1);
  assert.equal(weighted.recall, 0.6666666666666666);
  assert.equal(weighted.f1, 0.7777777777777777);
  const micro = precisionRecallFscoreSupport(yTrue, yPred, { average: "micro" });
  assert.equal(micro.precision, 0.6666666666666666);
  assert.equal(micro.f1, 0.6666666666666666);
});

Deno.test("strict vs default: [I-X, I-X, O] against gold [B-X, I-X, O]", () => {
  const yTrue = [["B-X", "I-X", "O"]], yPred = [["I-X", "I-X", "O"]];
  assert.equal(f1Score(yTrue, yPred), 1);
  assert.equal(f1Score(yTrue, yPred, { mode: "strict", scheme: "IOB2", zeroDivision: 0 }), 0);
  assert.equal(
    precisionScore(yTrue, yPred, { mode: "strict", scheme: "IOB2", zeroDivision: 1 }),
    1,
  );
  assert.equal(recallScore(yTrue, yPred, { mode: "strict", scheme: "IOB2" }), 0);
});

Deno.test("zero division: empty predictions, all-O input, and the zeroDivision option", () => {
  const yTrue = [["B-X", "O"], ["B-Y", "I-Y"]], empty = [["O", "O"], ["O", "O"]];
  // no predictions: precision 0/0 -> zeroDivision, recall 0, F1 0
  assert.equal(precisionScore(yTrue, empty, { zeroDivision: 0 }), 0);
  assert.equal(precisionScore(yTrue, empty, { zeroDivision: 1 }), 1);
  assert.equal(recallScore(yTrue, empty, { zeroDivision: 1 }), 0);
  assert.equal(f1Score(yTrue, empty, { zeroDivision: 1 }), 0);
  assert.deepEqual(f1Score(yTrue, empty, { average: null, zeroDivision: 1 }), [0, 0]);
  // nothing anywhere: micro 0/0 everywhere -> zeroDivision; weighted: seqeval's
  // early return; macro: mean of no types = NaN (numpy's average of an empty array)
  assert.equal(f1Score(empty, empty, { zeroDivision: 0 }), 0);
  assert.equal(f1Score(empty, empty, { zeroDivision: 1 }), 1);
  assert.equal(f1Score(empty, empty, { average: "weighted", zeroDivision: 1 }), 1);
  assert.equal(f1Score([["O"]], [["B-X"]], { average: "weighted", zeroDivision: 1 }), 0);
  assert.equal(recallScore([["O"]], [["B-X"]], { average: "weighted", zeroDivision: 1 }), 1);
  assert.ok(Number.isNaN(f1Score(empty, empty, { average: "macro", zeroDivision: 0 })));
  assert.deepEqual(f1Score(empty, empty, { average: null }), []);
  // seqeval test_weighted_true_sum_zero: (0.0, 0.0, 0.0, 0)
  const w = precisionRecallFscoreSupport([["O"]], [["O"]], { average: "weighted" });
  assert.deepEqual([w.precision, w.recall, w.f1, w.support], [0, 0, 0, 0]);
});

Deno.test("zeroDivision 'warn' warns once per message", () => {
  const messages: string[] = [];
  const orig = console.warn;
  console.warn = (m: string) => messages.push(m);
  try {
    const yTrue = [["B-ZZWARN", "O"]], empty = [["O", "O"]];
    assert.equal(precisionScore(yTrue, empty), 0);
    assert.equal(precisionScore(yTrue, empty), 0);
    assert.equal(recallScore(yTrue, empty), 1 / 1 - 1); // recall is 0/1 = 0, no warning
  } finally {
    console.warn = orig;
  }
  const prec = messages.filter((m) => m.includes("Precision is ill-defined"));
  assert.equal(prec.length, 1);
  assert.match(prec[0], /due to no predicted samples/);
});

Deno.test("macro average uses numpy's pairwise summation (10 types)", () => {
  // Per-type precisions 0/3, 3/3, 9/11, 2/3, 6/7, 3/3, 3/11, 3/3, 3/3, 10/11. Reference:
  // numpy 1.24.2 (Debian python3-numpy), np.mean of these ten values gives
  // 0.7523809523809525; a left-to-right sum divided by 10 gives 0.7523809523809524.
  const tp = [0, 3, 9, 2, 6, 3, 3, 3, 3, 10], pred = [3, 3, 11, 3, 7, 3, 11, 3, 3, 11];
  const counts = { types: tp.map((_, i) => `T${i}`), tp, pred, gold: pred };
  assert.equal(scoresFromCounts(counts, "macro", 0).precision, 0.7523809523809525);
  assert.equal(
    scoresFromCounts(counts, "weighted", 0).recall,
    (0 + 3 + 9 + 2 + 6 + 3 + 3 + 3 + 3 + 10) / 58,
  );
});

Deno.test("bad options are errors", () => {
  const bad = { average: "mega" } as unknown as ScoreOptions;
  assert.throws(() => f1Score([["O"]], [["O"]], bad), /average must be/);
  const bad2 = { zeroDivision: 2 } as unknown as ScoreOptions;
  assert.throws(() => f1Score([["O"]], [["O"]], bad2), /zeroDivision/);
  assert.throws(() => f1Score([["O"]], [["O"]], { mode: "strict" }), /needs a scheme/);
  assert.throws(() => f1Score([["B-X"]], [["B-X", "O"]]), /sentence 0 has 1 gold tags but 2/);
});
