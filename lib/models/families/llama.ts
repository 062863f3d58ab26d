/**
 * Llama as transformers' `LlamaForTokenClassification` (the layout of SmolLM2-135M):
 * word embeddings, pre-norm blocks with RMSNorm (`input_layernorm`,
 * `post_attention_layernorm`), separate `q_proj`, `k_proj`, `v_proj` with
 * `num_key_value_heads` key/value heads repeated per group, rotary positions (`rope_theta`),
 * causal attention, `o_proj`, a SwiGLU feed-forward (`down_proj(act(gate_proj(x)) *
 * up_proj(x))`), no biases, a final RMSNorm and the `score` linear (with bias) after the
 * generic token classifier's dropout (`classifier_dropout`, else `hidden_dropout`, else
 * 0.1). No other dropout but `attention_dropout` on the attention probabilities. Defaults
 * are `LlamaConfig`'s; Qwen2's record (`qwen2.ts`) reuses this one with q, k, v biases.
 *
 * @module
 */

import type { Activation, ModelConfig } from "../model_config.ts";
import { BERT_DEFAULTS } from "./bert.ts";
import { refuseUnlike, ropeTheta } from "./config_reads.ts";
import type { ConfigReader, ConfigSpec, FamilyDefaults, FamilyRecord } from "./types.ts";

/** `LlamaConfig`'s defaults. */
const LLAMA_DEFAULTS: FamilyDefaults = {
  ...BERT_DEFAULTS,
  vocabSize: 32000,
  hiddenSize: 4096,
  intermediateSize: 11008,
  numLayers: 32,
  numHeads: 32,
  numKeyValueHeads: 32,
  maxPositions: 2048,
  typeVocabSize: 0,
  layerNormEps: 1e-6,
  activation: "silu",
  padTokenId: null,
  bosTokenId: 1,
  eosTokenId: 2,
  hiddenDropout: 0,
  attentionDropout: 0,
  classifierDropout: 0.1,
  ropeTheta: 10000,
};

/**
 * The `config.json` of a Llama-architecture decoder; `check` refuses what the family
 * does not build (Llama: attention and MLP biases; Qwen2: sliding windows).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decoderConfig } from "./llama.ts";
 * assert.ok(decoderConfig(() => {}).keys.includes("num_key_value_heads"));
 * ```
 */
export function decoderConfig(check: (r: ConfigReader) => void): ConfigSpec {
  return {
    keys: [
      "hidden_size",
      "intermediate_size",
      "num_hidden_layers",
      "num_attention_heads",
      "num_key_value_heads",
      "head_dim",
      "hidden_act",
      "max_position_embeddings",
      "rms_norm_eps",
      "rope_theta",
      "rope_parameters",
      "rope_scaling",
      "attention_dropout",
      "classifier_dropout",
      "hidden_dropout",
    ],
    read(r, d) {
      check(r);
      const hiddenSize = r.num(["hidden_size"], d.hiddenSize);
      const numHeads = r.num(["num_attention_heads"], d.numHeads);
      const headDim = r.num(["head_dim"], hiddenSize / numHeads);
      if (headDim * numHeads !== hiddenSize) {
        throw new Error(
          `${r.file}: "head_dim" ${headDim} x ${numHeads} heads must equal hidden_size ${hiddenSize}`,
        );
      }
      return {
        fields: {
          hiddenSize,
          numLayers: r.num(["num_hidden_layers"], d.numLayers),
          numHeads,
          numKeyValueHeads: r.num(["num_key_value_heads"], numHeads),
          intermediateSize: r.num(["intermediate_size"], d.intermediateSize),
          maxPositions: r.num(["max_position_embeddings"], d.maxPositions),
          typeVocabSize: 0,
          layerNormEps: r.num(["rms_norm_eps"], d.layerNormEps),
          activation: r.str(["hidden_act"], d.activation) as Activation,
          hiddenDropout: 0,
          attentionDropout: r.num(["attention_dropout"], d.attentionDropout),
          classifierDropout: r.num(["classifier_dropout", "hidden_dropout"], 0.1),
          sinusoidalPositions: false,
          ropeTheta: ropeTheta(r, ["rope_theta"], null, d.ropeTheta),
        },
      };
    },
    write: (c: ModelConfig) => ({
      hidden_size: c.hiddenSize,
      intermediate_size: c.intermediateSize,
      num_hidden_layers: c.numLayers,
      num_attention_heads: c.numHeads,
      num_key_value_heads: c.numKeyValueHeads,
      head_dim: c.hiddenSize / c.numHeads,
      hidden_act: c.activation,
      max_position_embeddings: c.maxPositions,
      rms_norm_eps: c.layerNormEps,
      rope_theta: c.ropeTheta,
      attention_dropout: c.attentionDropout,
      classifier_dropout: c.classifierDropout,
    }),
  };
}

/**
 * The Llama family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LLAMA } from "./llama.ts";
 * assert.deepEqual(LLAMA.names.block(0).f1, {
 *   gate: "model.layers.0.mlp.gate_proj",
 *   up: "model.layers.0.mlp.up_proj",
 * });
 * ```
 */
export const LLAMA: FamilyRecord = {
  family: "llama",
  displayName: "Llama",
  tokenClassifierClass: "LlamaForTokenClassification",
  defaults: LLAMA_DEFAULTS,
  config: decoderConfig((r) => {
    refuseUnlike(r, "attention_bias", false, "Llama is built without attention biases");
    refuseUnlike(r, "mlp_bias", false, "Llama is built without MLP biases");
  }),
  norm: { kind: "rmsnorm", placement: "pre", bias: false, embedding: false, final: true },
  positions: { kind: "rotary" },
  attention: { kind: "causal", projections: "separate" },
  mlp: { kind: "gated" },
  linear: "linear",
  bias: { qkv: false, o: false, mlp: false },
  tokenTypes: false,
  wordPaddingRow: true,
  init: { truncation: null, scaledResidual: false, classifier: "range" },
  dropout: { attentionOutput: null, feedForward: "output", embeddingKey: null },
  tokenizer: { framing: "none", eosIsLastToken: false, shipped: "gpt2" },
  names: {
    base: "model",
    word: "model.embed_tokens.weight",
    position: null,
    tokenType: null,
    embeddingNorm: null,
    block: (l) => {
      const p = `model.layers.${l}`;
      return {
        attention: {
          q: `${p}.self_attn.q_proj`,
          k: `${p}.self_attn.k_proj`,
          v: `${p}.self_attn.v_proj`,
        },
        o: `${p}.self_attn.o_proj`,
        norm1: `${p}.input_layernorm`,
        f1: { gate: `${p}.mlp.gate_proj`, up: `${p}.mlp.up_proj` },
        f2: `${p}.mlp.down_proj`,
        norm2: `${p}.post_attention_layernorm`,
      };
    },
    finalNorm: "model.norm",
    head: null,
    classifier: "score",
  },
};
