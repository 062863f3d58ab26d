/**
 * A study as a JSON file: dataset and label mapping, the held-out test split, the
 * subsample plan, the models and the training settings, and the seed. Everything a
 * rerun needs to draw the same splits and plans and to train the same way.
 * {@link parseStudyConfig} fills defaults and names the file and field of any error.
 *
 * @module
 */
import { basename, dirname, resolve } from "node:path";
import type { Scheme } from "../core/scheme.ts";
import { CORPUS_FORMATS, type ReadCorpusOptions } from "../corpus/read_corpus.ts";
import { checkLabel, CorpusError, type SkippedItem } from "../core/errors.ts";
import { nearestName } from "../corpus/nearest.ts";
import { FAMILIES, isModelFamily } from "../models/families/registry.ts";
import type { ModelFamily } from "../models/families/types.ts";

/**
 * Where a model comes from: `random` builds a fresh model of the given architecture
 * (random weights, transformers' initialisation); otherwise `source` is a local folder
 * in the Hugging Face layout or a Hub name `org/name`.
 */
export type ModelSpec = {
  name: string;
  source: string;
  family?: ModelFamily;
  hiddenSize?: number;
  numLayers?: number;
  numHeads?: number;
  /** Key/value heads of a random Llama or Qwen2 (grouped-query attention; default numHeads). */
  numKeyValueHeads?: number;
  intermediateSize?: number;
  maxPositions?: number;
  /** Tokenizer: a dataset asset name from data/manifest.json or a folder (default: the model's own). */
  tokenizer?: string;
};

/**
 * Fine-tuning settings (defaults as Hugging Face's token-classification example where
 * it has one: lr 5e-5, 3 epochs, batch 16, no weight decay, no warmup, clipping at 1.0).
 */
export type TrainingSettings = {
  epochs: number;
  batchSize: number;
  learningRate: number;
  warmupRatio: number;
  weightDecay: number;
  maxGradNorm: number;
  maxLength: number;
  scheme: Scheme;
  /** How scores become word tags: `viterbi` (default) or `argmax` (fineTune's `decoding`). */
  decoding: "viterbi" | "argmax";
};

/**
 * A corpus of one's own: a file (or brat folder) read with {@link readCorpus}'s options.
 * In a study file `path` is relative to that file; in a prepared study it is absolute
 * and `sha256` holds the corpus's checksum, so results of a changed corpus are refused.
 * With `invalid: "skip"` the lines the readers cannot read are left out, and the prepared
 * study lists them in `skipped` (file names relative to `path`; none for a single file),
 * so a published study shows what it left out.
 */
export type StudyData = Omit<ReadCorpusOptions, "report"> & {
  path: string;
  sha256?: string;
  skipped?: SkippedItem[];
};

/**
 * A whole study.
 */
export type StudyConfig = {
  name: string;
  /** A dataset of data/manifest.json (when `data` is not given). */
  dataset?: string;
  /** A corpus of one's own instead of `dataset`. */
  data?: StudyData;
  /** Label mapping instead of the dataset's default (element or type -> label, null drops). */
  labels?: Record<string, string | null>;
  test: { fraction?: number; size?: number; strata?: number };
  /**
   * The subsamples: `count` of them over the size ranges `sizes`. Each is trained
   * `replicates` times (default 1, then absent from the study), with training seeds
   * `seed`, `seed + 1`, ...: the spread across seeds on the same subsample.
   */
  plan: {
    count: number;
    sizes: [number, number][];
    unit: "sentences" | "documents";
    design: "random" | "eps-stratified";
    replicates?: number;
  };
  models: ModelSpec[];
  training: TrainingSettings;
  /**
   * Bootstrap replicates of the threshold; fewer runs of a model than `minRuns` are not
   * fitted. The planner's F1 `targets` (each in (0, 1); default: per model, the fitted F1
   * at the largest size sampled + 0.05) and the `cost` of annotating one sentence.
   */
  analysis: { bootstrap: number; minRuns: number; targets?: number[]; cost?: number };
  seed: number;
};

/**
 * The default study: the GROBID acknowledgements with PERSON and ORG, a fifth of the
 * documents held out, 40 subsamples from 20 to 600 sentences, one tiny BERT trained from
 * scratch. Sized to finish within about 15 minutes on a 2-core CPU machine (WebGPU on
 * lavapipe). A tiny model from random weights needs a larger learning rate than
 * fine-tuning a pretrained one, and learns better with IOB1 training tags (B- only between
 * touching entities of a type, so long names are not cut at inner words; the entities
 * scored are the same in any scheme; see tools/grobid_f1.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY, parseStudyConfig } from "./config.ts";
 * // the same study with 10 subsamples instead of 40: a valid study as it is
 * const study = { ...DEFAULT_STUDY, plan: { ...DEFAULT_STUDY.plan, count: 10 } };
 * assert.deepEqual(parseStudyConfig(study), study);
 * ```
 */
export const DEFAULT_STUDY: StudyConfig = {
  name: "grobid-person-org-tiny-bert",
  dataset: "grobid-acknowledgements",
  test: { fraction: 0.2 },
  plan: {
    count: 40,
    sizes: [[20, 150], [150, 300], [300, 450], [450, 600]],
    unit: "sentences",
    design: "random",
  },
  models: [{
    name: "tiny-bert",
    source: "random",
    family: "bert",
    hiddenSize: 128,
    numLayers: 2,
    numHeads: 2,
    intermediateSize: 512,
    maxPositions: 512,
    // GPT-2's cased byte-level BPE: on the same 40 runs mean F1 0.199 vs 0.167 with
    // bert-base-uncased (higher in 25, lower in 12; paired t = 3.5)
    tokenizer: "gpt2",
  }],
  training: {
    epochs: 3,
    batchSize: 16,
    learningRate: 3e-3,
    warmupRatio: 0.1,
    weightDecay: 0.01,
    maxGradNorm: 1,
    maxLength: 128,
    scheme: "IOB1",
    decoding: "viterbi",
  },
  analysis: { bootstrap: 1000, minRuns: 10 },
  seed: 1,
};

const SCHEMES = ["IOB1", "IOB2", "IOE1", "IOE2", "IOBES", "BILOU"];
const MODEL_FIELDS = [
  "name",
  "source",
  "family",
  "hiddenSize",
  "numLayers",
  "numHeads",
  "numKeyValueHeads",
  "intermediateSize",
  "maxPositions",
  "tokenizer",
];

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * "unknown field", with the nearest allowed key when one is close (a typo).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownField } from "./config.ts";
 * assert.equal(unknownField("fractoin", ["fraction", "size", "strata"]),
 *   'unknown field (did you mean "fraction"?)');
 * ```
 */
export function unknownField(key: string, allowed: readonly string[]): string {
  const near = nearestName(key, allowed);
  return near
    ? `unknown field (did you mean "${near}"?)`
    : `unknown field (known: ${allowed.join(", ")})`;
}

/**
 * Validates a study (parsed JSON), filling defaults from {@link DEFAULT_STUDY}; errors
 * name the file and the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY, parseStudyConfig } from "./config.ts";
 * const study = parseStudyConfig(JSON.parse('{ "plan": { "count": 10 } }'), "study.json");
 * assert.equal(study.plan.count, 10);
 * assert.deepEqual(study.models, DEFAULT_STUDY.models); // what the file leaves out
 * assert.throws(() => parseStudyConfig({ plan: { cuont: 10 } }, "study.json"),
 *   /^Error: study.json: plan.cuont: unknown field \(did you mean "count"\?\)$/);
 * ```
 */
export function parseStudyConfig(
  json: unknown,
  file = "study.json",
  opts: {
    defaultName?: string;
    baseDir?: string;
    /** Fields set by command-line flags (`plan.count` -> `--count`): their errors name the flag. */
    flags?: Record<string, string>;
  } = {},
): StudyConfig {
  const fail = (field: string, what: string): never => {
    const flag = opts.flags?.[field];
    throw new Error(flag ? `${flag}: ${what}` : `${file}: ${field}: ${what}`);
  };
  const strict = (v: Json, allowed: readonly string[], path: string) => {
    for (const k of Object.keys(v)) {
      if (!allowed.includes(k)) fail(path ? `${path}.${k}` : k, unknownField(k, allowed));
    }
  };
  if (!isObject(json)) fail("(top level)", "expected a JSON object");
  const j = json as Json;
  strict(j, Object.keys(DEFAULT_STUDY).concat(["data", "labels", "$schema", "description"]), "");
  const section = <T extends object>(name: string, defaults: T): T => {
    const v = j[name];
    if (v === undefined) return defaults;
    if (!isObject(v)) return fail(name, "expected an object");
    strict(v, Object.keys(defaults), name);
    return { ...defaults, ...v } as T;
  };
  const positive = (field: string, v: unknown, integer = false) => {
    if (typeof v !== "number" || !(v > 0) || (integer && !Number.isInteger(v))) {
      fail(
        field,
        `expected a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(v)}`,
      );
    }
  };
  const nonNegative = (field: string, v: unknown) => {
    if (typeof v !== "number" || !(v >= 0)) {
      fail(field, `expected a number >= 0, got ${JSON.stringify(v)}`);
    }
  };

  const data = j.data === undefined ? undefined : parseData(j.data, fail, opts.baseDir);
  const name = j.name ?? opts.defaultName ??
    (data ? corpusName(data.path) : DEFAULT_STUDY.name);
  if (typeof name !== "string" || name === "") fail("name", "expected a non-empty string");
  if (data && j.dataset !== undefined) fail("dataset", "give dataset or data, not both");
  const dataset = data ? undefined : j.dataset ?? DEFAULT_STUDY.dataset;
  if (!data && (typeof dataset !== "string" || dataset === "")) {
    fail("dataset", "expected a dataset name");
  }
  if (j.labels !== undefined && !isObject(j.labels)) fail("labels", "expected an object");
  if (data && j.labels !== undefined) fail("labels", "give the labels inside data");

  const testIn = j.test === undefined ? DEFAULT_STUDY.test : j.test;
  if (!isObject(testIn)) fail("test", "expected an object");
  strict(testIn as Json, ["fraction", "size", "strata"], "test");
  const test = { ...(testIn as StudyConfig["test"]) };
  if (test.fraction === undefined && test.size === undefined) test.fraction = 0.2;
  if (test.fraction !== undefined && test.size !== undefined) {
    fail("test", "give fraction or size, not both");
  }
  if (test.fraction !== undefined && !(test.fraction > 0 && test.fraction < 1)) {
    fail("test.fraction", `expected a number in (0, 1), got ${test.fraction}`);
  }
  if (test.size !== undefined) positive("test.size", test.size, true);

  const plan = section<StudyConfig["plan"]>("plan", { ...DEFAULT_STUDY.plan, replicates: 1 });
  positive("plan.count", plan.count, true);
  positive("plan.replicates", plan.replicates, true);
  // one replicate is the study as it was before replicates: not written, not hashed
  if (plan.replicates === 1) delete plan.replicates;
  if (!Array.isArray(plan.sizes) || plan.sizes.length === 0) {
    fail("plan.sizes", "expected [[min, max], ...]");
  }
  plan.sizes.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== 2 || !(r[0] >= 1) || !(r[1] >= r[0])) {
      fail(
        `plan.sizes[${i}]`,
        `expected [min, max] with 1 <= min <= max, got ${JSON.stringify(r)}`,
      );
    }
  });
  if (!["sentences", "documents"].includes(plan.unit)) {
    fail("plan.unit", `unknown unit "${plan.unit}"`);
  }
  if (!["random", "eps-stratified"].includes(plan.design)) {
    fail("plan.design", `unknown design "${plan.design}"`);
  }

  const modelsIn = j.models ?? DEFAULT_STUDY.models;
  if (!Array.isArray(modelsIn) || modelsIn.length === 0) {
    fail("models", "expected a non-empty array");
  }
  const names = new Set<string>();
  const models = (modelsIn as unknown[]).map((m, i) => {
    if (!isObject(m)) return fail(`models[${i}]`, "expected an object");
    strict(m, MODEL_FIELDS, `models[${i}]`);
    if (typeof m.name !== "string" || !/^[\w.-]+$/.test(m.name)) {
      fail(`models[${i}].name`, "expected a name of letters, digits, '.', '_' or '-'");
    }
    if (names.has(m.name as string)) fail(`models[${i}].name`, `"${m.name}" appears twice`);
    names.add(m.name as string);
    if (typeof m.source !== "string" || m.source === "") {
      fail(`models[${i}].source`, "expected a string");
    }
    if (m.source === "random" && !isModelFamily(m.family)) {
      fail(
        `models[${i}].family`,
        `a random model needs one of the families ${Object.keys(FAMILIES).join(", ")}`,
      );
    }
    if (m.source === "random" && (typeof m.tokenizer !== "string" || m.tokenizer === "")) {
      fail(
        `models[${i}].tokenizer`,
        'a random model needs a tokenizer: a folder, or an asset of data/manifest.json ("bert-base-uncased", "gpt2")',
      );
    }
    const sizes = ["hiddenSize", "numLayers", "numHeads", "numKeyValueHeads", "intermediateSize"];
    for (const k of [...sizes, "maxPositions"]) {
      if (m[k] !== undefined) positive(`models[${i}].${k}`, m[k], true);
    }
    return m as ModelSpec;
  });

  const training = section("training", DEFAULT_STUDY.training);
  positive("training.epochs", training.epochs, true);
  positive("training.batchSize", training.batchSize, true);
  positive("training.learningRate", training.learningRate);
  positive("training.maxLength", training.maxLength, true);
  positive("training.maxGradNorm", training.maxGradNorm);
  nonNegative("training.weightDecay", training.weightDecay);
  if (!(training.warmupRatio >= 0 && training.warmupRatio < 1)) {
    fail("training.warmupRatio", `expected a number in [0, 1), got ${training.warmupRatio}`);
  }
  if (!SCHEMES.includes(training.scheme)) {
    fail("training.scheme", `unknown scheme "${training.scheme}"`);
  }
  if (!["viterbi", "argmax"].includes(training.decoding)) {
    fail(
      "training.decoding",
      `expected "viterbi" or "argmax", got ${JSON.stringify(training.decoding)}`,
    );
  }

  const analysis = section(
    "analysis",
    {
      ...DEFAULT_STUDY.analysis,
      targets: undefined,
      cost: undefined,
    } as StudyConfig["analysis"],
  );
  nonNegative("analysis.bootstrap", analysis.bootstrap);
  positive("analysis.minRuns", analysis.minRuns, true);
  if (analysis.targets === undefined) delete analysis.targets;
  else if (!Array.isArray(analysis.targets) || analysis.targets.length === 0) {
    fail(
      "analysis.targets",
      `expected F1 values like [0.8, 0.85], got ${JSON.stringify(analysis.targets)}`,
    );
  } else {
    analysis.targets.forEach((t, i) => {
      if (typeof t !== "number" || !(t > 0 && t < 1)) {
        fail(
          "analysis.targets",
          `target ${i + 1}: expected an F1 in (0, 1), got ${JSON.stringify(t)}`,
        );
      }
    });
  }
  if (analysis.cost === undefined) delete analysis.cost;
  else positive("analysis.cost", analysis.cost);
  const seed = j.seed ?? DEFAULT_STUDY.seed;
  if (!Number.isSafeInteger(seed)) fail("seed", `expected an integer, got ${JSON.stringify(seed)}`);

  return {
    name: name as string,
    ...(data ? { data } : { dataset: dataset as string }),
    ...(j.labels ? { labels: j.labels as Record<string, string | null> } : {}),
    test,
    plan,
    models,
    training,
    analysis,
    seed: seed as number,
  };
}

/** A corpus file's base name without its extensions (`wikigold.conll.txt` -> `wikigold`). */
function corpusName(path: string): string {
  const base = basename(path);
  return base.replace(/(\.(conll|txt|iob2?|bio|tsv|jsonl?|xml|tei|ann))+$/i, "") || base;
}

/** Validates a study's `data` section; its path becomes absolute (relative to `baseDir`). */
function parseData(
  v: unknown,
  fail: (field: string, what: string) => never,
  baseDir = ".",
): StudyData {
  if (!isObject(v)) return fail("data", 'expected an object like { "path": "corpus.jsonl" }');
  const allowed = [
    "path",
    "format",
    "labels",
    "scheme",
    "documents",
    "invalid",
    "sha256",
    "skipped",
  ];
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) fail(`data.${k}`, unknownField(k, allowed));
  }
  if (typeof v.path !== "string" || v.path === "") fail("data.path", "expected a file path");
  const formats: readonly string[] = [...CORPUS_FORMATS, "label-studio"];
  if (v.format !== undefined && !formats.includes(v.format as string)) {
    fail(
      "data.format",
      `expected one of ${CORPUS_FORMATS.join(", ")}, got ${JSON.stringify(v.format)}`,
    );
  }
  if (v.labels !== undefined) {
    if (!isObject(v.labels)) fail("data.labels", "expected an object FROM -> TO (null drops)");
    for (const [k, to] of Object.entries(v.labels as Json)) {
      if (to === null) continue;
      let why = typeof to === "string" ? undefined : `got ${JSON.stringify(to)}`;
      try {
        if (!why) checkLabel(to as string, {});
      } catch (e) {
        if (!(e instanceof CorpusError)) throw e;
        why = e.detail;
      }
      if (why) fail(`data.labels.${k}`, `expected a label or null: ${why}`);
    }
  }
  if (v.scheme !== undefined && !SCHEMES.includes(v.scheme as string)) {
    fail("data.scheme", `unknown scheme ${JSON.stringify(v.scheme)}`);
  }
  const documents = ["auto", "docstart", "sentence", "file"];
  if (v.documents !== undefined && !documents.includes(v.documents as string)) {
    fail(
      "data.documents",
      `expected one of ${documents.join(", ")}, got ${JSON.stringify(v.documents)}`,
    );
  }
  if (v.invalid !== undefined && v.invalid !== "error" && v.invalid !== "skip") {
    fail("data.invalid", `expected "error" or "skip", got ${JSON.stringify(v.invalid)}`);
  }
  if (v.sha256 !== undefined && !/^[0-9a-f]{64}$/.test(v.sha256 as string)) {
    fail("data.sha256", "expected 64 lowercase hex digits");
  }
  if (v.skipped !== undefined) {
    if (v.invalid !== "skip") fail("data.skipped", 'recorded only with invalid: "skip"');
    if (!Array.isArray(v.skipped)) fail("data.skipped", "expected the list a study records");
    (v.skipped as unknown[]).forEach((s, i) => {
      if (!isObject(s) || typeof s.reason !== "string") {
        fail(`data.skipped[${i}]`, 'expected { "line": N, "reason": "..." } as a study records it');
      }
    });
  }
  return { ...v, path: resolve(baseDir, v.path as string) } as StudyData;
}

/**
 * Reads and validates a study file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readStudyConfig } from "./config.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/coi.study.json`,
 *   '{ "data": { "path": "coi.jsonl", "format": "doccano" } }');
 * const study = await readStudyConfig(`${dir}/coi.study.json`);
 * assert.equal(study.name, "coi"); // from the file's name
 * assert.equal(study.data?.path, `${dir}/coi.jsonl`); // relative to the study file
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readStudyConfig(path: string): Promise<StudyConfig> {
  let json: unknown;
  try {
    json = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`${path}: ${(e as Error).message}`);
  }
  const file = basename(path);
  return parseStudyConfig(json, path, {
    defaultName: file.replace(/(\.study)?\.json$/, ""),
    baseDir: dirname(path),
  });
}
