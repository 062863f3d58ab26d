/**
 * Writes the simulated example results that notebooks/04-sample-size-analysis.ipynb
 * analyses until a real study has been run: `notebooks/data/example-results.jsonl`
 * (one study result per line, as lib/study/results.ts writes them) and
 * `notebooks/data/example-results.truth.json` (the model the F1 values were drawn from).
 *
 * The subsamples are real: an EPS-stratified plan of 150 subsamples drawn from the
 * training pool of the GROBID acknowledgements (test split as in notebook 2). Their F1
 * is simulated: for each model name,
 *
 *   F1 = top - s * max(T_s - sentences, 0) / 100 - e * max(T_e - EPS, 0) + N(0, sd^2)
 *
 * (F1 rises linearly up to a threshold in each predictor and is flat beyond), with the
 * parameters in `TRUTH` and Gaussian noise from the seeded generator, so the output is
 * the same on every run. Precision and recall are set around F1 so that their
 * harmonic mean is exactly F1.
 *
 * Usage: deno run -A tools/simulate_results.ts
 *
 * @module
 */
import { loadDataset } from "../lib/corpus/dataset.ts";
import { GROBID_PERSON_ORG } from "../lib/corpus/tei.ts";
import { docSizes } from "../lib/corpus/stats.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { planSubsamples } from "../lib/sampling/plan.ts";
import { createRandom } from "../lib/core/random.ts";
import type { RunResult } from "../lib/study/results.ts";
import { writeTextAtomic } from "../lib/study/results.ts";

type Truth = {
  top: number;
  sentencesThreshold: number;
  sentencesSlopePer100: number;
  epsThreshold: number;
  epsSlope: number;
  noiseSd: number;
};

const TRUTH: Record<string, Truth> = {
  "BERT (simulated)": {
    top: 0.9,
    sentencesThreshold: 450,
    sentencesSlopePer100: 0.03,
    epsThreshold: 1.6,
    epsSlope: 0.15,
    noiseSd: 0.015,
  },
  "RoBERTa (simulated)": {
    top: 0.93,
    sentencesThreshold: 500,
    sentencesSlopePer100: 0.035,
    epsThreshold: 1.8,
    epsSlope: 0.12,
    noiseSd: 0.015,
  },
  "GPT-2 (simulated)": {
    top: 0.84,
    sentencesThreshold: 400,
    sentencesSlopePer100: 0.04,
    epsThreshold: 1.4,
    epsSlope: 0.18,
    noiseSd: 0.015,
  },
};

const SPLIT_SEED = 2024;
const PLAN = {
  count: 150,
  sizes: [[25, 100], [100, 250], [250, 500], [500, 1000]] as [number, number][],
  seed: 7,
  design: "eps-stratified" as const,
  strata: 5,
};
const NOISE_SEED = 11;

const docs = await loadDataset("grobid-acknowledgements", { labels: GROBID_PERSON_ORG });
const sizes = docSizes(docs);
const { train, test } = splitTestSet(sizes, { testFraction: 0.2, seed: SPLIT_SEED, strata: 5 });
const support = test.reduce((a, d) => a + d.entities, 0);
const plan = planSubsamples(train, PLAN);
const rng = createRandom(NOISE_SEED);
const lines: string[] = [];
for (const [model, t] of Object.entries(TRUTH)) {
  for (const s of plan) {
    const mean = t.top - t.sentencesSlopePer100 * Math.max(t.sentencesThreshold - s.sentences, 0) /
        100 -
      t.epsSlope * Math.max(t.epsThreshold - s.eps, 0);
    const f1 = Math.min(Math.max(mean + t.noiseSd * rng.normal(), 0.01), 0.99);
    // precision p and recall r with 2pr / (p + r) = f1
    const precision = Math.min(f1 * (1 + 0.04 * (rng.next() - 0.5)), 0.999);
    const recall = f1 * precision / (2 * precision - f1);
    const result: RunResult = {
      runId: `${s.id}/${model}`,
      model,
      subsample: s.id,
      documents: s.documents,
      sentences: s.sentences,
      entities: s.entities,
      eps: s.eps,
      micro: { precision, recall, f1, support },
      byType: {},
      trainMs: 0,
      steps: 0,
      seed: NOISE_SEED,
      finishedAt: "2026-01-01T00:00:00.000Z",
      simulated: true,
    };
    lines.push(JSON.stringify(result));
  }
}
const dir = new URL("../notebooks/data/", import.meta.url).pathname;
await Deno.mkdir(dir, { recursive: true });
await writeTextAtomic(`${dir}example-results.jsonl`, lines.join("\n") + "\n");
const truth = {
  note: "Simulated study results (tools/simulate_results.ts): real subsamples of the GROBID " +
    "acknowledgements, F1 = top - s * max(T_s - sentences, 0) / 100 - e * max(T_e - EPS, 0) + " +
    "N(0, sd^2). Not results of any fine-tuned model.",
  formula: "top - sentencesSlopePer100 * max(sentencesThreshold - sentences, 0) / 100 - " +
    "epsSlope * max(epsThreshold - eps, 0) + noiseSd * N(0, 1)",
  split: { testFraction: 0.2, seed: SPLIT_SEED, strata: 5 },
  plan: PLAN,
  noiseSeed: NOISE_SEED,
  models: TRUTH,
};
await writeTextAtomic(`${dir}example-results.truth.json`, JSON.stringify(truth, null, 2) + "\n");
console.log(`wrote ${lines.length} results for ${plan.length} subsamples to ${dir}`);
