/**
 * The model a study recommends, ready to use: one of the study's models trained as the
 * study's runs train (train_run.ts: same seed, epochs, learning rate, batches, decoding),
 * but on the whole training pool (every document but the held-out test set, split as the
 * study splits it), scored on the test set with the study's `evaluate`, and exported with
 * `exportOnnx` to a folder transformers.js and onnxruntime-web load, with `export.json`
 * beside the model files saying what it is (`deno task study export`).
 *
 * @module
 */
import type { Doc } from "../core/types.ts";
import { docSizes } from "../corpus/stats.ts";
import { onnxUnsupported } from "../models/onnx.ts";
import { exportOnnx } from "../train/export_onnx.ts";
import type { EntityScores } from "../train/evaluate.ts";
import type { ProgressOutput } from "../train/progress.ts";
import type { Subsample } from "../sampling/plan.ts";
import type { ModelSpec } from "./config.ts";
import type { PreparedStudy } from "./prepare.ts";
import { writeTextAtomic } from "./results.ts";
import { createRunExecutor } from "./train_run.ts";

/**
 * Options of {@link exportStudyModel}.
 */
export type ExportStudyModelOptions = {
  /** The folder to write (an earlier export there is replaced; any other folder with
   * files in it is refused before training). */
  dir: string;
  /** The name of one of the study's models (default: the first). */
  model?: string;
  /** Also write the int8 graph `onnx/model_quantized.onnx`, which transformers.js loads
   * by default on its wasm device, so in a browser (default true). */
  quantize?: boolean;
  /** Where the bar of training steps goes (default "none"). */
  progress?: ProgressOutput;
};

/**
 * What {@link exportStudyModel} wrote to `export.json`: the model, the study (name and
 * `studyHash`, the hash its runs of this model carry), what it was trained on, its test
 * scores and the files written.
 */
export type StudyExport = {
  model: string;
  spec: ModelSpec;
  study: string;
  studyHash: string;
  seed: number;
  training: {
    documents: number;
    sentences: number;
    entities: number;
    eps: number;
    epochs: number;
    steps: number;
    finalLoss: number | null;
    trainMs: number;
  };
  test: {
    documents: number;
    sentences: number;
    micro: EntityScores;
    byType: Record<string, EntityScores>;
    predictedEntities: number;
  };
  files: string[];
  device: string;
  finishedAt: string;
};

/** The study's model named `name`, or its first. */
function chosenModel(prepared: PreparedStudy, name: string | undefined): ModelSpec {
  const { models } = prepared.config;
  if (name === undefined) return models[0];
  const found = models.find((m) => m.name === name);
  if (!found) {
    throw new Error(
      `exportStudyModel: study ${prepared.config.name} has no model "${name}"; its models: ${
        models.map((m) => m.name).join(", ")
      }`,
    );
  }
  return found;
}

/**
 * Refuses a folder `exportOnnx` would refuse (a file; a folder with other files in it and
 * no earlier export), so that the refusal comes before the training, not after it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkExportFolder } from "./export_model.ts";
 * const dir = await Deno.makeTempDir();
 * await checkExportFolder(`${dir}/export`); // new: fine
 * await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
 * await assert.rejects(checkExportFolder(dir), /is a folder with other files in it/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function checkExportFolder(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw new Error(`exportStudyModel: cannot write ${dir}: ${(e as Error).message}`);
  }
  if (!info.isDirectory) throw new Error(`exportStudyModel: ${dir} is a file, not a folder`);
  try {
    await Deno.stat(`${dir}/onnx/model.onnx`);
    return; // an earlier export: replaced
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  for await (const _ of Deno.readDir(dir)) {
    throw new Error(
      `exportStudyModel: ${dir} is a folder with other files in it and no onnx/model.onnx; ` +
        "give a new or empty folder, or an earlier export to replace",
    );
  }
}

/** The whole training pool as one subsample (id `pool`). */
function wholePool(train: readonly Doc[]): Subsample {
  const sizes = docSizes(train);
  const sentences = sizes.reduce((n, s) => n + s.sentences, 0);
  const entities = sizes.reduce((n, s) => n + s.entities, 0);
  return {
    id: "pool",
    range: [sentences, sentences],
    target: sentences,
    docIds: train.map((d) => d.id),
    documents: train.length,
    sentences,
    entities,
    eps: sentences > 0 ? entities / sentences : 0,
  };
}

/**
 * Trains one of a prepared study's models on its whole training pool (the study's seed
 * and training settings), scores it on the study's test documents, and exports it to
 * `dir` with `exportOnnx` (int8 too unless `quantize: false`) and `export.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDataset } from "../corpus/dataset.ts";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * import { exportStudyModel } from "./export_model.ts";
 * // 20 documents, 4 held out; a one-layer BERT 8 wide, one epoch (about a second)
 * const docs = (await loadDataset("grobid-acknowledgements")).slice(0, 20);
 * const prepared = await prepareStudy({
 *   ...DEFAULT_STUDY,
 *   test: { size: 4 },
 *   plan: { count: 1, sizes: [[5, 10]], unit: "sentences", design: "random" },
 *   models: [{ name: "tiny", source: "random", family: "bert", hiddenSize: 8, numLayers: 1,
 *     numHeads: 2, intermediateSize: 16, tokenizer: "bert-base-uncased" }],
 *   training: { ...DEFAULT_STUDY.training, epochs: 1, maxLength: 64 },
 * }, { docs });
 * const dir = await Deno.makeTempDir();
 * const said = await exportStudyModel(prepared, { dir: `${dir}/export` });
 * assert.equal(said.training.documents, 16); // all but the 4 test documents
 * assert.deepEqual(said.files, ["onnx/model.onnx", "onnx/model_quantized.onnx"]);
 * const json = JSON.parse(await Deno.readTextFile(`${dir}/export/export.json`));
 * assert.equal(json.test.micro.f1, said.test.micro.f1);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportStudyModel(
  prepared: PreparedStudy,
  options: ExportStudyModelOptions,
): Promise<StudyExport> {
  const { config } = prepared;
  const spec = chosenModel(prepared, options.model);
  const dir = options.dir.replace(/(?<=.)\/+$/, "");
  await checkExportFolder(dir);
  const quantize = options.quantize ?? true;
  const files = ["onnx/model.onnx", ...(quantize ? ["onnx/model_quantized.onnx"] : [])];
  const subsample = wholePool(prepared.train);
  const execute = createRunExecutor(prepared, {
    progress: options.progress,
    onCreated: (classifier) => {
      const reason = onnxUnsupported(classifier.config);
      if (reason) throw new Error(`exportStudyModel: model ${spec.name}: ${reason}`);
    },
    onTrained: (classifier) => exportOnnx(classifier, dir, { quantize }),
  });
  const result = await execute({
    runId: `export/${spec.name}`,
    spec: { subsample, model: spec, replicate: 0, seed: config.seed },
  });
  const said: StudyExport = {
    model: spec.name,
    spec,
    study: config.name,
    studyHash: String(result.studyHash),
    seed: result.seed,
    training: {
      documents: subsample.documents,
      sentences: subsample.sentences,
      entities: subsample.entities,
      eps: subsample.eps,
      epochs: config.training.epochs,
      steps: result.steps,
      finalLoss: typeof result.finalLoss === "number" ? result.finalLoss : null,
      trainMs: result.trainMs,
    },
    test: {
      documents: prepared.test.length,
      sentences: docSizes(prepared.test).reduce((n, s) => n + s.sentences, 0),
      micro: result.micro,
      byType: result.byType,
      predictedEntities: Number(result.predictedEntities),
    },
    files,
    device: String(result.device),
    finishedAt: result.finishedAt,
  };
  await writeTextAtomic(`${dir}/export.json`, JSON.stringify(said, null, 2) + "\n");
  return said;
}
