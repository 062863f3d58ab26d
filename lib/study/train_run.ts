/**
 * One run of a study: build the run's model (fresh, from its spec, initialised with the
 * run's seed), fine-tune it on the subsample's documents with the same seed (the study's
 * seed + the replicate), score it on the held-out test documents with seqeval's numbers,
 * and return the line for the results file, which records the seed and, when there were
 * any, the warnings of training and scoring (a clamped `maxLength`, a word cut to fit, a
 * model that predicted no entity).
 *
 * @module
 */
import type { Doc } from "../core/types.ts";
import {
  createTokenClassifier,
  releaseClassifier,
  type TokenClassifier,
} from "../train/classifier.ts";
import { fineTune } from "../train/fine_tune.ts";
import { evaluate } from "../train/predict.ts";
import { labelsOf } from "../tags/labels.ts";
import type { ProgressOutput } from "../train/progress.ts";
import type { RunResult } from "./results.ts";
import type { PreparedStudy, RunSpec } from "./prepare.ts";
import type { StudyRun } from "./execute.ts";
import { runHash } from "./provenance.ts";
import type { StepPack } from "../gpu/step_pack.ts";

/**
 * Options of {@link createRunExecutor}.
 */
export type RunExecutorOptions = {
  /** Called after each training step. */
  onStep?: () => void;
  /** Where each run's bar of training steps goes (default "none": the study draws its own). */
  progress?: ProgressOutput;
  /** Called with the run's new classifier before it trains (may throw to refuse the run). */
  onCreated?: (classifier: TokenClassifier) => void | Promise<void>;
  /** Called with the trained and scored classifier before its GPU memory is released
   * (`deno task study export` exports it here). */
  onTrained?: (classifier: TokenClassifier) => void | Promise<void>;
  /** Runs executed at once step together in this pack (`lib/gpu/step_pack.ts`): their
   * steps share one command buffer, each operation one dispatch for all of them. */
  pack?: StepPack;
};

/**
 * A function that trains and scores one run of a prepared study.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadDataset } from "../corpus/dataset.ts";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * import { runHash } from "./provenance.ts";
 * import { createRunExecutor } from "./train_run.ts";
 * // the default study made tiny: 20 documents, 4 of them held out, one subsample of 5-10
 * // sentences, a one-layer BERT 8 wide, one epoch (about a second on lavapipe)
 * const docs = (await loadDataset("grobid-acknowledgements")).slice(0, 20);
 * const prepared = await prepareStudy({
 *   ...DEFAULT_STUDY,
 *   test: { size: 4 },
 *   plan: { count: 1, sizes: [[5, 10]], unit: "sentences", design: "random" },
 *   models: [{ name: "tiny", source: "random", family: "bert", hiddenSize: 8, numLayers: 1,
 *     numHeads: 2, intermediateSize: 16, tokenizer: "bert-base-uncased" }],
 *   training: { ...DEFAULT_STUDY.training, epochs: 1, maxLength: 64 },
 * }, { docs });
 * const execute = createRunExecutor(prepared);
 * const run = prepared.runs[0];
 * const result = await execute(run); // trains on WebGPU, scores on the 4 test documents
 * assert.equal(result.runId, "s1/tiny");
 * assert.equal(result.sentences, run.spec.subsample.sentences);
 * assert.equal(result.seed, 1); // the study's seed + the replicate (0)
 * assert.equal(result.studyHash, await runHash(prepared.config, run.spec.model));
 * assert.ok(result.micro.f1 >= 0 && result.micro.f1 <= 1); // entity-level micro F1
 * ```
 */
export function createRunExecutor(
  prepared: PreparedStudy,
  options: RunExecutorOptions = {},
): (run: StudyRun<RunSpec>) => Promise<RunResult> {
  const byId = new Map<string, Doc>(prepared.train.map((d) => [d.id, d]));
  const entityTypes = labelsOf(prepared.docs);
  const { training } = prepared.config;
  return async (run) => {
    const { subsample, model, seed } = run.spec;
    const docs = subsample.docIds.map((id) => {
      const d = byId.get(id);
      if (!d) {
        throw new Error(
          `run ${run.runId}: document "${id}" of the plan is not in the training pool`,
        );
      }
      return d;
    });
    const start = performance.now();
    const member = options.pack?.join();
    let classifier: TokenClassifier;
    try {
      classifier = await createTokenClassifier({
        ...model,
        entityTypes,
        scheme: training.scheme,
        seed,
        member,
      });
    } catch (e) {
      member?.leave();
      throw e;
    }
    try {
      await options.onCreated?.(classifier);
      const trained = await fineTune(classifier, docs, {
        epochs: training.epochs,
        batchSize: training.batchSize,
        learningRate: training.learningRate,
        warmupRatio: training.warmupRatio,
        weightDecay: training.weightDecay,
        maxGradNorm: training.maxGradNorm,
        maxLength: training.maxLength,
        decoding: training.decoding,
        seed,
        progress: options.progress ?? "none",
        onProgress: options.onStep,
      });
      const scores = await evaluate(classifier, prepared.test, { maxLength: training.maxLength });
      await options.onTrained?.(classifier);
      const warnings = [
        ...trained.warnings.map((w) => `fineTune: ${w}`),
        ...scores.warnings.map((w) => `evaluate: ${w}`),
      ];
      return {
        runId: run.runId,
        studyHash: await runHash(prepared.config, model),
        model: model.name,
        subsample: subsample.id,
        documents: subsample.documents,
        sentences: subsample.sentences,
        entities: subsample.entities,
        eps: subsample.eps,
        micro: scores.micro,
        byType: scores.byType,
        predictedEntities: scores.predictedEntities,
        trainMs: Math.round(performance.now() - start),
        steps: trained.steps,
        finalLoss: trained.losses.at(-1)?.loss ?? null,
        seed,
        finishedAt: new Date().toISOString(),
        device: `${classifier.net.gpu.adapterName} (${classifier.net.gpu.backend})`,
        ...(warnings.length > 0 ? { warnings } : {}),
      };
    } finally {
      releaseClassifier(classifier);
      member?.leave();
    }
  };
}
