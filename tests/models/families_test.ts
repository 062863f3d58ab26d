/**
 * The registry of model families is complete and consistent: every record round-trips a
 * configuration through its `config.json` keys, names each parameter once, and makes a
 * tiny random model that is saved and reloaded with identical logits.
 */
import assert from "node:assert/strict";
import { configToJson, createConfig, parseConfig } from "../../lib/models/config.ts";
import {
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
    // grouped key/value heads where the family's config has a key for them
    numKeyValueHeads: familyRecord(family).config.keys.includes("num_key_value_heads") ? 1 : 3,
    ropeTheta: familyRecord(family).positions.kind === "rotary" ? 5000 : 10000,
    localAttention: family === "modernbert" ? { window: 4, every: 2, ropeTheta: 2500 } : null,
    classifierActivation: family === "modernbert" ? "gelu_new" : "gelu",
    extra: family === "modernbert" ? { embedding_dropout: 0.05 } : {},
    intermediateSize: 20,
    maxPositions: 24,
    typeVocabSize: familyRecord(family).tokenTypes ? 3 : 0,
    // DistilBERT's LayerNorm epsilon is fixed at 1e-12 (no config key)
    layerNormEps: family === "distilbert" ? 1e-12 : 1e-7,
    activation: "gelu_pytorch_tanh",
    padTokenId: familyRecord(family).defaults.padTokenId === null ? null : 1,
    // Llama-architecture decoders have no hidden dropout
    hiddenDropout: familyRecord(family).config.keys.includes("rms_norm_eps") ? 0 : 0.2,
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
  assert.deepEqual(families, [
    "bert",
    "roberta",
    "distilbert",
    "gpt2",
    "modernbert",
    "llama",
    "qwen2",
  ]);
  for (const f of families) {
    assert.ok(isModelFamily(f));
    assert.equal(FAMILIES[f].family, f);
    assert.equal(familyRecord(f), FAMILIES[f]);
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
  assert.throws(() => familyRecord("t5"), /unknown model family "t5"; known: bert/);
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
    const prefixes = [f.names.base, f.names.classifier, "head"].map((p) => `${p}.`);
    for (const n of names) assert.ok(prefixes.some((p) => n.startsWith(p)), n);
    // what each block adds: q, k, v (apart or fused), o, the feed-forward linears (gate and
    // up apart or fused), their biases, 2 norms (weights and biases)
    const b = f.names.block(1);
    const qkv = "qkv" in b.attention ? 1 : 3, f1 = typeof b.f1 === "string" ? 1 : 2;
    const biases = (f.bias.qkv ? qkv : 0) + (f.bias.o ? 1 : 0) + (f.bias.mlp ? f1 + 1 : 0);
    const perBlock = names.filter((n) => n.includes(".1.")).length;
    assert.equal(perBlock, qkv + 1 + f1 + 1 + biases + 2 * (f.norm.bias ? 2 : 1));
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

// The published config.json of answerdotai/ModernBERT-base and HuggingFaceTB/SmolLM2-135M.
const MODERNBERT_BASE = {
  architectures: ["ModernBertForMaskedLM"],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 50281,
  classifier_activation: "gelu",
  classifier_bias: false,
  classifier_dropout: 0.0,
  classifier_pooling: "mean",
  cls_token_id: 50281,
  decoder_bias: true,
  deterministic_flash_attn: false,
  embedding_dropout: 0.0,
  eos_token_id: 50282,
  global_attn_every_n_layers: 3,
  global_rope_theta: 160000.0,
  gradient_checkpointing: false,
  hidden_activation: "gelu",
  hidden_size: 768,
  initializer_cutoff_factor: 2.0,
  initializer_range: 0.02,
  intermediate_size: 1152,
  layer_norm_eps: 1e-05,
  local_attention: 128,
  local_rope_theta: 10000.0,
  max_position_embeddings: 8192,
  mlp_bias: false,
  mlp_dropout: 0.0,
  model_type: "modernbert",
  norm_bias: false,
  norm_eps: 1e-05,
  num_attention_heads: 12,
  num_hidden_layers: 22,
  pad_token_id: 50283,
  position_embedding_type: "absolute",
  sep_token_id: 50282,
  tie_word_embeddings: true,
  torch_dtype: "float32",
  transformers_version: "4.47.0.dev0",
  vocab_size: 50368,
};
const SMOLLM2_135M = {
  architectures: ["LlamaForCausalLM"],
  attention_bias: false,
  attention_dropout: 0.0,
  bos_token_id: 0,
  eos_token_id: 0,
  hidden_act: "silu",
  hidden_size: 576,
  initializer_range: 0.041666666666666664,
  intermediate_size: 1536,
  is_llama_config: true,
  max_position_embeddings: 8192,
  mlp_bias: false,
  model_type: "llama",
  num_attention_heads: 9,
  num_hidden_layers: 30,
  num_key_value_heads: 3,
  pretraining_tp: 1,
  rms_norm_eps: 1e-05,
  rope_interleaved: false,
  rope_scaling: null,
  rope_theta: 100000,
  tie_word_embeddings: true,
  torch_dtype: "bfloat16",
  transformers_version: "4.42.3",
  use_cache: true,
  vocab_size: 49152,
};

Deno.test("published ModernBERT-base and SmolLM2-135M configurations read as their papers describe", () => {
  const m = parseConfig(MODERNBERT_BASE, "ModernBERT-base/config.json");
  assert.deepEqual(m.localAttention, { window: 128, every: 3, ropeTheta: 10000 });
  assert.equal(m.ropeTheta, 160000);
  assert.equal(m.intermediateSize, 1152);
  // parameters of the backbone and prediction head, by hand: embeddings 50368 x 768 and
  // their norm; 22 layers of Wqkv 2304 x 768, Wo 768 x 768, Wi 2304 x 768, Wo 768 x 1152 and
  // two norms (one in layer 0); the final norm; head dense 768 x 768 and norm
  const count = (c: typeof m) =>
    parameterList(c).filter((p) => !p.name.startsWith(`${FAMILIES[c.family].names.classifier}.`))
      .reduce((s, p) => s + p.shape.reduce((a, b) => a * b, 1), 0);
  const layer = 2 * 2304 * 768 + 768 * 768 + 768 * 1152;
  assert.equal(count(m), 50368 * 768 + 768 + 22 * (layer + 2 * 768) - 768 + 768 + 768 * 768 + 768);
  const l = parseConfig(SMOLLM2_135M, "SmolLM2-135M/config.json");
  assert.deepEqual([l.numHeads, l.numKeyValueHeads, l.ropeTheta, l.layerNormEps], [
    9,
    3,
    1e5,
    1e-5,
  ]);
  // SmolLM2-135M's 134,515,008 parameters (its embedding tied with the LM head)
  assert.equal(count(l), 134_515_008);
  assert.throws(
    () => parseConfig({ ...SMOLLM2_135M, rope_scaling: { rope_type: "llama3", factor: 8 } }),
    /rope type "llama3" is not supported/,
  );
  assert.throws(
    () => parseConfig({ ...SMOLLM2_135M, attention_bias: true }),
    /"attention_bias" is true; only false is supported/,
  );
});
