/**
 * ModernBERT as transformers' `ModernBertForTokenClassification` (the layout of
 * answerdotai/ModernBERT-base): word embeddings then a LayerNorm without bias; pre-norm
 * blocks (the first without an attention norm: the embedding norm serves) with one fused
 * `Wqkv`, rotary positions, attention alternating global (every `global_attn_every_n_layers`-th
 * layer, from 0) and local (keys within `local_attention // 2`, their own rotary base), a
 * GeGLU feed-forward `Wi` (activated half first) and `Wo`, no biases in the blocks; a final
 * norm, the prediction head (dense without bias, `classifier_activation`, norm) and the
 * classifier. Dropout: `embedding_dropout` after the embedding norm, `attention_dropout` on
 * attention probabilities and after `Wo`, `mlp_dropout` on the gated product,
 * `classifier_dropout` before the classifier. Defaults are `ModernBertConfig`'s.
 *
 * @module
 */

import type { Activation, ModelConfig } from "../model_config.ts";
import { BERT_DEFAULTS } from "./bert.ts";
import { refuseUnlike, ropeTheta } from "./config_reads.ts";
import type { FamilyRecord } from "./types.ts";

/**
 * The ModernBERT family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MODERNBERT } from "./modernbert.ts";
 * assert.equal(MODERNBERT.names.block(0).norm1, null);
 * assert.equal(MODERNBERT.names.block(1).norm1, "model.layers.1.attn_norm");
 * ```
 */
export const MODERNBERT: FamilyRecord = {
  family: "modernbert",
  displayName: "ModernBERT",
  tokenClassifierClass: "ModernBertForTokenClassification",
  defaults: {
    ...BERT_DEFAULTS,
    vocabSize: 50368,
    hiddenSize: 768,
    intermediateSize: 1152,
    numLayers: 22,
    numHeads: 12,
    numKeyValueHeads: 12,
    maxPositions: 8192,
    typeVocabSize: 0,
    layerNormEps: 1e-5,
    activation: "gelu",
    padTokenId: 50283,
    bosTokenId: 50281,
    eosTokenId: 50282,
    hiddenDropout: 0,
    attentionDropout: 0,
    classifierDropout: 0,
    ropeTheta: 160000,
    localAttention: { window: 128, every: 3, ropeTheta: 10000 },
    classifierActivation: "gelu",
  },
  config: {
    keys: [
      "hidden_size",
      "intermediate_size",
      "num_hidden_layers",
      "num_attention_heads",
      "hidden_activation",
      "max_position_embeddings",
      "norm_eps",
      "norm_bias",
      "global_rope_theta",
      "local_rope_theta",
      "rope_parameters",
      "layer_types",
      "attention_bias",
      "attention_dropout",
      "global_attn_every_n_layers",
      "local_attention",
      "embedding_dropout",
      "mlp_bias",
      "mlp_dropout",
      "classifier_dropout",
      "classifier_bias",
      "classifier_activation",
    ],
    read(r, d) {
      for (const key of ["norm_bias", "attention_bias", "mlp_bias", "classifier_bias"]) {
        refuseUnlike(r, key, false, "ModernBERT is built without biases in its blocks and head");
      }
      const numLayers = r.num(["num_hidden_layers"], d.numLayers);
      const local = d.localAttention as NonNullable<ModelConfig["localAttention"]>;
      const every = r.num(["global_attn_every_n_layers"], local.every);
      const types = r.json.layer_types;
      if (Array.isArray(types)) {
        const expected = Array.from(
          { length: numLayers },
          (_, l) => l % every === 0 ? "full_attention" : "sliding_attention",
        );
        if (types.some((t, l) => t !== expected[l]) || types.length !== numLayers) {
          throw new Error(
            `${r.file}: "layer_types" must alternate as global_attn_every_n_layers = ${every} ` +
              `gives (${expected.join(", ")})`,
          );
        }
      }
      return {
        fields: {
          hiddenSize: r.num(["hidden_size"], d.hiddenSize),
          numLayers,
          numHeads: r.num(["num_attention_heads"], d.numHeads),
          intermediateSize: r.num(["intermediate_size"], d.intermediateSize),
          maxPositions: r.num(["max_position_embeddings"], d.maxPositions),
          typeVocabSize: 0,
          layerNormEps: r.num(["norm_eps"], d.layerNormEps),
          activation: r.str(["hidden_activation"], d.activation) as Activation,
          hiddenDropout: r.num(["mlp_dropout"], d.hiddenDropout),
          attentionDropout: r.num(["attention_dropout"], d.attentionDropout),
          classifierDropout: r.num(["classifier_dropout"], 0),
          sinusoidalPositions: false,
          ropeTheta: ropeTheta(r, ["global_rope_theta"], "full_attention", d.ropeTheta),
          localAttention: {
            window: r.num(["local_attention"], local.window),
            every,
            ropeTheta: ropeTheta(r, ["local_rope_theta"], "sliding_attention", local.ropeTheta),
          },
          classifierActivation: r.str(
            ["classifier_activation"],
            d.classifierActivation,
          ) as Activation,
        },
        extra: { embedding_dropout: r.num(["embedding_dropout"], 0) },
      };
    },
    write: (c) => {
      const local = c.localAttention ?? { window: 128, every: 1, ropeTheta: c.ropeTheta };
      return {
        hidden_size: c.hiddenSize,
        intermediate_size: c.intermediateSize,
        num_hidden_layers: c.numLayers,
        num_attention_heads: c.numHeads,
        hidden_activation: c.activation,
        max_position_embeddings: c.maxPositions,
        norm_eps: c.layerNormEps,
        norm_bias: false,
        global_rope_theta: c.ropeTheta,
        local_rope_theta: local.ropeTheta,
        attention_bias: false,
        attention_dropout: c.attentionDropout,
        global_attn_every_n_layers: local.every,
        local_attention: local.window,
        embedding_dropout: c.extra.embedding_dropout ?? 0,
        mlp_bias: false,
        mlp_dropout: c.hiddenDropout,
        classifier_dropout: c.classifierDropout,
        classifier_bias: false,
        classifier_activation: c.classifierActivation,
      };
    },
  },
  norm: { kind: "layernorm", placement: "pre", bias: false, embedding: true, final: true },
  positions: { kind: "rotary" },
  attention: { kind: "local-global", projections: "fused" },
  mlp: { kind: "gated" },
  linear: "linear",
  bias: { qkv: false, o: false, mlp: false },
  tokenTypes: false,
  wordPaddingRow: true,
  init: { truncation: 2, scaledResidual: true, classifier: "inverse-sqrt-hidden" },
  dropout: {
    attentionOutput: "attention",
    feedForward: "inner",
    embeddingKey: "embedding_dropout",
  },
  tokenizer: { framing: "cls-sep", eosIsLastToken: false, shipped: "bert-base-uncased" },
  names: {
    base: "model",
    word: "model.embeddings.tok_embeddings.weight",
    position: null,
    tokenType: null,
    embeddingNorm: "model.embeddings.norm",
    block: (l) => {
      const p = `model.layers.${l}`;
      return {
        attention: { qkv: `${p}.attn.Wqkv` },
        o: `${p}.attn.Wo`,
        norm1: l === 0 ? null : `${p}.attn_norm`,
        f1: `${p}.mlp.Wi`,
        f2: `${p}.mlp.Wo`,
        norm2: `${p}.mlp_norm`,
      };
    },
    finalNorm: "model.final_norm",
    head: { dense: "head.dense", norm: "head.norm" },
    classifier: "classifier",
  },
};
