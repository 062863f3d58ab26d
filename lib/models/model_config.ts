/**
 * The typed model configuration every part of the toolkit reads: one {@link ModelConfig}
 * for all families (parsed from and written to `config.json` by `config.ts`, with each
 * family's keys and defaults from its record in `families/`), and the family names.
 * Types only, so that the family records can name them without an import cycle.
 *
 * @module
 */

/**
 * The architecture families the toolkit fine-tunes (transformers' `model_type`).
 */
export type ModelFamily =
  | "bert"
  | "roberta"
  | "distilbert"
  | "gpt2"
  | "modernbert"
  | "llama"
  | "qwen2";

/**
 * Feed-forward activations: `gelu` is the exact (erf) GELU; `gelu_new` and
 * `gelu_pytorch_tanh` are the tanh approximation GPT-2 uses.
 */
export type Activation = "gelu" | "gelu_new" | "gelu_pytorch_tanh" | "relu" | "silu";

/**
 * One typed configuration for every family (names follow BERT's meaning: for GPT-2
 * `hiddenSize` is `n_embd`, `intermediateSize` is `n_inner` or 4 x `n_embd`; for
 * DistilBERT `hiddenSize` is `dim`, `intermediateSize` is `hidden_dim`).
 */
export type ModelConfig = {
  /** Architecture family (from `model_type`). */
  family: ModelFamily;
  /** Width of the hidden states. */
  hiddenSize: number;
  /** Number of transformer blocks. */
  numLayers: number;
  /** Number of attention heads (divides `hiddenSize`). */
  numHeads: number;
  /** Width of the feed-forward layer. */
  intermediateSize: number;
  /** Number of rows of the position embedding table. */
  maxPositions: number;
  /** Number of rows of the word embedding table. */
  vocabSize: number;
  /** Rows of the token type table (BERT 2, RoBERTa 1, DistilBERT and GPT-2 0). */
  typeVocabSize: number;
  /** Epsilon of every layer norm. */
  layerNormEps: number;
  /** Feed-forward activation. */
  activation: Activation;
  /** Padding token id, or null (GPT-2 has none). */
  padTokenId: number | null;
  /** Beginning-of-sequence token id, or null. */
  bosTokenId: number | null;
  /** End-of-sequence token id, or null. */
  eosTokenId: number | null;
  /** Label names; the index is the label id (`id2label`). */
  labels: string[];
  /** Label name to id (`label2id`). */
  label2id: Record<string, number>;
  /** Dropout after embeddings, attention output and feed-forward output. */
  hiddenDropout: number;
  /** Dropout on attention probabilities. */
  attentionDropout: number;
  /** Dropout before the token classifier, resolved as the model class does. */
  classifierDropout: number;
  /** Standard deviation of the normal initialisation. */
  initializerRange: number;
  /** DistilBERT only: fixed sinusoidal position embeddings. */
  sinusoidalPositions: boolean;
  /** Key and value heads (fewer than `numHeads` in grouped-query attention; else equal). */
  numKeyValueHeads: number;
  /** Base of the rotary embeddings (of the global layers where some are local). */
  ropeTheta: number;
  /**
   * ModernBERT's alternating attention, or null (every layer global): layers whose index
   * is not a multiple of `every` see keys within `floor(window / 2)` of the query, with
   * rotary base `ropeTheta`.
   */
  localAttention: { window: number; every: number; ropeTheta: number } | null;
  /** Activation of the prediction head before the classifier (families with one). */
  classifierActivation: Activation;
  /** Every other field of the source `config.json`, kept for the round trip. */
  extra: Record<string, unknown>;
};

/**
 * Fields of {@link createConfig}: the family and anything to change from the defaults.
 */
export type ConfigOptions = Partial<ModelConfig> & { family: ModelFamily };
