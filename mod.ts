/**
 * nerss: sample-size studies of fine-tuning language models for named entity
 * recognition, on WebGPU, after Majdik et al. (JMIR AI 2024;3:e52095).
 *
 * The names a notebook needs, in pipeline order: read a corpus, check agreement, convert
 * tags, split and plan subsamples, fine-tune and evaluate, score, regress, plot, and
 * analyse a study's results. Each folder offers more through its own module
 * (`@nerss/toolkit/core`, `/corpus`, `/tags`, `/encode`, `/metrics`, `/sampling`, `/stats`,
 * `/models`, `/train`, `/study`, `/plot`, `/gpu`; in a checkout lib/<folder>/mod.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { f1Score, readConll, spansToTags, splitWords } from "./mod.ts";
 * const [doc] = readConll("Ann B-PER\nLee I-PER\nspoke O\n");
 * const tags = spansToTags(splitWords(doc.text), doc.spans, "IOB2");
 * assert.deepEqual(tags, ["B-PER", "I-PER", "O"]);
 * assert.equal(f1Score([tags], [["B-PER", "O", "O"]]), 0); // a partial match is a miss
 * ```
 *
 * @module
 */

// 1. corpus: read annotations, split sentences and words, describe
export { CorpusError, type Doc, type Range, type Span } from "./lib/core/mod.ts";
export {
  type CorpusFormat,
  type CorpusStats,
  corpusStats,
  docSizes,
  docStatsTable,
  GROBID_PERSON_ORG,
  inferCorpusFormat,
  type JsonlFormat,
  loadDataset,
  readBrat,
  readConll,
  readCorpus,
  type ReadCorpusOptions,
  readJsonl,
  readTei,
  splitSentences,
  splitWords,
  writeConll,
  writeJsonl,
} from "./lib/corpus/mod.ts";

// 2. inter-annotator agreement
export { agreement, type AgreementReport } from "./lib/metrics/mod.ts";

// 3. tags
export { type Scheme, spansToTags, tagsToSpans } from "./lib/core/mod.ts";

// 4. sampling: held-out test set, subsample plans
export { createRandom } from "./lib/core/mod.ts";
export {
  type DocSize,
  eps,
  type PlanOptions,
  planSubsamples,
  planTable,
  type SplitOptions,
  splitTestSet,
  type Subsample,
} from "./lib/sampling/mod.ts";

// 5. fine-tuning, evaluation, prediction, export to ONNX
export {
  type ClassifierOptions,
  createTokenClassifier,
  evaluate,
  type Evaluation,
  exportOnnx,
  type ExportOnnxOptions,
  fineTune,
  type FineTuneOptions,
  type FineTuneResult,
  predict,
  type PredictedSpan,
  releaseClassifier,
  saveModel,
  type TokenClassifier,
} from "./lib/train/mod.ts";

// 6. scores (seqeval semantics), span scores, bootstrap intervals
export {
  bootstrapF1,
  classificationReport,
  classificationReportDict,
  f1Score,
  precisionScore,
  recallScore,
  type ScoreOptions,
  spanScores,
} from "./lib/metrics/mod.ts";

// 7. regressions: OLS, threshold and segmented, smoothing; learning curves and the planner
export {
  annotationCost,
  backtestLearningCurve,
  daviesTest,
  fitLearningCurve,
  type LearningCurveFit,
  learningCurveHealth,
  ols,
  type OlsResult,
  predictLearningCurve,
  type SegmentedFit,
  segmentedRegression,
  sizeForTarget,
  smoothSpline,
  thresholdRegression,
  type ThresholdResult,
} from "./lib/stats/mod.ts";

// 8. the study's results and their analysis
export {
  type Analysis,
  analysisDisplay,
  analysisFigures,
  analyzeResults,
  readResults,
  type ResultRow,
  type RunResult,
} from "./lib/study/mod.ts";

// 9. figures and Jupyter display (Plot and aq: the toolkit's own Observable Plot and arquero)
export {
  agreementHeatmap,
  type CurveFit,
  type CurveLayer,
  curveLayer,
  type CurvePoint,
  type Displayable,
  type Figure,
  htmlDisplay,
  learningCurveFitLayer,
  learningCurvePlot,
  planPlot,
  Plot,
  plotFigure,
  segmentedLayer,
  smoothLayer,
  tableDisplay,
  thresholdLayer,
} from "./lib/plot/mod.ts";
export * as aq from "./lib/deps/arquero.ts";
