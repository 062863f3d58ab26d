/**
 * Tests of lib/models/config.ts: the config.json files of public checkpoints (bert-base
 * from /work/shared/data, and roberta-base, distilbert-base-uncased and gpt2 as published
 * on the Hugging Face Hub, typed in below) parse to the values transformers uses.
 */
import assert from "node:assert/strict";
import {
  configToJson,
  createConfig,
  parseConfig,
  readConfig,
  tokenClassifierClass,
} from "../../lib/models/config.ts";

const ROBERTA_BASE = {
  architectures: ["RobertaForMaskedLM"],
  attention_probs_dropout_prob: 0.1,
  bos_token_id: 0,
  eos_token_id: 2,
  hidden_act: "gelu",
  hidden_dropout_prob: 0.1,
  hidden_size: 768,
  initializer_range: 0.02,
  intermediate_size: 3072,
  layer_norm_eps: 1e-05,
  max_position_embeddings: 514,
  model_type: "roberta",
  num_attention_heads: 12,
  num_hidden_layers: 12,
  pad_token_id: 1,
  type_vocab_size: 1,
  vocab_size: 50265,
};
const DISTILBERT_BASE = {
  activation: "gelu",
  architectures: ["DistilBertForMaskedLM"],
  attention_dropout: 0.1,
  dim: 768,
  dropout: 0.1,
  hidden_dim: 3072,
  initializer_range: 0.02,
  max_position_embeddings: 512,
  model_type: "distilbert",
  n_heads: 12,
  n_layers: 6,
  pad_token_id: 0,
  qa_dropout: 0.1,
  seq_classif_dropout: 0.2,
  sinusoidal_pos_embds: false,
  tie_weights_: true,
  vocab_size: 30522,
};
const GPT2 = {
  activation_function: "gelu_new",
  architectures: ["GPT2LMHeadModel"],
  attn_pdrop: 0.1,
  bos_token_id: 50256,
  embd_pdrop: 0.1,
  eos_token_id: 50256,
  initializer_range: 0.02,
  layer_norm_epsilon: 1e-05,
  model_type: "gpt2",
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  resid_pdrop: 0.1,
  summary_activation: null,
  summary_first_dropout: 0.1,
  summary_proj_to_labels: true,
  summary_type: "cls_index",
  summary_use_proj: true,
  vocab_size: 50257,
};

Deno.test("bert config.json from the shared data parses", async () => {
  const c = await readConfig("/work/shared/data/tokenizers/bert-base-uncased/config.json");
  assert.equal(c.family, "bert");
  assert.equal(c.hiddenSize, 384);
  assert.equal(c.numLayers, 6);
  assert.equal(c.numHeads, 12);
  assert.equal(c.intermediateSize, 1536);
  assert.equal(c.maxPositions, 512);
  assert.equal(c.vocabSize, 30522);
  assert.equal(c.typeVocabSize, 2);
  assert.equal(c.layerNormEps, 1e-12);
  assert.equal(c.activation, "gelu");
  assert.equal(c.padTokenId, 0);
  assert.deepEqual(c.labels, ["LABEL_0", "LABEL_1"]); // PretrainedConfig's default
  assert.equal(c.classifierDropout, 0.1); // classifier_dropout null -> hidden_dropout_prob
  assert.equal(c.extra._name_or_path, "sentence-transformers/all-MiniLM-L6-v2");
});

Deno.test("roberta-base, distilbert-base-uncased and gpt2 configs parse", () => {
  const r = parseConfig(ROBERTA_BASE);
  assert.deepEqual(
    [r.family, r.hiddenSize, r.maxPositions, r.typeVocabSize, r.padTokenId, r.layerNormEps],
    ["roberta", 768, 514, 1, 1, 1e-5],
  );
  const d = parseConfig(DISTILBERT_BASE);
  assert.deepEqual(
    [d.family, d.hiddenSize, d.numLayers, d.intermediateSize, d.typeVocabSize, d.layerNormEps],
    ["distilbert", 768, 6, 3072, 0, 1e-12],
  );
  assert.equal(d.classifierDropout, 0.1); // DistilBertForTokenClassification uses `dropout`
  const g = parseConfig(GPT2);
  assert.deepEqual(
    [g.family, g.hiddenSize, g.numLayers, g.intermediateSize, g.maxPositions, g.activation],
    ["gpt2", 768, 12, 3072, 1024, "gelu_new"],
  );
  assert.equal(g.padTokenId, null);
  assert.equal(g.layerNormEps, 1e-5);
  assert.equal(g.classifierDropout, 0.1); // no classifier_dropout / hidden_dropout -> 0.1
});

Deno.test("configToJson -> parseConfig round trip keeps every field", () => {
  const labels = ["O", "B-PERSON", "I-PERSON", "B-ORG", "I-ORG"];
  for (const src of [ROBERTA_BASE, DISTILBERT_BASE, GPT2]) {
    const c = parseConfig({ ...src, id2label: Object.fromEntries(labels.map((l, i) => [i, l])) });
    const json = configToJson(c);
    assert.deepEqual(json.architectures, [tokenClassifierClass(c.family)]);
    assert.deepEqual(json.label2id, { O: 0, "B-PERSON": 1, "I-PERSON": 2, "B-ORG": 3, "I-ORG": 4 });
    assert.deepEqual(parseConfig(JSON.parse(JSON.stringify(json))), c);
  }
  assert.equal(configToJson(parseConfig(GPT2)).n_ctx, 1024); // unknown fields are kept
  const tiny = createConfig({ family: "bert", hiddenSize: 8, numHeads: 2, labels: ["O", "B-X"] });
  assert.deepEqual(parseConfig(configToJson(tiny)), tiny);
});

Deno.test("bad config.json fields give errors naming the file and field", () => {
  assert.throws(
    () => parseConfig({}, "m/config.json"),
    /m\/config.json: field "model_type" is missing/,
  );
  assert.throws(() => parseConfig({ model_type: "t5" }, "c"), /"model_type" is "t5"/);
  assert.throws(
    () => parseConfig({ model_type: "bert", hidden_size: "768" }, "c"),
    /c: field "hidden_size" must be a number/,
  );
  assert.throws(
    () => parseConfig({ model_type: "bert", id2label: { "0": "O", "2": "B" } }, "c"),
    /field "id2label" has key "2"/,
  );
  assert.throws(
    () =>
      parseConfig(
        { model_type: "bert", id2label: { "0": "O", "1": "B" }, label2id: { O: 1 } },
        "c",
      ),
    /"label2id" maps "O" to 1/,
  );
  assert.throws(
    () => parseConfig({ model_type: "bert", hidden_size: 10, num_attention_heads: 3 }, "c"),
    /c: hidden size 10 is not a multiple of the number of heads 3/,
  );
  assert.throws(() => parseConfig({ model_type: "bert", hidden_act: "mish" }, "c"), /"mish"/);
  assert.throws(
    () => parseConfig({ model_type: "bert", position_embedding_type: "relative_key" }, "c"),
    /only "absolute"/,
  );
});

Deno.test("createConfig: GPT-2's end-of-text id is the last token of its vocabulary", () => {
  assert.equal(createConfig({ family: "gpt2" }).eosTokenId, 50256);
  const tiny = createConfig({ family: "gpt2", vocabSize: 36 });
  assert.deepEqual([tiny.bosTokenId, tiny.eosTokenId], [35, 35]);
  assert.equal(createConfig({ family: "gpt2", vocabSize: 36, eosTokenId: 3 }).eosTokenId, 3);
});

Deno.test("createConfig: a default special-token id past a smaller vocabulary is dropped", () => {
  const full = createConfig({ family: "modernbert" });
  assert.deepEqual([full.bosTokenId, full.eosTokenId], [50281, 50282]);
  const small = createConfig({ family: "modernbert", vocabSize: 30522, padTokenId: 0 });
  assert.deepEqual([small.bosTokenId, small.eosTokenId], [null, null]);
  const given = createConfig({ family: "llama", vocabSize: 10, bosTokenId: 1, eosTokenId: 2 });
  assert.deepEqual([given.bosTokenId, given.eosTokenId], [1, 2]);
});

Deno.test("createConfig: grouped key/value heads only where the family has them, dividing the heads", () => {
  assert.equal(
    createConfig({ family: "llama", numHeads: 8, numKeyValueHeads: 2 }).numKeyValueHeads,
    2,
  );
  assert.equal(createConfig({ family: "llama", numHeads: 8 }).numKeyValueHeads, 8);
  assert.throws(
    () => createConfig({ family: "bert", numHeads: 4, numKeyValueHeads: 2 }),
    /createConfig: BERT has no grouped key\/value heads/,
  );
  assert.throws(
    () => createConfig({ family: "qwen2", numHeads: 4, numKeyValueHeads: 3 }),
    /4 attention heads are not a multiple of 3 key\/value heads/,
  );
});
