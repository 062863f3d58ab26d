/**
 * Learning curves fitted to a study's runs, and the questions a planner asks of them: F1
 * at a larger size, the size that reaches a target F1, the gain of the next sentences and
 * the cost of reaching the target. After Figueroa et al., "Predicting sample size required
 * for classification performance" (BMC Med Inform Decis Mak 2012;12:8): an inverse power
 * law fitted by weighted nonlinear least squares, predictions with confidence intervals.
 *
 * **Models** (n the training size, parameters `a`, `b`, `c`):
 * - `"inverse-power-law"` (default): f(n) = a - b n^(-c); `a` is the asymptote.
 * - `"exponential"`: f(n) = a - b exp(-c n); `a` is the asymptote.
 * - `"logarithmic"`: f(n) = a + b ln n (no `c`, reported as NaN); it has no asymptote.
 *
 * **Estimation** minimises sum w_i (y_i - f(x_i))^2. For the two three-parameter models the
 * curve is linear in `a` and `b` once `c` is fixed, so a log-spaced grid over `c` solves
 * each linear problem exactly (Householder QR) and starts Levenberg-Marquardt at the best
 * grid point: steps (J'WJ + lambda diag(J'WJ)) delta = J'W r by Cholesky (Marquardt's
 * scaling), lambda divided by 10 after a step that lowers the RSS (down to plain
 * Gauss-Newton) and multiplied by 10 until one does. It stops when a step changes every
 * parameter by less than 1e-12 relative, or the residuals are orthogonal to the Jacobian's
 * columns (cosine below 1e-13, MINPACK's `gtol` test). Along the ill-conditioned b-c
 * direction of a power law the RSS is flat to rounding before the optimum, so Gauss-Newton
 * steps by QR (kept while they shrink and the RSS does not rise beyond rounding) finish
 * where the gradient vanishes: SciPy's `curve_fit`, whose MINPACK stops on the RSS, lands
 * up to ~2e-7 short of it. A fit that runs out of iterations, stalls, drifts (c -> 0 with a
 * and b unbounded: runs that do not flatten), or whose parameters are not identified (a
 * flat curve) says so with `converged: false` and a `reason`.
 *
 * **Weights.** Figueroa et al. weight the points of a learning curve by their position
 * along it (the j-th of m points by j/m, as we read their Methods), so that the later,
 * larger samples, whose scores vary less, count more. Their curves grow in equal batches,
 * where j/m is the size over the largest size; the default here is that ratio, w_i = x_i /
 * max(x), which also covers uneven and repeated sizes. It states a variance model, Var(y_i)
 * = sigma^2 / w_i: the F1 of a single run varies as 1 / n, which the prediction interval
 * uses at sizes not sampled. Given `weights` are used as they are.
 *
 * **Uncertainty** as SciPy's `curve_fit(f, x, y, sigma = 1 / sqrt(w), absolute_sigma =
 * False)` and R's `nls(..., weights = w)`: covariance s^2 (J'WJ)^-1 with s^2 = RSS / (N -
 * k), RSS the weighted sum of squares; intervals use the t distribution with N - k degrees
 * of freedom. `aic` is R's `AIC()` of a weighted `nls` fit, the Gaussian log-likelihood of
 * Var(y_i) = sigma^2 / w_i with sigma estimated (k + 1 parameters): N (ln(2 pi RSS / N) + 1)
 * - sum ln w_i + 2 (k + 1). It does not change when all weights are scaled, and compares
 * models fitted to the same runs with the same weights.
 *
 * Parameters and standard errors equal SciPy 1.10's `curve_fit` to 1e-6 relative, and the
 * optimum Gauss-Newton steps take it to (numpy) to 1e-9; predictions and the sizes for a
 * target equal the same formulas in numpy and SciPy (tests/stats/learning_curve_test.ts,
 * numbers from tools/learning_curve_reference.py).
 *
 * @module
 */
import { fromColumns, leastSquares } from "./linalg.ts";
import { tQuantileOf } from "./distributions.ts";
import { solveSymmetric } from "./symmetric.ts";
import { createRandom } from "../core/random.ts";
import { quantileSorted } from "../metrics/bootstrap.ts";

/**
 * The curve families {@link fitLearningCurve} fits.
 */
export type LearningCurveModel = "inverse-power-law" | "exponential" | "logarithmic";

/**
 * Options of {@link fitLearningCurve}: the model (default `"inverse-power-law"`), one
 * positive weight per run (default x / max(x), see the module notes), and the iteration
 * limit of Levenberg-Marquardt (default 200).
 */
export type LearningCurveOptions = {
  model?: LearningCurveModel;
  weights?: number[];
  maxIterations?: number;
};

/**
 * A fitted learning curve. `parameters` a, b, c (c NaN for the logarithmic model);
 * `standardErrors` and `covariance` in the order of `names`; `rss` the weighted residual
 * sum of squares, `sigma` = sqrt(rss / df), `df` = runs - parameters; `aic` as R's (see the
 * module notes). `converged` false with a `reason` when the fit cannot be trusted; `notes`
 * name what makes a converged curve implausible (it falls, has no asymptote, or an
 * asymptote above 1). `weighting` says whether the weights were the default ("size":
 * x / `maxX`) or given; `x`, `y`, `weights` are the runs (kept for the bootstrap).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve, type LearningCurveFit } from "./learning_curve.ts";
 * const fit: LearningCurveFit = fitLearningCurve([100, 200, 400, 800], [0.5, 0.7, 0.8, 0.85]);
 * assert.deepEqual(fit.names, ["a", "b", "c"]);
 * ```
 */
export type LearningCurveFit = {
  model: LearningCurveModel;
  parameters: { a: number; b: number; c: number };
  names: string[];
  standardErrors: number[];
  covariance: number[][];
  rss: number;
  sigma: number;
  df: number;
  aic: number;
  runs: number;
  maxX: number;
  converged: boolean;
  reason: string;
  iterations: number;
  notes: string[];
  weighting: "size" | "given";
  x: number[];
  y: number[];
  weights: number[];
};

type Spec = {
  names: string[];
  value: (p: ArrayLike<number>, n: number) => number;
  /** The gradient of f with respect to the parameters at n, written into `out`; f(n) back. */
  gradient: (p: ArrayLike<number>, n: number, out: Float64Array) => number;
  /** For the three-parameter models: f = a - b basis(c, n), and the grid of c to start from. */
  basis?: (c: number, n: number) => number;
  grid?: (x: readonly number[]) => number[];
};

function logGrid(lo: number, hi: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => lo * Math.pow(hi / lo, i / (count - 1)));
}

const SPECS: Record<LearningCurveModel, Spec> = {
  "inverse-power-law": {
    names: ["a", "b", "c"],
    value: (p, n) => p[0] - p[1] * Math.pow(n, -p[2]),
    gradient: (p, n, out) => {
      const g = Math.pow(n, -p[2]);
      out[0] = 1, out[1] = -g, out[2] = p[1] * g * Math.log(n);
      return p[0] - p[1] * g;
    },
    basis: (c, n) => Math.pow(n, -c),
    grid: () => logGrid(1e-3, 5, 60),
  },
  exponential: {
    names: ["a", "b", "c"],
    value: (p, n) => p[0] - p[1] * Math.exp(-p[2] * n),
    gradient: (p, n, out) => {
      const g = Math.exp(-p[2] * n);
      out[0] = 1, out[1] = -g, out[2] = p[1] * n * g;
      return p[0] - p[1] * g;
    },
    basis: (c, n) => Math.exp(-c * n),
    // Decay lengths 1 / c from a twentieth of the smallest size to 1000 times the largest.
    grid: (x) => logGrid(1e-3 / Math.max(...x), 20 / Math.min(...x), 60),
  },
  logarithmic: {
    names: ["a", "b"],
    value: (p, n) => p[0] + p[1] * Math.log(n),
    gradient: (p, n, out) => {
      out[0] = 1, out[1] = Math.log(n);
      return p[0] + p[1] * out[1];
    },
  },
};

/** The value of a fitted curve at n (NaN past a fit without parameters). */
function curveValue(fit: LearningCurveFit, n: number): number {
  return SPECS[fit.model].value(parameterVector(fit), n);
}

/**
 * A fitted curve's value at size `n` and its gradient with respect to the parameters (in
 * the order of `fit.names`): what delta-method intervals are built from.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluateLearningCurve, fitLearningCurve } from "./learning_curve.ts";
 * const x = [50, 100, 200, 400, 800];
 * const fit = fitLearningCurve(x, x.map((n) => 0.9 - 2 * Math.pow(n, -0.5)));
 * const { value, gradient } = evaluateLearningCurve(fit, 100);
 * assert.ok(Math.abs(value - 0.7) < 1e-9);
 * assert.ok(Math.abs(gradient[1] + 0.1) < 1e-9); // df/db = -n^-c
 * ```
 */
export function evaluateLearningCurve(
  fit: LearningCurveFit,
  n: number,
): { value: number; gradient: number[] } {
  return { value: curveValue(fit, n), gradient: [...gradientAt(fit, n)] };
}

function parameterVector(fit: Pick<LearningCurveFit, "model" | "parameters">): number[] {
  const { a, b, c } = fit.parameters;
  return fit.model === "logarithmic" ? [a, b] : [a, b, c];
}

/** Weighted residual sum of squares of parameters p. */
function weightedRss(
  spec: Spec,
  p: ArrayLike<number>,
  x: readonly number[],
  y: readonly number[],
  w: readonly number[],
): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    const r = y[i] - spec.value(p, x[i]);
    s += w[i] * r * r;
  }
  return s;
}

/** sqrt(W) J and sqrt(W) r at p. */
function weightedJacobian(
  spec: Spec,
  p: ArrayLike<number>,
  x: readonly number[],
  y: readonly number[],
  w: readonly number[],
): { J: Float64Array[]; r: Float64Array } {
  const k = spec.names.length, N = x.length;
  const J = Array.from({ length: k }, () => new Float64Array(N));
  const r = new Float64Array(N);
  const g = new Float64Array(k);
  for (let i = 0; i < N; i++) {
    const sw = Math.sqrt(w[i]);
    const f = spec.gradient(p, x[i], g);
    for (let j = 0; j < k; j++) J[j][i] = sw * g[j];
    r[i] = sw * (y[i] - f);
  }
  return { J, r };
}

/** The best start on the grid of c: the linear least-squares a, b at each c. */
function gridStart(
  spec: Spec,
  x: readonly number[],
  y: readonly number[],
  w: readonly number[],
): { start: number[]; edge: boolean } {
  const sw = w.map(Math.sqrt);
  const yw = y.map((v, i) => v * sw[i]);
  const grid = spec.grid!(x);
  let best = { rss: Infinity, start: [NaN, NaN, NaN], at: -1 };
  grid.forEach((c, at) => {
    const ls = leastSquares(fromColumns([sw, x.map((n, i) => -spec.basis!(c, n) * sw[i])]), yw);
    if (ls.rank === 2 && ls.rss < best.rss) {
      best = { rss: ls.rss, start: [ls.coefficients[0], ls.coefficients[1], c], at };
    }
  });
  return { start: best.start, edge: best.at === 0 || best.at === grid.length - 1 };
}

type LmResult = {
  p: Float64Array;
  rss: number;
  iterations: number;
  converged: boolean;
  reason: string;
};

/** Levenberg-Marquardt from `start` (see the module notes). */
function levenbergMarquardt(
  spec: Spec,
  x: readonly number[],
  y: readonly number[],
  w: readonly number[],
  start: ArrayLike<number>,
  maxIterations: number,
  xtol = 1e-12,
  lambda0 = 1e-3,
): LmResult {
  const k = spec.names.length, N = x.length;
  const polish = xtol <= 1e-12;
  const p = Float64Array.from(start);
  let rss = weightedRss(spec, p, x, y, w);
  let lambda = lambda0;
  const result = (converged: boolean, reason: string, iterations: number): LmResult => ({
    p,
    rss,
    iterations,
    converged,
    reason,
  });
  if (!Number.isFinite(rss)) return result(false, "the starting point gives a non-finite RSS", 0);
  const relative = (delta: ArrayLike<number>) => {
    let m = 0;
    for (let j = 0; j < k; j++) m = Math.max(m, Math.abs(delta[j]) / (Math.abs(p[j]) + 1e-300));
    return m;
  };
  // Gauss-Newton step by QR: least squares of J delta = r.
  const gaussNewton = (J: Float64Array[], r: Float64Array) =>
    leastSquares(fromColumns(J), r, 0).coefficients;
  // The damped step: (J'J + lambda diag(J'J)) delta = J'r by Cholesky (null if singular).
  const damped = (A: Float64Array, g: Float64Array, lambda: number) => {
    const M = Float64Array.from(A);
    for (let j = 0; j < k; j++) M[j * k + j] += lambda * (A[j * k + j] > 0 ? A[j * k + j] : 1);
    try {
      return solveSymmetric(M, g, k);
    } catch {
      return null;
    }
  };
  // Near the optimum of an ill-conditioned curve the RSS is flat to rounding along b and
  // c, so RSS comparisons stop early; a few Gauss-Newton steps, kept while the RSS does
  // not rise beyond rounding, land where the gradient vanishes.
  const finish = (reason: string, it: number) => {
    let last = Infinity;
    for (let i = 0; i < 10 && rss > 0 && polish; i++) {
      const { J, r } = weightedJacobian(spec, p, x, y, w);
      const delta = gaussNewton(J, r);
      const size = relative(delta);
      // Steps that no longer shrink are rounding noise: the gradient has vanished.
      if (!(size < last)) break;
      const trial = p.map((v, j) => v + delta[j]);
      const trialRss = weightedRss(spec, trial, x, y, w);
      if (!(trialRss <= rss * (1 + 1e-12))) break;
      p.set(trial);
      rss = trialRss;
      last = size;
      if (size <= 1e-15) break;
    }
    return result(true, reason, it);
  };
  for (let it = 1; it <= maxIterations; it++) {
    if (rss === 0) return result(true, "exact fit (RSS 0)", it - 1);
    const { J, r } = weightedJacobian(spec, p, x, y, w);
    const A = new Float64Array(k * k), g = new Float64Array(k);
    for (let a = 0; a < k; a++) {
      const ja = J[a];
      let dot = 0;
      for (let i = 0; i < N; i++) dot += ja[i] * r[i];
      g[a] = dot;
      for (let b = 0; b <= a; b++) {
        const jb = J[b];
        let s = 0;
        for (let i = 0; i < N; i++) s += ja[i] * jb[i];
        A[a * k + b] = A[b * k + a] = s;
      }
    }
    // MINPACK's gtol test: the residuals orthogonal to every column of J.
    let cosine = 0;
    for (let j = 0; j < k; j++) {
      if (A[j * k + j] > 0) {
        cosine = Math.max(cosine, Math.abs(g[j]) / Math.sqrt(A[j * k + j] * rss));
      }
    }
    if (cosine <= 1e-13) return finish("residuals orthogonal to the Jacobian", it - 1);
    for (;;) {
      const delta = damped(A, g, lambda);
      const trial = delta ? p.map((v, j) => v + delta[j]) : p;
      const trialRss = delta ? weightedRss(spec, trial, x, y, w) : NaN;
      if (delta && Number.isFinite(trialRss) && trialRss <= rss) {
        const relStep = relative(delta);
        p.set(trial);
        rss = trialRss;
        lambda = lambda < 1e-9 ? 0 : lambda / 10;
        if (relStep <= xtol) return finish(`relative step below ${xtol}`, it);
        if (!p.every((v) => Math.abs(v) < 1e12)) {
          return result(false, "the parameters diverge (the runs show no flattening)", it);
        }
        break;
      }
      lambda = lambda === 0 ? 1e-9 : lambda * 10;
      if (lambda > 1e16) {
        if (cosine <= 1e-8) return finish("no step lowers the RSS: a minimum to rounding", it);
        return result(false, "no step lowers the RSS: stalled away from a minimum", it);
      }
    }
  }
  return result(false, `did not converge in ${maxIterations} iterations`, maxIterations);
}

function checkRuns(name: string, x: readonly number[], y: readonly number[]) {
  if (x.length !== y.length) {
    throw new Error(`${name}: x has ${x.length} values, y has ${y.length}`);
  }
  x.forEach((v, i) => {
    if (!(Number.isFinite(v) && v > 0)) {
      throw new Error(`${name}: x[${i}] is ${v}: sizes must be positive and finite`);
    }
    if (!Number.isFinite(y[i])) throw new Error(`${name}: y[${i}] is ${y[i]}: not a number`);
  });
}

/**
 * Fits a learning curve to runs (x: training size, y: F1) by weighted nonlinear least
 * squares; see the module notes for the models, the default weights, the start, the
 * convergence tests, the covariance and the AIC.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve } from "./learning_curve.ts";
 * const x = [50, 100, 200, 400, 800];
 * const y = x.map((n) => 0.9 - 2 * Math.pow(n, -0.5)); // a curve without noise
 * const fit = fitLearningCurve(x, y);
 * assert.ok(fit.converged);
 * assert.ok(Math.abs(fit.parameters.a - 0.9) < 1e-9 && Math.abs(fit.parameters.c - 0.5) < 1e-9);
 * ```
 */
export function fitLearningCurve(
  x: number[],
  y: number[],
  options: LearningCurveOptions = {},
): LearningCurveFit {
  const model = options.model ?? "inverse-power-law";
  const spec = SPECS[model];
  if (!spec) throw new Error(`fitLearningCurve: unknown model "${model}"`);
  checkRuns("fitLearningCurve", x, y);
  const maxX = Math.max(...x);
  let weights: number[];
  if (options.weights) {
    if (options.weights.length !== x.length) {
      throw new Error(
        `fitLearningCurve: ${options.weights.length} weights for ${x.length} runs`,
      );
    }
    options.weights.forEach((v, i) => {
      if (!(v > 0 && Number.isFinite(v))) {
        throw new Error(`fitLearningCurve: weights[${i}] is ${v}: weights must be positive`);
      }
    });
    weights = [...options.weights];
  } else {
    if (!(maxX > 0)) throw new Error("fitLearningCurve: the default weights need positive sizes");
    weights = x.map((n) => n / maxX);
  }
  const k = spec.names.length, N = x.length;
  const base = {
    model,
    names: spec.names,
    runs: N,
    maxX,
    weighting: options.weights ? "given" as const : "size" as const,
    x: [...x],
    y: [...y],
    weights,
  };
  const failed = (reason: string, start?: ArrayLike<number>): LearningCurveFit => ({
    ...base,
    parameters: {
      a: start?.[0] ?? NaN,
      b: start?.[1] ?? NaN,
      c: k === 3 ? start?.[2] ?? NaN : NaN,
    },
    standardErrors: spec.names.map(() => NaN),
    covariance: spec.names.map(() => spec.names.map(() => NaN)),
    rss: start ? weightedRss(spec, start, x, y, weights) : NaN,
    sigma: NaN,
    df: N - k,
    aic: NaN,
    converged: false,
    reason,
    iterations: 0,
    notes: [],
  });
  const distinct = new Set(x).size;
  if (N <= k || distinct < k) {
    return failed(
      `${N} runs at ${distinct} distinct sizes: the ${model} curve has ${k} parameters and ` +
        `needs more runs than that, at ${k} sizes or more`,
    );
  }
  if (spec.grid && y.every((v) => v === y[0])) {
    return failed(
      "F1 is the same in every run: the curve is flat and its shape is not identified",
      [y[0], 0, NaN],
    );
  }
  const start = spec.grid
    ? gridStart(spec, x, y, weights).start
    : [y.reduce((s, v) => s + v, 0) / N, 0];
  if (!start.every(Number.isFinite)) return failed("no starting point gives a finite fit");
  const lm = levenbergMarquardt(spec, x, y, weights, start, options.maxIterations ?? 200);
  if (!lm.converged) {
    return {
      ...failed(driftReason(model, lm, maxX) ?? lm.reason, lm.p),
      iterations: lm.iterations,
    };
  }

  // Covariance s^2 (J'WJ)^-1 from the QR of sqrt(W) J at the solution.
  const { J } = weightedJacobian(spec, lm.p, x, y, weights);
  const qr = leastSquares(fromColumns(J), new Float64Array(N));
  if (qr.rank < k) {
    return {
      ...failed("the parameters are not identified (J'WJ is singular at the solution)", lm.p),
      iterations: lm.iterations,
    };
  }
  const df = N - k;
  const s2 = lm.rss / df;
  const covariance = spec.names.map((_, i) =>
    spec.names.map((_, j) => s2 * qr.unscaled[i * k + j])
  );
  const sumLogW = weights.reduce((s, v) => s + Math.log(v), 0);
  const aic = N * (Math.log((2 * Math.PI * lm.rss) / N) + 1) - sumLogW + 2 * (k + 1);
  const parameters = { a: lm.p[0], b: lm.p[1], c: k === 3 ? lm.p[2] : NaN };
  return {
    ...base,
    parameters,
    standardErrors: covariance.map((row, i) => Math.sqrt(row[i])),
    covariance,
    rss: lm.rss,
    sigma: Math.sqrt(s2),
    df,
    aic,
    converged: true,
    reason: lm.reason,
    iterations: lm.iterations,
    notes: plausibility(model, parameters, y),
  };
}

/**
 * Why a power law or exponential fit drifts: with runs that do not flatten, the least
 * squares lie at c -> 0 with a and b growing without bound.
 */
function driftReason(model: LearningCurveModel, lm: LmResult, maxX: number): string | undefined {
  if (model === "logarithmic") return undefined;
  const [, b, c] = lm.p;
  const scale = model === "exponential" ? c * maxX : c;
  if (!(Math.abs(scale) < 1e-2)) return undefined;
  return `the fit drifts towards c = 0 with a and b growing without bound (${lm.reason}; ` +
    `c = ${formatValue(c)}, b = ${formatValue(b)}): the runs ` +
    `${b < 0 ? "fall with size" : "do not flatten"}, so there is no asymptote to estimate`;
}

/** What makes a converged curve implausible as a learning curve. */
function plausibility(
  model: LearningCurveModel,
  p: { a: number; b: number; c: number },
  y: readonly number[],
): string[] {
  const notes: string[] = [];
  const f = (v: number) => formatValue(v);
  if (model === "logarithmic") {
    if (p.b <= 0) notes.push(`the fitted curve does not rise (b = ${f(p.b)})`);
    else notes.push("a logarithmic curve has no asymptote: it rises without bound");
    return notes;
  }
  if (p.b <= 0) notes.push(`the fitted curve does not rise with size (b = ${f(p.b)})`);
  if (p.c <= 0) notes.push(`the fitted curve does not flatten (c = ${f(p.c)})`);
  if (p.a > 1 && y.every((v) => v >= 0 && v <= 1)) {
    notes.push(`the fitted asymptote ${f(p.a)} is above 1, which F1 cannot reach`);
  }
  return notes;
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(3)).toString() : String(v);
}

function formatSize(v: number): string {
  return Number.isFinite(v) ? Math.round(v).toLocaleString("en-US") : String(v);
}

/** Delta-method variance of g'p: g' C g. */
function quadratic(covariance: number[][], g: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < g.length; i++) {
    for (let j = 0; j < g.length; j++) s += g[i] * covariance[i][j] * g[j];
  }
  return s;
}

function gradientAt(fit: LearningCurveFit, n: number): Float64Array {
  const g = new Float64Array(fit.names.length);
  SPECS[fit.model].gradient(parameterVector(fit), n, g);
  return g;
}

/**
 * Case-resampling bootstrap replicates of a fit: the parameters refitted on runs drawn
 * with replacement (seeded), from the fit's own parameters. `failed` counts replicates
 * that did not converge; they are left out.
 */
export type LearningCurveBootstrap = { parameters: number[][]; failed: number };

/**
 * Refits a learning curve on `replicates` resamples of its runs (drawn with replacement
 * through the toolkit's seeded generator, seed default 1). With the default weights each
 * resample is weighted by its own sizes (x / max(x) of the resample; the scale of the
 * weights does not move the fit); given weights travel with their runs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapLearningCurve, fitLearningCurve } from "./learning_curve.ts";
 * const x = [50, 50, 100, 100, 200, 200, 400, 400, 800, 800];
 * const y = [0.6, 0.64, 0.7, 0.73, 0.78, 0.8, 0.83, 0.84, 0.86, 0.87];
 * const boot = bootstrapLearningCurve(fitLearningCurve(x, y), { replicates: 20, seed: 3 });
 * assert.equal(boot.parameters.length + boot.failed, 20);
 * ```
 */
export function bootstrapLearningCurve(
  fit: LearningCurveFit,
  options: { replicates?: number; seed?: number } = {},
): LearningCurveBootstrap {
  const replicates = options.replicates ?? 200;
  if (!fit.converged) throw new Error(`bootstrapLearningCurve: the fit did not converge`);
  const spec = SPECS[fit.model];
  const rng = createRandom(options.seed ?? 1);
  const N = fit.runs;
  const parameters: number[][] = [];
  let failed = 0;
  for (let b = 0; b < replicates; b++) {
    const pick = Array.from({ length: N }, () => rng.int(N));
    const x = pick.map((i) => fit.x[i]);
    const y = pick.map((i) => fit.y[i]);
    const maxX = Math.max(...x);
    const w = fit.weighting === "size" ? x.map((n) => n / maxX) : pick.map((i) => fit.weights[i]);
    if (new Set(x).size < spec.names.length) {
      failed++;
      continue;
    }
    // Percentile intervals need far less than the fit's 1e-12: steps below 1e-8 do; from
    // the fit's parameters, near each resample's, Gauss-Newton steps first.
    const lm = levenbergMarquardt(spec, x, y, w, parameterVector(fit), 200, 1e-8, 0);
    if (lm.converged && lm.p.every(Number.isFinite)) parameters.push([...lm.p]);
    else failed++;
  }
  return { parameters, failed };
}

/**
 * Options of {@link predictLearningCurve}: the level of the intervals (default 0.95); how
 * far past the largest size sampled a prediction is allowed, as a factor (default 2); the
 * weight a single new run at n would carry, for the prediction interval when the fit's
 * weights were given (default 1; with the default weights it is n / maxX); and a
 * bootstrap, as a number of replicates (seed `seed`, default 1) or replicates already made
 * by {@link bootstrapLearningCurve}.
 */
export type PredictOptions = {
  level?: number;
  maxExtrapolation?: number;
  weight?: number;
  bootstrap?: number | LearningCurveBootstrap;
  seed?: number;
};

/**
 * A prediction of {@link predictLearningCurve}: the curve's estimate at `n` with its
 * standard error, the confidence interval of the mean F1 at n (`ci`), the prediction
 * interval of a single run at n (`pi`), the bootstrap percentile interval of the mean
 * when asked for, and a note when the prediction is refused (NaN numbers).
 */
export type LearningCurvePrediction = {
  n: number;
  estimate: number;
  se: number;
  ci: [number, number];
  pi: [number, number];
  level: number;
  bootstrap?: [number, number];
  note?: string;
};

function checkLevel(name: string, level: number) {
  if (!(level > 0 && level < 1)) throw new Error(`${name}: level must be in (0, 1), got ${level}`);
}

/**
 * The fitted curve at size `n`: the estimate, a confidence interval of the mean F1 by the
 * delta method (gradient g of f at n: se = sqrt(g' C g), t quantile with the fit's df),
 * and a prediction interval of one run, which adds the residual variance at n: s^2 / w(n)
 * with w(n) = n / maxX under the default weights (so a run at a larger size varies
 * less), else s^2 / `weight`. Past `maxExtrapolation` times the largest size sampled
 * (default 2), or on a fit that did not converge, the prediction is refused: NaN numbers
 * and a note saying why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve, predictLearningCurve } from "./learning_curve.ts";
 * const x = [50, 100, 150, 200, 300, 400], y = [0.62, 0.695, 0.74, 0.755, 0.787, 0.799];
 * const fit = fitLearningCurve(x, y);
 * const p = predictLearningCurve(fit, 600);
 * assert.ok(p.ci[0] < p.estimate && p.estimate < p.ci[1]);
 * assert.ok(p.pi[0] < p.ci[0] && p.ci[1] < p.pi[1]); // one run varies more than the mean
 * assert.ok(Number.isNaN(predictLearningCurve(fit, 900).estimate)); // past 2 x 400
 * ```
 */
export function predictLearningCurve(
  fit: LearningCurveFit,
  n: number,
  options: PredictOptions = {},
): LearningCurvePrediction {
  const level = options.level ?? 0.95;
  checkLevel("predictLearningCurve", level);
  const factor = options.maxExtrapolation ?? 2;
  const refused = (note: string): LearningCurvePrediction => ({
    n,
    estimate: NaN,
    se: NaN,
    ci: [NaN, NaN],
    pi: [NaN, NaN],
    level,
    note,
  });
  if (!(n > 0)) {
    throw new Error(`predictLearningCurve: n is ${n}: a size must be positive`);
  }
  if (!fit.converged) return refused(`the fit did not converge: ${fit.reason}`);
  if (n > factor * fit.maxX) {
    return refused(
      `${formatSize(n)} is ${formatValue(n / fit.maxX)} times the largest size sampled ` +
        `(${formatSize(fit.maxX)}): extrapolation past ${factor} times is refused ` +
        `(maxExtrapolation)`,
    );
  }
  const estimate = curveValue(fit, n);
  const se = Math.sqrt(quadratic(fit.covariance, gradientAt(fit, n)));
  const t = tQuantileOf(1 - (1 - level) / 2, fit.df);
  const weight = fit.weighting === "size" ? n / fit.maxX : options.weight ?? 1;
  if (!(weight > 0)) throw new Error(`predictLearningCurve: weight must be positive`);
  const seRun = Math.sqrt(se * se + (fit.sigma * fit.sigma) / weight);
  const out: LearningCurvePrediction = {
    n,
    estimate,
    se,
    ci: [estimate - t * se, estimate + t * se],
    pi: [estimate - t * seRun, estimate + t * seRun],
    level,
  };
  if (options.bootstrap !== undefined) {
    const boot = typeof options.bootstrap === "number"
      ? bootstrapLearningCurve(fit, { replicates: options.bootstrap, seed: options.seed })
      : options.bootstrap;
    const spec = SPECS[fit.model];
    const values = boot.parameters.map((p) => spec.value(p, n)).sort((u, v) => u - v);
    out.bootstrap = [
      quantileSorted(values, (1 - level) / 2),
      quantileSorted(values, 1 - (1 - level) / 2),
    ];
  }
  return out;
}

/**
 * The answer of {@link sizeForTarget}: the size where the curve reaches the target with
 * its interval (`reachable: true`), or why there is none (`reachable: false`): the target
 * is at or above the fitted asymptote (`"asymptote"`), the curve does not rise
 * (`"not-rising"`), the fit did not converge (`"no-fit"`), or the size is past the
 * extrapolation limit (`"extrapolation"`, with the refused `estimate`). `note` says it in
 * words; `asymptote` and `asymptoteCi` are NaN for the logarithmic model, which has none.
 */
export type SizeForTarget =
  | {
    reachable: true;
    target: number;
    estimate: number;
    ci: [number, number];
    level: number;
    note?: string;
  }
  | {
    reachable: false;
    reason: "asymptote" | "not-rising" | "no-fit" | "extrapolation";
    target: number;
    asymptote: number;
    asymptoteCi: [number, number];
    estimate?: number;
    note: string;
  };

/** The size where the fitted curve equals `target` (closed form), NaN if none. */
function inverse(fit: LearningCurveFit, target: number): number {
  const { a, b, c } = fit.parameters;
  switch (fit.model) {
    case "inverse-power-law":
      return Math.pow(b / (a - target), 1 / c);
    case "exponential":
      return Math.max(0, Math.log(b / (a - target)) / c);
    case "logarithmic":
      return Math.exp((target - a) / b);
  }
}

/**
 * Walks a log grid from `from` (where `inside` holds) towards `to` and returns where
 * `inside` first fails, refined by bisection; `to` when it never fails on the way.
 */
function bandEnd(inside: (n: number) => boolean, from: number, to: number): number {
  const grid = logGrid(from, to, 400);
  for (let i = 1; i < grid.length; i++) {
    if (inside(grid[i])) continue;
    let yes = grid[i - 1], no = grid[i];
    for (let it = 0; it < 100 && Math.abs(no - yes) > 1e-12 * no; it++) {
      const m = Math.sqrt(yes * no);
      if (inside(m)) yes = m;
      else no = m;
    }
    return no;
  }
  return to;
}

/**
 * The training size at which the fitted curve reaches `target` F1, in closed form
 * (power law: n = (b / (a - t))^(1/c); exponential: ln(b / (a - t)) / c, 0 when the curve
 * starts above the target; logarithmic: exp((t - a) / b)), with an interval from the
 * confidence band of the mean (level default 0.95): the sizes around the estimate where
 * the band holds the target, from where its upper edge reaches the target to where its
 * lower edge does (Infinity when the lower edge never does: the asymptote's interval holds
 * the target; 0 when the upper edge stays above the target down to small sizes). No size is
 * given when the target is at or above the asymptote, the curve does not rise, the fit did
 * not converge, or the size is past `maxExtrapolation` (default 2) times the largest size
 * sampled: `reachable: false` with a note naming the asymptote and its interval.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve, sizeForTarget } from "./learning_curve.ts";
 * const x = [50, 100, 150, 200, 300, 400], y = [0.62, 0.695, 0.74, 0.755, 0.787, 0.799];
 * const fit = fitLearningCurve(x, y);
 * const s = sizeForTarget(fit, 0.8); // n = ((a - 0.8) / b)^(-1 / c): about 400
 * assert.ok(s.reachable && Math.abs(s.estimate - 398.4) < 0.1);
 * assert.ok(350 < s.ci[0] && s.ci[0] < s.estimate && s.estimate < s.ci[1] && s.ci[1] < 500);
 * const far = sizeForTarget(fit, 0.95);
 * assert.ok(!far.reachable && far.reason === "asymptote");
 * assert.match(far.note, /^not reachable: the fitted asymptote is 0\.91 /);
 * ```
 */
export function sizeForTarget(
  fit: LearningCurveFit,
  target: number,
  options: { level?: number; maxExtrapolation?: number } = {},
): SizeForTarget {
  const level = options.level ?? 0.95;
  checkLevel("sizeForTarget", level);
  if (!Number.isFinite(target)) throw new Error(`sizeForTarget: target is ${target}`);
  const factor = options.maxExtrapolation ?? 2;
  const { a, b, c } = fit.parameters;
  const t = tQuantileOf(1 - (1 - level) / 2, fit.df);
  const hasAsymptote = fit.model !== "logarithmic";
  const asymptote = hasAsymptote ? a : NaN;
  const seA = hasAsymptote ? fit.standardErrors[0] : NaN;
  const asymptoteCi: [number, number] = [asymptote - t * seA, asymptote + t * seA];
  const pct = `${Math.round(level * 1000) / 10}%`;
  const aText = `${formatValue(asymptote)} (${pct} CI ${formatValue(asymptoteCi[0])}–` +
    `${formatValue(asymptoteCi[1])})`;
  const no = (reason: "asymptote" | "not-rising" | "no-fit" | "extrapolation", note: string) => ({
    reachable: false as const,
    reason,
    target,
    asymptote,
    asymptoteCi,
    note,
  });
  if (!fit.converged) return no("no-fit", `no size: the fit did not converge: ${fit.reason}`);
  if (b <= 0 || (hasAsymptote && c <= 0)) {
    return no(
      "not-rising",
      `no size: the fitted curve does not rise and flatten (${fit.notes[0]})`,
    );
  }
  if (hasAsymptote && target >= a) {
    return no(
      "asymptote",
      `not reachable: the fitted asymptote is ${aText}, at or below the target ${
        formatValue(target)
      }`,
    );
  }
  const estimate = inverse(fit, target);
  if (estimate > factor * fit.maxX) {
    return {
      ...no(
        "extrapolation",
        `the fitted curve reaches ${formatValue(target)} at about ${formatSize(estimate)}, ` +
          `${formatValue(estimate / fit.maxX)} times the largest size sampled ` +
          `(${formatSize(fit.maxX)}): extrapolation past ${factor} times is refused ` +
          `(maxExtrapolation)` + (hasAsymptote ? `; the fitted asymptote is ${aText}` : ""),
      ),
      estimate,
    };
  }
  const spec = SPECS[fit.model];
  const p = parameterVector(fit);
  const g = new Float64Array(p.length);
  const band = (sign: number) => (n: number) => {
    spec.gradient(p, n, g);
    return spec.value(p, n) + sign * t * Math.sqrt(quadratic(fit.covariance, g));
  };
  // The band's interval around the estimate: down to where the upper edge falls below
  // the target, up to where the lower edge reaches it.
  const upper = band(+1), lower = band(-1);
  const lo = Math.min(...fit.x, estimate) / 1e6, hi = Math.max(fit.maxX, estimate) * 1e6;
  const from = estimate > 0 ? bandEnd((n) => upper(n) >= target, estimate, lo) : 0;
  const to = bandEnd((n) => lower(n) < target, Math.max(estimate, lo), hi);
  const ci: [number, number] = [from === lo ? 0 : from, to === hi ? Infinity : to];
  const out: SizeForTarget = { reachable: true, target, estimate, ci, level };
  if (ci[1] === Infinity) {
    out.note = `the interval has no upper end: the band's lower edge never reaches ` +
      `${formatValue(target)}` + (hasAsymptote ? ` (the fitted asymptote is ${aText})` : "");
  } else if (to > factor * fit.maxX) {
    out.note = `the interval's upper end is ${formatValue(to / fit.maxX)} times the ` +
      `largest size sampled (${formatSize(fit.maxX)})`;
  }
  return out;
}

/**
 * The F1 gained by the next `step` units from size `n`: f(n + step) - f(n), its
 * delta-method confidence interval (level default 0.95) and the gain per unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve, marginalGain } from "./learning_curve.ts";
 * const x = [50, 100, 200, 400, 800];
 * const fit = fitLearningCurve(x, x.map((n) => 0.9 - 2 * Math.pow(n, -0.5)));
 * const g = marginalGain(fit, 400, 100);
 * assert.ok(Math.abs(g.gain - 2 * (400 ** -0.5 - 500 ** -0.5)) < 1e-9);
 * ```
 */
export function marginalGain(
  fit: LearningCurveFit,
  n: number,
  step: number,
  options: { level?: number } = {},
): { n: number; step: number; gain: number; ci: [number, number]; perUnit: number } {
  const level = options.level ?? 0.95;
  checkLevel("marginalGain", level);
  if (!(step > 0)) throw new Error(`marginalGain: step must be positive, got ${step}`);
  if (!fit.converged) {
    return { n, step, gain: NaN, ci: [NaN, NaN], perUnit: NaN };
  }
  const gain = curveValue(fit, n + step) - curveValue(fit, n);
  const g1 = gradientAt(fit, n + step), g0 = gradientAt(fit, n);
  const se = Math.sqrt(quadratic(fit.covariance, g1.map((v, i) => v - g0[i])));
  const t = tQuantileOf(1 - (1 - level) / 2, fit.df);
  return { n, step, gain, ci: [gain - t * se, gain + t * se], perUnit: gain / step };
}

/**
 * The cost of reaching a target: {@link AnnotationCostOptions} in, the units still to
 * annotate and their cost out, each with the interval of {@link sizeForTarget} carried
 * through (`reachable: false` and its note when there is no size).
 */
export type AnnotationCost =
  | {
    reachable: true;
    target: number;
    current: number;
    size: number;
    additional: number;
    additionalCi: [number, number];
    cost: number;
    costCi: [number, number];
    unit: string;
    note?: string;
  }
  | { reachable: false; target: number; current: number; unit: string; note: string };

/**
 * Options of {@link annotationCost}: the fitted curve, the target F1, the current corpus
 * size and the cost of one unit (a sentence, document or entity: the unit of the fit's
 * x, named by `unit`, default "sentences"), with the level and extrapolation limit of
 * {@link sizeForTarget}.
 */
export type AnnotationCostOptions = {
  fit: LearningCurveFit;
  target: number;
  current: number;
  costPerUnit: number;
  unit?: string;
  level?: number;
  maxExtrapolation?: number;
};

/**
 * What reaching `target` costs from a corpus of `current` units: max(0, size - current)
 * more units at `costPerUnit` each, the interval of the size carried through (its ends
 * also floored at the current size).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotationCost, fitLearningCurve } from "./learning_curve.ts";
 * const x = [50, 100, 200, 400, 800];
 * const fit = fitLearningCurve(x, x.map((n) => 0.9 - 2 * Math.pow(n, -0.5)));
 * // f(n) = 0.85 at n = (2 / 0.05)^2 = 1600: 800 more sentences at 0.5 each.
 * const c = annotationCost({ fit, target: 0.85, current: 800, costPerUnit: 0.5 });
 * assert.ok(c.reachable && Math.abs(c.cost - 400) < 1e-6);
 * ```
 */
export function annotationCost(options: AnnotationCostOptions): AnnotationCost {
  const { fit, target, current, costPerUnit } = options;
  const unit = options.unit ?? "sentences";
  if (!(current >= 0)) throw new Error(`annotationCost: current size is ${current}`);
  if (!(costPerUnit >= 0)) throw new Error(`annotationCost: costPerUnit is ${costPerUnit}`);
  const size = sizeForTarget(fit, target, options);
  if (!size.reachable) return { reachable: false, target, current, unit, note: size.note };
  const more = (n: number) => Math.max(0, n - current);
  const additional = more(size.estimate);
  const additionalCi: [number, number] = [more(size.ci[0]), more(size.ci[1])];
  const out: AnnotationCost = {
    reachable: true,
    target,
    current,
    size: size.estimate,
    additional,
    additionalCi,
    cost: additional * costPerUnit,
    costCi: [additionalCi[0] * costPerUnit, additionalCi[1] * costPerUnit],
    unit,
  };
  if (additional === 0) {
    out.note = `the fitted curve reaches ${formatValue(target)} at ${formatSize(size.estimate)} ` +
      `${unit}, within the current ${formatSize(current)}`;
  } else if (size.note) out.note = size.note;
  return out;
}
