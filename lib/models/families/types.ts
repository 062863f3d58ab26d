/**
 * What a model family is, as data: the record every family file in this folder fills in
 * and that config parsing, weight initialisation, the parameter layout, the transformer and
 * the float64 reference read instead of branching on the family's name.
 *
 * The fields follow transformers' modeling files: each one names a choice those files make
 * differently per architecture (norm kind and placement, position scheme, attention kind,
 * MLP kind, linear storage, biases, dropout sites, token types, tokenizer framing), and the
 * family's `config.json` keys and tensor names. Per-layer choices that a checkpoint's
 * configuration makes (ModernBERT's local attention layers, grouped key/value heads) are
 * fields of `ModelConfig`, read by the family's `config` spec.
 *
 * @module
 */

import type { ModelConfig, ModelFamily } from "../model_config.ts";

export type { ModelFamily };

/**
 * Norms: kind (`layernorm`, or `rmsnorm` as `LlamaRMSNorm`), where they sit in a block
 * (`post`: after each residual add, BERT; `pre`: on each sublayer's input, GPT-2), whether
 * they have a bias, and whether the embeddings and the last block are followed by one.
 */
export type NormSpec = {
  kind: "layernorm" | "rmsnorm";
  placement: "post" | "pre";
  bias: boolean;
  embedding: boolean;
  final: boolean;
};

/**
 * Positions: a learned absolute table (`offset: "padding"`: numbered from `pad_token_id +
 * 1` over non-padding tokens, padding at `pad_token_id`, as RoBERTa; `sinusoidal`: the
 * configuration may ask for a fixed sinusoidal table, frozen, as DistilBERT's
 * `sinusoidal_pos_embds`), or rotary embeddings on queries and keys (rotate-half, base
 * `ropeTheta` of the configuration, positions `0..T-1` of each row).
 */
export type PositionSpec =
  | { kind: "learned"; offset: "none" | "padding"; sinusoidal: boolean }
  | { kind: "rotary" };

/**
 * Attention: which keys a query sees (`bidirectional`: every real token; `causal`: real
 * tokens up to itself; `local-global`: bidirectional, with the sliding window of the
 * configuration's `localAttention` on its local layers) and how the projections are stored
 * (`separate` q, k, v tensors, stacked into one fused projection by the layout, or one
 * `fused` tensor). Fewer key/value heads than query heads (`numKeyValueHeads`) are
 * repeated per group, as transformers' `repeat_kv`.
 */
export type AttentionSpec = {
  kind: "bidirectional" | "causal" | "local-global";
  projections: "separate" | "fused";
};

/**
 * The feed-forward sublayer: `activation` (the configuration's activation between two
 * linears) or `gated` (GeGLU, SwiGLU: the first linear gives `2 * intermediate` columns,
 * `act(first half) * second half`, with the configuration's activation).
 */
export type MlpSpec = { kind: "activation" | "gated" };

/**
 * Which of the block's linears have biases (the classifier always has one): the query, key
 * and value projections, the attention output, the feed-forward linears.
 */
export type BiasSpec = { qkv: boolean; o: boolean; mlp: boolean };

/**
 * Dropout sites that differ between families (every family drops attention probabilities
 * with `attentionDropout` and the classifier input): after the attention output projection
 * with the `hidden` or the `attention` rate, or not at all (DistilBERT, Llama); in the
 * feed-forward sublayer on its `output` (BERT, GPT-2) or on the gated product before the
 * second linear (`inner`: ModernBERT's `mlp_dropout`), both at `hiddenDropout`; and the
 * `extra` config key of an embedding dropout kept apart from the hidden dropout (GPT-2's
 * `embd_pdrop`, ModernBERT's `embedding_dropout`), or null.
 */
export type DropoutSpec = {
  attentionOutput: "hidden" | "attention" | null;
  feedForward: "output" | "inner";
  embeddingKey: string | null;
};

/**
 * How fresh weights are drawn (transformers' `_init_weights`): normal with the
 * configuration's `initializer_range`, truncated at `truncation` standard deviations
 * (ModernBERT: 2) or not; the attention output and second feed-forward weights with
 * std / sqrt(2 layers) where `scaledResidual`; the classifier with the range or with
 * hidden^-0.5 (ModernBERT's `final_out`).
 */
export type InitSpec = {
  truncation: number | null;
  scaledResidual: boolean;
  classifier: "range" | "inverse-sqrt-hidden";
};

/**
 * What a family's tokenizer is expected to do: how it frames a sequence (`cls-sep`:
 * `[CLS] ... [SEP]`; `bos-eos`: `<s> ... </s>`; `none`), and whether the end-of-text token
 * is the last of the vocabulary (GPT-2's `<|endoftext|>`, whatever the vocabulary's size),
 * and the tokenizer in the data manifest that a random model of the family uses (null where
 * none is shipped).
 */
export type TokenizerSpec = {
  framing: "cls-sep" | "bos-eos" | "none";
  eosIsLastToken: boolean;
  shipped: string | null;
};

/**
 * Hugging Face names of one block's parameters: prefixes to which `.weight` and `.bias`
 * are added (`qkv` for fused projections, `q`, `k`, `v` for separate ones; `norm1` is the
 * norm of the attention sublayer, null where a block has none (ModernBERT's first layer),
 * `norm2` of the feed-forward one; `f1` the first feed-forward linear, or a gated MLP's
 * separate `gate` and `up` projections, stacked by the layout in that order).
 */
export type BlockNames = {
  attention: { qkv: string } | { q: string; k: string; v: string };
  o: string;
  norm1: string | null;
  f1: string | { gate: string; up: string };
  f2: string;
  norm2: string;
};

/**
 * Hugging Face names of a token classifier's parameters (the only place they are written):
 * embedding tables (full names), norms and linears (prefixes), per block, the prediction
 * head before the classifier (a dense linear, the activation `classifierActivation` and a
 * norm: ModernBERT) or null, and `base`, the prefix of the bare model that checkpoints saved
 * without a head leave out.
 */
export type TensorNames = {
  base: string;
  word: string;
  position: string | null;
  tokenType: string | null;
  embeddingNorm: string | null;
  block: (layer: number) => BlockNames;
  finalNorm: string | null;
  head: { dense: string; norm: string } | null;
  classifier: string;
};

/**
 * Defaults of a family's configuration (transformers' `*Config` defaults);
 * `classifierDropout` null follows the hidden dropout.
 */
export type FamilyDefaults =
  & Omit<
    ModelConfig,
    "family" | "labels" | "label2id" | "extra" | "classifierDropout"
  >
  & { classifierDropout: number | null };

/**
 * The architecture fields a family reads from its `config.json` keys.
 */
export type ConfigFields =
  & Pick<
    ModelConfig,
    | "hiddenSize"
    | "numLayers"
    | "numHeads"
    | "intermediateSize"
    | "maxPositions"
    | "typeVocabSize"
    | "layerNormEps"
    | "activation"
    | "hiddenDropout"
    | "attentionDropout"
    | "classifierDropout"
    | "sinusoidalPositions"
  >
  & Partial<
    Pick<ModelConfig, "numKeyValueHeads" | "ropeTheta" | "localAttention" | "classifierActivation">
  >;

/**
 * Typed reads of a `config.json` object: the first of `names` present and not null, else
 * `fallback`; a value of another type is an error naming the file and key.
 */
export type ConfigReader = {
  file: string;
  json: Record<string, unknown>;
  num: (names: string[], fallback: number) => number;
  str: (names: string[], fallback: string) => string;
  bool: (names: string[], fallback: boolean) => boolean;
};

/**
 * A family's `config.json`: the keys it reads and writes beyond the common ones
 * (`model_type`, `vocab_size`, token ids, labels, `initializer_range`), how it reads them
 * (with its checks, and any value kept in `extra`), and how it writes them.
 */
export type ConfigSpec = {
  keys: readonly string[];
  read: (r: ConfigReader, d: FamilyDefaults) => {
    fields: ConfigFields;
    extra?: Record<string, unknown>;
  };
  write: (c: ModelConfig) => Record<string, unknown>;
};

/**
 * One model family: everything that differs between architectures, in one place.
 */
export type FamilyRecord = {
  /** transformers' `model_type`. */
  family: ModelFamily;
  /** The name people write (in messages). */
  displayName: string;
  /** transformers' token classification class (`architectures` of a saved model). */
  tokenClassifierClass: string;
  defaults: FamilyDefaults;
  config: ConfigSpec;
  norm: NormSpec;
  positions: PositionSpec;
  attention: AttentionSpec;
  mlp: MlpSpec;
  /** `linear`: `nn.Linear`, weight `[out, in]`; `conv1d`: GPT-2's `Conv1D`, `[in, out]`. */
  linear: "linear" | "conv1d";
  bias: BiasSpec;
  /** A token type table of `typeVocabSize` rows (BERT's segment embeddings). */
  tokenTypes: boolean;
  /** The word table's `padding_idx` is `pad_token_id` (zero row, no gradient). */
  wordPaddingRow: boolean;
  init: InitSpec;
  dropout: DropoutSpec;
  tokenizer: TokenizerSpec;
  names: TensorNames;
};
