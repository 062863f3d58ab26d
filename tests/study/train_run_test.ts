import assert from "node:assert/strict";
import { parseStudyConfig } from "../../lib/study/config.ts";
import { prepareStudy } from "../../lib/study/prepare.ts";
import { createRunExecutor } from "../../lib/study/train_run.ts";
import { executeRuns } from "../../lib/study/execute.ts";
import { readResults, type RunResult } from "../../lib/study/results.ts";
import { getGpu } from "../../lib/gpu/device.ts";
import { createStepPack } from "../../lib/gpu/step_pack.ts";
import type { Doc } from "../../lib/core/types.ts";
import { TINY_BERT } from "../train/tiny_classifier.ts";

// the training tests' tiny BERT as a study model (the study sets entity types and seeds)
const { entityTypes: _types, seed: _seed, ...architecture } = TINY_BERT;

function thanksDocs(): Doc[] {
  const names = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans"];
  return Array.from({ length: 40 }, (_, i) => {
    const name = names[i % 4];
    return {
      id: `d${i}`,
      text: `${name} thanks the NIH.`,
      spans: [{ start: 0, end: name.length, label: "PERSON" }, {
        start: name.length + 12,
        end: name.length + 15,
        label: "ORG",
      }],
    };
  });
}

Deno.test("createRunExecutor: real runs give results lines with scores, steps, device and their replicate's seed", async () => {
  const docs = thanksDocs();
  const config = parseStudyConfig({
    plan: { count: 1, sizes: [[16, 20]], replicates: 2 },
    models: [{ name: "mini", ...architecture }],
    training: { epochs: 2, batchSize: 8 },
    seed: 4,
  });
  const prepared = await prepareStudy(config, { docs });
  const [run, replicate] = prepared.runs;
  const execute = createRunExecutor(prepared);
  const result = await execute(run);
  const gpu = await getGpu();
  assert.equal(result.runId, run.runId);
  assert.equal(result.model, "mini");
  assert.equal(result.sentences, run.spec.subsample.sentences);
  // 2 epochs of ceil(sentences / 8) batches
  assert.equal(result.steps, 2 * Math.ceil(run.spec.subsample.sentences / 8));
  assert.ok(result.micro.f1 >= 0 && result.micro.f1 <= 1);
  assert.deepEqual(Object.keys(result.byType).sort(), ["ORG", "PERSON"]);
  assert.equal(result.device, `${gpu.adapterName} (${gpu.backend})`);
  assert.ok(Number.isFinite(result.finalLoss as number));
  assert.equal(result.seed, 4);
  // the study's maxLength 128 is more than the model's 64 positions: training and scoring
  // say so, and the line keeps it
  const clamped = "maxLength 128 is more than the 64 subtokens the model's 64 positions take: " +
    "using 64";
  const warnings = result.warnings as string[];
  assert.ok(warnings.includes(`fineTune: ${clamped}`), warnings.join("\n"));
  assert.ok(warnings.includes(`evaluate: ${clamped}`), warnings.join("\n"));
  // the second replicate: the same documents, trained from the next seed
  const again = await execute(replicate);
  assert.equal(again.runId, `${run.runId}/r1`);
  assert.equal(again.seed, 5);
  assert.deepEqual([again.subsample, again.sentences, again.steps], [
    result.subsample,
    result.sentences,
    result.steps,
  ]);
  assert.notEqual(again.finalLoss, result.finalLoss); // other initial weights and order
});

Deno.test("executeRuns pack 4: 4 real runs of different sizes stepping together equal their solo runs bit for bit", async () => {
  const config = parseStudyConfig({
    plan: { count: 4, sizes: [[4, 8], [10, 16], [18, 24], [26, 32]] },
    models: [{ name: "mini", ...architecture }],
    training: { epochs: 2, batchSize: 4 },
    seed: 7,
  });
  const prepared = await prepareStudy(config, { docs: thanksDocs() });
  const runs = prepared.runs.slice(0, 4);
  const dir = await Deno.makeTempDir();
  const stepPack = createStepPack(await getGpu(), 4);
  const trained: Record<string, RunResult[]> = {};
  let running = 0, most = 0;
  for (const pack of [1, 4]) {
    const resultsPath = `${dir}/results-${pack}.jsonl`;
    const execute = createRunExecutor(prepared, pack > 1 ? { pack: stepPack } : {});
    await executeRuns(runs, {
      resultsPath,
      progress: "none",
      pack,
      execute: async (run) => {
        most = Math.max(most, ++running);
        try {
          return await execute(run);
        } finally {
          running--;
        }
      },
    });
    trained[pack] = (await readResults(resultsPath)).results;
  }
  assert.equal(most, 4, "the 4 runs were in flight together");
  // their steps went in shared command buffers, most operations one dispatch for all
  assert.ok(stepPack.stats.grouped > 0 && stepPack.stats.saved >= stepPack.stats.grouped);
  assert.equal(new Set(runs.map((r) => r.spec.subsample.sentences)).size, 4);
  const key = ({ trainMs: _t, finishedAt: _f, ...rest }: RunResult) => rest;
  const byId = (results: RunResult[]) => Object.fromEntries(results.map((r) => [r.runId, key(r)]));
  assert.deepEqual(byId(trained[4]), byId(trained[1]));
  assert.ok(trained[1].every((r) => Number.isFinite(r.finalLoss as number) && r.steps > 0));
  await Deno.remove(dir, { recursive: true });
});
