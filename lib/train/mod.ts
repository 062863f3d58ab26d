/**
 * Fine-tuning for token classification: the classifier (model, tokenizer and labels
 * together), the training loop, evaluation and prediction, export to ONNX for
 * transformers.js and onnxruntime-web, batching, the learning-rate schedule and progress
 * display.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier, evaluate, fineTune, predict } from "./mod.ts";
 * // A tiny BERT with random weights, no dropout, learns one sentence by heart.
 * const clf = await createTokenClassifier({ source: "random", family: "bert", hiddenSize: 8,
 *   numLayers: 1, numHeads: 2, hiddenDropout: 0, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * await fineTune(clf, docs, { epochs: 30, learningRate: 1e-2 });
 * assert.equal((await evaluate(clf, docs)).micro.f1, 1);
 * const [spans] = await predict(clf, ["We thank Dr. Niswender and the NIH."]);
 * assert.deepEqual(spans.map((s) => s.label), ["PERSON", "ORG"]);
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
export { exportOnnx, type ExportOnnxOptions } from "./export_onnx.ts";
export { fineTune, type FineTuneOptions, type FineTuneResult } from "./fine_tune.ts";
export { evaluate, evaluateExamples, predict, type PredictedSpan } from "./predict.ts";
export {
  encodeTexts,
  type ExportedModel,
  predictExported,
  readExported,
  scoredSpans,
} from "./predict_text.ts";
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
