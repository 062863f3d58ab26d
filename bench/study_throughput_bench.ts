/**
 * Runs per hour of the default study (`deno task study`: a tiny BERT, GPT-2's vocabulary,
 * the GROBID acknowledgements), and where one run's time goes: building the model
 * (tokenizer folder, random initialisation, upload), fine-tuning (its steps), and scoring
 * the held-out test documents. The first `--runs N` runs of the plan (default 6) are
 * trained as the study trains them, after one warm-up run that compiles the kernels.
 * With `--pack K` (or a list, `--pack 4,16,64`) the same runs then go through the study's
 * executor one at a time, K at a time in flight (each run its own steps) and K at a time
 * stacked (`lib/gpu/step_pack.ts`: one command buffer and one dispatch per operation for
 * the K), alternately for `--rounds R` (default 2): runs per hour of each, and whether
 * every run's results are those of one at a time. `--phase-runs M` times
 * the phases of the first M runs only.
 *
 * Run: deno run -A bench/study_throughput_bench.ts [--runs N] [--phase-runs M]
 * [--pack K[,K...] [--rounds R]]
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
import { executeRuns } from "../lib/study/execute.ts";
import { readResults } from "../lib/study/results.ts";
import { createRunExecutor } from "../lib/study/train_run.ts";
import { createStepPack } from "../lib/gpu/step_pack.ts";
import { numberFlag } from "./support/flags.ts";

const count = numberFlag("--runs", 6), rounds = numberFlag("--rounds", 2);
const timedPhases = Math.min(count, numberFlag("--phase-runs", count));
const packAt = Deno.args.indexOf("--pack");
const packs = packAt >= 0 ? Deno.args[packAt + 1].split(",").map(Number) : [];
const gpu = await getGpu();
const prepared = await prepareStudy(DEFAULT_STUDY);
const { training } = prepared.config;
const entityTypes = labelsOf(prepared.docs);
const byId = new Map(prepared.train.map((d) => [d.id, d]));
const phases = { create: 0, fineTune: 0, evaluate: 0 };
let steps = 0;
const runs = prepared.runs.slice(0, count + 1);
for (const [i, run] of runs.slice(0, timedPhases + 1).entries()) {
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
console.log(`adapter: ${gpu.adapterName} (${gpu.backend}); ${timedPhases} runs, ${steps} steps`);
for (const [name, ms] of Object.entries(phases)) {
  console.log(
    `  ${name.padEnd(9)} ${(ms / timedPhases).toFixed(0).padStart(6)} ms per run ` +
      `${(100 * ms / total).toFixed(0).padStart(3)}%`,
  );
}
console.log(
  `  ${(phases.fineTune / steps).toFixed(1)} ms per training step; ` +
    `${(3600e3 * timedPhases / total).toFixed(0)} runs per hour (these runs' sizes)`,
);

if (packs.length > 0) {
  const dir = await Deno.makeTempDir();
  const timed = runs.slice(1);
  let reference: string | undefined; // the results of one run at a time
  for (let round = 1; round <= rounds; round++) {
    for (
      const [k, stacked] of [[1, false], ...packs.flatMap((k) => [[k, false], [k, true]])] as [
        number,
        boolean,
      ][]
    ) {
      const mode = k === 1 ? "1 at a time" : `${k} ${stacked ? "stacked" : "in flight"}`;
      const resultsPath = `${dir}/results-${mode.replaceAll(" ", "-")}-${round}.jsonl`;
      const pack = stacked ? createStepPack(gpu, k) : undefined;
      const execute = createRunExecutor(prepared, { pack });
      const start = performance.now();
      await executeRuns(timed, { resultsPath, execute, pack: k, progress: "none" });
      const seconds = (performance.now() - start) / 1000;
      const same = (await readResults(resultsPath)).results
        .map(({ trainMs: _t, finishedAt: _f, ...rest }) => JSON.stringify(rest)).sort().join("\n");
      reference ??= same;
      console.log(
        `round ${round}, ${mode}: ${seconds.toFixed(1)} s, ` +
          `${(3600 * count / seconds).toFixed(0)} runs per hour` +
          (pack
            ? `; ${pack.stats.steps} command buffers, ${pack.stats.dispatches} dispatches ` +
              `(${pack.stats.grouped} grouped, ${pack.stats.saved} saved)`
            : "") +
          (same === reference ? "" : "; RESULTS DIFFER"),
      );
    }
  }
  await Deno.remove(dir, { recursive: true });
}
