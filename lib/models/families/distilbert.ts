/**
 * DistilBERT as transformers' `DistilBertForTokenClassification`: BERT's post-norm block
 * without token types and without dropout after the attention output, its own tensor
 * names, an optional fixed sinusoidal position table (`sinusoidal_pos_embds`, frozen), and
 * `config.dropout` before the classifier. Defaults are `DistilBertConfig`'s.
 *
 * @module
 */

import type { ModelConfig } from "../model_config.ts";
import { BERT, BERT_DEFAULTS } from "./bert.ts";
import type { FamilyRecord } from "./types.ts";

/**
 * The DistilBERT family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DISTILBERT } from "./distilbert.ts";
 * assert.equal(DISTILBERT.names.block(0).norm1, "distilbert.transformer.layer.0.sa_layer_norm");
 * ```
 */
export const DISTILBERT: FamilyRecord = {
  ...BERT,
  family: "distilbert",
  displayName: "DistilBERT",
  tokenClassifierClass: "DistilBertForTokenClassification",
  defaults: { ...BERT_DEFAULTS, numLayers: 6, typeVocabSize: 0 },
  config: {
    keys: [
      "dim",
      "n_layers",
      "n_heads",
      "hidden_dim",
      "max_position_embeddings",
      "activation",
      "dropout",
      "attention_dropout",
      "sinusoidal_pos_embds",
    ],
    read(r, d) {
      const hiddenDropout = r.num(["dropout"], d.hiddenDropout);
      return {
        fields: {
          hiddenSize: r.num(["dim"], d.hiddenSize),
          numLayers: r.num(["n_layers"], d.numLayers),
          numHeads: r.num(["n_heads"], d.numHeads),
          intermediateSize: r.num(["hidden_dim"], d.intermediateSize),
          maxPositions: r.num(["max_position_embeddings"], d.maxPositions),
          typeVocabSize: 0,
          layerNormEps: 1e-12,
          activation: r.str(["activation"], d.activation) as ModelConfig["activation"],
          hiddenDropout,
          attentionDropout: r.num(["attention_dropout"], d.attentionDropout),
          classifierDropout: hiddenDropout,
          sinusoidalPositions: r.bool(["sinusoidal_pos_embds"], false),
        },
      };
    },
    write: (c) => ({
      dim: c.hiddenSize,
      n_layers: c.numLayers,
      n_heads: c.numHeads,
      hidden_dim: c.intermediateSize,
      max_position_embeddings: c.maxPositions,
      activation: c.activation,
      dropout: c.hiddenDropout,
      attention_dropout: c.attentionDropout,
      sinusoidal_pos_embds: c.sinusoidalPositions,
    }),
  },
  positions: { kind: "learned", offset: "none", sinusoidal: true },
  tokenTypes: false,
  dropout: { attentionOutput: null, feedForward: "output", embeddingKey: null },
  names: {
    base: "distilbert",
    word: "distilbert.embeddings.word_embeddings.weight",
    position: "distilbert.embeddings.position_embeddings.weight",
    tokenType: null,
    embeddingNorm: "distilbert.embeddings.LayerNorm",
    block: (l) => {
      const p = `distilbert.transformer.layer.${l}`;
      return {
        attention: {
          q: `${p}.attention.q_lin`,
          k: `${p}.attention.k_lin`,
          v: `${p}.attention.v_lin`,
        },
        o: `${p}.attention.out_lin`,
        norm1: `${p}.sa_layer_norm`,
        f1: `${p}.ffn.lin1`,
        f2: `${p}.ffn.lin2`,
        norm2: `${p}.output_layer_norm`,
      };
    },
    finalNorm: null,
    head: null,
    classifier: "classifier",
  },
};
