/**
 * A backtest of learning-curve extrapolation on a study's own runs: fit on the runs up to
 * a fraction of the largest size, predict the larger ones, and report the error and
 * whether the intervals held them, so a user sees how far to trust an extrapolation on
 * their data (Mahmood et al., CVPR 2022: power-law extrapolation must be checked).
 *
 * The held-out runs are grouped by size as {@link groupRuns} does. For a group of k runs
 * at sizes x_j the prediction is the mean of f(x_j), and its interval (at `level`, default
 * 0.95) is that of the mean of k new runs: t sqrt(g' C g + s^2 mean(1 / w_j) / k), with g
 * the mean gradient and w_j the weight of a run at x_j (x_j / the fit's largest size
 * under the default weights). The backtest extrapolates on purpose: the limit of
 * `predictLearningCurve` does not apply.
 *
 * @module
 */
import {
  evaluateLearningCurve,
  fitLearningCurve,
  type LearningCurveFit,
  type LearningCurveModel,
} from "./learning_curve.ts";
import { groupRuns } from "./curve_health.ts";
import { tQuantileOf } from "./distributions.ts";

/**
 * One held-out size group of a backtest: mean size, runs, observed mean F1, the predicted
 * mean, the error (predicted - observed), the interval and whether it held the observed
 * mean.
 */
export type BacktestGroup = {
  x: number;
  runs: number;
  observed: number;
  predicted: number;
  error: number;
  interval: [number, number];
  covered: boolean;
};

/**
 * Options of {@link backtestLearningCurve}: the fraction of the largest size fitted on
 * (default 0.5), the model, weights for all runs (default: sizes, as the fit's), the
 * interval level (default 0.95) and the bins for sizes that do not repeat.
 */
export type BacktestOptions = {
  fraction?: number;
  model?: LearningCurveModel;
  weights?: number[];
  level?: number;
  bins?: number;
};

/**
 * The result of {@link backtestLearningCurve}: the cutoff size, how many runs were fitted
 * and held out, the fit, the held-out groups, their mean absolute error and the share of
 * groups whose interval held the observed mean (NaN when the fit failed), and notes.
 */
export type LearningCurveBacktest = {
  cutoff: number;
  fraction: number;
  level: number;
  trainRuns: number;
  heldOutRuns: number;
  fit: LearningCurveFit;
  groups: BacktestGroup[];
  mae: number;
  coverage: number;
  notes: string[];
};

const f3 = (v: number) => Number(v.toPrecision(3)).toString();
const size = (v: number) => Math.round(v).toLocaleString("en-US");

/**
 * Fits a learning curve on the runs up to `fraction` of the largest size and scores its
 * predictions of the larger ones (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestLearningCurve } from "./learning_curve_backtest.ts";
 * const x = [50, 100, 150, 200, 300, 400, 500, 600];
 * const back = backtestLearningCurve(x, x.map((n) => 0.9 - 2 * n ** -0.5));
 * assert.equal(back.cutoff, 300);
 * assert.ok(back.mae < 1e-9 && back.coverage === 1); // a curve without noise
 * ```
 */
export function backtestLearningCurve(
  x: number[],
  y: number[],
  options: BacktestOptions = {},
): LearningCurveBacktest {
  const fraction = options.fraction ?? 0.5;
  const level = options.level ?? 0.95;
  if (!(fraction > 0 && fraction < 1)) {
    throw new Error(`backtestLearningCurve: fraction must be in (0, 1), got ${fraction}`);
  }
  if (x.length !== y.length) {
    throw new Error(`backtestLearningCurve: x has ${x.length} values, y has ${y.length}`);
  }
  if (options.weights && options.weights.length !== x.length) {
    throw new Error(
      `backtestLearningCurve: ${options.weights.length} weights for ${x.length} runs`,
    );
  }
  const cutoff = fraction * Math.max(...x);
  const train = x.map((_, i) => i).filter((i) => x[i] <= cutoff);
  const held = x.map((_, i) => i).filter((i) => x[i] > cutoff);
  const fit = fitLearningCurve(train.map((i) => x[i]), train.map((i) => y[i]), {
    model: options.model,
    weights: options.weights && train.map((i) => options.weights![i]),
  });
  const out = {
    cutoff,
    fraction,
    level,
    trainRuns: train.length,
    heldOutRuns: held.length,
    fit,
  };
  if (!fit.converged) {
    return {
      ...out,
      groups: [],
      mae: NaN,
      coverage: NaN,
      notes: [`the fit on the ${train.length} runs up to ${size(cutoff)} failed: ${fit.reason}`],
    };
  }
  const t = tQuantileOf(1 - (1 - level) / 2, fit.df);
  const hx = held.map((i) => x[i]), hy = held.map((i) => y[i]);
  const weightOf = (j: number) => options.weights ? options.weights[held[j]] : hx[j] / fit.maxX;
  const groups = groupRuns(hx, hy, { bins: options.bins }).map((g): BacktestGroup => {
    const k = g.runs, p = fit.names.length;
    let predicted = 0, noise = 0;
    const gradient = new Array<number>(p).fill(0);
    for (const j of g.indices) {
      const e = evaluateLearningCurve(fit, hx[j]);
      predicted += e.value / k;
      e.gradient.forEach((v, m) => gradient[m] += v / k);
      noise += 1 / weightOf(j) / (k * k);
    }
    let variance = noise * fit.sigma * fit.sigma;
    for (let i = 0; i < p; i++) {
      for (let m = 0; m < p; m++) variance += gradient[i] * fit.covariance[i][m] * gradient[m];
    }
    const half = t * Math.sqrt(variance);
    // Exact data leave rounding-level differences; below 1e-9 F1 they count as held.
    const covered = Math.abs(predicted - g.mean) <= half + 1e-9;
    return {
      x: g.x,
      runs: k,
      observed: g.mean,
      predicted,
      error: predicted - g.mean,
      interval: [predicted - half, predicted + half],
      covered,
    };
  });
  const mae = groups.reduce((s, g) => s + Math.abs(g.error), 0) / groups.length;
  const coverage = groups.filter((g) => g.covered).length / groups.length;
  const notes = groups.length === 0 ? [`no runs above ${size(cutoff)} to predict`] : [
    `fitted on ${train.length} runs up to ${size(cutoff)}, predicting ${held.length} runs ` +
    `in ${groups.length} size groups (${size(groups[0].x)}–${size(groups.at(-1)!.x)}): mean ` +
    `absolute error ${f3(mae)} F1, ${groups.filter((g) => g.covered).length} of ` +
    `${groups.length} within their ${Math.round(level * 100)}% intervals`,
  ];
  return { ...out, groups, mae, coverage, notes };
}
