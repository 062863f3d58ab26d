/**
 * Scoring a token classifier's predictions on encoded examples with seqeval's
 * entity-level numbers (default mode, as the paper and most NER papers report):
 * gold and predicted word tags come from the same examples (a word's gold tag is its
 * first subtoken's; its predicted tag as the decoding says), so both sides see the same
 * words and sentences. A model that predicts no entity at all (only O) scores 0 everywhere;
 * the evaluation says so in `warnings` rather than leave a silent F1 of 0.
 *
 * @module
 */
import type { Encoded, Prediction } from "../encode/align.ts";
import { decodeToTags, type TagDecoding } from "../encode/align.ts";
import { classificationReport, classificationReportDict } from "../metrics/report.ts";
import { extractEntities, warnOnce } from "../metrics/entities.ts";
import type { Scheme } from "../core/scheme.ts";

/**
 * Precision, recall, F1 and support (gold entities) of one type or an average.
 */
export type EntityScores = { precision: number; recall: number; f1: number; support: number };

/**
 * The scores of an evaluation, with the word-level tags they came from, the number of
 * entities predicted, and warnings (e.g. that the model predicted no entity at all).
 */
export type Evaluation = {
  micro: EntityScores;
  macro: EntityScores;
  byType: Record<string, EntityScores>;
  /** seqeval's text classification report. */
  report: string;
  yTrue: string[][];
  yPred: string[][];
  /** Entities in the predicted tags (as seqeval reads them in the evaluation's mode). */
  predictedEntities: number;
  warnings: string[];
};

/**
 * Scores predictions (label ids, score rows or flat logits per example) against the
 * examples' gold labels, with seqeval 1.2.2's `classification_report` numbers; scores
 * become word tags as `o`'s {@link TagDecoding} fields say (default: first-subtoken argmax).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Encoded } from "../encode/align.ts";
 * import { scorePredictions } from "./evaluate.ts";
 * // "NIH and NSF": two ORG entities, one subtoken per word.
 * const example: Encoded = { docId: "d1", sentence: 0, window: 0, wordOffset: 0,
 *   sentenceWords: 3, words: [{ start: 0, end: 3 }, { start: 4, end: 7 }, { start: 8, end: 11 }],
 *   inputIds: [1, 10, 11, 12, 2], attentionMask: [1, 1, 1, 1, 1],
 *   labels: [-100, 1, 0, 1, -100], wordIds: [null, 0, 1, 2, null] };
 * const labels = ["O", "B-ORG", "I-ORG"];
 * const e = scorePredictions([example], [[0, 1, 0, 0, 0]], { labels }); // finds NIH only
 * assert.deepEqual(e.micro, { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 });
 * assert.equal(scorePredictions([example], [example.labels], { labels }).micro.f1, 1);
 * ```
 */
export function scorePredictions(
  examples: readonly Encoded[],
  predictions: readonly Prediction[],
  o: TagDecoding & {
    labels: readonly string[];
    mode?: "default" | "strict";
    scheme?: Scheme;
    digits?: number;
  },
): Evaluation {
  const gold = decodeToTags(examples, examples.map((e) => e.labels), o.labels);
  const pred = decodeToTags(examples, predictions, o.labels, o);
  const yTrue = gold.map((s) => s.tags);
  const yPred = pred.map((s) => s.tags);
  // zero_division=0 as seqeval's default gives, without its warning for a model that predicts nothing.
  const options = {
    mode: o.mode,
    scheme: o.mode === "strict" ? o.scheme ?? "IOB2" : undefined,
    zeroDivision: 0 as const,
  };
  const dict = classificationReportDict(yTrue, yPred, options);
  const row = (name: string): EntityScores => {
    const r = dict[name];
    return { precision: r.precision, recall: r.recall, f1: r["f1-score"], support: r.support };
  };
  const averages = new Set(["micro avg", "macro avg", "weighted avg"]);
  const byType: Record<string, EntityScores> = {};
  for (const name of Object.keys(dict)) if (!averages.has(name)) byType[name] = row(name);
  const micro = row("micro avg");
  const predictedEntities = extractEntities(yPred, options).length;
  const warnings = predictedEntities === 0 && micro.support > 0
    ? [
      `the model predicted no entity in ${yPred.length} sentences with ${micro.support} ` +
      `gold entities: precision, recall and F1 are 0`,
    ]
    : [];
  return {
    micro,
    macro: row("macro avg"),
    byType,
    report: classificationReport(yTrue, yPred, { ...options, digits: o.digits ?? 4 }),
    yTrue,
    yPred,
    predictedEntities,
    warnings,
  };
}

/**
 * Warns on the console, once per process and caller, when an evaluation found gold
 * entities but the model predicted none (a model that has learnt only O).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { warnIfNoEntities } from "./evaluate.ts";
 * const said: string[] = [];
 * const warn = console.warn;
 * console.warn = (message: string) => said.push(message);
 * const e = { predictedEntities: 0, micro: { precision: 0, recall: 0, f1: 0, support: 3 } };
 * warnIfNoEntities(e, "myLoop");
 * warnIfNoEntities(e, "myLoop");
 * console.warn = warn;
 * assert.equal(said.length, 1); // the first time only
 * assert.match(said[0], /^myLoop: the model predicted no entity at all/);
 * ```
 */
export function warnIfNoEntities(
  e: Pick<Evaluation, "predictedEntities" | "micro">,
  caller: string,
): void {
  if (e.predictedEntities > 0 || e.micro.support === 0) return;
  warnOnce(
    `${caller}: the model predicted no entity at all, so its F1 is 0 (it may need more ` +
      `epochs, a higher learning rate or more documents); see warnings in the result. ` +
      `(Shown once.)`,
  );
}
