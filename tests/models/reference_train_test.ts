/**
 * Tests of lib/models/reference_train.ts (the CPU reference trainer, no GPU needed): its
 * logits equal the float64 `referenceLogits` of lib/models/reference.ts for every
 * family (ModernBERT with a local layer, Llama and Qwen2 with grouped key/value heads), its gradients equal central finite differences of the reference loss, and
 * training lowers the loss of a toy task.
 */
import assert from "node:assert/strict";
import { createConfig, type ModelConfig } from "../../lib/models/config.ts";
import { FAMILIES } from "../../lib/models/families/registry.ts";
import { familyExtras } from "./fixtures/tiny_models.ts";
import type { TensorMap } from "../../lib/models/host_tensor.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import { referenceLogits } from "../../lib/models/reference.ts";
import {
  cpuGradients,
  cpuLogits,
  cpuModelTensors,
  cpuTrainStep,
  createCpuModel,
} from "../../lib/models/reference_train.ts";
import type { ModelBatch } from "../../lib/models/transformer.ts";

function config(family: ModelConfig["family"]): ModelConfig {
  return createConfig({
    family,
    vocabSize: 23,
    hiddenSize: 12,
    numHeads: 3,
    numLayers: 2,
    intermediateSize: 10,
    maxPositions: 12,
    labels: ["O", "B", "I"],
    initializerRange: 0.4,
    ...familyExtras(family),
  });
}

function perturbed(c: ModelConfig, seed: number): TensorMap {
  const t = initWeights(c, seed);
  let s = seed;
  for (const v of t.values()) {
    for (let i = 0; i < v.data.length; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      v.data[i] += 0.2 * (s / 4294967296 - 0.5);
    }
  }
  return t;
}

// Row 1 is padded after 3 tokens (pad id 1 suits RoBERTa; the others ignore the id).
const batch: ModelBatch = {
  size: 2,
  length: 5,
  inputIds: new Int32Array([4, 9, 17, 3, 22, 5, 8, 12, 1, 1]),
  attentionMask: new Int32Array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]),
  labels: new Int32Array([0, 2, -100, 1, 1, 2, 0, 1, -100, -100]),
};
const ids = [[4, 9, 17, 3, 22], [5, 8, 12, 1, 1]];
const mask = [[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]];

function loss64(c: ModelConfig, t: TensorMap): number {
  const l = referenceLogits(c, t, ids, mask).data;
  let total = 0, n = 0;
  batch.labels?.forEach((y, i) => {
    if (y === -100) return;
    const row = Array.from(l.subarray(i * 3, i * 3 + 3));
    const max = Math.max(...row);
    total += max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) - row[y];
    n++;
  });
  return total / n;
}

for (const family of Object.keys(FAMILIES) as ModelConfig["family"][]) {
  Deno.test(`${family}: CPU reference logits and gradients match the f64 reference`, async () => {
    const c = config(family);
    const t = perturbed(c, 3);
    const model = createCpuModel(c, t);
    const got = await cpuLogits(model, batch);
    const want = referenceLogits(c, t, ids, mask).data;
    for (let i = 0; i < 10; i++) {
      if (!batch.attentionMask[i]) continue;
      for (let k = 0; k < 3; k++) {
        assert.ok(Math.abs(got[i * 3 + k] - want[i * 3 + k]) < 1e-4, `logit ${i},${k}`);
      }
    }
    const { loss, grads } = await cpuGradients(model, batch);
    assert.ok(Math.abs(loss - loss64(c, t)) < 1e-5);
    for (const [name, v] of t) {
      if (name.includes("token_type")) continue; // only row 0 is used
      const i = (name.length * 7) % v.data.length;
      const w = v.data[i];
      v.data[i] = w + 1e-3;
      const up = v.data[i] - w, lp = loss64(c, t);
      v.data[i] = w - 1e-3;
      const dn = v.data[i] - w, lm = loss64(c, t);
      v.data[i] = w;
      const fd = (lp - lm) / (up - dn), g = grads.get(name)?.data[i] as number;
      assert.ok(Math.abs(g - fd) <= 1e-3 * (1e-3 + Math.abs(fd)) + 1e-7, `${name}: ${g} vs ${fd}`);
    }
  });
}

Deno.test("CPU reference training lowers the loss and changes the parameters", async () => {
  const c = config("bert");
  const t = initWeights(c, 1);
  const model = createCpuModel(c, t, { seed: 4 });
  const o = { lr: 1e-2, weightDecay: 0.01, readLoss: true };
  const first = (await cpuTrainStep(model, batch, o)) as number;
  let last = first;
  for (let i = 0; i < 30; i++) last = (await cpuTrainStep(model, batch, o)) as number;
  assert.ok(last < 0.8 * first, `${first} -> ${last}`);
  const after = await cpuModelTensors(model);
  assert.notDeepEqual(after.get("classifier.weight")?.data, t.get("classifier.weight")?.data);
});
