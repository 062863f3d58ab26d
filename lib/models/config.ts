/**
 * The model configuration: `config.json` of a Hugging Face checkpoint of any family in
 * `lib/models/families/` parsed into one typed {@link ModelConfig}, and written back in the
 * format `transformers.AutoConfig.from_pretrained` reads.
 *
 * The common keys (`model_type`, `vocab_size`, token ids, labels, `initializer_range`) are
 * read here; each family's own keys, defaults (transformers' `BertConfig`, ...,
 * `LlamaConfig`) and classifier dropout (as each
 * `*ForTokenClassification` class resolves it) come from its record in
 * `lib/models/families/`. Without `id2label`, two labels `LABEL_0`, `LABEL_1`, as
 * `PretrainedConfig`.
 *
 * @module
 */

import { FAMILIES, familyRecord, isModelFamily } from "./families/registry.ts";
import type { ConfigReader } from "./families/types.ts";
import type { Activation, ConfigOptions, ModelConfig, ModelFamily } from "./model_config.ts";

export type { Activation, ConfigOptions, ModelConfig, ModelFamily } from "./model_config.ts";

const ACTIVATIONS: readonly Activation[] = [
  "gelu",
  "gelu_new",
  "gelu_pytorch_tanh",
  "relu",
  "silu",
];

/**
 * The transformers class name of a family's token classifier.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenClassifierClass } from "./config.ts";
 * assert.equal(tokenClassifierClass("gpt2"), "GPT2ForTokenClassification");
 * ```
 */
export function tokenClassifierClass(family: ModelFamily): string {
  return familyRecord(family).tokenClassifierClass;
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
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * const c = createConfig({ family: "distilbert", hiddenSize: 16, numHeads: 2, labels: ["O", "B-ORG", "I-ORG"] });
 * assert.equal(c.classifierDropout, 0.1); // DistilBERT's `dropout`
 * ```
 */
export function createConfig(options: ConfigOptions): ModelConfig {
  const f = familyRecord(options.family);
  const d = f.defaults;
  const labels = options.labels ?? ["LABEL_0", "LABEL_1"];
  const hiddenDropout = options.hiddenDropout ?? d.hiddenDropout;
  const c: ModelConfig = {
    ...d,
    classifierDropout: d.classifierDropout ?? hiddenDropout,
    ...options,
    hiddenDropout,
    numKeyValueHeads: options.numKeyValueHeads ?? options.numHeads ?? d.numKeyValueHeads,
    labels: [...labels],
    label2id: labelMaps(labels, "createConfig"),
    extra: { ...(options.extra ?? {}) },
  };
  // GPT-2's <|endoftext|> is the last token of its vocabulary, whatever its size
  if (f.tokenizer.eosIsLastToken && options.vocabSize !== undefined) {
    c.bosTokenId = options.bosTokenId ?? options.vocabSize - 1;
    c.eosTokenId = options.eosTokenId ?? options.vocabSize - 1;
  }
  // a default special-token id past a smaller vocabulary (ModernBERT's 50281) means nothing
  for (const k of ["bosTokenId", "eosTokenId"] as const) {
    if (options[k] === undefined && (c[k] ?? 0) >= c.vocabSize) c[k] = null;
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
  const f = familyRecord(c.family);
  if (c.numKeyValueHeads !== c.numHeads && !f.config.keys.includes("num_key_value_heads")) {
    throw new Error(
      `${where}: ${f.displayName} has no grouped key/value heads (numKeyValueHeads ` +
        `${c.numKeyValueHeads}, numHeads ${c.numHeads})`,
    );
  }
  if (c.numHeads % c.numKeyValueHeads !== 0) {
    throw new Error(
      `${where}: ${c.numHeads} attention heads are not a multiple of ${c.numKeyValueHeads} ` +
        `key/value heads`,
    );
  }
  const local = c.localAttention;
  if (local && !(Number.isInteger(local.window) && local.window > 0 && local.every >= 1)) {
    throw new Error(
      `${where}: local attention needs a positive window and every >= 1, got ` +
        JSON.stringify(local),
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
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./config.ts";
 * const c = parseConfig({ model_type: "gpt2", n_embd: 64, n_layer: 2, n_head: 4 }, "tiny/config.json");
 * assert.deepEqual([c.hiddenSize, c.intermediateSize, c.activation], [64, 256, "gelu_new"]);
 * ```
 */
export function parseConfig(json: unknown, file = "config.json"): ModelConfig {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new Error(`${file}: expected a JSON object`);
  }
  const j = json as Json;
  const type = j.model_type;
  if (type === undefined) throw new Error(`${file}: field "model_type" is missing`);
  if (!isModelFamily(type)) {
    throw new Error(
      `${file}: field "model_type" is ${JSON.stringify(type)}; supported: ${
        Object.keys(FAMILIES).join(", ")
      }`,
    );
  }
  const f = familyRecord(type);
  const d = f.defaults;
  const reader: ConfigReader = {
    file,
    json: j,
    num: (names, fb) => field(j, names, "number", fb, file),
    str: (names, fb) => field(j, names, "string", fb, file),
    bool: (names, fb) => field(j, names, "boolean", fb, file),
  };
  const labels = parseLabels(j, file);
  const read = f.config.read(reader, d);
  const { sinusoidalPositions, ...fields } = read.fields; // the key order of earlier versions
  const c: ModelConfig = {
    family: f.family,
    vocabSize: reader.num(["vocab_size"], d.vocabSize),
    padTokenId: nullableId(j, "pad_token_id", d.padTokenId, file),
    bosTokenId: nullableId(j, "bos_token_id", d.bosTokenId, file),
    eosTokenId: nullableId(j, "eos_token_id", d.eosTokenId, file),
    labels,
    label2id: labelMaps(labels, file),
    initializerRange: reader.num(["initializer_range"], d.initializerRange),
    sinusoidalPositions,
    extra: {},
    ...fields,
    numKeyValueHeads: fields.numKeyValueHeads ?? fields.numHeads,
    ropeTheta: fields.ropeTheta ?? d.ropeTheta,
    localAttention: fields.localAttention ?? null,
    classifierActivation: fields.classifierActivation ?? d.classifierActivation,
  };
  const known = new Set([...COMMON_KEYS, ...f.config.keys]);
  for (const [k, v] of Object.entries(j)) if (!known.has(k)) c.extra[k] = v;
  Object.assign(c.extra, read.extra ?? {});
  validate(c, file);
  return c;
}

/**
 * Read and parse a `config.json` file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readConfig } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ model_type: "bert",
 *   hidden_size: 8, num_attention_heads: 2, num_hidden_layers: 1,
 *   id2label: { 0: "O", 1: "B-PER" } }));
 * const c = await readConfig(`${dir}/config.json`);
 * assert.deepEqual([c.family, c.hiddenSize, c.labels], ["bert", 8, ["O", "B-PER"]]);
 * await assert.rejects(readConfig(`${dir}/missing.json`), /missing\.json: cannot read config/);
 * await Deno.remove(dir, { recursive: true });
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
 * import assert from "node:assert/strict";
 * import { configToJson, createConfig } from "./config.ts";
 * const json = configToJson(createConfig({ family: "bert", labels: ["O", "B-PER"] }));
 * assert.deepEqual(json.architectures, ["BertForTokenClassification"]);
 * assert.deepEqual(json.id2label, { "0": "O", "1": "B-PER" });
 * ```
 */
export function configToJson(config: ModelConfig): Record<string, unknown> {
  const c = config;
  const out: Record<string, unknown> = { ...c.extra };
  const f = familyRecord(c.family);
  out.architectures = [f.tokenClassifierClass];
  out.model_type = f.family;
  out.vocab_size = c.vocabSize;
  out.initializer_range = c.initializerRange;
  out.pad_token_id = c.padTokenId;
  // null is written where the family's default is not (else a reader takes the default)
  if (c.bosTokenId !== null || f.defaults.bosTokenId !== null) out.bos_token_id = c.bosTokenId;
  if (c.eosTokenId !== null || f.defaults.eosTokenId !== null) out.eos_token_id = c.eosTokenId;
  Object.assign(out, f.config.write(c));
  out.id2label = Object.fromEntries(c.labels.map((l, i) => [String(i), l]));
  out.label2id = { ...c.label2id };
  return out;
}
