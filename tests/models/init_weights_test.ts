/**
 * Tests of lib/models/init_weights.ts. The expected parameter names and shapes are those
 * of transformers' modeling_bert.py, modeling_roberta.py, modeling_distilbert.py and
 * modeling_gpt2.py, modeling_modernbert.py, modeling_llama.py and modeling_qwen2.py
 * (state_dict() of *ForTokenClassification, no pooler; GPT-2's Conv1D weights [in, out];
 * GPT2ForTokenClassification's head is `classifier` with bias; ModernBERT's first layer has
 * no attn_norm, its head dense and norms no bias; Llama's and Qwen2's `score` has a bias,
 * their k and v projections one key/value head here).
 */
import assert from "node:assert/strict";
import { createConfig, type ModelFamily } from "../../lib/models/config.ts";
import {
  initWeights,
  parameterShapes,
  sinusoidalPositions,
} from "../../lib/models/init_weights.ts";

const small = (family: ModelFamily, extra = {}) =>
  createConfig({
    family,
    vocabSize: 11,
    hiddenSize: 4,
    numHeads: 2,
    numLayers: 1,
    intermediateSize: 6,
    maxPositions: 9,
    typeVocabSize: family === "bert" ? 2 : family === "roberta" ? 1 : 0,
    labels: ["O", "B-X", "I-X"],
    ...(family === "modernbert" ? { padTokenId: 0 } : {}),
    ...extra,
  });

const bertLayer = (p: string) => [
  [`${p}.attention.self.query.weight`, [4, 4]],
  [`${p}.attention.self.query.bias`, [4]],
  [`${p}.attention.self.key.weight`, [4, 4]],
  [`${p}.attention.self.key.bias`, [4]],
  [`${p}.attention.self.value.weight`, [4, 4]],
  [`${p}.attention.self.value.bias`, [4]],
  [`${p}.attention.output.dense.weight`, [4, 4]],
  [`${p}.attention.output.dense.bias`, [4]],
  [`${p}.attention.output.LayerNorm.weight`, [4]],
  [`${p}.attention.output.LayerNorm.bias`, [4]],
  [`${p}.intermediate.dense.weight`, [6, 4]],
  [`${p}.intermediate.dense.bias`, [6]],
  [`${p}.output.dense.weight`, [4, 6]],
  [`${p}.output.dense.bias`, [4]],
  [`${p}.output.LayerNorm.weight`, [4]],
  [`${p}.output.LayerNorm.bias`, [4]],
];
const head = [["classifier.weight", [3, 4]], ["classifier.bias", [3]]];

const EXPECTED: Record<ModelFamily, (string | number[])[][]> = {
  bert: [
    ["bert.embeddings.word_embeddings.weight", [11, 4]],
    ["bert.embeddings.position_embeddings.weight", [9, 4]],
    ["bert.embeddings.token_type_embeddings.weight", [2, 4]],
    ["bert.embeddings.LayerNorm.weight", [4]],
    ["bert.embeddings.LayerNorm.bias", [4]],
    ...bertLayer("bert.encoder.layer.0"),
    ...head,
  ],
  roberta: [
    ["roberta.embeddings.word_embeddings.weight", [11, 4]],
    ["roberta.embeddings.position_embeddings.weight", [9, 4]],
    ["roberta.embeddings.token_type_embeddings.weight", [1, 4]],
    ["roberta.embeddings.LayerNorm.weight", [4]],
    ["roberta.embeddings.LayerNorm.bias", [4]],
    ...bertLayer("roberta.encoder.layer.0"),
    ...head,
  ],
  distilbert: [
    ["distilbert.embeddings.word_embeddings.weight", [11, 4]],
    ["distilbert.embeddings.position_embeddings.weight", [9, 4]],
    ["distilbert.embeddings.LayerNorm.weight", [4]],
    ["distilbert.embeddings.LayerNorm.bias", [4]],
    ["distilbert.transformer.layer.0.attention.q_lin.weight", [4, 4]],
    ["distilbert.transformer.layer.0.attention.q_lin.bias", [4]],
    ["distilbert.transformer.layer.0.attention.k_lin.weight", [4, 4]],
    ["distilbert.transformer.layer.0.attention.k_lin.bias", [4]],
    ["distilbert.transformer.layer.0.attention.v_lin.weight", [4, 4]],
    ["distilbert.transformer.layer.0.attention.v_lin.bias", [4]],
    ["distilbert.transformer.layer.0.attention.out_lin.weight", [4, 4]],
    ["distilbert.transformer.layer.0.attention.out_lin.bias", [4]],
    ["distilbert.transformer.layer.0.sa_layer_norm.weight", [4]],
    ["distilbert.transformer.layer.0.sa_layer_norm.bias", [4]],
    ["distilbert.transformer.layer.0.ffn.lin1.weight", [6, 4]],
    ["distilbert.transformer.layer.0.ffn.lin1.bias", [6]],
    ["distilbert.transformer.layer.0.ffn.lin2.weight", [4, 6]],
    ["distilbert.transformer.layer.0.ffn.lin2.bias", [4]],
    ["distilbert.transformer.layer.0.output_layer_norm.weight", [4]],
    ["distilbert.transformer.layer.0.output_layer_norm.bias", [4]],
    ...head,
  ],
  gpt2: [
    ["transformer.wte.weight", [11, 4]],
    ["transformer.wpe.weight", [9, 4]],
    ["transformer.h.0.ln_1.weight", [4]],
    ["transformer.h.0.ln_1.bias", [4]],
    ["transformer.h.0.attn.c_attn.weight", [4, 12]],
    ["transformer.h.0.attn.c_attn.bias", [12]],
    ["transformer.h.0.attn.c_proj.weight", [4, 4]],
    ["transformer.h.0.attn.c_proj.bias", [4]],
    ["transformer.h.0.ln_2.weight", [4]],
    ["transformer.h.0.ln_2.bias", [4]],
    ["transformer.h.0.mlp.c_fc.weight", [4, 6]],
    ["transformer.h.0.mlp.c_fc.bias", [6]],
    ["transformer.h.0.mlp.c_proj.weight", [6, 4]],
    ["transformer.h.0.mlp.c_proj.bias", [4]],
    ["transformer.ln_f.weight", [4]],
    ["transformer.ln_f.bias", [4]],
    ...head,
  ],
  modernbert: [
    ["model.embeddings.tok_embeddings.weight", [11, 4]],
    ["model.embeddings.norm.weight", [4]],
    ["model.layers.0.attn.Wqkv.weight", [12, 4]],
    ["model.layers.0.attn.Wo.weight", [4, 4]],
    ["model.layers.0.mlp_norm.weight", [4]],
    ["model.layers.0.mlp.Wi.weight", [12, 4]],
    ["model.layers.0.mlp.Wo.weight", [4, 6]],
    ["model.final_norm.weight", [4]],
    ["head.dense.weight", [4, 4]],
    ["head.norm.weight", [4]],
    ...head,
  ],
  llama: llamaLike(false),
  qwen2: llamaLike(true),
};

// state_dict() order: a Llama decoder layer's norms come after its projections
function llamaLike(qkvBias: boolean): (string | number[])[][] {
  const p = "model.layers.0";
  const bias = (name: string, n: number) => qkvBias ? [[`${p}.self_attn.${name}.bias`, [n]]] : [];
  return [
    ["model.embed_tokens.weight", [11, 4]],
    [`${p}.self_attn.q_proj.weight`, [4, 4]],
    ...bias("q_proj", 4),
    [`${p}.self_attn.k_proj.weight`, [2, 4]],
    ...bias("k_proj", 2),
    [`${p}.self_attn.v_proj.weight`, [2, 4]],
    ...bias("v_proj", 2),
    [`${p}.self_attn.o_proj.weight`, [4, 4]],
    [`${p}.mlp.gate_proj.weight`, [6, 4]],
    [`${p}.mlp.up_proj.weight`, [6, 4]],
    [`${p}.mlp.down_proj.weight`, [4, 6]],
    [`${p}.input_layernorm.weight`, [4]],
    [`${p}.post_attention_layernorm.weight`, [4]],
    ["model.norm.weight", [4]],
    ["score.weight", [3, 4]],
    ["score.bias", [3]],
  ];
}

for (const family of Object.keys(EXPECTED) as ModelFamily[]) {
  Deno.test(`parameterShapes lists transformers' names and shapes for ${family}`, () => {
    const c = small(
      family,
      family === "llama" || family === "qwen2" ? { numKeyValueHeads: 1 } : {},
    );
    // the decoders' layers are listed in forward order (norms first), not state_dict()'s
    const order = (list: (string | number[])[][]) =>
      family === "llama" || family === "qwen2" ? [...list].sort() : list;
    assert.deepEqual(order([...parameterShapes(c)]), order(EXPECTED[family]));
    const t = initWeights(c, 3);
    assert.deepEqual(order([...t].map(([k, v]) => [k, v.shape])), order(EXPECTED[family]));
  });
}

Deno.test("initWeights: normal(0, range), zero biases, unit layer norms, zero padding rows", () => {
  const c = createConfig({
    family: "roberta",
    hiddenSize: 64,
    numHeads: 4,
    numLayers: 2,
    intermediateSize: 256,
    vocabSize: 500,
    maxPositions: 130,
    typeVocabSize: 1,
  });
  const t = initWeights(c, 11);
  const w = t.get("roberta.encoder.layer.1.intermediate.dense.weight")!.data;
  const mean = w.reduce((a, b) => a + b, 0) / w.length;
  const sd = Math.sqrt(w.reduce((a, b) => a + (b - mean) ** 2, 0) / w.length);
  // 16384 draws: the mean's standard error is 0.02 / 128 = 1.6e-4, the sd's about 1.1e-4.
  assert.ok(Math.abs(mean) < 8e-4, `mean ${mean}`);
  assert.ok(Math.abs(sd - 0.02) < 6e-4, `sd ${sd}`);
  assert.ok(t.get("roberta.encoder.layer.0.output.dense.bias")!.data.every((v) => v === 0));
  assert.ok(t.get("roberta.embeddings.LayerNorm.weight")!.data.every((v) => v === 1));
  const word = t.get("roberta.embeddings.word_embeddings.weight")!.data;
  assert.ok(word.subarray(64, 128).every((v) => v === 0)); // padding_idx 1
  assert.ok(word.subarray(0, 64).some((v) => v !== 0));
  const pos = t.get("roberta.embeddings.position_embeddings.weight")!.data;
  assert.ok(pos.subarray(64, 128).every((v) => v === 0));
  // Same seed, same tensors; another seed, other tensors.
  assert.deepEqual(initWeights(c, 11).get("classifier.weight"), t.get("classifier.weight"));
  assert.notDeepEqual(initWeights(c, 12).get("classifier.weight"), t.get("classifier.weight"));
});

Deno.test("GPT-2's c_proj weights use range / sqrt(2 n_layer)", () => {
  const c = createConfig({
    family: "gpt2",
    hiddenSize: 64,
    numHeads: 4,
    numLayers: 8,
    vocabSize: 10,
  });
  const t = initWeights(c, 5);
  const sd = (a: Float32Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(sd(t.get("transformer.h.3.mlp.c_proj.weight")!.data) - 0.005) < 3e-4);
  assert.ok(Math.abs(sd(t.get("transformer.h.3.attn.c_attn.weight")!.data) - 0.02) < 1e-3);
});

Deno.test("DistilBERT sinusoidal positions: sin on even, cos on odd columns", () => {
  const s = sinusoidalPositions(3, 4);
  // position 2: angles 2/10000^0 = 2 and 2/10000^(2/4) = 0.02
  assert.deepEqual([...s.subarray(8, 12)], [
    Math.fround(Math.sin(2)),
    Math.fround(Math.cos(2)),
    Math.fround(Math.sin(0.02)),
    Math.fround(Math.cos(0.02)),
  ]);
  const c = small("distilbert", { sinusoidalPositions: true });
  assert.deepEqual(
    initWeights(c, 0).get("distilbert.embeddings.position_embeddings.weight")!.data,
    sinusoidalPositions(9, 4),
  );
});
