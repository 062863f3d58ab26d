/**
 * Fine-tuning for token classification: the classifier (model, tokenizer and labels
 * together), the training loop, evaluation and prediction, batching, the learning-rate
 * schedule and progress display.
 *
 * @example
 * ```ts
 * import { createTokenClassifier, evaluate, fineTune } from "./mod.ts";
 * import { loadDataset } from "../corpus/mod.ts";
 * const docs = await loadDataset("grobid-acknowledgements");
 * const clf = await createTokenClassifier({ source: "random", family: "bert", numLayers: 2,
 *   hiddenSize: 128, numHeads: 2, entityTypes: ["ORG", "PERSON"], tokenizer: "bert-base-uncased" });
 * await fineTune(clf, docs.slice(0, 50), { epochs: 1 });
 * console.log((await evaluate(clf, docs.slice(50, 70))).micro.f1);
 * ```
 *
 * @module
 */
export {
  type ClassifierOptions,
  createTokenClassifier,
  releaseClassifier,
  saveModel,
  type TokenClassifier,
} from "./classifier.ts";
export { fineTune, type FineTuneOptions, type FineTuneResult } from "./fine_tune.ts";
export { evaluate, evaluateExamples, predict, type PredictedSpan } from "./predict.ts";
export { type EntityScores, type Evaluation, scorePredictions } from "./evaluate.ts";
export {
  type Batch,
  type Example,
  lengthGroupedBatches,
  padBatch,
  sequentialBatches,
} from "./batches.ts";
export { linearSchedule } from "./schedule.ts";
export {
  createProgress,
  formatDuration,
  type Progress,
  type ProgressInfo,
  type ProgressOptions,
  type ProgressOutput,
} from "./progress.ts";
