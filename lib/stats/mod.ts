/**
 * The regressions of the analysis: ordinary least squares, threshold and segmented
 * regression (with Davies' test), smoothers, learning curves (fits, predictions, the size
 * for a target F1 and its cost, curve health, backtests), and the t, F, normal and
 * chi-squared distributions they use.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ols } from "./mod.ts";
 * const fit = ols([1, 3, 5, 7.5], { x: [0, 1, 2, 3] });
 * assert.ok(Math.abs(fit.coefficients[1].estimate - 2.15) < 1e-12); // the slope
 * ```
 *
 * @module
 */
export {
  formatOls,
  ols,
  type OlsCoefficient,
  type OlsOptions,
  type OlsResult,
  olsTable,
} from "./ols.ts";
export {
  type BootstrapInterval,
  bootstrapNormalInterval,
  type ThresholdOptions,
  thresholdRegression,
  type ThresholdResult,
  type ThresholdType,
} from "./threshold.ts";
export {
  type DaviesOptions,
  type DaviesResult,
  daviesTest,
  type SegmentedFit,
  type SegmentedOptions,
  segmentedRegression,
  type Slope,
} from "./segmented.ts";
export {
  loess,
  type LoessFit,
  type LoessOptions,
  lowess,
  type LowessOptions,
  smoothSpline,
  type SmoothSplineFit,
  type SmoothSplineOptions,
} from "./smooth.ts";
export {
  type AnnotationCost,
  annotationCost,
  type AnnotationCostOptions,
  bootstrapLearningCurve,
  evaluateLearningCurve,
  fitLearningCurve,
  type LearningCurveBootstrap,
  type LearningCurveFit,
  type LearningCurveModel,
  type LearningCurveOptions,
  type LearningCurvePrediction,
  marginalGain,
  predictLearningCurve,
  type PredictOptions,
  type SizeForTarget,
  sizeForTarget,
} from "./learning_curve.ts";
export { type CurveHealth, groupRuns, learningCurveHealth, type RunGroup } from "./curve_health.ts";
export {
  type BacktestGroup,
  backtestLearningCurve,
  type BacktestOptions,
  type LearningCurveBacktest,
} from "./learning_curve_backtest.ts";
export {
  chisquareUpperP,
  fCdfOf,
  fUpperP,
  normalCdfOf,
  normalQuantileOf,
  tCdfOf,
  tQuantileOf,
  tTwoSidedP,
} from "./distributions.ts";
