import assert from "node:assert/strict";
import * as api from "../mod.ts";

Deno.test("mod.ts exports the public API of DESIGN.md, and the DESIGN shapes work end to end", () => {
  const names = [
    "readConll",
    "writeConll",
    "readTei",
    "readJsonl",
    "splitSentences",
    "corpusStats",
    "loadDataset",
    "spansToTags",
    "tagsToSpans",
    "f1Score",
    "precisionScore",
    "recallScore",
    "classificationReport",
    "classificationReportDict",
    "ols",
    "thresholdRegression",
    "planSubsamples",
  ] as const;
  for (const name of names) assert.equal(typeof api[name], "function", name);
  // One CoNLL document of two sentences, one entity each, worked by hand.
  const docs = api.readConll(
    "-DOCSTART- O\n\nAnn B-PER\nLee I-PER\nspoke O\n\nNIH B-ORG\npaid O\n",
  );
  assert.equal(docs[0].text, "Ann Lee spoke\nNIH paid");
  assert.deepEqual(docs[0].spans, [{ start: 0, end: 7, label: "PER" }, {
    start: 14,
    end: 17,
    label: "ORG",
  }]);
  const stats = api.corpusStats(docs);
  assert.equal(stats.sentences, 2);
  assert.equal(stats.eps, 1);
  assert.equal(api.f1Score([["B-PER", "I-PER", "O"]], [["B-PER", "I-PER", "O"]]), 1);
});
