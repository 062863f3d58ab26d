import assert from "node:assert/strict";
import { scorePredictions } from "../../lib/train/evaluate.ts";
import { encodeDocs } from "../../lib/encode/align.ts";
import type { WordTokenizer } from "../../lib/encode/tokenizer.ts";

// A toy tokenizer: each word is one subtoken, except words longer than 4 letters (two).
const toy: WordTokenizer = {
  encodeWord: (w) => (w.length > 4 ? [10 + w.length, 50] : [10 + w.length]),
  prefixIds: [1],
  suffixIds: [2],
  padId: 0,
  unkId: 3,
  vocabSize: 100,
};
const labels = ["O", "B-ORG", "I-ORG", "B-PERSON", "I-PERSON"];
const docs = [
  {
    id: "a",
    text: "Ann Lee thanks the NIH. Bob too.",
    spans: [
      { start: 0, end: 7, label: "PERSON" },
      { start: 19, end: 22, label: "ORG" },
      { start: 24, end: 27, label: "PERSON" },
    ],
  },
];

Deno.test("scorePredictions: gold scores 1; a hand-worked miss and a wrong type", () => {
  const examples = encodeDocs(docs, toy, { labels });
  assert.equal(scorePredictions(examples, examples.map((e) => e.labels), { labels }).micro.f1, 1);
  // Predict: Ann Lee as PERSON (right), NIH as PERSON (wrong type), Bob missed.
  // Words of sentence 1: Ann Lee thanks the NIH . ; "thanks" has two subtokens.
  const pred = examples.map((e) => e.labels.map((l) => (l === -100 ? 0 : l)));
  const s0 = pred[0];
  const nih = examples[0].labels.indexOf(1); // B-ORG
  s0[nih] = 3; // B-PERSON
  pred[1][examples[1].labels.indexOf(3)] = 0; // Bob -> O
  const e = scorePredictions(examples, pred, { labels });
  // Gold: PERSON x2, ORG x1. Predicted: PERSON x2 (one right). TP = 1 of 2 predicted, 3 gold.
  assert.deepEqual(e.micro, { precision: 0.5, recall: 1 / 3, f1: 0.4, support: 3 });
  assert.deepEqual(e.byType.ORG, { precision: 0, recall: 0, f1: 0, support: 1 });
  assert.deepEqual(e.byType.PERSON, { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 });
  assert.deepEqual(e.yTrue, [["B-PERSON", "I-PERSON", "O", "O", "B-ORG", "O"], [
    "B-PERSON",
    "O",
    "O",
  ]]);
  assert.match(e.report, /micro avg/);
  assert.equal(e.predictedEntities, 2);
  assert.deepEqual(e.warnings, []);
});

Deno.test("scorePredictions: a model that predicts only O is told so, not just scored 0", () => {
  const examples = encodeDocs(docs, toy, { labels });
  const allO = examples.map((e) => e.labels.map(() => 0));
  const e = scorePredictions(examples, allO, { labels });
  assert.deepEqual(e.micro, { precision: 0, recall: 0, f1: 0, support: 3 });
  assert.equal(e.predictedEntities, 0);
  assert.deepEqual(e.warnings, [
    "the model predicted no entity in 2 sentences with 3 gold entities: precision, recall and F1 are 0",
  ]);
  // gold against itself: 3 entities predicted, no warning
  const gold = scorePredictions(examples, examples.map((x) => x.labels), { labels });
  assert.equal(gold.predictedEntities, 3);
  assert.deepEqual(gold.warnings, []);
});
