/**
 * Entity-level precision, recall and F1 with the numbers of seqeval 1.2.2
 * (`seqeval.metrics.precision_score`, `recall_score`, `f1_score` and
 * `precision_recall_fscore_support`): same entities (see {@link countEntities}), same
 * averages (micro, macro, weighted, or per type sorted by name), same zero-division
 * rule (0, 1, or `"warn"`: 0 with a warning, printed once per message), and the same
 * floating-point operations in the same order, numpy's pairwise summation included,
 * so results agree to the last bit.
 *
 * One deliberate difference: seqeval silently scores `mode="strict"` without a scheme
 * in default mode; here that is an error.
 *
 * @module
 */

import type { Scheme } from "../core/scheme.ts";
import { countEntities, type EntityCounts, type EntityMode, warnOnce } from "./entities.ts";

/**
 * How per-type scores are combined: `"micro"` (pool the counts), `"macro"` (plain mean
 * over types), `"weighted"` (mean weighted by gold support), or `null` (one score per
 * type, types sorted by name).
 */
export type Average = "micro" | "macro" | "weighted" | null;

/**
 * The value a score takes when its denominator is zero: 0, 1, or `"warn"` (0, and a
 * warning the first time).
 */
export type ZeroDivision = 0 | 1 | "warn";

/**
 * Options of the score functions, as in seqeval: `average` (default `"micro"`),
 * `mode` (`"default"` or `"strict"`), `scheme` (needed by strict mode) and
 * `zeroDivision` (default `"warn"`).
 */
export type ScoreOptions = {
  average?: Average;
  mode?: EntityMode;
  scheme?: Scheme;
  zeroDivision?: ZeroDivision;
};

/**
 * Precision, recall, F1 and support: numbers when averaged, arrays (one per type in
 * `labels`) when `average` is `null`. `labels` are the types found in either input.
 */
export type Scores = {
  labels: string[];
  precision: number | number[];
  recall: number | number[];
  f1: number | number[];
  support: number | number[];
};

/**
 * A metric whose zero division may warn (seqeval's `warn_for` entries).
 */
export type Metric = "precision" | "recall" | "f-score";

/** numpy's pairwise summation of a float64 array (what `ndarray.sum` does). */
function pairwiseSum(a: readonly number[], from: number, n: number): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[from + i];
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[from + j];
    let i = 8;
    for (; i < n - (n % 8); i += 8) {
      for (let j = 0; j < 8; j++) r[j] += a[from + i + j];
    }
    let res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
    for (; i < n; i++) res += a[from + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, from, n2) + pairwiseSum(a, from + n2, n - n2);
}

/** `np.average(values)` (NaN for an empty array) or `np.average(values, weights)`. */
function average(values: readonly number[], weights?: readonly number[]): number {
  if (weights === undefined) return pairwiseSum(values, 0, values.length) / values.length;
  const products = values.map((v, i) => v * weights[i]);
  return pairwiseSum(products, 0, products.length) / pairwiseSum(weights, 0, weights.length);
}

function warnPrf(modifier: string, msgStart: string, size: number) {
  const where = size === 1 ? "due to" : "in labels with";
  warnOnce(
    `UndefinedMetricWarning: ${msgStart} ill-defined and being set to 0.0 ${where} no ` +
      `${modifier} samples. Use \`zero_division\` parameter to control this behavior.`,
  );
}

/** sklearn / seqeval `_prf_divide`. */
function prfDivide(
  num: readonly number[],
  den: readonly number[],
  metric: Metric,
  modifier: string,
  warnFor: readonly Metric[],
  zeroDivision: ZeroDivision,
): number[] {
  let any = false;
  const zd = zeroDivision === 1 ? 1 : 0;
  const out = num.map((x, i) => {
    if (den[i] === 0) {
      any = true;
      return zd;
    }
    return x / den[i];
  });
  if (!any || zeroDivision !== "warn" || !warnFor.includes(metric)) return out;
  const title = metric === "precision" ? "Precision" : metric === "recall" ? "Recall" : "F-score";
  const msgStart = warnFor.includes("f-score") ? `${title} and F-score are` : `${title} is`;
  warnPrf(modifier, msgStart, out.length);
  return out;
}

function checkAverage(avg: unknown): asserts avg is Average {
  if (avg !== null && avg !== "micro" && avg !== "macro" && avg !== "weighted") {
    throw new Error(
      `average must be "micro", "macro", "weighted" or null, got ${JSON.stringify(avg)}`,
    );
  }
}

function checkZeroDivision(z: unknown): asserts z is ZeroDivision {
  if (z !== 0 && z !== 1 && z !== "warn") {
    throw new Error(`zeroDivision must be 0, 1 or "warn", got ${JSON.stringify(z)}`);
  }
}

/**
 * Computes precision, recall, F1 and support from entity counts, exactly as seqeval's
 * `_precision_recall_fscore_support` does with beta = 1. `warnFor` names the metrics
 * whose zero division warns (seqeval's `warn_for`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoresFromCounts } from "./seqeval.ts";
 * assert.deepEqual(
 *   scoresFromCounts({ types: ["A", "B"], tp: [1, 1], pred: [1, 2], gold: [2, 1] }, "macro"),
 *   { labels: ["A", "B"], precision: 0.75, recall: 0.75, f1: 0.6666666666666666, support: 3 },
 * );
 * ```
 */
export function scoresFromCounts(
  counts: EntityCounts,
  avg: Average = null,
  zeroDivision: ZeroDivision = "warn",
  warnFor: readonly Metric[] = ["precision", "recall", "f-score"],
): Scores {
  checkAverage(avg);
  checkZeroDivision(zeroDivision);
  let tp = counts.tp, pred = counts.pred, gold = counts.gold;
  const sum = (a: readonly number[]) => a.reduce((x, y) => x + y, 0);
  if (avg === "micro") {
    tp = [sum(tp)];
    pred = [sum(pred)];
    gold = [sum(gold)];
  }
  const precision = prfDivide(tp, pred, "precision", "predicted", warnFor, zeroDivision);
  const recall = prfDivide(tp, gold, "recall", "true", warnFor, zeroDivision);
  if (zeroDivision === "warn" && warnFor.length === 1 && warnFor[0] === "f-score") {
    if (gold.some((g, i) => g === 0 && pred[i] === 0)) {
      warnPrf("true nor predicted", "F-score is", gold.length);
    }
  }
  const f1 = precision.map((p, i) => {
    const r = recall[i];
    const denom = p + r;
    return 2 * p * r / (denom === 0 ? 1 : denom);
  });
  const labels = counts.types.slice();
  if (avg === null) return { labels, precision, recall, f1, support: gold.slice() };
  const support = sum(gold);
  if (avg === "weighted") {
    if (support === 0) {
      const zd = zeroDivision === 1 ? 1 : 0;
      const noPred = sum(pred) === 0;
      return { labels, precision: noPred ? zd : 0, recall: zd, f1: noPred ? zd : 0, support };
    }
    return {
      labels,
      precision: average(precision, gold),
      recall: average(recall, gold),
      f1: average(f1, gold),
      support,
    };
  }
  return {
    labels,
    precision: average(precision),
    recall: average(recall),
    f1: average(f1),
    support,
  };
}

function scores(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ScoreOptions,
  defaultAverage: Average,
  warnFor: readonly Metric[],
): Scores {
  const avg = opts.average === undefined ? defaultAverage : opts.average;
  checkAverage(avg);
  const zd = opts.zeroDivision ?? "warn";
  checkZeroDivision(zd);
  const counts = countEntities(yTrue, yPred, { mode: opts.mode, scheme: opts.scheme });
  return scoresFromCounts(counts, avg, zd, warnFor);
}

/**
 * Precision, recall, F1 and support together (seqeval's
 * `precision_recall_fscore_support`; `average` defaults to `null`, per type).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { precisionRecallFscoreSupport } from "./seqeval.ts";
 * const yTrue = [["B-A", "B-B", "O", "B-A"]], yPred = [["O", "B-B", "B-C", "B-A"]];
 * const s = precisionRecallFscoreSupport(yTrue, yPred);
 * assert.deepEqual(s.labels, ["A", "B", "C"]);
 * assert.deepEqual(s.support, [2, 1, 0]);
 * ```
 */
export function precisionRecallFscoreSupport(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ScoreOptions = {},
): Scores {
  return scores(yTrue, yPred, opts, null, ["precision", "recall", "f-score"]);
}

/**
 * Entity-level precision, as seqeval 1.2.2's `precision_score` (default average
 * `"micro"`; per type, sorted by name, when `average` is `null`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { precisionScore } from "./seqeval.ts";
 * const yTrue = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "O", "O"], ["B-PER", "I-PER", "O"]];
 * const yPred = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * assert.equal(precisionScore(yTrue, yPred), 2 / 3); // 2 of 3 predicted entities are right
 * assert.deepEqual(precisionScore(yTrue, yPred, { average: null }), [0.5, 1]); // MISC, PER
 * ```
 */
export function precisionScore(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ScoreOptions = {},
): number | number[] {
  return scores(yTrue, yPred, opts, "micro", ["precision"]).precision;
}

/**
 * Entity-level recall, as seqeval 1.2.2's `recall_score`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recallScore } from "./seqeval.ts";
 * const yTrue = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "O", "O"], ["B-PER", "I-PER", "O"]];
 * const yPred = [["O", "O", "B-MISC", "I-MISC", "B-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * assert.equal(recallScore(yTrue, yPred, { average: "macro" }), 0.75); // MISC 1/2, PER 1
 * ```
 */
export function recallScore(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ScoreOptions = {},
): number | number[] {
  return scores(yTrue, yPred, opts, "micro", ["recall"]).recall;
}

/**
 * Entity-level F1, as seqeval 1.2.2's `f1_score`: the study's outcome variable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { f1Score } from "./seqeval.ts";
 * const yTrue = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * const yPred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * assert.equal(f1Score(yTrue, yPred), 0.5);
 * assert.equal(f1Score([["B-X", "I-X", "O"]], [["I-X", "I-X", "O"]]), 1);
 * assert.equal(
 *   f1Score([["B-X", "I-X", "O"]], [["I-X", "I-X", "O"]], { mode: "strict", scheme: "IOB2" }),
 *   0,
 * );
 * ```
 */
export function f1Score(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ScoreOptions = {},
): number | number[] {
  return scores(yTrue, yPred, opts, "micro", ["f-score"]).f1;
}
