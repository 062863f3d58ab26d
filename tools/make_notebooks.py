#!/usr/bin/python3
"""Write the study's notebooks (notebooks/*.ipynb) from the cell lists below.

The notebooks are generated so that they are easy to edit and review: change the
cells here and run `/usr/bin/python3 tools/make_notebooks.py`. The written notebooks
have no outputs (CI and `deno task publish` execute them) and stable cell ids, so a
regenerated notebook differs from the committed one only where its cells changed.
`--check` writes nothing and exits 1 when a notebook differs from what this script
would write. Each notebook's `metadata.nerss.expect_svg` is the number of figures it shows;
tools/run_notebooks.py checks that at least that many SVG figures come out.
"""
import pathlib
import sys

import nbformat

ROOT = pathlib.Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
CITATION = (
    "Majdik ZP, Graham SS, Shiva Edward JC, Rodriguez SN, Karnes MS, Jensen JT, Barbour JB, "
    "Rousseau JF. Sample Size Considerations for Fine-Tuning Large Language Models for Named "
    "Entity Recognition Tasks: Methodological Study. *JMIR AI* 2024;3:e52095. "
    "doi:10.2196/52095"
)


def md(text):
    return ("markdown", text.strip("\n"))


def code(text):
    return ("code", text.strip("\n"))


# ---------------------------------------------------------------------------------------
NB01 = [
    md(r"""
# 1. Corpus and annotation agreement

This notebook describes the corpus used for the sample-size study and checks how
consistently its entities can be annotated. It follows the design of Majdik et al.
(2024), who fine-tuned language models for PERSON and ORG entities in disclosure
statements and related F1 to the size of the training sample (in sentences) and to
its entity density (entities per sentence, EPS). Because the original corpus is not
public, we use a public one of the same kind: the acknowledgement statements that
GROBID's authors annotated for funding and acknowledgement extraction.

*Reference:* """ + CITATION + r"""
"""),
    code(r"""
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import type { Doc, Span } from "../lib/corpus/types.ts";
import { loadDataset } from "../lib/corpus/dataset.ts";
import { GROBID_PERSON_ORG } from "../lib/corpus/tei.ts";
import { corpusStats, docStatsTable } from "../lib/corpus/stats.ts";
import { splitWords } from "../lib/corpus/words.ts";
import { agreement } from "../lib/metrics/agreement.ts";
import { createRandom } from "../lib/sampling/random.ts";
import { htmlDisplay, plotFigure, tableDisplay } from "../lib/plot/display.ts";
import { agreementHeatmap } from "../lib/plot/study_plots.ts";
"""),
    md(r"""
## 1.1 Data

The corpus is GROBID's `all-acknowledgements.tei.xml` (kermitt2/grobid, CC BY 4.0):
1,286 acknowledgement statements with inline XML annotations. The study's task has two
entity types, so GROBID's elements are mapped as below; all other elements (grant
numbers, programme and project names) are treated as plain text. The file is read from
the local data folder or downloaded and checked against the checksum in
`data/manifest.json`.
"""),
    code(r"""
const docs: Doc[] = await loadDataset("grobid-acknowledgements", { labels: GROBID_PERSON_ORG });
tableDisplay(aq.table({
  "GROBID element": Object.keys(GROBID_PERSON_ORG),
  "study label": Object.values(GROBID_PERSON_ORG),
}));
"""),
    md(r"""
## 1.2 Corpus statistics

Sentences are found with the toolkit's rule-based splitter (which never splits inside
an entity), tokens with its word splitter. EPS, the density predictor of the study, is
the number of entities divided by the number of sentences.
"""),
    code(r"""
const stats = corpusStats(docs);
tableDisplay(aq.table({
  measure: ["documents", "sentences", "tokens", "entities",
    ...Object.keys(stats.byLabel).map((l) => `entities: ${l}`), "entities per sentence (EPS)"],
  value: [stats.documents, stats.sentences, stats.tokens, stats.entities, ...Object.values(stats.byLabel)]
    .map((v) => v.toLocaleString("en")).concat(stats.eps.toFixed(3)),
}));
"""),
    md(r"""
Per document, the same counts (the first rows of the table):
"""),
    code(r"""
const perDoc = docStatsTable(docs);
tableDisplay(perDoc, { limit: 8 });
"""),
    md(r"""
Most statements are one or two sentences long; a long tail of statements thank many
people and institutions over several sentences. Training subsamples are drawn as whole
documents, so this distribution bounds how finely the sample size can be controlled.
"""),
    code(r"""
const rows = perDoc.objects() as { id: string; sentences: number; entities: number; eps: number }[];
plotFigure({
  height: 260,
  x: { label: "Sentences per document" },
  y: { label: "Documents", grid: true },
  marks: [Plot.rectY(rows, Plot.binX({ y: "count" }, { x: "sentences", interval: 1 })), Plot.ruleY([0])],
});
"""),
    md(r"""
Entity density varies much more between documents than between random subsamples of
many documents, which is why notebook 2 stratifies by EPS. The dashed line marks the
corpus EPS.
"""),
    code(r"""
plotFigure({
  height: 260,
  x: { label: "Entities per sentence (EPS) of the document" },
  y: { label: "Documents", grid: true },
  marks: [
    Plot.rectY(rows, Plot.binX({ y: "count" }, { x: "eps", thresholds: 30 })),
    Plot.ruleX([stats.eps], { stroke: "orange", strokeDasharray: "4,3", strokeWidth: 2 }),
    Plot.ruleY([0]),
  ],
});
"""),
    md(r"""
## 1.3 Agreement between annotators

Majdik et al. report agreement between their annotators before fine-tuning: a model can
hardly be expected to agree with the gold standard more than annotators agree with each
other. **No doubly annotated version of this corpus is public, so here the second and
third annotators are simulated**: starting from the GROBID annotation, each entity is,
with fixed probabilities drawn from a seeded random number generator, left out, given the
other label, or shortened by one word at its start or end, and a few capitalised words
outside any entity are marked as ORG. One simulated annotator is careful, the other
hasty. The numbers below therefore illustrate the method and the toolkit; they say
nothing about how well people agree on this corpus. With real annotations, replace the
simulated sets by the annotators' files (read with `readTei`, `readJsonl`, `readConll`
or `readBrat`).
"""),
    code(r"""
type Rates = { miss: number; relabel: number; boundary: number; extra: number };

/** A simulated annotator: the gold spans perturbed with seeded random draws (see above). */
function simulateAnnotator(gold: readonly Doc[], seed: number, rates: Rates): Doc[] {
  const rng = createRandom(seed);
  return gold.map((doc) => {
    const words = splitWords(doc.text, undefined, doc.spans);
    const spans: Span[] = [];
    for (const s of doc.spans) {
      const u = rng.next();
      if (u < rates.miss) continue;
      if (u < rates.miss + rates.relabel) {
        spans.push({ ...s, label: s.label === "PERSON" ? "ORG" : "PERSON" });
        continue;
      }
      const inside = words.filter((w) => w.start >= s.start && w.end <= s.end);
      if (u < rates.miss + rates.relabel + rates.boundary && inside.length > 1) {
        spans.push(rng.next() < 0.5
          ? { ...s, start: inside[1].start }
          : { ...s, end: inside[inside.length - 2].end });
        continue;
      }
      spans.push({ ...s });
    }
    for (const w of words) {
      if (doc.spans.some((s) => s.start < w.end && w.start < s.end)) continue;
      if (/^[A-Z][a-z]{2,}$/.test(doc.text.slice(w.start, w.end)) && rng.next() < rates.extra) {
        spans.push({ start: w.start, end: w.end, label: "ORG" });
      }
    }
    spans.sort((a, b) => a.start - b.start || a.end - b.end);
    return { ...doc, spans };
  });
}

const annotators = ["GROBID (gold)", "careful (simulated)", "hasty (simulated)"];
const careful = simulateAnnotator(docs, 101, { miss: 0.03, relabel: 0.02, boundary: 0.05, extra: 0.004 });
const hasty = simulateAnnotator(docs, 202, { miss: 0.08, relabel: 0.05, boundary: 0.12, extra: 0.015 });
const report = agreement([docs, careful, hasty], { names: annotators });
tableDisplay(aq.table({
  "annotator A": report.pairs.map((p) => p.a),
  "annotator B": report.pairs.map((p) => p.b),
  "entity F1": report.pairs.map((p) => Number(p.f1.toFixed(3))),
  "precision (A as reference)": report.pairs.map((p) => Number(p.precision.toFixed(3))),
  "recall (A as reference)": report.pairs.map((p) => Number(p.recall.toFixed(3))),
  "Cohen's kappa (tokens)": report.pairs.map((p) => Number(p.kappa.toFixed(3))),
}));
"""),
    md(r"""
Entity-level F1 counts an entity as agreed only when both annotators mark the same
characters with the same label (the strict matching of seqeval and of the study's
evaluation). Cohen's kappa compares the label of every token (PERSON, ORG or O),
corrected for chance; with three annotators Fleiss' kappa summarises all of them at
once. Per label:
"""),
    code(r"""
tableDisplay(aq.table({
  label: report.byLabel.map((l) => l.label),
  "entities per annotator": report.byLabel.map((l) => l.entities.join(" / ")),
  "mean pairwise F1": report.byLabel.map((l) => Number(l.f1.toFixed(3))),
  "mean pairwise kappa": report.byLabel.map((l) => Number(l.kappa.toFixed(3))),
  "Fleiss' kappa": report.byLabel.map((l) => Number((l.fleissKappa ?? NaN).toFixed(3))),
}));
"""),
    code(r"""
htmlDisplay(`<p>Over ${report.tokens.toLocaleString("en")} tokens: mean pairwise entity F1
<b>${report.meanF1.toFixed(3)}</b>, mean Cohen's kappa <b>${report.meanKappa.toFixed(3)}</b>,
Fleiss' kappa <b>${(report.fleissKappa ?? NaN).toFixed(3)}</b>.</p>`);
"""),
    md(r"""
The heatmaps show every pair (the diagonal is an annotator with itself): entity F1 first,
then Cohen's kappa over tokens. Kappa is higher than F1 because a boundary error costs
a whole entity in F1 but only one token in kappa.
"""),
    code(r"""
function pairCells(value: (p: (typeof report.pairs)[number]) => number) {
  return [
    ...annotators.map((a) => ({ a, b: a, value: 1 })),
    ...report.pairs.flatMap((p) => [
      { a: p.a, b: p.b, value: value(p) },
      { a: p.b, b: p.a, value: value(p) },
    ]),
  ];
}
agreementHeatmap(pairCells((p) => p.f1), { label: "Entity F1" });
"""),
    code(r"""
agreementHeatmap(pairCells((p) => p.kappa), { label: "Cohen's kappa" });
"""),
    md(r"""
## 1.4 Where the annotators disagree

Documents ranked from least to most agreement (mean pairwise entity F1), as one would
review them before adjudication:
"""),
    code(r"""
const byId = new Map(docs.map((d) => [d.id, d]));
const worst = report.documents.slice(0, 8);
tableDisplay(aq.table({
  document: worst.map((d) => d.id),
  "mean pairwise F1": worst.map((d) => Number(d.f1.toFixed(3))),
  "tokens in disagreement": worst.map((d) => `${d.disagreeingTokens} of ${d.tokens}`),
  text: worst.map((d) => {
    const t = byId.get(d.id)!.text;
    return t.length > 140 ? t.slice(0, 140) + "…" : t;
  }),
}));
"""),
    md(r"""
The document with the least agreement, as each annotator marked it (PERSON in blue,
ORG in orange):
"""),
    code(r"""
function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
function highlight(doc: Doc): string {
  let html = "", at = 0;
  for (const s of doc.spans) {
    if (s.start < at) continue;
    const color = s.label === "PERSON" ? "#cfe3ff" : "#ffe0b8";
    html += escapeHtml(doc.text.slice(at, s.start)) +
      `<mark style="background:${color}" title="${s.label}">${escapeHtml(doc.text.slice(s.start, s.end))}</mark>`;
    at = s.end;
  }
  return html + escapeHtml(doc.text.slice(at));
}
const worstId = report.documents[0].id;
const sets = [docs, careful, hasty].map((set) => set.find((d) => d.id === worstId)!);
htmlDisplay(
  `<p><b>${worstId}</b></p>` +
    sets.map((d, i) => `<p><i>${annotators[i]}:</i> ${highlight(d)}</p>`).join(""),
);
"""),
]

# ---------------------------------------------------------------------------------------
NB02 = [
    md(r"""
# 2. Sampling design

The study fits many models, each on a different random training subsample, and scores
every model on the same held-out test set. This notebook fixes that test set and plans
the training subsamples. Majdik et al. (2024) drew 2,500 random subsamples of varying
size from 490 documents and recorded each one's size in sentences and its entity
density (EPS); F1 was then regressed on both. A purely random draw, however, gives
subsamples whose EPS hardly varies and depends on size, so we compare it with an
EPS-stratified design. All draws come from a seeded generator: the same seed gives the
same split and plan on every machine.

*Reference:* """ + CITATION + r"""
"""),
    code(r"""
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { loadDataset } from "../lib/corpus/dataset.ts";
import { GROBID_PERSON_ORG } from "../lib/corpus/tei.ts";
import { docSizes } from "../lib/corpus/stats.ts";
import { eps, type DocSize } from "../lib/sampling/doc_size.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { planSubsamples, planTable, type Subsample } from "../lib/sampling/plan.ts";
import { plotFigure, tableDisplay } from "../lib/plot/display.ts";
import { planPlot } from "../lib/plot/study_plots.ts";

const SEED = 2024;
const docs = await loadDataset("grobid-acknowledgements", { labels: GROBID_PERSON_ORG });
const sizes: DocSize[] = docSizes(docs);
"""),
    md(r"""
## 2.1 Held-out test set

A fifth of the documents are set aside for testing. The split is stratified by EPS
(five quantile strata of per-document EPS, each contributing in proportion to its
size), so the test set covers dense and sparse statements alike and a model's score
does not depend on which densities happened to land in it.
"""),
    code(r"""
const { train, test } = splitTestSet(sizes, { testFraction: 0.2, seed: SEED, strata: 5 });
function summary(name: string, set: DocSize[]) {
  const sentences = set.reduce((a, d) => a + d.sentences, 0);
  const entities = set.reduce((a, d) => a + d.entities, 0);
  return { set: name, documents: set.length, sentences, entities,
    EPS: Number(eps({ sentences, entities }).toFixed(3)) };
}
tableDisplay(aq.from([summary("all", sizes), summary("training pool", train), summary("test", test)]));
"""),
    md(r"""
The distribution of per-document EPS in the two parts (box: quartiles; whiskers: 1.5
interquartile ranges; dots: documents beyond them):
"""),
    code(r"""
const splitRows = [
  ...train.map((d) => ({ set: "training pool", eps: eps(d) })),
  ...test.map((d) => ({ set: "test", eps: eps(d) })),
];
plotFigure({
  height: 160,
  marginLeft: 100,
  x: { label: "Entities per sentence (EPS) of the document", grid: true },
  y: { label: null },
  marks: [Plot.boxX(splitRows, { x: "eps", y: "set" })],
});
"""),
    md(r"""
## 2.2 Subsample plans

Subsamples are drawn from the training pool only, in four size ranges (in sentences),
with equally many subsamples per range. For a subsample, a target size is drawn
uniformly in its range and whole documents are added in random order until the target
is reached. The **random** design visits all documents in one random order, as in the
paper. The **EPS-stratified** design gives each subsample a target EPS stratum (in turn,
so that stratum and size are balanced) and draws from that stratum first. This notebook
plans 200 subsamples per design to show the difference; a full study uses more (the
paper: 2,500).
"""),
    code(r"""
const SIZES: [number, number][] = [[25, 100], [100, 250], [250, 500], [500, 1000]];
const COUNT = 200;
const randomPlan = planSubsamples(train, { count: COUNT, sizes: SIZES, seed: SEED, design: "random" });
const stratifiedPlan = planSubsamples(train, {
  count: COUNT, sizes: SIZES, seed: SEED, design: "eps-stratified", strata: 5,
});
const plotRows = (plan: Subsample[]) => plan.map((s) => ({ sentences: s.sentences, eps: s.eps, range: s.range }));
"""),
    md(r"""
Random design: size varies over the whole range, but EPS clusters around the corpus
value, and the smallest subsamples scatter most.
"""),
    code(r"""
planPlot(plotRows(randomPlan));
"""),
    md(r"""
EPS-stratified design: at every size, the subsamples spread over a wide range of EPS.
"""),
    code(r"""
planPlot(plotRows(stratifiedPlan));
"""),
    md(r"""
## 2.3 Are size and density separable?

The regression F1 ~ sentences + EPS can only separate the two effects if the predictors
are not strongly correlated and EPS varies enough. The table gives, for each design,
Pearson's correlation between size and EPS and the spread of EPS over subsamples.
"""),
    code(r"""
function pearson(x: number[], y: number[]): number {
  const n = x.length, mx = x.reduce((a, b) => a + b) / n, my = y.reduce((a, b) => a + b) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}
function sd(x: number[]): number {
  const m = x.reduce((a, b) => a + b) / x.length;
  return Math.sqrt(x.reduce((a, b) => a + (b - m) ** 2, 0) / (x.length - 1));
}
tableDisplay(aq.from([["random", randomPlan], ["EPS-stratified", stratifiedPlan]].map(
  ([name, plan]) => {
    const p = plan as Subsample[];
    const e = p.map((s) => s.eps);
    return {
      design: name as string,
      subsamples: p.length,
      "r(sentences, EPS)": Number(pearson(p.map((s) => s.sentences), e).toFixed(3)),
      "EPS min": Number(Math.min(...e).toFixed(3)),
      "EPS max": Number(Math.max(...e).toFixed(3)),
      "EPS sd": Number(sd(e).toFixed(3)),
    };
  },
)));
"""),
    md(r"""
## 2.4 The plan

The first subsamples of the EPS-stratified plan (the document ids of each are kept in
the plan too; `planToJson` saves it for the study runner):
"""),
    code(r"""
tableDisplay(planTable(stratifiedPlan).select(aq.not("docIds")), { limit: 10 });
"""),
]

# ---------------------------------------------------------------------------------------
NB03 = [
    md(r"""
# 3. Fine-tuning and scoring one model

Each point of the sample-size study is one fine-tuning run: a model is fine-tuned for
token classification on one training subsample and scored on the held-out test set
with entity-level F1 (seqeval's definition: an entity counts only when its type and
both boundaries are right). Majdik et al. (2024) fine-tuned BERT-, RoBERTa- and
GPT-2-family models this way on 2,500 subsamples each. This notebook performs one run,
on the split and plan of notebook 2, with the toolkit's own training loop on WebGPU.

**What to expect here.** Pretrained weights cannot be downloaded on the machines that
build this supplement, so the model below is a *tiny BERT with random weights* (2
layers, hidden size 128, the `bert-base-uncased` vocabulary), trained for three epochs
so that the notebook runs in about a minute on a CPU. Its F1 is therefore far below the
0.79-0.96 the paper reports for pretrained models: the notebook shows the procedure, not
a result. For a real study, set `SOURCE` to a pretrained checkpoint (a folder in the
Hugging Face layout or a Hub name such as `google-bert/bert-base-cased`), use the
paper's training settings, and run the whole plan with `deno task study`.

*Reference:* """ + CITATION + r"""
"""),
    code(r"""
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import type { Doc } from "../lib/corpus/types.ts";
import { loadDataset } from "../lib/corpus/dataset.ts";
import { GROBID_PERSON_ORG } from "../lib/corpus/tei.ts";
import { corpusStats, docSizes } from "../lib/corpus/stats.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { planSubsamples } from "../lib/sampling/plan.ts";
import { createTokenClassifier } from "../lib/train/classifier.ts";
import { fineTune } from "../lib/train/fine_tune.ts";
import { evaluate, predict } from "../lib/train/predict.ts";
import { htmlDisplay, plotFigure, tableDisplay } from "../lib/plot/display.ts";

const SEED = 2024;
const docs = await loadDataset("grobid-acknowledgements", { labels: GROBID_PERSON_ORG });
const byId = new Map(docs.map((d) => [d.id, d]));
const { train, test } = splitTestSet(docSizes(docs), { testFraction: 0.2, seed: SEED, strata: 5 });
const testDocs: Doc[] = test.map((d) => byId.get(d.id)!);
"""),
    md(r"""
## 3.1 Training subsample

One subsample of 190-210 sentences is drawn from the training pool, as the study's plan
would draw it. Forty further documents of the pool, not in the subsample, serve as a
small development set, scored after every epoch to follow training.
"""),
    code(r"""
const [subsample] = planSubsamples(train, { count: 1, sizes: [[190, 210]], seed: SEED });
const trainDocs: Doc[] = subsample.docIds.map((id) => byId.get(id)!);
const inSubsample = new Set(subsample.docIds);
const devDocs: Doc[] = train.filter((d) => !inSubsample.has(d.id)).slice(0, 40).map((d) => byId.get(d.id)!);
tableDisplay(aq.from([["training subsample", trainDocs], ["development", devDocs], ["test", testDocs]].map(
  ([name, set]) => {
    const s = corpusStats(set as Doc[]);
    return { set: name as string, documents: s.documents, sentences: s.sentences,
      entities: s.entities, EPS: s.eps.toFixed(3) };
  },
)));
"""),
    md(r"""
## 3.2 Model

The classifier scores the IOB2 tags of each word (at the word's first subtoken), so for
PERSON and ORG it has five outputs. After fine-tuning, each sentence's tags are decoded
together, as the most probable sequence under the tag-to-tag frequencies of the training
subsample (Viterbi), so that a name's words do not take different types.
"""),
    code(r"""
const SOURCE = "random"; // or a pretrained checkpoint: a folder or a Hub name
const classifier = await createTokenClassifier({
  source: SOURCE, family: "bert", hiddenSize: 128, numLayers: 2, numHeads: 2,
  entityTypes: ["ORG", "PERSON"], tokenizer: "bert-base-uncased", seed: 1,
});
const c = classifier.config;
tableDisplay(aq.table({
  setting: ["family", "layers", "hidden size", "attention heads", "vocabulary", "tags"],
  value: [c.family, String(c.numLayers), String(c.hiddenSize), String(c.numHeads),
    c.vocabSize.toLocaleString("en"), classifier.labels.join(", ")],
}));
"""),
    md(r"""
## 3.3 Fine-tuning

AdamW with a linear learning-rate decay, gradient clipping at 1.0 and batches of 16
length-grouped windows of at most 96 subtokens, in a seeded order. The learning rate,
5e-3, is much higher than the 5e-5 usual for pretrained models because these weights start
from random values. The bar below updates while the model trains.
"""),
    code(r"""
const run = await fineTune(classifier, trainDocs, {
  epochs: 3, batchSize: 16, learningRate: 5e-3, maxLength: 96, seed: 1,
  evalDocs: devDocs, lossEvery: 2,
});
htmlDisplay(`<p>${run.examples} training windows, ${run.steps} steps in ${(run.trainMs / 1000).toFixed(1)} s.</p>`);
"""),
    md(r"""
The training loss (cross-entropy per tagged word, read every second step). Each point
is one batch, and batches differ in length and content, so the curve is noisy:
"""),
    code(r"""
plotFigure({
  height: 240,
  x: { label: "Training step" },
  y: { label: "Loss", grid: true, zero: true },
  marks: [Plot.line(run.losses, { x: "step", y: "loss", stroke: "steelblue" }), Plot.dot(run.losses, { x: "step", y: "loss", r: 2 })],
});
"""),
    md(r"""
Entity-level F1 on the development set after each epoch:
"""),
    code(r"""
plotFigure({
  height: 220,
  x: { label: "Epoch", ticks: run.evaluations.map((e) => e.epoch), tickFormat: "d" },
  y: { label: "Development F1", grid: true, domain: [0, 1] },
  marks: [
    Plot.line(run.evaluations, { x: "epoch", y: (e) => e.micro.f1, stroke: "orange" }),
    Plot.dot(run.evaluations, { x: "epoch", y: (e) => e.micro.f1, fill: "orange" }),
  ],
});
"""),
    md(r"""
## 3.4 Test-set scores

The fine-tuned model tags the test documents; the scores are seqeval's (default mode),
per entity type and averaged. The micro-averaged F1 is the outcome variable of the
study's regressions.
"""),
    code(r"""
const scores = await evaluate(classifier, testDocs, { maxLength: 96 });
const rows = [...Object.entries(scores.byType), ["micro avg", scores.micro], ["macro avg", scores.macro]] as
  [string, { precision: number; recall: number; f1: number; support: number }][];
tableDisplay(aq.from(rows.map(([name, s]) => ({
  "": name, precision: s.precision.toFixed(3), recall: s.recall.toFixed(3), F1: s.f1.toFixed(3), support: s.support,
}))));
"""),
    md(r"""
The same as seqeval's classification report:
"""),
    code(r"""
htmlDisplay(`<pre>${scores.report}</pre>`, scores.report);
"""),
    md(r"""
What decoding each sentence as a whole adds: the same model's scores decoded word by
word (each word's most probable tag on its own) instead of by Viterbi:
"""),
    code(r"""
const viterbi = classifier.decoding;
classifier.decoding = { words: viterbi?.words };
const wordByWord = await evaluate(classifier, testDocs, { maxLength: 96 });
classifier.decoding = viterbi;
tableDisplay(aq.from([
  { decoding: "Viterbi, each sentence as a whole", "micro F1": scores.micro.f1.toFixed(3) },
  { decoding: "argmax, word by word", "micro F1": wordByWord.micro.f1.toFixed(3) },
]));
"""),
    md(r"""
## 3.5 Predictions on new text

`predict` returns character spans with a score (the mean probability of the decoded
tags of the entity's words):
"""),
    code(r"""
const examples = [
  "We thank Maria Lopez and John Smith for comments on the manuscript.",
  "This work was supported by the National Science Foundation and the Wellcome Trust.",
];
const predicted = await predict(classifier, examples, { maxLength: 96 });
tableDisplay(aq.from(predicted.flatMap((spans, i) => spans.map((s) => ({
  sentence: i + 1, entity: examples[i].slice(s.start, s.end), label: s.label, score: s.score.toFixed(2),
})))));
"""),
    md(r"""
## 3.6 One row of the study

In the study, this run becomes one line of the results file (`lib/study/results.ts`):
the subsample's size and density with the test scores. Notebook 4 analyses such rows.
"""),
    code(r"""
const row = {
  model: `tiny-bert (${SOURCE})`, subsample: subsample.id, documents: subsample.documents,
  sentences: subsample.sentences, entities: subsample.entities, eps: Number(subsample.eps.toFixed(4)),
  "micro F1": Number(scores.micro.f1.toFixed(4)), steps: run.steps,
};
tableDisplay(aq.from([row]));
"""),
]

# ---------------------------------------------------------------------------------------
NB04 = [
    md(r"""
# 4. Sample-size analysis

This notebook turns a study's results (one row per fine-tuned model: the model family,
the training subsample's size in sentences and its EPS, and the entity-level F1 on the
test set) into the analysis of Majdik et al. (2024): for each model a multiple linear
regression of F1 on sentences and EPS, then single-predictor threshold regressions that
locate where more data stops paying off (the paper: 439-527 sentences and EPS
1.36-1.38), with bootstrap confidence intervals, a segmented regression with Davies'
test for a change in slope, and a smoothed learning curve.

**The results analysed here are simulated.** Until the study has been run on this
corpus, `notebooks/data/example-results.jsonl` holds results made by
`tools/simulate_results.ts` from a real subsample plan of the GROBID corpus (sizes and
EPS are those of real subsamples) and an F1 drawn from a known model: for each of three
model names, F1 rises linearly with sentences up to a threshold and with EPS up to a
threshold, flat beyond, plus Gaussian noise. The true values are stored beside the
results (`example-results.truth.json`), so the estimates below can be checked against
them. To analyse a real study, point `RESULTS` at its results file.

*Reference:* """ + CITATION + r"""
"""),
    code(r"""
import * as aq from "arquero";
import { readResults, type RunResult } from "../lib/study/results.ts";
import { ols } from "../lib/stats/ols.ts";
import { thresholdRegression, type ThresholdResult } from "../lib/stats/threshold.ts";
import { daviesTest, segmentedRegression } from "../lib/stats/segmented.ts";
import { smoothSpline } from "../lib/stats/smooth.ts";
import { htmlDisplay, tableDisplay } from "../lib/plot/display.ts";
import { learningCurvePlot, type CurveFit, type ThresholdMark } from "../lib/plot/study_plots.ts";

const RESULTS = "data/example-results.jsonl";
const { results, damaged } = await readResults(RESULTS);
if (damaged.length > 0) throw new Error(`${RESULTS}: ${damaged.length} damaged lines`);
const truth = JSON.parse(await Deno.readTextFile("data/example-results.truth.json")) as {
  models: Record<string, { sentencesThreshold: number; epsThreshold: number }>;
};
const models = [...new Set(results.map((r) => r.model))];
const byModel = new Map<string, RunResult[]>(models.map((m) => [m, results.filter((r) => r.model === m)]));
const col = (m: string, f: (r: RunResult) => number) => byModel.get(m)!.map(f);
const r3 = (v: number) => Number(v.toFixed(3));
tableDisplay(aq.from(models.map((m) => {
  const f1 = col(m, (r) => r.micro.f1);
  return { model: m, runs: f1.length, "F1 min": r3(Math.min(...f1)), "F1 max": r3(Math.max(...f1)),
    "sentences min": Math.min(...col(m, (r) => r.sentences)), "sentences max": Math.max(...col(m, (r) => r.sentences)) };
})));
"""),
    md(r"""
## 4.1 Multiple linear regression

F1 ~ sentences + EPS by ordinary least squares, per model (the paper's first analysis;
it reported R² from 0.61 to 0.79, all P<.001). The coefficients' standard errors,
t tests and 95% confidence intervals are the classical ones (statsmodels' and R's `lm`).
"""),
    code(r"""
const fits = models.map((m) => ({
  model: m,
  fit: ols(col(m, (r) => r.micro.f1), { sentences: col(m, (r) => r.sentences), eps: col(m, (r) => r.eps) }),
}));
tableDisplay(aq.from(fits.map(({ model, fit }) => ({
  model, n: fit.n, "R²": r3(fit.r2), "adjusted R²": r3(fit.adjR2),
  F: `F(${fit.dfModel}, ${fit.dfResid}) = ${fit.f.toFixed(1)}`, "P (F)": fit.fP.toExponential(2),
}))));
"""),
    code(r"""
tableDisplay(aq.from(fits.flatMap(({ model, fit }) => fit.coefficients.map((c) => ({
  model, term: c.name, estimate: Number(c.estimate.toPrecision(4)), "std. error": Number(c.se.toPrecision(3)),
  t: Number(c.t.toFixed(2)), P: c.p.toExponential(2),
  "95% CI": `[${c.ci[0].toPrecision(3)}, ${c.ci[1].toPrecision(3)}]`,
})))), { limit: 20 });
"""),
    md(r"""
## 4.2 Threshold regression

A linear fit cannot say where returns diminish. For each predictor separately we fit
an upper-hinge threshold model, F1 = a + b·min(x − e, 0): F1 rises with x up to the
threshold e and stays flat beyond it. The threshold is found by exact least squares
over all candidate values of x; its 95% confidence interval is the percentile interval
of 500 case-resampling bootstrap replicates, and `P (threshold)` tests the threshold
model against a straight line by a parametric bootstrap of the sup-F statistic (with
500 replicates the smallest attainable P is 1/501 ≈ 0.002).
"""),
    code(r"""
const B = 500;
const thresholds: { model: string; predictor: "sentences" | "eps"; fit: ThresholdResult }[] = [];
for (const m of models) {
  for (const predictor of ["sentences", "eps"] as const) {
    const fit = thresholdRegression(col(m, (r) => r[predictor]), col(m, (r) => r.micro.f1), {
      type: "upperhinge", bootstrap: B, seed: 1,
    });
    thresholds.push({ model: m, predictor, fit });
  }
}
tableDisplay(aq.from(thresholds.map(({ model, predictor, fit }) => {
  const t = truth.models[model];
  const digits = predictor === "eps" ? 3 : 0;
  return {
    model, predictor,
    threshold: fit.threshold.toFixed(digits),
    "95% CI": `[${fit.ci![0].toFixed(digits)}, ${fit.ci![1].toFixed(digits)}]`,
    "true threshold (simulation)": String(predictor === "eps" ? t.epsThreshold : t.sentencesThreshold),
    "slope below": Number(fit.coefficients["(x-e)-"].toPrecision(3)),
    "P (threshold)": fit.pExists!.toFixed(4),
  };
})));
"""),
    md(r"""
## 4.3 Segmented regression and Davies' test

As a second estimate of the change point in sentences, a segmented (broken-line)
regression lets the slope change at an estimated breakpoint ψ (Muggeo's method, the same
numbers as R's `segmented` package), and Davies' test asks whether the slope changes at
all (the same numbers as `davies.test`).
"""),
    code(r"""
const segmented = models.map((m) => {
  const x = col(m, (r) => r.sentences), y = col(m, (r) => r.micro.f1);
  return { model: m, x, fit: segmentedRegression(x, y), davies: daviesTest(x, y) };
});
tableDisplay(aq.from(segmented.map(({ model, fit, davies }) => ({
  model,
  "breakpoint ψ": fit.psi.toFixed(0),
  "95% CI": `[${fit.ci[0].toFixed(0)}, ${fit.ci[1].toFixed(0)}]`,
  "slope before (per 100 sentences)": Number((100 * fit.slopes[0].estimate).toPrecision(3)),
  "slope after (per 100 sentences)": Number((100 * fit.slopes[1].estimate).toPrecision(3)),
  "Davies P": davies.p.toExponential(2),
  "true threshold (simulation)": truth.models[model].sentencesThreshold,
}))));
"""),
    md(r"""
## 4.4 Learning curves

F1 against the training size, one panel per model: the runs as dots, a penalised
regression spline (mgcv's `gam(f1 ~ s(sentences, bs = "cr"))`, smoothing chosen by GCV)
with its pointwise 95% band in blue, and the threshold estimate with its bootstrap
interval in orange.
"""),
    code(r"""
function curves(predictor: "sentences" | "eps"): { fits: CurveFit[]; marks: ThresholdMark[] } {
  const fits = models.map((m) => {
    const s = smoothSpline(col(m, (r) => r[predictor]), col(m, (r) => r.micro.f1), { grid: 80 });
    return { model: m, x: s.x, y: s.fit, lower: s.lower, upper: s.upper };
  });
  const marks = thresholds.filter((t) => t.predictor === predictor)
    .map((t) => ({ model: t.model, threshold: t.fit.threshold, ci: t.fit.ci }));
  return { fits, marks };
}
const points = (predictor: "sentences" | "eps") =>
  results.map((r) => ({ model: r.model, x: r[predictor], f1: r.micro.f1 }));
const sentenceCurves = curves("sentences");
learningCurvePlot(points("sentences"), {
  xLabel: "Training sentences", fits: sentenceCurves.fits, thresholds: sentenceCurves.marks,
});
"""),
    md(r"""
The same for entity density:
"""),
    code(r"""
const epsCurves = curves("eps");
learningCurvePlot(points("eps"), {
  xLabel: "Entities per sentence (EPS) of the training subsample",
  fits: epsCurves.fits, thresholds: epsCurves.marks,
});
"""),
    md(r"""
And the segmented fits: the broken line with the breakpoint ψ and its confidence
interval.
"""),
    code(r"""
learningCurvePlot(points("sentences"), {
  xLabel: "Training sentences",
  fits: segmented.map(({ model, x, fit }) => {
    const lo = Math.min(...x), hi = Math.max(...x);
    const at = (v: number) => fit.coefficients["(Intercept)"] + fit.coefficients.x * v +
      fit.coefficients["U1.x"] * Math.max(v - fit.psi, 0);
    return { model, x: [lo, fit.psi, hi], y: [at(lo), at(fit.psi), at(hi)] };
  }),
  thresholds: segmented.map(({ model, fit }) => ({ model, threshold: fit.psi, ci: fit.ci })),
});
"""),
    md(r"""
## 4.5 Reading the results

With real results, the thresholds answer the practical question of the study: how many
annotated sentences, at what entity density, a model needs before further annotation
brings little. Here, because the data are simulated, the table in 4.2 mainly shows that
the method recovers the true thresholds within their confidence intervals.
"""),
    code(r"""
const covered = thresholds.filter(({ model, predictor, fit }) => {
  const t = truth.models[model];
  const v = predictor === "eps" ? t.epsThreshold : t.sentencesThreshold;
  return fit.ci![0] <= v && v <= fit.ci![1];
}).length;
htmlDisplay(`<p>${covered} of ${thresholds.length} bootstrap intervals contain the true threshold.</p>`);
"""),
]


def notebook(cells, prefix, expect_svg, title):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "deno", "display_name": "Deno (nerss)", "language": "typescript"},
        "language_info": {
            "name": "typescript",
            "file_extension": ".ts",
            "mimetype": "text/x.typescript",
            "codemirror_mode": "typescript",
        },
        "nerss": {"expect_svg": expect_svg, "title": title},
    }
    for i, (kind, text) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(text) if kind == "markdown" else nbformat.v4.new_code_cell(text)
        cell.id = f"{prefix}-{i:02d}"
        nb.cells.append(cell)
    nbformat.validate(nb)
    return nb


BOOKS = [
    ("01-corpus-and-agreement", NB01, 4, "Corpus and annotation agreement"),
    ("02-sampling-design", NB02, 3, "Sampling design"),
    ("03-fine-tuning", NB03, 2, "Fine-tuning and scoring one model"),
    ("04-sample-size-analysis", NB04, 3, "Sample-size analysis"),
]


def main():
    check = "--check" in sys.argv[1:]
    NOTEBOOKS.mkdir(exist_ok=True)
    stale = []
    for name, cells, svg, title in BOOKS:
        nb = notebook(cells, name[:2], svg, title)
        path = NOTEBOOKS / f"{name}.ipynb"
        if check:
            if not path.exists() or path.read_text() != nbformat.writes(nb) + "\n":
                stale.append(str(path.relative_to(ROOT)))
            continue
        tmp = path.with_suffix(".ipynb.tmp")
        nbformat.write(nb, tmp)
        tmp.replace(path)
        print(f"wrote {path.relative_to(ROOT)} ({len(cells)} cells, expect_svg {svg})", file=sys.stderr)
    if stale:
        print("out of date (run tools/make_notebooks.py): " + ", ".join(stale), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
