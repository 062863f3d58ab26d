/**
 * Developer script: writes the tiny random models of tests/fixtures/models/<family>/
 * (config.json, model.safetensors, inputs.json) that `tools/reference_logits.py` runs
 * through PyTorch to produce logits.json. Weights are drawn wider than transformers'
 * default (std 0.4) and layer norms and biases are perturbed, so every part of the
 * forward pass moves the logits.
 *
 * Run: `deno run -A tools/make_reference_fixtures.ts && /usr/bin/python3 tools/reference_logits.py`
 *
 * @module
 */

import { configToJson, createConfig, type ModelFamily } from "../lib/models/config.ts";
import { FAMILIES } from "../lib/models/families/registry.ts";
import { familyExtras } from "../tests/models/fixtures/tiny_models.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { encodeSafetensors } from "../lib/models/safetensors.ts";

const root = new URL("../tests/fixtures/models/", import.meta.url).pathname;
let s = 12345;
const uniform = () => {
  s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  return s / 4294967296 - 0.5;
};

// new families go last: the draws of the earlier ones stay as they were
const families = Object.keys(FAMILIES) as ModelFamily[];
for (const family of families) {
  const config = createConfig({
    family,
    vocabSize: 36,
    hiddenSize: 8,
    numHeads: 2,
    numLayers: 2,
    intermediateSize: 16,
    maxPositions: 16,
    typeVocabSize: family === "bert" ? 2 : family === "roberta" ? 1 : 0,
    initializerRange: 0.4,
    activation: family === "gpt2" ? "gelu_new" : FAMILIES[family].defaults.activation,
    labels: ["O", "B-PER", "I-PER"],
    ...familyExtras(family),
  });
  const tensors = initWeights(config, 7);
  for (const [name, t] of tensors) {
    if (name.endsWith(".bias")) t.data.forEach((_, i) => (t.data[i] = 0.2 * uniform()));
    else if (t.shape.length === 1) t.data.forEach((_, i) => (t.data[i] = 1 + 0.4 * uniform()));
  }
  const pad = config.padTokenId ?? 0;
  const inputs = {
    input_ids: [[5, 17, 3, 29, 11, 8], [9, 21, 4, 33, pad, pad]],
    attention_mask: [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0]],
    token_type_ids: family === "bert" ? [[0, 0, 0, 1, 1, 1], [0, 0, 1, 1, 1, 1]] : undefined,
    labels: [[0, 1, 2, -100, 0, 2], [2, 0, 1, 1, -100, -100]],
  };
  const dir = `${root}${family}`;
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(
    `${dir}/config.json`,
    JSON.stringify(configToJson(config), null, 2) + "\n",
  );
  await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(tensors));
  await Deno.writeTextFile(`${dir}/inputs.json`, JSON.stringify(inputs) + "\n");
  console.log(`wrote ${dir}`);
}
