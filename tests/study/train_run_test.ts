import assert from "node:assert/strict";
import { parseStudyConfig } from "../../lib/study/config.ts";
import { prepareStudy } from "../../lib/study/prepare.ts";
import { createRunExecutor } from "../../lib/study/train_run.ts";
import { getGpu } from "../../lib/gpu/device.ts";
import type { Doc } from "../../lib/core/types.ts";
import { TINY_BERT } from "../train/tiny_classifier.ts";

// the training tests' tiny BERT as a study model (the study sets entity types and seeds)
const { entityTypes: _types, seed: _seed, ...architecture } = TINY_BERT;

Deno.test("createRunExecutor: real runs give results lines with scores, steps, device and their replicate's seed", async () => {
  const names = ["Ann Lee", "Bo Chen", "Cy Diaz", "Di Evans"];
  const docs: Doc[] = Array.from({ length: 40 }, (_, i) => {
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
