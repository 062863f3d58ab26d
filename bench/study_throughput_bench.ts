/**
 * Runs per hour of the default study (`deno task study`: a tiny BERT, GPT-2's vocabulary,
 * the GROBID acknowledgements), and where one run's time goes: building the model
 * (tokenizer folder, random initialisation, upload), fine-tuning (its steps), and scoring
 * the held-out test documents. The first `--runs N` runs of the plan (default 6) are
 * trained as the study trains them, after one warm-up run that compiles the kernels.
 *
 * Run: deno run -A bench/study_throughput_bench.ts [--runs N]
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { DEFAULT_STUDY } from "../lib/study/config.ts";
import { prepareStudy } from "../lib/study/prepare.ts";
import { labelsOf } from "../lib/tags/labels.ts";
import { createTokenClassifier, releaseClassifier } from "../lib/train/classifier.ts";
import { fineTune } from "../lib/train/fine_tune.ts";
import { evaluate } from "../lib/train/predict.ts";

const runsArg = Deno.args.indexOf("--runs");
const count = runsArg >= 0 ? Number(Deno.args[runsArg + 1]) : 6;
const gpu = await getGpu();
const prepared = await prepareStudy(DEFAULT_STUDY);
const { training } = prepared.config;
const entityTypes = labelsOf(prepared.docs);
const byId = new Map(prepared.train.map((d) => [d.id, d]));
const phases = { create: 0, fineTune: 0, evaluate: 0 };
let steps = 0;
const runs = prepared.runs.slice(0, count + 1);
for (const [i, run] of runs.entries()) {
  const { subsample, model, seed } = run.spec;
  const t = [performance.now()];
  const classifier = await createTokenClassifier({
    ...model,
    entityTypes,
    scheme: training.scheme,
    seed,
    gpu,
  });
  t.push(performance.now());
  const trained = await fineTune(classifier, subsample.docIds.map((id) => byId.get(id)!), {
    ...training,
    seed,
    progress: "none",
    onWarning: () => {},
  });
  t.push(performance.now());
  await evaluate(classifier, prepared.test, { maxLength: training.maxLength, onWarning: () => {} });
  t.push(performance.now());
  releaseClassifier(classifier);
  if (i === 0) continue; // the warm-up run compiles the kernels
  phases.create += t[1] - t[0];
  phases.fineTune += t[2] - t[1];
  phases.evaluate += t[3] - t[2];
  steps += trained.steps;
}
const total = phases.create + phases.fineTune + phases.evaluate;
console.log(`adapter: ${gpu.adapterName} (${gpu.backend}); ${count} runs, ${steps} steps`);
for (const [name, ms] of Object.entries(phases)) {
  console.log(
    `  ${name.padEnd(9)} ${(ms / count).toFixed(0).padStart(6)} ms per run ` +
      `${(100 * ms / total).toFixed(0).padStart(3)}%`,
  );
}
console.log(
  `  ${(phases.fineTune / steps).toFixed(1)} ms per training step; ` +
    `${(3600e3 * count / total).toFixed(0)} runs per hour (these runs' sizes)`,
);
