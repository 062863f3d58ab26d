/**
 * BERT as transformers' `BertForTokenClassification` (built without the pooler): post-norm
 * LayerNorm, learned absolute positions, token type embeddings, separate q, k, v linears,
 * exact GELU, `[CLS] ... [SEP]`. Defaults are `BertConfig`'s. RoBERTa's record reuses this
 * one's configuration keys and block layout under its own prefix.
 *
 * @module
 */

import type { ModelConfig } from "../model_config.ts";
import type { ConfigSpec, FamilyDefaults, FamilyRecord, TensorNames } from "./types.ts";

/**
 * `BertConfig`'s defaults.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BERT_DEFAULTS } from "./bert.ts";
 * assert.equal(BERT_DEFAULTS.hiddenSize, 768);
 * ```
 */
export const BERT_DEFAULTS: FamilyDefaults = {
  hiddenSize: 768,
  numLayers: 12,
  numHeads: 12,
  intermediateSize: 3072,
  maxPositions: 512,
  vocabSize: 30522,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
  activation: "gelu",
  padTokenId: 0,
  bosTokenId: null,
  eosTokenId: null,
  hiddenDropout: 0.1,
  attentionDropout: 0.1,
  classifierDropout: null,
  initializerRange: 0.02,
  sinusoidalPositions: false,
  numKeyValueHeads: 12,
  ropeTheta: 10000,
  localAttention: null,
  classifierActivation: "gelu",
};

/**
 * The `config.json` keys of `BertConfig` (and `RobertaConfig`): only absolute positions,
 * never a decoder; `classifier_dropout` null follows `hidden_dropout_prob`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BERT_CONFIG } from "./bert.ts";
 * assert.ok(BERT_CONFIG.keys.includes("num_hidden_layers"));
 * ```
 */
export const BERT_CONFIG: ConfigSpec = {
  keys: [
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
    "layer_norm_eps",
    "hidden_act",
    "hidden_dropout_prob",
    "attention_probs_dropout_prob",
    "classifier_dropout",
    "position_embedding_type",
  ],
  read(r, d) {
    const pet = r.str(["position_embedding_type"], "absolute");
    if (pet !== "absolute") {
      throw new Error(`${r.file}: field "position_embedding_type" is "${pet}"; only "absolute"`);
    }
    if (r.json.is_decoder === true) {
      throw new Error(`${r.file}: field "is_decoder" true is unsupported`);
    }
    const hiddenDropout = r.num(["hidden_dropout_prob"], d.hiddenDropout);
    return {
      fields: {
        hiddenSize: r.num(["hidden_size"], d.hiddenSize),
        numLayers: r.num(["num_hidden_layers"], d.numLayers),
        numHeads: r.num(["num_attention_heads"], d.numHeads),
        intermediateSize: r.num(["intermediate_size"], d.intermediateSize),
        maxPositions: r.num(["max_position_embeddings"], d.maxPositions),
        typeVocabSize: r.num(["type_vocab_size"], d.typeVocabSize),
        layerNormEps: r.num(["layer_norm_eps"], d.layerNormEps),
        activation: r.str(["hidden_act"], d.activation) as ModelConfig["activation"],
        hiddenDropout,
        attentionDropout: r.num(["attention_probs_dropout_prob"], d.attentionDropout),
        classifierDropout: r.num(["classifier_dropout"], hiddenDropout),
        sinusoidalPositions: false,
      },
    };
  },
  write: (c) => ({
    hidden_size: c.hiddenSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    intermediate_size: c.intermediateSize,
    max_position_embeddings: c.maxPositions,
    type_vocab_size: c.typeVocabSize,
    layer_norm_eps: c.layerNormEps,
    hidden_act: c.activation,
    hidden_dropout_prob: c.hiddenDropout,
    attention_probs_dropout_prob: c.attentionDropout,
    classifier_dropout: c.classifierDropout === c.hiddenDropout ? null : c.classifierDropout,
    position_embedding_type: "absolute",
  }),
};

/**
 * The tensor names of a BERT-layout model under `base` (`bert`, `roberta`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bertNames } from "./bert.ts";
 * assert.equal(bertNames("bert").block(3).o, "bert.encoder.layer.3.attention.output.dense");
 * ```
 */
export function bertNames(base: string): TensorNames {
  return {
    base,
    word: `${base}.embeddings.word_embeddings.weight`,
    position: `${base}.embeddings.position_embeddings.weight`,
    tokenType: `${base}.embeddings.token_type_embeddings.weight`,
    embeddingNorm: `${base}.embeddings.LayerNorm`,
    block: (l) => {
      const p = `${base}.encoder.layer.${l}`;
      return {
        attention: {
          q: `${p}.attention.self.query`,
          k: `${p}.attention.self.key`,
          v: `${p}.attention.self.value`,
        },
        o: `${p}.attention.output.dense`,
        norm1: `${p}.attention.output.LayerNorm`,
        f1: `${p}.intermediate.dense`,
        f2: `${p}.output.dense`,
        norm2: `${p}.output.LayerNorm`,
      };
    },
    finalNorm: null,
    head: null,
    classifier: "classifier",
  };
}

/**
 * The BERT family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BERT } from "./bert.ts";
 * assert.equal(BERT.norm.placement, "post");
 * ```
 */
export const BERT: FamilyRecord = {
  family: "bert",
  displayName: "BERT",
  tokenClassifierClass: "BertForTokenClassification",
  defaults: BERT_DEFAULTS,
  config: BERT_CONFIG,
  norm: { kind: "layernorm", placement: "post", bias: true, embedding: true, final: false },
  positions: { kind: "learned", offset: "none", sinusoidal: false },
  attention: { kind: "bidirectional", projections: "separate" },
  mlp: { kind: "activation" },
  linear: "linear",
  bias: { qkv: true, o: true, mlp: true },
  tokenTypes: true,
  wordPaddingRow: true,
  init: { truncation: null, scaledResidual: false, classifier: "range" },
  dropout: { attentionOutput: "hidden", feedForward: "output", embeddingKey: null },
  tokenizer: { framing: "cls-sep", eosIsLastToken: false, shipped: "bert-base-uncased" },
  names: bertNames("bert"),
};
