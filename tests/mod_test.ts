import assert from "node:assert/strict";
import * as api from "../mod.ts";

// Names code outside this repository relies on (DESIGN.md) and the names the shipped
// notebooks use; mod.ts must keep every one of them.
const REQUIRED = [
  // corpus
  "readCorpus",
  "inferCorpusFormat",
  "readConll",
  "writeConll",
  "readTei",
  "readJsonl",
  "readBrat",
  "splitSentences",
  "splitWords",
  "corpusStats",
  "docSizes",
  "docStatsTable",
  "loadDataset",
  "GROBID_PERSON_ORG",
  // agreement, tags
  "agreement",
  "spansToTags",
  "tagsToSpans",
  // sampling
  "createRandom",
  "eps",
  "splitTestSet",
  "planSubsamples",
  "planTable",
  // training
  "createTokenClassifier",
  "fineTune",
  "evaluate",
  "predict",
  "saveModel",
  "exportOnnx",
  // metrics
  "f1Score",
  "precisionScore",
  "recallScore",
  "classificationReport",
  "classificationReportDict",
  // stats
  "ols",
  "thresholdRegression",
  "segmentedRegression",
  "daviesTest",
  "smoothSpline",
  "fitLearningCurve",
  "predictLearningCurve",
  "sizeForTarget",
  "annotationCost",
  "learningCurveHealth",
  "backtestLearningCurve",
  // study
  "analyzeResults",
  "analysisFigures",
  "readResults",
  // plots and display
  "htmlDisplay",
  "plotFigure",
  "tableDisplay",
  "agreementHeatmap",
  "planPlot",
  "learningCurvePlot",
  "learningCurveFitLayer",
  "segmentedLayer",
  "Plot",
] as const;

// Helpers that lib modules share among themselves; they stay out of the root.
const INTERNAL = [
  "warnOnce",
  "compareCodePoints",
  "checkLengths",
  "numel",
  "formatPlace",
  "withPlace",
  "sha256Hex",
  "codePointToUtf16",
  "utf16ToCodePoint",
  "quantileSorted",
  "formatFixed",
  "scoresFromCounts",
  "leastSquares",
  "fromColumns",
  "symmetricEigenvalues",
  "optimize",
  "rRandom",
  "createNet",
  "netTrainStep",
  "cpuOps",
  "gpuOps",
  "padBatch",
  "writeTextAtomic",
  "encodeFor",
  "exampleLogits",
  "main",
  "gpu",
];

// Type names checked by the compiler: the shapes a notebook writes down.
const doc: api.Doc = { id: "d1", text: "Ann spoke", spans: [] };
const span: api.Span = { start: 0, end: 3, label: "PER" };
const scheme: api.Scheme = "IOB2";
const format: api.CorpusFormat = "conll";

Deno.test("mod.ts: keeps every name outside code and the notebooks use", () => {
  for (const name of REQUIRED) {
    assert.ok(name in api, `${name} is not exported`);
    assert.notEqual(api[name], undefined, name);
  }
  assert.equal(typeof api.GROBID_PERSON_ORG, "object");
  assert.equal(typeof api.Plot.plot, "function"); // the toolkit's own Observable Plot
  assert.equal(typeof api.aq.table, "function"); // and arquero
  assert.deepEqual([doc.spans, span.label, scheme, format], [[], "PER", "IOB2", "conll"]);
});

Deno.test("mod.ts: a curated list (40-70 values), internals stay in their folders", () => {
  const values = Object.keys(api);
  assert.ok(values.length >= 40 && values.length <= 70, `${values.length} values: ${values}`);
  for (const name of INTERNAL) assert.ok(!(name in api), `${name} leaks into mod.ts`);
});

Deno.test("deno.json's exports map names a mod.ts per folder, each re-exporting the root's names", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const exportsMap: Record<string, string> = config.exports;
  assert.deepEqual(Object.keys(exportsMap), [
    ".",
    "./core",
    "./corpus",
    "./tags",
    "./encode",
    "./metrics",
    "./sampling",
    "./stats",
    "./models",
    "./train",
    "./study",
    "./plot",
    "./gpu",
  ]);
  const offered = new Set<string>();
  for (const [key, path] of Object.entries(exportsMap)) {
    if (key === ".") continue;
    assert.equal(path, `./lib/${key.slice(2)}/mod.ts`);
    const mod = await import(new URL(path, new URL("../", import.meta.url)).href);
    assert.ok(Object.keys(mod).length > 0, path);
    for (const name of Object.keys(mod)) offered.add(name);
  }
  // Every root name comes from a folder module (aq is the toolkit's arquero).
  for (const name of Object.keys(api)) {
    if (name !== "aq") assert.ok(offered.has(name), `${name} is in no folder's mod.ts`);
  }
  assert.ok(!offered.has("warnOnce") && !offered.has("compareCodePoints"));
});

Deno.test("mod.ts: the DESIGN shapes work end to end", () => {
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
  const words = api.splitWords(docs[0].text);
  const tags = api.spansToTags(words, docs[0].spans, "IOB2");
  assert.deepEqual(tags, ["B-PER", "I-PER", "O", "B-ORG", "O"]);
  assert.deepEqual(api.tagsToSpans(words, tags, "IOB2"), docs[0].spans);
  assert.equal(api.f1Score([tags], [tags]), 1);
  // One of two entities found, nothing spurious: P 1, R 1/2, F1 2/3.
  assert.equal(api.f1Score([tags], [["B-PER", "I-PER", "O", "O", "O"]]), 2 / 3);
});
