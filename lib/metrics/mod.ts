/**
 * Scoring: seqeval-exact entity scores and reports, span (SemEval) scores, confusion
 * matrices, bootstrap confidence intervals, and inter-annotator agreement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { f1Score } from "./mod.ts";
 * const yTrue = [["B-PER", "I-PER", "O", "B-ORG"]];
 * const yPred = [["B-PER", "I-PER", "O", "O"]];
 * assert.equal(f1Score(yTrue, yPred), 2 / 3); // precision 1, recall 1/2
 * ```
 *
 * @module
 */
export {
  countEntities,
  detectScheme,
  type Entity,
  type EntityCounts,
  type EntityMode,
  type EntityOptions,
  extractEntities,
} from "./entities.ts";
export {
  type Average,
  f1Score,
  type Metric,
  precisionRecallFscoreSupport,
  precisionScore,
  recallScore,
  type ScoreOptions,
  type Scores,
  type ZeroDivision,
} from "./seqeval.ts";
export {
  classificationReport,
  classificationReportDict,
  type ReportOptions,
  type ReportRow,
} from "./report.ts";
export { type SpanCounts, type SpanMatching, type SpanScores, spanScores } from "./span_scores.ts";
export {
  type ConfusionMatch,
  type ConfusionMatrix,
  confusionMatrix,
  confusionMatrixFromTags,
  NONE,
} from "./confusion.ts";
export {
  bootstrapF1,
  type BootstrapOptions,
  type BootstrapResult,
  documentCounts,
  type F1Counts,
  microF1,
} from "./bootstrap.ts";
export { cohenKappa, type FleissKappa, fleissKappa } from "./kappa.ts";
export {
  agreement,
  type AgreementOptions,
  type AgreementReport,
  type DocumentAgreement,
  type LabelAgreement,
  type PairAgreement,
} from "./agreement.ts";
export { pairDocs } from "./doc_pairs.ts";
