import assert from "node:assert/strict";
import { confusionMatrix, confusionMatrixFromTags, NONE } from "../../lib/metrics/confusion.ts";
import type { Doc } from "../../lib/core/types.ts";

const TEXT = "Ann Lee of NIH met Bob in Paris";
// Ann Lee [0,7) PER, NIH [11,14) ORG, Bob [19,22) PER, Paris [26,31) LOC
const gold: Doc[] = [{
  id: "d",
  text: TEXT,
  spans: [
    { start: 0, end: 7, label: "PER" },
    { start: 11, end: 14, label: "ORG" },
    { start: 19, end: 22, label: "PER" },
    { start: 26, end: 31, label: "LOC" },
  ],
}];
const pred: Doc[] = [{
  id: "d",
  text: TEXT,
  spans: [
    { start: 0, end: 3, label: "PER" }, // boundary error on Ann Lee
    { start: 11, end: 14, label: "LOC" }, // NIH typed LOC
    { start: 19, end: 22, label: "PER" }, // correct
    { start: 15, end: 18, label: "ORG" }, // "met": spurious
  ],
}];

Deno.test("confusionMatrix: exact boundaries, hand-worked", () => {
  const m = confusionMatrix(gold, pred);
  assert.deepEqual(m.labels, ["LOC", "ORG", "PER", NONE]);
  assert.deepEqual(m.counts, [
    // LOC ORG PER (none)   predicted
    [0, 0, 0, 1], // gold LOC: Paris missed
    [1, 0, 0, 0], // gold ORG: NIH as LOC
    [0, 0, 1, 1], // gold PER: Bob right, Ann Lee missed (boundary)
    [0, 1, 1, 0], // none: "met" as ORG, "Ann" as PER spurious
  ]);
});

Deno.test("confusionMatrix: overlap matching pairs the boundary error", () => {
  const m = confusionMatrix(gold, pred, { match: "overlap" });
  assert.deepEqual(m.counts, [
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0, 0, 2, 0],
    [0, 1, 0, 0],
  ]);
  // totals: every gold entity in one row cell, every prediction in one column cell
  const rowSums = m.counts.slice(0, -1).map((r) => r.reduce((a, b) => a + b, 0));
  assert.equal(rowSums.reduce((a, b) => a + b, 0), 4);
});

Deno.test("confusionMatrix: overlap pairs one to one, largest overlap first", () => {
  const text = "aaaaaaaaaa";
  const g: Doc[] = [{ id: "x", text, spans: [{ start: 0, end: 6, label: "A" }] }];
  const p: Doc[] = [{
    id: "x",
    text,
    spans: [{ start: 0, end: 2, label: "B" }, { start: 2, end: 6, label: "C" }],
  }];
  const m = confusionMatrix(g, p, { match: "overlap" });
  assert.deepEqual(m.labels, ["A", "B", "C", NONE]);
  assert.deepEqual(m.counts[0], [0, 0, 1, 0]); // A paired with C (overlap 4 > 2)
  assert.deepEqual(m.counts[3], [0, 1, 0, 0]); // B spurious
});

Deno.test("confusionMatrixFromTags: entities read with seqeval's rules", () => {
  const m = confusionMatrixFromTags(
    [["B-PER", "I-PER", "O", "B-ORG"], ["B-LOC"]],
    [["B-PER", "I-PER", "O", "B-LOC"], ["O"]],
  );
  assert.deepEqual(m.labels, ["LOC", "ORG", "PER", NONE]);
  assert.deepEqual(m.counts, [
    [0, 0, 0, 1],
    [1, 0, 0, 0],
    [0, 0, 1, 0],
    [0, 0, 0, 0],
  ]);
  // strict IOB2: [I-PER, I-PER] is no entity, so the gold PER is missed
  const s = confusionMatrixFromTags([["B-PER", "I-PER"]], [["I-PER", "I-PER"]], {
    mode: "strict",
    scheme: "IOB2",
  });
  assert.deepEqual(s, { labels: ["PER", NONE], counts: [[0, 1], [0, 0]] });
  assert.throws(() => confusionMatrixFromTags([["O"]], [["O", "O"]]), /sentence 0/);
});
