/**
 * GPT-2 as transformers' `GPT2ForTokenClassification`: pre-norm LayerNorm with a final
 * `ln_f`, learned absolute positions, causal attention through one fused `c_attn`, `Conv1D`
 * weights stored `[in, out]`, `gelu_new`, `c_proj` weights initialised with std / sqrt(2 n_layer),
 * `embd_pdrop` kept apart where it differs from `resid_pdrop`, no padding token and
 * `<|endoftext|>` last in the vocabulary. Defaults are `GPT2Config`'s (the classifier
 * dropout 0.1 when `classifier_dropout` and `hidden_dropout` are absent).
 *
 * @module
 */

import type { ModelConfig } from "../model_config.ts";
import { BERT_DEFAULTS } from "./bert.ts";
import type { FamilyRecord } from "./types.ts";

/**
 * The GPT-2 family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GPT2 } from "./gpt2.ts";
 * assert.equal(GPT2.attention.kind, "causal");
 * ```
 */
export const GPT2: FamilyRecord = {
  family: "gpt2",
  displayName: "GPT-2",
  tokenClassifierClass: "GPT2ForTokenClassification",
  defaults: {
    ...BERT_DEFAULTS,
    maxPositions: 1024,
    vocabSize: 50257,
    typeVocabSize: 0,
    layerNormEps: 1e-5,
    activation: "gelu_new",
    padTokenId: null,
    bosTokenId: 50256,
    eosTokenId: 50256,
    classifierDropout: 0.1,
  },
  config: {
    keys: [
      "n_embd",
      "n_layer",
      "n_head",
      "n_inner",
      "n_positions",
      "layer_norm_epsilon",
      "activation_function",
      "resid_pdrop",
      "embd_pdrop",
      "attn_pdrop",
      "classifier_dropout",
    ],
    read(r, d) {
      if (r.json.scale_attn_weights === false || r.json.scale_attn_by_inverse_layer_idx === true) {
        throw new Error(
          `${r.file}: only the standard 1/sqrt(head size) attention scaling of GPT-2 is supported`,
        );
      }
      const hiddenSize = r.num(["n_embd", "hidden_size"], d.hiddenSize);
      const hiddenDropout = r.num(["resid_pdrop"], d.hiddenDropout);
      const embd = r.json.embd_pdrop;
      return {
        fields: {
          hiddenSize,
          numLayers: r.num(["n_layer", "num_hidden_layers"], d.numLayers),
          numHeads: r.num(["n_head", "num_attention_heads"], d.numHeads),
          intermediateSize: r.num(["n_inner"], 4 * hiddenSize),
          maxPositions: r.num(["n_positions"], d.maxPositions),
          typeVocabSize: 0,
          layerNormEps: r.num(["layer_norm_epsilon"], d.layerNormEps),
          activation: r.str(["activation_function"], d.activation) as ModelConfig["activation"],
          hiddenDropout,
          attentionDropout: r.num(["attn_pdrop"], d.attentionDropout),
          classifierDropout: r.num(["classifier_dropout", "hidden_dropout"], 0.1),
          sinusoidalPositions: false,
        },
        // the embedding dropout is kept apart only where it differs from resid_pdrop
        extra: "embd_pdrop" in r.json && embd !== hiddenDropout ? { embd_pdrop: embd } : {},
      };
    },
    write: (c) => ({
      n_embd: c.hiddenSize,
      n_layer: c.numLayers,
      n_head: c.numHeads,
      n_inner: c.intermediateSize === 4 * c.hiddenSize ? null : c.intermediateSize,
      n_positions: c.maxPositions,
      layer_norm_epsilon: c.layerNormEps,
      activation_function: c.activation,
      resid_pdrop: c.hiddenDropout,
      embd_pdrop: c.extra.embd_pdrop ?? c.hiddenDropout,
      attn_pdrop: c.attentionDropout,
      classifier_dropout: c.classifierDropout,
    }),
  },
  norm: { kind: "layernorm", placement: "pre", bias: true, embedding: false, final: true },
  positions: { kind: "learned", offset: "none", sinusoidal: false },
  attention: { kind: "causal", projections: "fused" },
  mlp: { kind: "activation" },
  linear: "conv1d",
  bias: { qkv: true, o: true, mlp: true },
  tokenTypes: false,
  wordPaddingRow: false,
  init: { truncation: null, scaledResidual: true, classifier: "range" },
  dropout: { attentionOutput: "hidden", feedForward: "output", embeddingKey: "embd_pdrop" },
  tokenizer: { framing: "none", eosIsLastToken: true, shipped: "gpt2" },
  names: {
    base: "transformer",
    word: "transformer.wte.weight",
    position: "transformer.wpe.weight",
    tokenType: null,
    embeddingNorm: null,
    block: (l) => {
      const p = `transformer.h.${l}`;
      return {
        attention: { qkv: `${p}.attn.c_attn` },
        o: `${p}.attn.c_proj`,
        norm1: `${p}.ln_1`,
        f1: `${p}.mlp.c_fc`,
        f2: `${p}.mlp.c_proj`,
        norm2: `${p}.ln_2`,
      };
    },
    finalNorm: "transformer.ln_f",
    head: null,
    classifier: "classifier",
  },
};
