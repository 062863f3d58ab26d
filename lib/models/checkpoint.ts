/**
 * Checkpoints in the Hugging Face layout: a folder with config.json, model.safetensors (or
 * sharded safetensors, or pytorch_model.bin) and tokenizer files. {@link loadCheckpoint}
 * reads a local folder or downloads "org/name" from the Hub and lines the tensor names up
 * with the token classifier's parameters as transformers' `from_pretrained` does (adds the
 * base-model prefix to prefix-less names, renames legacy LayerNorm `gamma`/`beta`, and
 * initialises parameters the checkpoint lacks, e.g. a fresh `classifier`);
 * {@link saveCheckpoint} writes one that `AutoModelForTokenClassification.from_pretrained`
 * and `AutoTokenizer` read.
 *
 * @module
 */

import { configToJson, createConfig, type ModelConfig, readConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { downloadModel, type HubOptions, isModelId, TOKENIZER_FILES } from "./hub.ts";
import { initWeights, parameterShapes } from "./init_weights.ts";
import { familyRecord } from "./families/registry.ts";
import { readPytorchBin } from "./pytorch_bin.ts";
import { encodeSafetensors, readSafetensors, readShardedSafetensors } from "./safetensors.ts";

export { initWeights } from "./init_weights.ts";

/**
 * A loaded checkpoint.
 */
export type Checkpoint = {
  /** The folder read (for a Hub model, its snapshot folder in the Hugging Face hub cache). */
  dir: string;
  /** The parsed config.json (labels replaced when `labels` was given). */
  config: ModelConfig;
  /** Every parameter of the token classifier, under transformers' names. */
  tensors: TensorMap;
  /** The folder holding the tokenizer files, or null when there are none. */
  tokenizerDir: string | null;
  /** The weights file read. */
  weightsFile: string;
  /** Parameters the checkpoint lacked (or had in another shape, for new labels), freshly initialised. */
  missing: string[];
  /** Tensors of the file that are not parameters of the token classifier (pooler, LM heads, buffers). */
  unexpected: string[];
};

/**
 * Options of {@link loadCheckpoint}.
 */
export type LoadOptions = HubOptions & {
  /** Labels to fine-tune for; a classifier of another size in the file is replaced. */
  labels?: string[];
  /** Seed of the initialisation of missing parameters (default 0). */
  seed?: number;
  /** Throw instead of initialising missing parameters (default false). */
  strict?: boolean;
};

async function isDir(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/**
 * Read the weights of a checkpoint folder: model.safetensors, model.safetensors.index.json,
 * pytorch_model.bin or pytorch_model.bin.index.json, the first found.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSafetensors } from "./safetensors.ts";
 * import { readWeights } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * const tensors = new Map([["classifier.bias", { shape: [2], data: new Float32Array([1, 2]) }]]);
 * await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(tensors));
 * const { file, tensors: read } = await readWeights(dir);
 * assert.equal(file, `${dir}/model.safetensors`);
 * assert.deepEqual(read, tensors);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readWeights(dir: string): Promise<{ file: string; tensors: TensorMap }> {
  const st = `${dir}/model.safetensors`;
  if (await isFile(st)) return { file: st, tensors: readSafetensors(await Deno.readFile(st), st) };
  const sti = `${dir}/model.safetensors.index.json`;
  if (await isFile(sti)) return { file: sti, tensors: await readShardedSafetensors(dir) };
  const bin = `${dir}/pytorch_model.bin`;
  if (await isFile(bin)) {
    return { file: bin, tensors: readPytorchBin(await Deno.readFile(bin), bin) };
  }
  const bini = `${dir}/pytorch_model.bin.index.json`;
  if (await isFile(bini)) {
    const index = JSON.parse(await Deno.readTextFile(bini));
    const tensors: TensorMap = new Map();
    for (const shard of new Set<string>(Object.values(index.weight_map ?? {}))) {
      const p = `${dir}/${shard}`;
      for (const [k, v] of readPytorchBin(await Deno.readFile(p), p)) tensors.set(k, v);
    }
    return { file: bini, tensors };
  }
  throw new Error(`${dir}: no model.safetensors, pytorch_model.bin or sharded index`);
}

/**
 * Line a file's tensors up with the token classifier's parameters: legacy `gamma`/`beta`
 * become `weight`/`bias`, names without the base prefix (`embeddings.…`, `h.0.…`) get it,
 * shapes are checked. Returns the matched tensors, the parameter names not found, those with
 * another shape, and the file's names left over.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { alignTensorNames } from "./checkpoint.ts";
 * const config = createConfig({ family: "gpt2", hiddenSize: 8, numHeads: 2, numLayers: 1 });
 * const r = alignTensorNames(config, new Map([["wte.weight", { shape: [50257, 8], data: new Float32Array(50257 * 8) }]]));
 * assert.ok(r.tensors.has("transformer.wte.weight"));
 * assert.ok(r.missing.includes("classifier.weight"));
 * ```
 */
export function alignTensorNames(config: ModelConfig, tensors: TensorMap): {
  tensors: TensorMap;
  missing: string[];
  mismatched: { name: string; expected: number[]; found: number[] }[];
  unexpected: string[];
} {
  const shapes = parameterShapes(config);
  const prefix = familyRecord(config.family).names.base;
  const out: TensorMap = new Map();
  const unexpected: string[] = [];
  const mismatched: { name: string; expected: number[]; found: number[] }[] = [];
  for (const [original, t] of tensors) {
    let name = original.replace(/\.gamma$/, ".weight").replace(/\.beta$/, ".bias");
    if (!shapes.has(name) && shapes.has(`${prefix}.${name}`)) name = `${prefix}.${name}`;
    const want = shapes.get(name);
    if (!want) {
      unexpected.push(original);
      continue;
    }
    if (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i])) {
      mismatched.push({ name, expected: want, found: t.shape });
      continue;
    }
    out.set(name, t);
  }
  const missing = [...shapes.keys()].filter((n) => !out.has(n));
  return { tensors: out, missing, mismatched, unexpected };
}

async function tokenizerDirOf(dir: string): Promise<string | null> {
  if (await isFile(`${dir}/tokenizer.json`)) return dir;
  if (await isFile(`${dir}/vocab.txt`)) return dir;
  if ((await isFile(`${dir}/vocab.json`)) && (await isFile(`${dir}/merges.txt`))) return dir;
  return null;
}

/**
 * Load a checkpoint from a local folder (used as it is) or a Hub model id (downloaded into
 * the Hugging Face hub cache first and checked, see {@link downloadModel}). Parameters the file lacks are initialised from `seed` and listed in
 * `missing`; with `labels`, a classifier of another size is replaced the same way. A
 * backbone tensor of the wrong shape is an error naming the file and tensor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights, loadCheckpoint, saveCheckpoint } from "./checkpoint.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, labels: ["O", "B-PER"] });
 * const dir = await Deno.makeTempDir();
 * await saveCheckpoint(dir, config, initWeights(config, 0));
 * assert.deepEqual((await loadCheckpoint(dir)).missing, []);
 * // Other labels: the file's classifier has another size, so fresh ones replace it.
 * const ckpt = await loadCheckpoint(dir, { labels: ["O", "B-ORG", "I-ORG"] });
 * assert.deepEqual(ckpt.missing, ["classifier.weight", "classifier.bias"]);
 * assert.deepEqual(ckpt.tensors.get("classifier.weight")?.shape, [3, 8]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function loadCheckpoint(
  dirOrName: string,
  options: LoadOptions = {},
): Promise<Checkpoint> {
  let dir = dirOrName.replace(/\/+$/, "");
  if (!(await isDir(dir))) {
    if (!isModelId(dirOrName)) {
      throw new Error(`${dirOrName}: no such folder, and not a Hugging Face model id`);
    }
    dir = await downloadModel(dirOrName, options);
  }
  let config = await readConfig(`${dir}/config.json`);
  if (options.labels) {
    config = createConfig({ ...config, labels: options.labels });
  }
  const { file, tensors: raw } = await readWeights(dir);
  const aligned = alignTensorNames(config, raw);
  const head = familyRecord(config.family).names.classifier;
  const classifier = new Set([`${head}.weight`, `${head}.bias`]);
  for (const m of aligned.mismatched) {
    if (!(options.labels && classifier.has(m.name))) {
      throw new Error(
        `${file}: tensor "${m.name}" has shape ${JSON.stringify(m.found)} but config.json implies ${
          JSON.stringify(m.expected)
        }`,
      );
    }
  }
  const missing = [...aligned.missing];
  if (missing.length > 0) {
    if (options.strict) {
      throw new Error(
        `${file}: missing parameters ${missing.slice(0, 5).join(", ")}${
          missing.length > 5 ? ", ..." : ""
        }`,
      );
    }
    const fresh = initWeights(config, options.seed ?? 0);
    for (const name of missing) aligned.tensors.set(name, fresh.get(name)!);
  }
  const ordered: TensorMap = new Map();
  for (const name of parameterShapes(config).keys()) ordered.set(name, aligned.tensors.get(name)!);
  return {
    dir,
    config,
    tensors: ordered,
    tokenizerDir: await tokenizerDirOf(dir),
    weightsFile: file,
    missing,
    unexpected: [...aligned.unexpected, ...aligned.mismatched.map((m) => m.name)],
  };
}

/**
 * Write a checkpoint folder: config.json (transformers' format), model.safetensors (the
 * token classifier's parameters, in `state_dict()` order; other tensors are not written), and the
 * tokenizer files, given as contents by file name or as a folder to copy them from. Written
 * into a temporary sibling folder and renamed over `dir` at the end.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights, saveCheckpoint } from "./checkpoint.ts";
 * // A tiny BERT on bert-base-uncased's vocabulary, saved with that tokenizer's files.
 * const config = createConfig({ family: "bert", hiddenSize: 8, numHeads: 2, numLayers: 1,
 *   labels: ["O", "B-PER"] });
 * const dir = await Deno.makeTempDir();
 * await saveCheckpoint(`${dir}/tiny-bert`, config, initWeights(config, 0),
 *   "../shared/data/tokenizers/bert-base-uncased");
 * assert.deepEqual([...Deno.readDirSync(`${dir}/tiny-bert`)].map((e) => e.name).sort(), [
 *   "config.json",
 *   "model.safetensors",
 *   "special_tokens_map.json",
 *   "tokenizer.json",
 *   "tokenizer_config.json",
 *   "vocab.txt",
 * ]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function saveCheckpoint(
  dir: string,
  config: ModelConfig,
  tensors: TensorMap,
  tokenizerFiles: string | Record<string, string | Uint8Array> = {},
): Promise<void> {
  const target = dir.replace(/\/+$/, "");
  const shapes = parameterShapes(config);
  const ordered: TensorMap = new Map();
  for (const [name, shape] of shapes) {
    const t = tensors.get(name);
    if (!t) throw new Error(`saveCheckpoint(${target}): tensor "${name}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `saveCheckpoint(${target}): tensor "${name}" has shape ${
          JSON.stringify(t.shape)
        }, expected ${JSON.stringify(shape)}`,
      );
    }
    ordered.set(name, t);
  }
  const files: Record<string, string | Uint8Array> = {};
  if (typeof tokenizerFiles === "string") {
    for (const f of TOKENIZER_FILES) {
      if (await isFile(`${tokenizerFiles}/${f}`)) {
        files[f] = await Deno.readFile(`${tokenizerFiles}/${f}`);
      }
    }
  } else Object.assign(files, tokenizerFiles);
  await replaceFolder(target, async (tmp) => {
    await Deno.writeTextFile(
      `${tmp}/config.json`,
      JSON.stringify(configToJson(config), null, 2) + "\n",
    );
    await Deno.writeFile(`${tmp}/model.safetensors`, encodeSafetensors(ordered));
    for (const [name, content] of Object.entries(files)) {
      if (!/^[\w.-]+$/.test(name)) throw new Error(`saveCheckpoint: "${name}" is not a file name`);
      if (typeof content === "string") await Deno.writeTextFile(`${tmp}/${name}`, content);
      else await Deno.writeFile(`${tmp}/${name}`, content);
    }
  });
}

/**
 * Writes a folder whole: `fill` writes into a new temporary folder beside `target`, which
 * then takes its place (a folder already there is moved aside, then removed); on an error
 * the temporary folder goes and `target` is left as it was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { replaceFolder } from "./checkpoint.ts";
 * const dir = await Deno.makeTempDir();
 * await replaceFolder(`${dir}/out`, (tmp) => Deno.writeTextFile(`${tmp}/a.txt`, "1"));
 * await assert.rejects(replaceFolder(`${dir}/out`, () => Promise.reject(new Error("no"))));
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["out"]);
 * assert.equal(Deno.readTextFileSync(`${dir}/out/a.txt`), "1");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function replaceFolder(
  target: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const parent = target.includes("/") ? target.slice(0, target.lastIndexOf("/")) || "/" : ".";
  await Deno.mkdir(parent, { recursive: true });
  const tmp = `${target}.tmp-${crypto.randomUUID()}`;
  await Deno.mkdir(tmp);
  try {
    await fill(tmp);
    let old: string | null = null;
    if (await isDir(target)) {
      old = `${target}.old-${crypto.randomUUID()}`;
      await Deno.rename(target, old);
    }
    await Deno.rename(tmp, target);
    if (old) await Deno.remove(old, { recursive: true });
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}
