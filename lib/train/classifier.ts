/**
 * A token classifier ready to fine-tune: the network on the GPU, its configuration,
 * its tokenizer and its label list. Built fresh (random weights, transformers'
 * initialisation) or loaded from a Hugging Face folder or Hub name, and saved back in
 * the Hugging Face layout (`config.json` with id2label/label2id, `model.safetensors`,
 * tokenizer files) that Python's `AutoModelForTokenClassification.from_pretrained` reads.
 * The dropout rates can be set (e.g. 0 for training a tiny model from scratch); the
 * classifier dropout follows the hidden dropout unless given, as in transformers' BertConfig.
 *
 * @module
 */
import { join } from "node:path";
import { homedir } from "node:os";
import { getGpu, type Gpu } from "../gpu/device.ts";
import { createConfig, type ModelConfig, type ModelFamily } from "../models/config.ts";
import { initWeights } from "../models/init_weights.ts";
import { familyRecord, skippedPositions } from "../models/families/registry.ts";
import { loadCheckpoint, saveCheckpoint } from "../models/checkpoint.ts";
import { ensureTokenizerJson } from "../models/tokenizer_build.ts";
import type { PackMember } from "../gpu/step_pack.ts";
import { createGpuModel, type GpuModel, modelTensors, releaseModel } from "../models/gpu_model.ts";
import { datasetDir, MANIFEST } from "../corpus/dataset.ts";
import { labelList } from "../tags/labels.ts";
import type { Scheme } from "../core/scheme.ts";
import type { TagDecoding } from "../encode/align.ts";
import { DECODING_KEY, savedDecoding } from "./classifier_config.ts";

export { fitMaxLength } from "./classifier_config.ts";
import { loadTokenizer, type WordTokenizer } from "../encode/tokenizer.ts";

/**
 * A token classifier on the GPU with what it needs to read text.
 */
export type TokenClassifier = {
  config: ModelConfig;
  net: GpuModel;
  tokenizer: WordTokenizer;
  tokenizerDir: string;
  /** Tags, index = label id (`config.labels`). */
  labels: string[];
  scheme: Scheme;
  /** How scores become word tags (set by `fineTune`; saved in config.json as `ner_decoding`). */
  decoding?: TagDecoding;
};

/**
 * Options of {@link createTokenClassifier}.
 */
export type ClassifierOptions = {
  /** `random`, a folder in the Hugging Face layout, or a Hub name `org/name`. */
  source: string;
  /** Entity types to recognise (the tags follow from the scheme). */
  entityTypes: string[];
  scheme?: Scheme;
  /** Tokenizer folder or dataset asset name (default: the checkpoint's own). */
  tokenizer?: string;
  /** Architecture of a random model (sizes default to 2 layers, 128 hidden, 2 heads). */
  family?: ModelFamily;
  hiddenSize?: number;
  numLayers?: number;
  numHeads?: number;
  /** Key/value heads of a random Llama or Qwen2 (default `numHeads`). */
  numKeyValueHeads?: number;
  intermediateSize?: number;
  maxPositions?: number;
  /** Seed of random weights and dropout masks (default 42). */
  seed?: number;
  /** A place in a pack of models that step together on the GPU (`lib/gpu/step_pack.ts`);
   * its results are the same. */
  member?: PackMember;
  /** Dropout after embeddings, attention output and feed-forward output (default: the
   * family's or checkpoint's, 0.1 for BERT); 0 turns it off. */
  hiddenDropout?: number;
  /** Dropout on attention probabilities (default: the family's or checkpoint's). */
  attentionDropout?: number;
  /** Dropout before the classifier head (default: `hiddenDropout` when that is given, else
   * the family's or checkpoint's). */
  classifierDropout?: number;
  gpu?: Gpu;
};

/** The dropout fields of `o` that are set, checked to lie in [0, 1). */
function dropoutOverrides(o: ClassifierOptions): Partial<ModelConfig> {
  const out: Partial<ModelConfig> = {};
  for (const key of ["hiddenDropout", "attentionDropout", "classifierDropout"] as const) {
    const p = o[key];
    if (p === undefined) continue;
    if (!(p >= 0 && p < 1)) {
      throw new Error(`createTokenClassifier: ${key} must be in [0, 1), got ${p}`);
    }
    out[key] = p;
  }
  return out;
}

function cacheDir(): string {
  try {
    return Deno.env.get("NERSS_CACHE_DIR") ?? join(homedir(), ".cache", "nerss");
  } catch {
    return join(".cache", "nerss");
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}

const assetFolders = new Map<string, Promise<string>>();

/**
 * A tokenizer folder with a tokenizer.json (built from vocabulary files into the cache if
 * needed); a manifest asset is resolved (and its files' sha256 checked) once per process.
 */
async function tokenizerFolder(nameOrDir: string): Promise<string> {
  if (await isDir(nameOrDir)) return await withTokenizerJson(nameOrDir);
  if (!(nameOrDir in MANIFEST.datasets)) {
    throw new Error(
      `createTokenClassifier: tokenizer "${nameOrDir}" is neither a folder nor an asset ` +
        "of data/manifest.json",
    );
  }
  let dir = assetFolders.get(nameOrDir);
  if (!dir) {
    dir = datasetDir(nameOrDir).then(withTokenizerJson);
    assetFolders.set(nameOrDir, dir);
    dir.catch(() => assetFolders.delete(nameOrDir));
  }
  return await dir;
}

function withTokenizerJson(dir: string): Promise<string> {
  const name = dir.replace(/\/+$/, "").split("/").pop()!;
  return ensureTokenizerJson(dir, join(cacheDir(), "tokenizers", name));
}

const tokenizers = new Map<string, Promise<WordTokenizer>>();

/** A tokenizer folder's tokenizer, loaded once per process (a study builds a model per run). */
function cachedTokenizer(dir: string): Promise<WordTokenizer> {
  let t = tokenizers.get(dir);
  if (!t) {
    t = loadTokenizer(dir);
    tokenizers.set(dir, t);
    t.catch(() => tokenizers.delete(dir));
  }
  return t;
}

/**
 * Builds a token classifier: random weights of a given architecture, or a checkpoint
 * (its classifier head replaced when its labels differ).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * // A tiny BERT with random weights, on bert-base-uncased's tokenizer (from data/manifest.json).
 * const tiny = await createTokenClassifier({ source: "random", family: "bert", hiddenSize: 8,
 *   numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"], tokenizer: "bert-base-uncased" });
 * assert.deepEqual(tiny.labels, ["O", "B-ORG", "I-ORG", "B-PERSON", "I-PERSON"]);
 * assert.equal(tiny.config.vocabSize, 30522); // the tokenizer's
 * ```
 *
 * @example
 * ```ts ignore
 * // A pretrained model from the Hugging Face Hub (downloaded once into its cache).
 * const roberta = await createTokenClassifier({ source: "FacebookAI/roberta-base",
 *   entityTypes: ["ORG", "PERSON"] });
 * ```
 */
export async function createTokenClassifier(o: ClassifierOptions): Promise<TokenClassifier> {
  const scheme = o.scheme ?? "IOB2";
  const labels = labelList(o.entityTypes, scheme);
  const seed = o.seed ?? 42;
  const dropout = dropoutOverrides(o);
  const gpu = o.gpu ?? await getGpu();
  let config: ModelConfig;
  let tensors;
  let tokenizerDir: string;
  let decoding: TagDecoding | undefined;
  if (o.source === "random") {
    if (!o.family) throw new Error("createTokenClassifier: a random model needs a family");
    if (!o.tokenizer) throw new Error("createTokenClassifier: a random model needs a tokenizer");
    tokenizerDir = await tokenizerFolder(o.tokenizer);
    const tokenizer = await cachedTokenizer(tokenizerDir);
    // Families that number positions from padding_idx + 1 (RoBERTa) need a small pad id
    // (1 in RoBERTa's vocabulary).
    const positionOffset = skippedPositions({ family: o.family, padTokenId: tokenizer.padId });
    if (positionOffset > 4) {
      const name = familyRecord(o.family).displayName;
      throw new Error(
        `createTokenClassifier: a ${name} model needs a ${name} tokenizer (<pad> = 1); ` +
          `the one in ${tokenizerDir} pads with id ${tokenizer.padId}`,
      );
    }
    config = createConfig({
      family: o.family,
      hiddenSize: o.hiddenSize ?? 128,
      numLayers: o.numLayers ?? 2,
      numHeads: o.numHeads ?? 2,
      numKeyValueHeads: o.numKeyValueHeads ?? o.numHeads ?? 2,
      intermediateSize: o.intermediateSize ?? 4 * (o.hiddenSize ?? 128),
      maxPositions: (o.maxPositions ?? 512) + positionOffset,
      vocabSize: tokenizer.vocabSize,
      padTokenId: tokenizer.padId,
      labels,
      ...dropout,
    });
    tensors = initWeights(config, seed);
  } else {
    const ckpt = await loadCheckpoint(o.source, { labels, seed });
    config = { ...ckpt.config, ...dropout };
    if (o.hiddenDropout !== undefined && o.classifierDropout === undefined) {
      config.classifierDropout = o.hiddenDropout;
    }
    tensors = ckpt.tensors;
    decoding = savedDecoding(config, labels);
    const tok = o.tokenizer ?? ckpt.tokenizerDir;
    if (!tok) {
      throw new Error(`${o.source}: no tokenizer files; give one with the tokenizer option`);
    }
    tokenizerDir = await tokenizerFolder(tok);
  }
  const tokenizer = await cachedTokenizer(tokenizerDir);
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new Error(
      `${o.source}: the tokenizer has ${tokenizer.vocabSize} tokens, the model's vocabulary ${config.vocabSize}`,
    );
  }
  const net = createGpuModel(gpu, config, tensors, { seed, member: o.member });
  return { config, net, tokenizer, tokenizerDir, labels, scheme, decoding };
}

/**
 * Saves a classifier in the Hugging Face layout (written to a temporary folder, then
 * renamed into place), its decoding in config.json.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier, saveModel } from "./classifier.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const dir = await Deno.makeTempDir();
 * await saveModel(classifier, dir);
 * const config = JSON.parse(await Deno.readTextFile(`${dir}/config.json`));
 * assert.deepEqual(config.architectures, ["BertForTokenClassification"]);
 * assert.equal(config.id2label["3"], "B-PERSON");
 * const again = await createTokenClassifier({ source: dir, entityTypes: ["ORG", "PERSON"] });
 * assert.equal(again.tokenizer.vocabSize, 30522); // its tokenizer was saved beside it
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveModel(classifier: TokenClassifier, dir: string): Promise<void> {
  await saveCheckpoint(
    dir,
    savedConfig(classifier),
    await modelTensors(classifier.net),
    classifier.tokenizerDir,
  );
}

/**
 * The configuration a saved classifier's config.json holds: its own, with its decoding (if
 * any) under `ner_decoding`, which `createTokenClassifier` reads back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier, savedConfig } from "./classifier.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG"],
 *   tokenizer: "bert-base-uncased" });
 * assert.equal(savedConfig(classifier).extra.ner_decoding, undefined);
 * classifier.decoding = { words: "mean" };
 * assert.deepEqual(savedConfig(classifier).extra.ner_decoding,
 *   { words: "mean", labels: ["O", "B-ORG", "I-ORG"], transitions: undefined });
 * ```
 */
export function savedConfig(classifier: TokenClassifier): ModelConfig {
  const { config, decoding, labels } = classifier;
  if (!decoding) return config;
  const saved = { words: decoding.words, labels, transitions: decoding.transitions?.logProbs };
  return { ...config, extra: { ...config.extra, [DECODING_KEY]: saved } };
}

/**
 * Gives the classifier's GPU memory (parameters, gradients, optimizer state) back to the
 * pool; the classifier must not be used afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolStats } from "../gpu/tensor.ts";
 * import { createTokenClassifier, releaseClassifier } from "./classifier.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const free = poolStats(classifier.net.gpu).free;
 * releaseClassifier(classifier);
 * // parameters, gradients and the two AdamW moments, for each of the two parameter groups
 * assert.equal(poolStats(classifier.net.gpu).free, free + 8);
 * ```
 */
export function releaseClassifier(classifier: TokenClassifier): void {
  releaseModel(classifier.net);
}
