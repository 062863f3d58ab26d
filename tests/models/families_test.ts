/**
 * The registry of model families is complete and consistent: every record round-trips a
 * configuration through its `config.json` keys, names each parameter once, and makes a
 * tiny random model that is saved and reloaded with identical logits.
 */
import assert from "node:assert/strict";
import { configToJson, createConfig, parseConfig } from "../../lib/models/config.ts";
import {
  assertBuilt,
  FAMILIES,
  familyRecord,
  isModelFamily,
  positionIds,
  skippedPositions,
} from "../../lib/models/families/registry.ts";
import type { ModelFamily } from "../../lib/models/families/types.ts";
import { parameterList, parameterShapes } from "../../lib/models/layout.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import { loadCheckpoint, saveCheckpoint } from "../../lib/models/checkpoint.ts";
import { cpuLogits, createCpuModel } from "../../lib/models/reference_train.ts";
import { referenceLogits } from "../../lib/models/reference.ts";
import { MANIFEST } from "../../lib/corpus/dataset.ts";

const families = Object.keys(FAMILIES) as ModelFamily[];

/** A configuration with every field away from the family's defaults. */
const unusual = (family: ModelFamily) =>
  createConfig({
    family,
    vocabSize: 37,
    hiddenSize: 12,
    numLayers: 3,
    numHeads: 3,
    intermediateSize: 20,
    maxPositions: 24,
    typeVocabSize: familyRecord(family).tokenTypes ? 3 : 0,
    // DistilBERT's LayerNorm epsilon is fixed at 1e-12 (no config key)
    layerNormEps: family === "distilbert" ? 1e-12 : 1e-7,
    activation: "gelu_pytorch_tanh",
    padTokenId: familyRecord(family).defaults.padTokenId === null ? null : 1,
    hiddenDropout: 0.2,
    attentionDropout: 0.15,
    // a classifier dropout of its own where the family's config has a key for it
    classifierDropout: family === "distilbert" ? 0.2 : 0.3,
    initializerRange: 0.05,
    sinusoidalPositions: familyRecord(family).positions.kind === "learned" &&
      (familyRecord(family).positions as { sinusoidal: boolean }).sinusoidal,
    labels: ["O", "B-ORG", "I-ORG", "B-PER"],
  });

const COMMON = [
  "architectures",
  "model_type",
  "vocab_size",
  "initializer_range",
  "pad_token_id",
  "bos_token_id",
  "eos_token_id",
  "id2label",
  "label2id",
];

Deno.test("the registry holds each family under its model_type, built and distinct", () => {
  assert.deepEqual(families, ["bert", "roberta", "distilbert", "gpt2"]);
  for (const f of families) {
    assert.ok(isModelFamily(f));
    assert.equal(FAMILIES[f].family, f);
    assert.equal(familyRecord(f), FAMILIES[f]);
    assertBuilt(FAMILIES[f], "test");
  }
  const classes = families.map((f) => FAMILIES[f].tokenClassifierClass);
  assert.equal(new Set(classes).size, classes.length);
  for (const f of families) {
    const shipped = FAMILIES[f].tokenizer.shipped;
    if (shipped !== null) {
      assert.ok(shipped in MANIFEST.datasets, `${f}: ${shipped} is not in data/`);
    }
  }
  assert.ok(!isModelFamily("hasOwnProperty"));
  assert.throws(() => familyRecord("llama"), /unknown model family "llama"; known: bert/);
});

for (const family of families) {
  Deno.test(`${family}: a configuration round-trips through its config.json keys`, () => {
    const c = unusual(family);
    const json = configToJson(c);
    const own = new Set(familyRecord(family).config.keys);
    for (const k of Object.keys(json)) {
      assert.ok(COMMON.includes(k) || own.has(k), `${family} writes "${k}", not among its keys`);
    }
    assert.equal(json.model_type, family);
    const back = parseConfig(JSON.parse(JSON.stringify(json)), "config.json");
    assert.deepEqual(back, c);
    assert.deepEqual(configToJson(back), json);
  });

  Deno.test(`${family}: the family's defaults are read for keys a config.json leaves out`, () => {
    const d = familyRecord(family).defaults;
    const c = parseConfig({ model_type: family }, "config.json");
    assert.equal(c.hiddenSize, d.hiddenSize);
    assert.equal(c.numLayers, d.numLayers);
    assert.equal(c.vocabSize, d.vocabSize);
    assert.equal(c.padTokenId, d.padTokenId);
    assert.equal(c.activation, d.activation);
    assert.equal(c.classifierDropout, d.classifierDropout ?? c.hiddenDropout);
  });

  Deno.test(`${family}: every parameter has one Hugging Face name`, () => {
    const c = unusual(family);
    const list = parameterList(c);
    const names = list.map((p) => p.name);
    assert.equal(new Set(names).size, names.length, "a name is used twice");
    assert.deepEqual([...parameterShapes(c).keys()], names);
    const f = familyRecord(family);
    for (const n of names) {
      assert.ok(n.startsWith(`${f.names.base}.`) || n.startsWith(`${f.names.classifier}.`), n);
    }
    // what each block adds: 4 linears (q, k, v apart or fused), 2 norms, weights and biases
    const perBlock = names.filter((n) => n.includes(".0.")).length;
    const linears = ("qkv" in f.names.block(0).attention ? 4 : 6) * (f.bias ? 2 : 1);
    assert.equal(perBlock, linears + 2 * (f.norm.bias ? 2 : 1));
    assert.equal(names.filter((n) => n.includes(".2.")).length, perBlock);
  });

  Deno.test(`${family}: a tiny random model saved and reloaded gives identical logits`, async () => {
    const c = unusual(family);
    const tensors = initWeights(c, 11);
    const dir = await Deno.makeTempDir();
    try {
      await saveCheckpoint(`${dir}/m`, c, tensors, { "vocab.txt": "[PAD]\n[UNK]\n" });
      const ck = await loadCheckpoint(`${dir}/m`);
      assert.deepEqual(ck.config, c);
      const pad = c.padTokenId ?? 0;
      const ids = [3, 9, 4, 17, 36, pad];
      const batch = {
        size: 1,
        length: ids.length,
        inputIds: new Int32Array(ids),
        attentionMask: new Int32Array([1, 1, 1, 1, 1, 0]),
      };
      const before = await cpuLogits(createCpuModel(c, tensors), batch);
      const after = await cpuLogits(createCpuModel(ck.config, ck.tensors), batch);
      assert.deepEqual(after, before);
      // and both agree with the float64 reference on the real tokens
      const ref = referenceLogits(c, tensors, [ids], [[1, 1, 1, 1, 1, 0]]);
      const L = c.labels.length;
      for (let i = 0; i < 5 * L; i++) assert.ok(Math.abs(ref.data[i] - before[i]) < 1e-4);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("positions: RoBERTa counts from padding_idx + 1, the others from 0", () => {
  // hand-worked: ids <s> a b </s> <pad> with pad 1 -> 2 3 4 5 1
  assert.deepEqual(positionIds({ family: "roberta", padTokenId: 1 }, [0, 8, 9, 2, 1]), [
    2,
    3,
    4,
    5,
    1,
  ]);
  assert.deepEqual(positionIds({ family: "gpt2", padTokenId: null }, [5, 5, 5]), [0, 1, 2]);
  assert.equal(skippedPositions({ family: "roberta", padTokenId: 1 }), 2);
  for (const f of ["bert", "distilbert", "gpt2"] as const) {
    assert.equal(skippedPositions({ family: f, padTokenId: 0 }), 0);
  }
});

Deno.test("a family whose kinds are not built yet is refused with a clear error", () => {
  const rms = { ...FAMILIES.gpt2, norm: { ...FAMILIES.gpt2.norm, kind: "rmsnorm" as const } };
  assert.throws(() => assertBuilt(rms, "createNet"), /GPT-2 family needs rmsnorm norms/);
  const gated = { ...FAMILIES.bert, mlp: { kind: "swiglu" as const }, bias: false };
  assert.throws(
    () => assertBuilt(gated, "createNet"),
    /needs swiglu feed-forward layers, linears without bias: they are not built yet/,
  );
});
