/**
 * Fine-tuning a token classifier on annotated documents: the documents are split into
 * sentences and words, tagged, aligned to subwords (label on the first subtoken, or on
 * every subtoken with `labelAll`) and cut into windows of `maxLength`; then AdamW with linear warmup and decay, gradient
 * clipping at 1.0 and length-grouped batches in a seeded order, each training step one
 * GPU command buffer. Defaults are those of Hugging Face's token-classification
 * example (`run_ner.py` with Trainer defaults): learning rate 5e-5, 3 epochs, batch 16,
 * no weight decay, no warmup. The classifier then decodes each sentence's tags as a
 * whole (Viterbi under tag-bigram probabilities of the training documents; see the
 * `decoding` option). With `evalDocs`, it scores each epoch with seqeval's numbers, can
 * stop early and can end with the best epoch's weights, and warns (in the result, on the
 * progress line and once on the console) when the model it ends with predicts no entity
 * at all. Deterministic for a seed.
 *
 * @module
 */
import type { Doc } from "../core/types.ts";
import {
  restoreWeights,
  snapshotWeights,
  trainStep,
  type WeightSnapshot,
} from "../models/gpu_model.ts";
import { release } from "../gpu/tensor.ts";
import { type Example, lengthGroupedBatches } from "./batches.ts";
import { fitMaxLength, type TokenClassifier } from "./classifier.ts";
import { type EntityScores, warnIfNoEntities } from "./evaluate.ts";
import { warnOnce } from "../metrics/entities.ts";
import { encodeFor, evaluateExamples } from "./predict.ts";
import { linearSchedule } from "./schedule.ts";
import { decodeToTags } from "../encode/align.ts";
import { estimateTransitions } from "../tags/viterbi.ts";
import {
  createProgress,
  type Progress,
  type ProgressInfo,
  type ProgressOutput,
} from "./progress.ts";

/**
 * Options of {@link fineTune}.
 */
export type FineTuneOptions = {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Fraction of the steps spent warming up linearly from 0 (default 0). */
  warmupRatio?: number;
  /** AdamW's decoupled weight decay, not applied to biases and layer norms (default 0). */
  weightDecay?: number;
  maxGradNorm?: number;
  /** Subtokens per example, special tokens included (default 128; no more than the
   * model's positions take, see `fitMaxLength`). */
  maxLength?: number;
  /** Label every subtoken of a word (later ones with the `I-` tag) instead of the first
   * only (default false); evaluation and prediction then read the mean of a word's
   * subtokens' log-probabilities instead of its first subtoken's. */
  labelAll?: boolean;
  /** How the trained classifier turns scores into word tags (`classifier.decoding`):
   * `viterbi` (default), the best tag sequence of each sentence under tag-bigram
   * probabilities counted on `docs` (lib/tags/viterbi.ts), or `argmax`, word by word. */
  decoding?: "viterbi" | "argmax";
  /** Seed of the batch order (the dropout seed is the classifier's). */
  seed?: number;
  /** Documents scored after every epoch. */
  evalDocs?: readonly Doc[];
  /** Stop when the evaluation F1 has not improved for this many epochs (needs evalDocs). */
  earlyStoppingPatience?: number;
  /** End with the weights of the epoch whose evaluation F1 was best, the first of ties
   * (Hugging Face's `load_best_model_at_end`; needs evalDocs; default false: the last). */
  restoreBest?: boolean;
  /** Read the loss back every this many steps (each read waits on the GPU; default 10). */
  lossEvery?: number;
  /** Where the steps' bar goes (default "auto"), or a progress to draw it under, e.g. a
   * loop's `createProgress({ total: runs, label: "runs" })`: one display for all runs. */
  progress?: ProgressOutput | Progress;
  onProgress?: (info: ProgressInfo) => void;
  /** Called with each epoch's evaluation as soon as it is scored (needs evalDocs). */
  onEpoch?: (evaluation: FineTuneResult["evaluations"][number]) => void;
  /** Where the warnings of encoding go (a word truncated to fit a window, a `maxLength`
   * cut down to the model's positions), each starting with "fineTune: "; default: the
   * console, once per distinct message. They are in the result's `warnings` too. */
  onWarning?: (message: string) => void;
};

/**
 * What {@link fineTune} did.
 */
export type FineTuneResult = {
  examples: number;
  steps: number;
  epochs: number;
  trainMs: number;
  losses: { step: number; loss: number }[];
  evaluations: {
    epoch: number;
    micro: EntityScores;
    byType: Record<string, EntityScores>;
    predictedEntities: number;
  }[];
  stoppedEarly: boolean;
  /** The epoch with the best evaluation F1 (0 without evalDocs). */
  bestEpoch: number;
  /** Entities the returned model predicts in evalDocs (absent without evalDocs). */
  predictedEntities?: number;
  /** E.g. a word truncated to fit a window, or that the returned model predicts no
   * entity in evalDocs. */
  warnings: string[];
};

/**
 * Fine-tunes `classifier` in place on `docs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { fineTune } from "./fine_tune.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * const result = await fineTune(classifier, docs, { epochs: 3, evalDocs: docs });
 * assert.equal(result.steps, 3); // one sentence: one batch per epoch
 * assert.deepEqual(result.evaluations.map((e) => e.epoch), [1, 2, 3]);
 * assert.deepEqual(result.losses.map((l) => l.step), [3]); // read every 10 steps and at the end
 * // Three steps at the default learning rate teach a random model nothing yet:
 * assert.match(result.warnings[0], /^evalDocs, epoch 3: the model predicted no entity/);
 * ```
 */
export async function fineTune(
  classifier: TokenClassifier,
  docs: readonly Doc[],
  options: FineTuneOptions = {},
): Promise<FineTuneResult> {
  const epochs = options.epochs ?? 3;
  const batchSize = options.batchSize ?? 16;
  const seed = options.seed ?? 42;
  const lossEvery = Math.max(1, options.lossEvery ?? 10);
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new Error(`fineTune: epochs must be >= 1, got ${epochs}`);
  }
  for (const needs of ["earlyStoppingPatience", "restoreBest"] as const) {
    if (options[needs] !== undefined && !options.evalDocs) {
      throw new Error(`fineTune: ${needs} needs evalDocs`);
    }
  }
  const notes: string[] = [];
  const onWarning = (m: string) => {
    notes.push(m);
    (options.onWarning ?? warnOnce)(`fineTune: ${m}`);
  };
  const maxLength = fitMaxLength(classifier.config, options.maxLength, onWarning);
  const encoded = encodeFor(classifier, docs, maxLength, {
    labelAll: options.labelAll,
    onWarning,
  });
  if (encoded.length === 0) throw new Error("fineTune: the documents give no training examples");
  const examples: Example[] = encoded.map((e) => ({ inputIds: e.inputIds, labels: e.labels }));
  const { labels } = classifier;
  classifier.decoding = {
    words: options.labelAll ? "mean" : "first",
    transitions: (options.decoding ?? "viterbi") === "viterbi"
      ? estimateTransitions(
        decodeToTags(encoded, encoded.map((e) => e.labels), labels).map((s) => s.tags),
        labels,
      )
      : undefined,
  };
  // Encoded once: scored after every epoch.
  const evalExamples = options.evalDocs
    ? encodeFor(classifier, options.evalDocs, maxLength, { onWarning })
    : undefined;
  const stepsPerEpoch = Math.ceil(examples.length / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const warmupSteps = Math.ceil(totalSteps * (options.warmupRatio ?? 0));
  const progress = createProgress({
    total: totalSteps,
    label: "fine-tune",
    unit: "steps",
    ...typeof options.progress === "object"
      ? { parent: options.progress }
      : { output: options.progress },
    onProgress: options.onProgress,
  });
  const losses: FineTuneResult["losses"] = [];
  const evaluations: FineTuneResult["evaluations"] = [];
  const epochWarnings: string[][] = [];
  const start = performance.now();
  let step = 0, best = -Infinity, bestEpoch = 0, sinceBest = 0, stoppedEarly = false, epoch = 0;
  let bestWeights: WeightSnapshot | undefined;
  while (epoch < epochs && !stoppedEarly) {
    const batches = lengthGroupedBatches(examples, {
      batchSize,
      seed: seed + epoch,
      padId: classifier.tokenizer.padId,
    });
    for (const batch of batches) {
      const readLoss = (step + 1) % lossEvery === 0 || step + 1 === totalSteps;
      const loss = await trainStep(classifier.net, batch, {
        lr: linearSchedule(step, { peak: options.learningRate ?? 5e-5, warmupSteps, totalSteps }),
        weightDecay: options.weightDecay ?? 0,
        maxGradNorm: options.maxGradNorm ?? 1,
        readLoss,
      });
      step++;
      if (loss !== undefined) {
        if (!Number.isFinite(loss)) {
          throw new Error(`fineTune: the loss is ${loss} at step ${step}`);
        }
        losses.push({ step, loss });
      }
      progress.tick(1, loss === undefined ? undefined : { loss });
    }
    epoch++;
    if (evalExamples) {
      const e = await evaluateExamples(classifier, evalExamples);
      const { micro, byType, predictedEntities } = e;
      evaluations.push({ epoch, micro, byType, predictedEntities });
      epochWarnings.push(e.warnings);
      progress.note(e.warnings.length ? "no entity predicted" : "");
      progress.tick(0, { f1: micro.f1 });
      options.onEpoch?.(evaluations[evaluations.length - 1]);
      if (e.micro.f1 > best) {
        [best, bestEpoch, sinceBest] = [e.micro.f1, epoch, 0];
        if (options.restoreBest) bestWeights = await snapshotWeights(classifier.net, bestWeights);
      } else sinceBest++;
      stoppedEarly = options.earlyStoppingPatience !== undefined &&
        sinceBest >= options.earlyStoppingPatience;
    }
  }
  progress.finish();
  if (bestWeights) {
    if (bestEpoch !== epoch) await restoreWeights(classifier.net, bestWeights);
    release(bestWeights.decay);
    release(bestWeights.noDecay);
  }
  // The evaluation of the weights the classifier ends with.
  const last = (bestWeights ? bestEpoch : epoch) - 1;
  const final = evaluations[last];
  const warnings = [
    ...notes,
    ...(epochWarnings[last] ?? []).map((w) => `evalDocs, epoch ${last + 1}: ${w}`),
  ];
  if (final) warnIfNoEntities(final, "fineTune");
  return {
    examples: examples.length,
    steps: step,
    epochs: epoch,
    trainMs: performance.now() - start,
    losses,
    evaluations,
    stoppedEarly,
    bestEpoch,
    ...final && { predictedEntities: final.predictedEntities },
    warnings,
  };
}
