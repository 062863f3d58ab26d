import assert from "node:assert/strict";
import { parseStudyConfig } from "../../lib/study/config.ts";
import { prepareStudy } from "../../lib/study/prepare.ts";
import { createRunExecutor } from "../../lib/study/train_run.ts";
import { getGpu } from "../../lib/gpu/device.ts";
import type { Doc } from "../../lib/corpus/types.ts";
import { TINY_BERT } from "../train/tiny_classifier.ts";

// the training tests' tiny BERT as a study model (the study sets entity types and seeds)
const { entityTypes: _types, seed: _seed, ...architecture } = TINY_BERT;

Deno.test("createRunExecutor: one real run gives a results line with scores, steps and device", async () => {
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
    plan: { count: 1, sizes: [[16, 20]] },
    models: [{ name: "mini", ...architecture }],
    training: { epochs: 2, batchSize: 8 },
  });
  const prepared = await prepareStudy(config, { docs });
  const [run] = prepared.runs;
  const result = await createRunExecutor(prepared)(run);
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
});
