import assert from "node:assert/strict";
import { spanScores } from "../../lib/metrics/span_scores.ts";
import type { Doc, Span } from "../../lib/core/types.ts";

// Twenty two-letter words separated by spaces: word i is [3i, 3i + 2).
const TEXT = Array.from({ length: 20 }, (_, i) => `w${String.fromCharCode(97 + i)}`).join(" ");
const sp = (first: number, last: number, label: string): Span => ({
  start: 3 * first,
  end: 3 * last + 2,
  label,
});
const doc = (spans: Span[], id = "d"): Doc => ({ id, text: TEXT, spans });

Deno.test("spanScores: the six SemEval-2013 scenarios, hand-worked", () => {
  const gold = doc([
    sp(0, 0, "brand"), // I: exact match
    sp(4, 4, "brand"), // III: missed
    sp(6, 6, "drug"), // IV: same boundaries, other label
    sp(8, 9, "group"), // V: overlap, same label
    sp(11, 12, "group"), // VI: overlap, other label
  ]);
  const pred = doc([
    sp(0, 0, "brand"),
    sp(2, 2, "brand"), // II: spurious
    sp(6, 6, "brand"),
    sp(9, 9, "group"),
    sp(11, 11, "drug_n"),
  ]);
  const s = spanScores([gold], [pred]);
  const pick = (m: keyof typeof s.overall) => {
    const c = s.overall[m];
    return [c.correct, c.incorrect, c.partial, c.missed, c.spurious, c.possible, c.actual];
  };
  // strict: COR I; INC IV, V, VI; MIS III; SPU II
  assert.deepEqual(pick("strict"), [1, 3, 0, 1, 1, 5, 5]);
  // exact: COR I, IV; INC V, VI
  assert.deepEqual(pick("exact"), [2, 2, 0, 1, 1, 5, 5]);
  // partial: COR I, IV; PAR V, VI
  assert.deepEqual(pick("partial"), [2, 0, 2, 1, 1, 5, 5]);
  // type: COR I, V; INC IV, VI
  assert.deepEqual(pick("type"), [2, 2, 0, 1, 1, 5, 5]);
  assert.equal(s.overall.strict.precision, 1 / 5);
  assert.equal(s.overall.exact.recall, 2 / 5);
  assert.equal(s.overall.partial.precision, 3 / 5); // (COR + PAR / 2) / ACT
  assert.equal(s.overall.partial.f1, 2 * (0.6 * 0.6) / 1.2);
  assert.equal(s.overall.type.f1, 2 * (0.4 * 0.4) / 0.8);
  // per label: INC/PAR go to the gold label, COR and SPU to the predicted one
  const brand = s.byLabel.brand.strict;
  assert.deepEqual([brand.correct, brand.missed, brand.spurious, brand.precision], [1, 1, 1, 0.5]);
  assert.deepEqual(
    [s.byLabel.drug.strict.incorrect, s.byLabel.drug.exact.correct, s.byLabel.drug.type.incorrect],
    [1, 1, 1],
  );
  assert.equal(s.byLabel.group.partial.partial, 2);
  assert.equal(s.byLabel.group.type.correct, 1);
  assert.equal(s.byLabel.drug_n.strict.actual, 0);
  assert.deepEqual(Object.keys(s.byLabel), ["brand", "drug", "drug_n", "group"]);
});

Deno.test("spanScores: nervaluate's overlap rules (one prediction, two gold spans; reuse)", () => {
  // one prediction over two gold spans counts one PAR for each gold span
  const a = spanScores([doc([sp(0, 0, "PER"), sp(2, 2, "PER")])], [doc([sp(0, 2, "PER")])]);
  assert.equal(a.overall.partial.partial, 2);
  assert.equal(a.overall.partial.actual, 2);
  assert.equal(a.overall.partial.missed, 0);
  // a gold span already overlapped cannot be overlapped again: the second prediction
  // (in order of end) is spurious
  const b = spanScores([doc([sp(0, 2, "PER")])], [doc([sp(2, 2, "PER"), sp(0, 0, "PER")])]);
  assert.deepEqual([b.overall.partial.partial, b.overall.partial.spurious], [1, 1]);
});

Deno.test("spanScores: empty inputs, labels filter, and documents summed", () => {
  const none = spanScores([doc([])], [doc([])]);
  assert.deepEqual(none.byLabel, {});
  assert.equal(none.overall.strict.f1, 0);
  const two = spanScores(
    [doc([sp(0, 0, "PER")], "a"), doc([sp(1, 1, "ORG")], "b")],
    [doc([], "b"), doc([sp(0, 0, "PER")], "a")],
    { labels: ["PER"] },
  );
  assert.deepEqual(Object.keys(two.byLabel), ["PER"]);
  assert.equal(two.overall.strict.correct, 1);
  assert.equal(two.overall.strict.missed, 0); // the ORG span is left out
  assert.equal(two.overall.strict.f1, 1);
});

Deno.test("spanScores: mismatched documents and bad spans are errors", () => {
  assert.throws(() => spanScores([doc([], "a")], [doc([], "b")]), /document "b", which gold lacks/);
  assert.throws(
    () => spanScores([doc([], "a")], [{ id: "a", text: "other", spans: [] }]),
    /document "a": the text in pred differs from gold/,
  );
  assert.throws(
    () => spanScores([doc([{ start: 5, end: 5, label: "X" }], "a")], [doc([], "a")]),
    /gold: document "a", span 0/,
  );
  assert.throws(
    () => spanScores([doc([{ start: 0, end: 999, label: "X" }], "a")], [doc([], "a")]),
    /span 0/,
  );
});
