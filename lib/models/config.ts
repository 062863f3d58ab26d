/**
 * The model configuration: `config.json` of a Hugging Face BERT, RoBERTa, DistilBERT or
 * GPT-2 checkpoint parsed into one typed {@link ModelConfig}, and written back in the
 * format `transformers.AutoConfig.from_pretrained` reads.
 *
 * Missing fields take the defaults of transformers' `BertConfig`, `RobertaConfig`,
 * `DistilBertConfig` and `GPT2Config` (and `PretrainedConfig`: two labels `LABEL_0`,
 * `LABEL_1` when `id2label` is absent). The classifier dropout is resolved as each
 * `*ForTokenClassification` class resolves it.
 *
 * @module
 */

/**
 * The architecture families the toolkit fine-tunes.
 *
 * @example
 * ```ts
 * const f: ModelFamily = "roberta";
 * ```
 */
export type ModelFamily = "bert" | "roberta" | "distilbert" | "gpt2";

/**
 * Feed-forward activations: `gelu` is the exact (erf) GELU; `gelu_new` and
 * `gelu_pytorch_tanh` are the tanh approximation GPT-2 uses.
 *
 * @example
 * ```ts
 * const a: Activation = "gelu_new";
 * ```
 */
export type Activation = "gelu" | "gelu_new" | "gelu_pytorch_tanh" | "relu" | "silu";

/**
 * One typed configuration for all four families (names follow BERT's meaning: for GPT-2
 * `hiddenSize` is `n_embd`, `intermediateSize` is `n_inner` or 4 x `n_embd`; for
 * DistilBERT `hiddenSize` is `dim`, `intermediateSize` is `hidden_dim`).
 *
 * @example
 * ```ts
 * const c: ModelConfig = createConfig({ family: "bert", hiddenSize: 8, labels: ["O", "B-PER"] });
 * console.log(c.numHeads, c.labels.length);
 * ```
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
  /** Every other field of the source `config.json`, kept for the round trip. */
  extra: Record<string, unknown>;
};

/**
 * Fields of {@link createConfig}: the family and anything to change from the defaults.
 *
 * @example
 * ```ts
 * const o: ConfigOptions = { family: "gpt2", numLayers: 2 };
 * ```
 */
export type ConfigOptions = Partial<ModelConfig> & { family: ModelFamily };

const ACTIVATIONS: readonly Activation[] = [
  "gelu",
  "gelu_new",
  "gelu_pytorch_tanh",
  "relu",
  "silu",
];

type Defaults = Omit<ModelConfig, "labels" | "label2id" | "extra" | "classifierDropout">;

const BERT_DEFAULTS: Defaults = {
  family: "bert",
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
  initializerRange: 0.02,
  sinusoidalPositions: false,
};

function defaultsFor(family: ModelFamily): Defaults {
  switch (family) {
    case "bert":
      return { ...BERT_DEFAULTS };
    case "roberta":
      return { ...BERT_DEFAULTS, family, padTokenId: 1, bosTokenId: 0, eosTokenId: 2 };
    case "distilbert":
      return { ...BERT_DEFAULTS, family, numLayers: 6, typeVocabSize: 0 };
    case "gpt2":
      return {
        ...BERT_DEFAULTS,
        family,
        maxPositions: 1024,
        vocabSize: 50257,
        typeVocabSize: 0,
        layerNormEps: 1e-5,
        activation: "gelu_new",
        padTokenId: null,
        bosTokenId: 50256,
        eosTokenId: 50256,
      };
  }
}

/**
 * The transformers class name of a family's token classifier.
 *
 * @example
 * ```ts
 * tokenClassifierClass("gpt2"); // "GPT2ForTokenClassification"
 * ```
 */
export function tokenClassifierClass(family: ModelFamily): string {
  return {
    bert: "BertForTokenClassification",
    roberta: "RobertaForTokenClassification",
    distilbert: "DistilBertForTokenClassification",
    gpt2: "GPT2ForTokenClassification",
  }[family];
}

function labelMaps(labels: string[], where: string): Record<string, number> {
  const label2id: Record<string, number> = {};
  labels.forEach((l, i) => {
    if (l in label2id) throw new Error(`${where}: label "${l}" appears twice in id2label`);
    label2id[l] = i;
  });
  return label2id;
}

/**
 * Build a configuration from a family's transformers defaults and the fields given
 * (handy for tiny test models). Labels default to `LABEL_0`, `LABEL_1`.
 *
 * @example
 * ```ts
 * const c = createConfig({ family: "distilbert", hiddenSize: 16, numHeads: 2, labels: ["O", "B-ORG", "I-ORG"] });
 * console.log(c.classifierDropout); // 0.1 (DistilBERT uses `dropout`)
 * ```
 */
export function createConfig(options: ConfigOptions): ModelConfig {
  const d = defaultsFor(options.family);
  const labels = options.labels ?? ["LABEL_0", "LABEL_1"];
  const hiddenDropout = options.hiddenDropout ?? d.hiddenDropout;
  const c: ModelConfig = {
    ...d,
    classifierDropout: options.family === "gpt2" ? 0.1 : hiddenDropout,
    ...options,
    hiddenDropout,
    labels: [...labels],
    label2id: labelMaps(labels, "createConfig"),
    extra: { ...(options.extra ?? {}) },
  };
  // GPT-2's <|endoftext|> is the last token of its vocabulary, whatever its size
  if (c.family === "gpt2" && options.vocabSize !== undefined) {
    c.bosTokenId = options.bosTokenId ?? options.vocabSize - 1;
    c.eosTokenId = options.eosTokenId ?? options.vocabSize - 1;
  }
  validate(c, "createConfig");
  return c;
}

function validate(c: ModelConfig, where: string): void {
  const positive: (keyof ModelConfig)[] = [
    "hiddenSize",
    "numLayers",
    "numHeads",
    "intermediateSize",
    "maxPositions",
    "vocabSize",
  ];
  for (const k of positive) {
    const v = c[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new Error(`${where}: ${k} must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if (c.hiddenSize % c.numHeads !== 0) {
    throw new Error(
      `${where}: hidden size ${c.hiddenSize} is not a multiple of the number of heads ${c.numHeads}`,
    );
  }
  if (!ACTIVATIONS.includes(c.activation)) {
    throw new Error(
      `${where}: activation "${c.activation}" is not supported (use one of ${
        ACTIVATIONS.join(", ")
      })`,
    );
  }
  if (c.labels.length === 0) throw new Error(`${where}: a token classifier needs labels`);
  if (c.padTokenId !== null && (c.padTokenId < 0 || c.padTokenId >= c.vocabSize)) {
    throw new Error(`${where}: pad token id ${c.padTokenId} is outside the vocabulary`);
  }
}

type Json = Record<string, unknown>;

function field<T>(
  json: Json,
  names: string[],
  kind: "number" | "string" | "boolean",
  fallback: T,
  file: string,
): T {
  for (const name of names) {
    if (!(name in json) || json[name] === null || json[name] === undefined) continue;
    const v = json[name];
    const actual: string = typeof v;
    if (actual !== kind) {
      throw new Error(`${file}: field "${name}" must be a ${kind}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }
  return fallback;
}

function nullableId(json: Json, name: string, fallback: number | null, file: string) {
  if (!(name in json)) return fallback;
  const v = json[name];
  if (v === null) return null;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new Error(
      `${file}: field "${name}" must be an integer or null, got ${JSON.stringify(v)}`,
    );
  }
  return v;
}

function parseLabels(json: Json, file: string): string[] {
  const raw = json.id2label;
  if (raw === undefined || raw === null) {
    const n = field(json, ["num_labels"], "number", 2, file);
    return Array.from({ length: n }, (_, i) => `LABEL_${i}`);
  }
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new Error(`${file}: field "id2label" must be an object {"0": "O", ...}`);
  }
  const entries = Object.entries(raw as Json);
  const labels: string[] = new Array(entries.length);
  for (const [k, v] of entries) {
    const i = Number(k);
    if (!Number.isInteger(i) || i < 0 || i >= entries.length || String(i) !== k) {
      throw new Error(
        `${file}: field "id2label" has key "${k}"; keys must be 0..${entries.length - 1}`,
      );
    }
    if (typeof v !== "string") {
      throw new Error(`${file}: field "id2label" maps "${k}" to a non-string`);
    }
    labels[i] = v;
  }
  const l2i = json.label2id;
  if (l2i !== undefined && l2i !== null) {
    if (typeof l2i !== "object" || Array.isArray(l2i)) {
      throw new Error(`${file}: field "label2id" must be an object {"O": 0, ...}`);
    }
    for (const [name, id] of Object.entries(l2i as Json)) {
      if (labels[id as number] !== name) {
        throw new Error(
          `${file}: field "label2id" maps "${name}" to ${
            JSON.stringify(id)
          } but id2label disagrees`,
        );
      }
    }
  }
  return labels;
}

const KNOWN_KEYS: Record<ModelFamily, string[]> = {
  bert: [
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
  roberta: [],
  distilbert: [
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
  gpt2: [
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
};
KNOWN_KEYS.roberta = KNOWN_KEYS.bert;
const COMMON_KEYS = [
  "model_type",
  "architectures",
  "vocab_size",
  "pad_token_id",
  "bos_token_id",
  "eos_token_id",
  "id2label",
  "label2id",
  "num_labels",
  "initializer_range",
];

/**
 * Parse the JSON of a `config.json` (already decoded). `file` names the source in errors.
 *
 * @example
 * ```ts
 * const c = parseConfig({ model_type: "gpt2", n_embd: 64, n_layer: 2, n_head: 4 }, "tiny/config.json");
 * console.log(c.hiddenSize, c.intermediateSize, c.activation); // 64 256 "gelu_new"
 * ```
 */
export function parseConfig(json: unknown, file = "config.json"): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`${file}: expected a JSON object`);
  }
  const j = json as Json;
  const type = j.model_type;
  if (type === undefined) throw new Error(`${file}: field "model_type" is missing`);
  if (type !== "bert" && type !== "roberta" && type !== "distilbert" && type !== "gpt2") {
    throw new Error(
      `${file}: field "model_type" is ${
        JSON.stringify(type)
      }; supported: bert, roberta, distilbert, gpt2`,
    );
  }
  const family: ModelFamily = type;
  const d = defaultsFor(family);
  const num = (names: string[], fb: number) => field(j, names, "number", fb, file);
  let c: ModelConfig;
  const labels = parseLabels(j, file);
  const base = {
    family,
    vocabSize: num(["vocab_size"], d.vocabSize),
    padTokenId: nullableId(j, "pad_token_id", d.padTokenId, file),
    bosTokenId: nullableId(j, "bos_token_id", d.bosTokenId, file),
    eosTokenId: nullableId(j, "eos_token_id", d.eosTokenId, file),
    labels,
    label2id: labelMaps(labels, file),
    initializerRange: num(["initializer_range"], d.initializerRange),
    sinusoidalPositions: false,
    extra: {} as Record<string, unknown>,
  };
  if (family === "bert" || family === "roberta") {
    const pet = field(j, ["position_embedding_type"], "string", "absolute", file);
    if (pet !== "absolute") {
      throw new Error(`${file}: field "position_embedding_type" is "${pet}"; only "absolute"`);
    }
    if (j.is_decoder === true) throw new Error(`${file}: field "is_decoder" true is unsupported`);
    const hiddenDropout = num(["hidden_dropout_prob"], d.hiddenDropout);
    c = {
      ...base,
      hiddenSize: num(["hidden_size"], d.hiddenSize),
      numLayers: num(["num_hidden_layers"], d.numLayers),
      numHeads: num(["num_attention_heads"], d.numHeads),
      intermediateSize: num(["intermediate_size"], d.intermediateSize),
      maxPositions: num(["max_position_embeddings"], d.maxPositions),
      typeVocabSize: num(["type_vocab_size"], d.typeVocabSize),
      layerNormEps: num(["layer_norm_eps"], d.layerNormEps),
      activation: field(j, ["hidden_act"], "string", d.activation, file) as Activation,
      hiddenDropout,
      attentionDropout: num(["attention_probs_dropout_prob"], d.attentionDropout),
      classifierDropout: num(["classifier_dropout"], hiddenDropout),
    };
  } else if (family === "distilbert") {
    const hiddenDropout = num(["dropout"], d.hiddenDropout);
    c = {
      ...base,
      hiddenSize: num(["dim"], d.hiddenSize),
      numLayers: num(["n_layers"], d.numLayers),
      numHeads: num(["n_heads"], d.numHeads),
      intermediateSize: num(["hidden_dim"], d.intermediateSize),
      maxPositions: num(["max_position_embeddings"], d.maxPositions),
      typeVocabSize: 0,
      layerNormEps: 1e-12,
      activation: field(j, ["activation"], "string", d.activation, file) as Activation,
      hiddenDropout,
      attentionDropout: num(["attention_dropout"], d.attentionDropout),
      classifierDropout: hiddenDropout,
      sinusoidalPositions: field(j, ["sinusoidal_pos_embds"], "boolean", false, file),
    };
  } else {
    if (j.scale_attn_weights === false || j.scale_attn_by_inverse_layer_idx === true) {
      throw new Error(
        `${file}: only the standard 1/sqrt(head size) attention scaling of GPT-2 is supported`,
      );
    }
    const hiddenSize = num(["n_embd", "hidden_size"], d.hiddenSize);
    const hiddenDropout = num(["resid_pdrop"], d.hiddenDropout);
    c = {
      ...base,
      hiddenSize,
      numLayers: num(["n_layer", "num_hidden_layers"], d.numLayers),
      numHeads: num(["n_head", "num_attention_heads"], d.numHeads),
      intermediateSize: num(["n_inner"], 4 * hiddenSize),
      maxPositions: num(["n_positions"], d.maxPositions),
      typeVocabSize: 0,
      layerNormEps: num(["layer_norm_epsilon"], d.layerNormEps),
      activation: field(j, ["activation_function"], "string", d.activation, file) as Activation,
      hiddenDropout,
      attentionDropout: num(["attn_pdrop"], d.attentionDropout),
      classifierDropout: num(["classifier_dropout", "hidden_dropout"], 0.1),
    };
  }
  const known = new Set([...COMMON_KEYS, ...KNOWN_KEYS[family]]);
  for (const [k, v] of Object.entries(j)) if (!known.has(k)) c.extra[k] = v;
  // GPT-2's embedding dropout is kept apart only where it differs from resid_pdrop.
  if (family === "gpt2" && "embd_pdrop" in j && j.embd_pdrop !== c.hiddenDropout) {
    c.extra.embd_pdrop = j.embd_pdrop;
  }
  validate(c, file);
  return c;
}

/**
 * Read and parse a `config.json` file.
 *
 * @example
 * ```ts
 * const c = await readConfig("models/tiny-bert/config.json");
 * ```
 */
export async function readConfig(path: string): Promise<ModelConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    throw new Error(`${path}: cannot read config (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return parseConfig(json, path);
}

/**
 * The configuration as a `config.json` object in transformers' own field names, with the
 * `*ForTokenClassification` architecture, `id2label` and `label2id`.
 *
 * @example
 * ```ts
 * const json = configToJson(createConfig({ family: "bert", labels: ["O", "B-PER"] }));
 * await Deno.writeTextFile("out/config.json", JSON.stringify(json, null, 2));
 * ```
 */
export function configToJson(config: ModelConfig): Record<string, unknown> {
  const c = config;
  const out: Record<string, unknown> = { ...c.extra };
  out.architectures = [tokenClassifierClass(c.family)];
  out.model_type = c.family;
  out.vocab_size = c.vocabSize;
  out.initializer_range = c.initializerRange;
  out.pad_token_id = c.padTokenId;
  if (c.bosTokenId !== null) out.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== null) out.eos_token_id = c.eosTokenId;
  if (c.family === "bert" || c.family === "roberta") {
    Object.assign(out, {
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
    });
  } else if (c.family === "distilbert") {
    Object.assign(out, {
      dim: c.hiddenSize,
      n_layers: c.numLayers,
      n_heads: c.numHeads,
      hidden_dim: c.intermediateSize,
      max_position_embeddings: c.maxPositions,
      activation: c.activation,
      dropout: c.hiddenDropout,
      attention_dropout: c.attentionDropout,
      sinusoidal_pos_embds: c.sinusoidalPositions,
    });
  } else {
    Object.assign(out, {
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
    });
  }
  out.id2label = Object.fromEntries(c.labels.map((l, i) => [String(i), l]));
  out.label2id = { ...c.label2id };
  return out;
}
