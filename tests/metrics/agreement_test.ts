import assert from "node:assert/strict";
import { agreement } from "../../lib/metrics/agreement.ts";
import { cohenKappa, fleissKappa } from "../../lib/metrics/kappa.ts";
import type { Doc, Span } from "../../lib/core/types.ts";

// "Ann Lee thanks NIH and Bob ." -> words: Ann[0,3) Lee[4,7) thanks[8,14) NIH[15,18)
// and[19,22) Bob[23,26) .[27,28)
const T1 = "Ann Lee thanks NIH and Bob .";
// "Funded by NSF ." -> Funded[0,6) by[7,9) NSF[10,13) .[14,15)
const T2 = "Funded by NSF .";
const s = (start: number, end: number, label: string): Span => ({ start, end, label });
const d = (id: string, text: string, spans: Span[]): Doc => ({ id, text, spans });

const A = [
  d("d1", T1, [s(0, 7, "PER"), s(15, 18, "ORG"), s(23, 26, "PER")]),
  d("d2", T2, [s(10, 13, "ORG")]),
];
const B = [
  d("d2", T2, [s(10, 13, "ORG")]),
  d("d1", T1, [s(0, 3, "PER"), s(15, 18, "ORG"), s(23, 26, "ORG")]),
];

Deno.test("agreement of two annotators: entity F1 and Cohen's kappa, hand-worked", () => {
  const r = agreement([A, B], { names: ["ann", "bob"] });
  assert.deepEqual(r.annotators, ["ann", "bob"]);
  assert.equal(r.tokens, 11);
  assert.equal(r.pairs.length, 1);
  const p = r.pairs[0];
  // matches: NIH ORG, NSF ORG = 2; ann has 4 entities, bob 4
  assert.equal(p.f1, 2 * 2 / 8);
  assert.equal(p.precision, 0.5);
  assert.equal(p.recall, 0.5);
  // token labels: ann  PER PER O ORG O PER O | O O ORG O
  //                bob  PER O   O ORG O ORG O | O O ORG O
  const a = ["PER", "PER", "O", "ORG", "O", "PER", "O", "O", "O", "ORG", "O"];
  const b = ["PER", "O", "O", "ORG", "O", "ORG", "O", "O", "O", "ORG", "O"];
  // p_o = 9/11; p_e = (3*1 + 2*3 + 6*7) / 121 = 51/121; kappa = (99 - 51) / (121 - 51)
  assert.ok(Math.abs(p.kappa - 48 / 70) < 1e-12);
  assert.equal(p.kappa, cohenKappa(a, b));
  assert.equal(r.fleissKappa, undefined);
  // per label
  const per = r.byLabel.find((l) => l.label === "PER")!;
  const org = r.byLabel.find((l) => l.label === "ORG")!;
  assert.deepEqual(per.entities, [2, 1]);
  assert.equal(per.f1, 0); // no PER span matches exactly
  assert.deepEqual(org.entities, [2, 3]);
  assert.equal(org.f1, 2 * 2 / 5);
  // documents: d1 disagrees (F1 2*1/6, 2 tokens differ), d2 agrees fully
  assert.deepEqual(r.documents.map((x) => [x.id, x.f1, x.disagreeingTokens, x.tokens]), [
    ["d1", 1 / 3, 2, 7],
    ["d2", 1, 0, 4],
  ]);
});

Deno.test("agreement of three annotators adds Fleiss' kappa", () => {
  const C = [
    d("d1", T1, [s(0, 7, "PER"), s(15, 18, "ORG")]),
    d("d2", T2, []),
  ];
  const r = agreement([A, B, C]);
  assert.deepEqual(r.annotators, ["annotator 1", "annotator 2", "annotator 3"]);
  assert.equal(r.pairs.length, 3);
  // per-token category counts over O, ORG, PER (hand-written from the spans)
  const labels = [
    ["PER", "PER", "PER"],
    ["PER", "O", "PER"],
    ["O", "O", "O"],
    ["ORG", "ORG", "ORG"],
    ["O", "O", "O"],
    ["PER", "ORG", "O"],
    ["O", "O", "O"],
    ["O", "O", "O"],
    ["O", "O", "O"],
    ["ORG", "ORG", "O"],
    ["O", "O", "O"],
  ];
  const cats = ["O", "ORG", "PER"];
  const table = labels.map((row) => cats.map((c) => row.filter((x) => x === c).length));
  const f = fleissKappa(table);
  assert.equal(r.fleissKappa, f.kappa);
  assert.equal(r.byLabel.find((l) => l.label === "ORG")!.fleissKappa, f.byCategory[1]);
  // pairwise F1 of annotators 1 and 3: matches PER Ann Lee, ORG NIH = 2 of 4 + 2
  assert.equal(r.pairs[1].f1, 2 * 2 / 6);
  assert.equal(r.meanF1, (r.pairs[0].f1 + r.pairs[1].f1 + r.pairs[2].f1) / 3);
});

Deno.test("agreement: custom tokens and errors naming the document", () => {
  const chars = (text: string) =>
    [...text].map((_, i) => ({ start: i, end: i + 1 })).filter((r) => text[r.start] !== " ");
  const r = agreement([A, B], { tokens: chars });
  assert.equal(r.tokens, T1.replaceAll(" ", "").length + T2.replaceAll(" ", "").length);
  assert.throws(() => agreement([A]), /two or more/);
  assert.throws(() => agreement([A, B.slice(0, 1)]), /lacks document "d1"/);
  assert.throws(
    () => agreement([A, [d("d1", T1 + "!", []), d("d2", T2, [])]]),
    /document "d1": the text in annotator 2 differs/,
  );
  const clash = [d("d1", T1, [s(0, 7, "PER"), s(4, 7, "ORG")]), d("d2", T2, [])];
  assert.throws(() => agreement([clash, B]), /annotator 1: document "d1": spans .* overlap/);
});
