/**
 * Running a token classifier: logits for encoded examples (batched, grouped by
 * length, one GPU wait per batch), evaluation against gold spans with seqeval's
 * numbers, and prediction of character spans with scores for new texts.
 *
 * @module
 */
import type { Doc } from "../core/types.ts";
import { type Encoded, encodeDocs } from "../encode/align.ts";
import { predictLogits } from "../models/gpu_model.ts";
import { sequentialBatches } from "./batches.ts";
import { fitMaxLength, type TokenClassifier } from "./classifier.ts";
import { type Evaluation, scorePredictions, warnIfNoEntities } from "./evaluate.ts";
import { warnOnce } from "../metrics/entities.ts";
import { encodeTexts, type PredictedSpan, scoredSpans } from "./predict_text.ts";

/** Batches whose logits may be awaited at once. */
const IN_FLIGHT = 8;

/**
 * Logits of each example (`[length, labels]` flat), in the examples' order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { encodeFor, exampleLogits } from "./predict.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const examples = encodeFor(classifier, [{ id: "a", text: "We thank the NIH.", spans: [] }]);
 * const [logits] = await exampleLogits(classifier, examples);
 * assert.equal(logits.length, examples[0].inputIds.length * classifier.labels.length);
 * ```
 */
export async function exampleLogits(
  classifier: TokenClassifier,
  examples: readonly Encoded[],
  o: { batchSize?: number } = {},
): Promise<Float32Array[]> {
  const nLabels = classifier.labels.length;
  const out: Float32Array[] = new Array(examples.length);
  const batches = sequentialBatches(examples, {
    batchSize: o.batchSize ?? 32,
    padId: classifier.tokenizer.padId,
  });
  // Batches are submitted without waiting for the previous one's logits (up to
  // IN_FLIGHT at once), so their waits on the GPU (~11 ms each) overlap.
  const inFlight: Promise<void>[] = [];
  for (const batch of batches) {
    const done = predictLogits(classifier.net, batch).then((logits) => {
      batch.examples.forEach((ex, row) => {
        const n = examples[ex].inputIds.length;
        const from = row * batch.length * nLabels;
        out[ex] = logits.slice(from, from + n * nLabels);
      });
    });
    done.catch(() => {}); // awaited below; this only keeps an early failure from being unhandled
    inFlight.push(done);
    if (inFlight.length >= IN_FLIGHT) await inFlight.shift();
  }
  await Promise.all(inFlight);
  return out;
}

/**
 * Encodes documents for a classifier (sentences, windows of `maxLength` subtokens,
 * default 128, cut down to what the model's positions take: `fitMaxLength`); with
 * `labelAll`, every subtoken of a word is labelled (later ones with the `I-` tag), not
 * only the first. Warnings (a word truncated to fit a window, a `maxLength` cut down) go
 * to `onWarning`, by default to the console once each.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { encodeFor } from "./predict.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * // [CLS] we thank dr . ni ##sw ##ende ##r and the ni ##h . [SEP]
 * assert.deepEqual(encodeFor(classifier, docs)[0].labels,
 *   [-100, 0, 0, 0, -100, 3, -100, -100, -100, 0, 0, 1, -100, 0, -100]);
 * assert.deepEqual(encodeFor(classifier, docs, 128, { labelAll: true })[0].labels,
 *   [-100, 0, 0, 0, 0, 3, 4, 4, 4, 0, 0, 1, 2, 0, -100]);
 * ```
 */
export function encodeFor(
  classifier: TokenClassifier,
  docs: readonly Doc[],
  maxLength?: number,
  o: { labelAll?: boolean; onWarning?: (message: string) => void } = {},
): Encoded[] {
  const onWarning = o.onWarning ?? ((m: string) => warnOnce(`encodeFor: ${m}`));
  return encodeDocs(docs, classifier.tokenizer, {
    labels: classifier.labels,
    scheme: classifier.scheme,
    maxLength: fitMaxLength(classifier.config, maxLength, onWarning),
    labelAll: o.labelAll,
    onWarning,
  });
}

/**
 * Options of {@link evaluate} and {@link predict}.
 */
export type RunOptions = {
  /** Subtokens per example, special tokens included (default 128; no more than the
   * model's positions take, see `fitMaxLength`). */
  maxLength?: number;
  batchSize?: number;
  /** Where warnings go (a word truncated to fit a window, a `maxLength` cut down to the
   * model's positions), each starting with the function's name; default: the console,
   * once per distinct message. */
  onWarning?: (message: string) => void;
};

/**
 * Scores a classifier on documents with gold spans: seqeval 1.2.2's entity-level
 * precision, recall and F1 (default mode), per type and averaged, and its report. A
 * model that predicts no entity at all gets a warning in the result
 * (`predictedEntities` 0) and, once per process, on the console. The warnings of
 * encoding (see {@link RunOptions}) are in the result's `warnings` too; every word is
 * scored, a truncated one by its first subtoken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { evaluate } from "./predict.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * const e = await evaluate(classifier, docs); // untrained: its F1 means nothing yet
 * assert.equal(e.micro.support, 2);
 * assert.match(e.report, /^ +precision +recall +f1-score +support\n/);
 * ```
 */
export async function evaluate(
  classifier: TokenClassifier,
  docs: readonly Doc[],
  o: RunOptions = {},
): Promise<Evaluation> {
  const notes: string[] = [];
  const onWarning = (m: string) => {
    notes.push(m);
    (o.onWarning ?? warnOnce)(`evaluate: ${m}`);
  };
  const examples = encodeFor(classifier, docs, o.maxLength, { onWarning });
  const e = await evaluateExamples(classifier, examples, o);
  warnIfNoEntities(e, "evaluate");
  return { ...e, warnings: [...notes, ...e.warnings] };
}

/**
 * Scores a classifier on examples already encoded with {@link encodeFor} (so that a loop
 * that evaluates every epoch encodes its documents once); warnings only in the result.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { encodeFor, evaluate, evaluateExamples } from "./predict.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * const dev = encodeFor(classifier, docs); // once, for many evaluations
 * const e = await evaluateExamples(classifier, dev);
 * assert.deepEqual(e.micro, (await evaluate(classifier, docs)).micro);
 * ```
 */
export async function evaluateExamples(
  classifier: TokenClassifier,
  examples: readonly Encoded[],
  o: { batchSize?: number } = {},
): Promise<Evaluation> {
  const logits = await exampleLogits(classifier, examples, o);
  return scorePredictions(examples, logits, { labels: classifier.labels, ...classifier.decoding });
}

export type { PredictedSpan } from "./predict_text.ts";

/**
 * Predicts entity spans in texts (or documents, whose spans are ignored), batched, decoded
 * as the classifier's `decoding` says. Every word gets a tag, a word truncated to fit a
 * window (a warning, see {@link RunOptions}) by its first subtoken.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { fineTune } from "./fine_tune.ts";
 * import { predict } from "./predict.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, hiddenDropout: 0,
 *   entityTypes: ["ORG", "PERSON"], tokenizer: "bert-base-uncased" });
 * const text = "We thank Dr. Niswender and the NIH.";
 * const docs = [{ id: "a", text, spans: [{ start: 13, end: 22, label: "PERSON" },
 *   { start: 31, end: 34, label: "ORG" }] }];
 * await fineTune(classifier, docs, { epochs: 30, learningRate: 1e-2 }); // learns it by heart
 * const [spans] = await predict(classifier, [text]);
 * assert.deepEqual(spans.map(({ start, end, label }) => ({ start, end, label })),
 *   [{ start: 13, end: 22, label: "PERSON" }, { start: 31, end: 34, label: "ORG" }]);
 * assert.ok(spans.every((s) => s.score > 0 && s.score <= 1));
 * ```
 */
export async function predict(
  classifier: TokenClassifier,
  texts: readonly (string | Doc)[],
  o: RunOptions = {},
): Promise<PredictedSpan[][]> {
  const onWarning = (m: string) => (o.onWarning ?? warnOnce)(`predict: ${m}`);
  const maxLength = fitMaxLength(classifier.config, o.maxLength, onWarning);
  const { tokenizer, labels, scheme, decoding } = classifier;
  const examples = encodeTexts(texts, { tokenizer, labels, scheme, maxLength, onWarning });
  const logits = await exampleLogits(classifier, examples, o);
  return scoredSpans(examples, logits, texts.length, { labels, scheme, decoding });
}
