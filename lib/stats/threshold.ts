/**
 * Single-predictor threshold (change-point) regression by exact least squares, in
 * the model types of R's chngpt package (Fong et al.), with the threshold `e`:
 *
 * - `"hinge"`:      y = a + b (x - e)+              flat, then a slope
 * - `"upperhinge"`: y = a + b (x - e)-              a slope, then flat (diminishing returns);
 *                   (x - e)- = min(x - e, 0)
 * - `"segmented"`:  y = a + b1 x + b2 (x - e)+       two slopes joined at e
 * - `"step"`:       y = a + b I(x >= e)              a jump at e
 *
 * The step indicator is I(x >= e), as chngpt's `make.chngpt.var` builds it (with a
 * candidate e at an observed x, that point belongs to the upper group).
 *
 * **Estimation.** The candidate thresholds are chngpt's: the sorted x values at
 * (1-based) positions `round(n * lower) + 1` to `round(n * upper)` (R's `round`, half
 * to even; `lower`/`upper` default 0.05/0.95), duplicates once. The least-squares e
 * is the candidate with the smallest residual sum of squares over ALL candidates,
 * found exactly as chngpt's "fastgrid" does: x is sorted once, and running sums of
 * 1, x, x², y, xy over the points on one side of e give each candidate's normal
 * equations in O(1), so the whole search is O(n) after sorting. The first minimum
 * wins ties. The model is then refitted at that e by Householder QR
 * ({@linkcode leastSquares}), which gives `coefficients` and `rss`.
 *
 * **Bootstrap** (`bootstrap: B`): nonparametric case resampling (n draws with
 * replacement, seeded through {@linkcode createRandom}; seed default 1). Each
 * replicate repeats the whole grid search on the resample (candidate positions
 * counted in the resample, as chngpt does). Intervals at `level` (default 0.95):
 * `ci` the percentile interval (R's type-7 quantiles of the replicates; chngpt's
 * `boot.ci` "perc" interpolates on the normal scale instead and can differ in the
 * last digits), and `ciSymmetric` the symmetric percentile interval of Hansen (2017)
 * that chngpt reports as "symm": estimate ± the `level` quantile of |replicate -
 * estimate|. `coefficientCis` gives both for every coefficient.
 *
 * **Test for a threshold** (`testReplicates: R`, default = `bootstrap` or 0): sup-F
 * statistic F = (RSS0 - RSS1) / (RSS1 / (n - k)) with RSS1 the least-squares
 * threshold fit (k coefficients + the threshold) and RSS0 the null model without a
 * threshold: the straight line a + b x for hinge, upperhinge and segmented, the
 * constant a for step. It is calibrated by parametric bootstrap under the fitted
 * null (Gaussian errors with its sigma; seed `seed + 1`): `pExists` =
 * (1 + #{F* >= F}) / (R + 1). For hinge and upperhinge the null is not nested
 * (their fit can be worse than a line), which the simulated calibration accounts for.
 *
 * **Degenerate data.** Where the data cannot locate a threshold, none is claimed:
 * with a constant y (every threshold fits equally well), a constant x, or fewer
 * distinct x values than the model's parameters (its coefficients and the threshold),
 * `threshold`, `pExists`, `supF` and the intervals are NaN and `notes` says why (a
 * constant y keeps its exact coefficients: the intercept is y, the slope terms 0;
 * otherwise they are NaN). The test is also NaN when y lies exactly on the null model
 * (no residual variance to calibrate it with). Bootstrap resamples that are degenerate
 * in the same way count as failed replicates and are left out of the intervals.
 *
 * chngpt itself is not installable here; the grid search is checked against
 * refitting at every candidate (tests/stats/threshold_test.ts).
 *
 * @module
 */
import { fromColumns, leastSquares } from "./linalg.ts";
import { normalQuantileOf } from "./distributions.ts";
import { createRandom } from "../core/random.ts";

/**
 * The threshold model types (chngpt's names).
 */
export type ThresholdType = "hinge" | "upperhinge" | "segmented" | "step";

/**
 * Options of {@linkcode thresholdRegression}.
 */
export type ThresholdOptions = {
  type?: ThresholdType;
  bootstrap?: number;
  seed?: number;
  level?: number;
  lower?: number;
  upper?: number;
  testReplicates?: number;
};

/**
 * A percentile and a symmetric bootstrap interval.
 */
export type BootstrapInterval = { percentile: [number, number]; symmetric: [number, number] };

/**
 * The result of {@linkcode thresholdRegression}. `profile` is the residual sum of
 * squares at every candidate threshold (from the running sums). `bootstrap` holds the
 * replicate thresholds; `bootstrapFailed` counts replicates without any usable
 * candidate or with degenerate data (left out of the intervals). `notes` is present
 * only where the data cannot show a threshold (or the test cannot be calibrated): it
 * says why the threshold or `pExists` is NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdRegression, type ThresholdResult } from "./threshold.ts";
 * // y = min(x, 3): 3 + 1 * (x - 3) below the threshold 3, flat above
 * const r: ThresholdResult = thresholdRegression([1, 2, 3, 4, 5, 6], [1, 2, 3, 3, 3, 3], {
 *   type: "upperhinge", lower: 0, upper: 1 });
 * assert.equal(r.threshold, 3);
 * assert.ok(Math.abs(r.coefficients["(Intercept)"] - 3) < 1e-12);
 * assert.ok(Math.abs(r.coefficients["(x-e)-"] - 1) < 1e-12);
 * ```
 */
export type ThresholdResult = {
  type: ThresholdType;
  threshold: number;
  coefficients: Record<string, number>;
  rss: number;
  n: number;
  profile: { threshold: number[]; rss: number[] };
  ci?: [number, number];
  ciSymmetric?: [number, number];
  coefficientCis?: Record<string, BootstrapInterval>;
  bootstrap?: number[];
  bootstrapFailed?: number;
  level: number;
  supF?: number;
  pExists?: number;
  notes?: string[];
};

const TYPES: ThresholdType[] = ["hinge", "upperhinge", "segmented", "step"];

/** The coefficient names of each model type, in order. */
function coefficientNames(type: ThresholdType): string[] {
  switch (type) {
    case "hinge":
      return ["(Intercept)", "(x-e)+"];
    case "upperhinge":
      return ["(Intercept)", "(x-e)-"];
    case "segmented":
      return ["(Intercept)", "x", "(x-e)+"];
    case "step":
      return ["(Intercept)", "I(x>=e)"];
  }
}

/** R's round(): half to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v), d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** R's quantile(type = 7) of a sorted array. */
function quantile7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * p, lo = Math.floor(h), hi = Math.min(lo + 1, n - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

type Grid = { best: number; bestRss: number; thresholds: number[]; rss: number[] };

/**
 * The exact grid search over sorted data. `xs` ascending, `ys` aligned, `w` integer
 * case weights (null: all 1). Returns the index (into xs) of the best candidate, or
 * -1 when no candidate exists. Works on centred copies for accuracy.
 */
function gridSearch(
  xs: Float64Array,
  ys: Float64Array,
  w: Float64Array | null,
  type: ThresholdType,
  lower: number,
  upper: number,
  keepProfile: boolean,
): Grid {
  const n = xs.length;
  let W = 0, mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    W += wi;
    mx += wi * xs[i];
    my += wi * ys[i];
  }
  mx /= W;
  my /= W;
  let Sxx = 0, Sxy = 0, Syy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    if (wi === 0) continue;
    const x = xs[i] - mx, y = ys[i] - my;
    Sxx += wi * x * x;
    Sxy += wi * x * y;
    Syy += wi * y * y;
  }
  // Sums of x and y are 0 after centring.
  const nLower = roundHalfEven(W * lower) + 1, nUpper = roundHalfEven(W * upper);
  const thresholds: number[] = [], rssList: number[] = [];
  let best = -1, bestRss = Infinity;
  // Null (no threshold term) RSS, used where the threshold column is degenerate.
  const lineRss = Sxx > 0 ? Syy - (Sxy * Sxy) / Sxx : Syy;
  let pw = 0, px = 0, pxx = 0, py = 0, pxy = 0; // sums over x < current value
  let i = 0;
  while (i < n) {
    const v = xs[i];
    let j = i, gw = 0, gx = 0, gxx = 0, gy = 0, gxy = 0;
    while (j < n && xs[j] === v) {
      const wj = w ? w[j] : 1;
      if (wj !== 0) {
        const x = xs[j] - mx, y = ys[j] - my;
        gw += wj;
        gx += wj * x;
        gxx += wj * x * x;
        gy += wj * y;
        gxy += wj * x * y;
      }
      j++;
    }
    const first = pw + 1, last = pw + gw; // positions of this value in the resample
    if (gw > 0 && first <= nUpper && last >= nLower) {
      const e = v - mx;
      // Sums over the side of e that carries the threshold term.
      let m: number, A1: number, A2: number, B: number, C: number;
      if (type === "upperhinge") {
        m = pw, A1 = px, A2 = pxx, B = py, C = pxy;
      } else if (type === "step") {
        m = W - pw, A1 = -px, A2 = Sxx - pxx, B = -py, C = Sxy - pxy;
      } else {
        m = W - pw - gw, A1 = -px - gx, A2 = Sxx - pxx - gxx, B = -py - gy;
        C = Sxy - pxy - gxy;
      }
      let Sf: number, Sff: number, Sfy: number, Sxf: number;
      if (type === "step") {
        Sf = m, Sff = m, Sfy = B, Sxf = A1;
      } else {
        Sf = A1 - e * m, Sff = A2 - 2 * e * A1 + e * e * m, Sfy = C - e * B, Sxf = A2 - e * A1;
      }
      const cff = Sff - (Sf * Sf) / W;
      const degenerate = !(cff > 1e-10 * Sff);
      let rss: number;
      if (type === "segmented") {
        const det = Sxx * cff - Sxf * Sxf;
        if (degenerate || !(det > 1e-10 * Sxx * cff)) rss = lineRss;
        else rss = Syy - (cff * Sxy * Sxy - 2 * Sxf * Sxy * Sfy + Sxx * Sfy * Sfy) / det;
      } else {
        rss = degenerate ? Syy : Syy - (Sfy * Sfy) / cff;
      }
      if (keepProfile) {
        thresholds.push(v);
        rssList.push(rss);
      }
      if (rss < bestRss) {
        bestRss = rss;
        best = i;
      }
    }
    pw += gw;
    px += gx;
    pxx += gxx;
    py += gy;
    pxy += gxy;
    i = j;
  }
  return { best, bestRss, thresholds, rss: rssList };
}

/** The threshold column of a model at e. */
function thresholdColumn(x: ArrayLike<number>, e: number, type: ThresholdType): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const d = x[i] - e;
    out[i] = type === "step"
      ? (x[i] >= e ? 1 : 0)
      : type === "upperhinge"
      ? Math.min(d, 0)
      : Math.max(d, 0);
  }
  return out;
}

/**
 * Fits one threshold model at a fixed e by least squares (QR), with optional integer
 * case weights: returns the coefficients in {@linkcode coefficientNames} order and
 * the (weighted) residual sum of squares.
 */
function fitAt(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  e: number,
  type: ThresholdType,
  w: ArrayLike<number> | null = null,
): { coefficients: Float64Array; rss: number } {
  const f = thresholdColumn(x, e, type);
  let rows = x.length;
  let xc: ArrayLike<number> = x, yc: ArrayLike<number> = y, fc: ArrayLike<number> = f;
  let one: Float64Array;
  if (w) {
    rows = 0;
    for (let i = 0; i < x.length; i++) if (w[i] > 0) rows++;
    const xx = new Float64Array(rows), yy = new Float64Array(rows), ff = new Float64Array(rows);
    one = new Float64Array(rows);
    let k = 0;
    for (let i = 0; i < x.length; i++) {
      if (!(w[i] > 0)) continue;
      const s = Math.sqrt(w[i]);
      one[k] = s;
      xx[k] = s * x[i];
      yy[k] = s * y[i];
      ff[k] = s * f[i];
      k++;
    }
    xc = xx, yc = yy, fc = ff;
  } else {
    one = new Float64Array(rows).fill(1);
  }
  const cols = type === "segmented" ? [one, xc, fc] : [one, fc];
  const fit = leastSquares(fromColumns(cols), yc);
  return { coefficients: fit.coefficients, rss: fit.rss };
}

/**
 * Fits a threshold regression of `y` on `x` (see the module documentation for the
 * models, the exact grid search, the bootstrap intervals and the test).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdRegression } from "./threshold.ts";
 * const x = Array.from({ length: 200 }, (_, i) => i);
 * const y = x.map((v) => 0.5 + 0.01 * Math.min(v - 120, 0) + 0.01 * Math.sin(v));
 * const fit = thresholdRegression(x, y, { type: "upperhinge", bootstrap: 200, seed: 1 });
 * assert.equal(fit.threshold, 120);
 * assert.ok(fit.ci![0] <= 120 && 120 <= fit.ci![1]); // percentile interval of the bootstrap
 * ```
 *
 * @example Data that cannot show a threshold gets NaN and a note
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdRegression } from "./threshold.ts";
 * const flat = thresholdRegression([12, 17, 16, 44, 34, 36], [0, 0, 0, 0, 0, 0], {
 *   bootstrap: 200,
 * });
 * assert.ok(Number.isNaN(flat.threshold) && Number.isNaN(flat.pExists!));
 * assert.match(flat.notes![0], /^y is constant \(0\)/);
 * ```
 */
export function thresholdRegression(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: ThresholdOptions = {},
): ThresholdResult {
  const type = opts.type ?? "hinge";
  if (!TYPES.includes(type)) {
    throw new Error(`thresholdRegression: unknown type "${type}" (${TYPES.join(", ")})`);
  }
  const n = x.length;
  if (y.length !== n) {
    throw new Error(`thresholdRegression: x has ${n} values, y has ${y.length}`);
  }
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(x[i])) throw new Error(`thresholdRegression: x[${i}] is ${x[i]}`);
    if (!Number.isFinite(y[i])) throw new Error(`thresholdRegression: y[${i}] is ${y[i]}`);
  }
  const lower = opts.lower ?? 0.05, upper = opts.upper ?? 0.95;
  if (!(lower >= 0 && upper <= 1 && lower < upper)) {
    throw new Error(`thresholdRegression: need 0 <= lower < upper <= 1, got ${lower}, ${upper}`);
  }
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) {
    throw new Error(`thresholdRegression: level must be in (0, 1), got ${level}`);
  }
  const B = opts.bootstrap ?? 0;
  const R = opts.testReplicates ?? B;
  for (const [name, v] of [["bootstrap", B], ["testReplicates", R]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`thresholdRegression: ${name} must be a non-negative integer, got ${v}`);
    }
  }
  const seed = opts.seed ?? 1;
  const names = coefficientNames(type);
  const p = names.length;
  if (n < p + 2) throw new Error(`thresholdRegression: ${n} points are too few for "${type}"`);

  // Sort once; the same order serves the bootstrap (weights per sorted point).
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b] || a - b);
  const xs = Float64Array.from(order, (i) => x[i]);
  const ys = Float64Array.from(order, (i) => y[i]);

  const grid = gridSearch(xs, ys, null, type, lower, upper, true);
  const why = degeneracy(xs, ys, null, type);
  if (why.length > 0) {
    return degenerateResult(type, n, grid, ys, why, level, B > 0, R > 0);
  }
  if (grid.best < 0) {
    throw new Error(
      `thresholdRegression: no candidate thresholds between quantiles ${lower} and ${upper}`,
    );
  }
  const threshold = xs[grid.best];
  const fit = fitAt(xs, ys, threshold, type);
  const coefficients: Record<string, number> = {};
  names.forEach((name, j) => (coefficients[name] = fit.coefficients[j]));
  const result: ThresholdResult = {
    type,
    threshold,
    coefficients,
    rss: fit.rss,
    n,
    profile: { threshold: grid.thresholds, rss: grid.rss },
    level,
  };

  if (B > 0) {
    const rng = createRandom(seed);
    const w = new Float64Array(n);
    const reps: number[][] = Array.from({ length: p + 1 }, () => []);
    let failed = 0;
    for (let b = 0; b < B; b++) {
      w.fill(0);
      for (let k = 0; k < n; k++) w[rng.int(n)]++;
      const g = gridSearch(xs, ys, w, type, lower, upper, false);
      if (g.best < 0 || degeneracy(xs, ys, w, type).length > 0) {
        failed++;
        continue;
      }
      const e = xs[g.best];
      const f = fitAt(xs, ys, e, type, w);
      if (f.coefficients.some(Number.isNaN)) {
        failed++;
        continue;
      }
      reps[0].push(e);
      for (let j = 0; j < p; j++) reps[j + 1].push(f.coefficients[j]);
    }
    const alpha = 1 - level;
    const interval = (values: number[], estimate: number): BootstrapInterval => {
      const sorted = Float64Array.from(values).sort();
      const dev = Float64Array.from(values, (v) => Math.abs(v - estimate)).sort();
      const q = quantile7(dev, level);
      return {
        percentile: [quantile7(sorted, alpha / 2), quantile7(sorted, 1 - alpha / 2)],
        symmetric: [estimate - q, estimate + q],
      };
    };
    const te = interval(reps[0], threshold);
    result.bootstrap = reps[0];
    result.bootstrapFailed = failed;
    result.ci = te.percentile;
    result.ciSymmetric = te.symmetric;
    result.coefficientCis = {};
    names.forEach((name, j) => {
      result.coefficientCis![name] = interval(reps[j + 1], coefficients[name]);
    });
  }

  if (R > 0) {
    const test = supFTest(xs, ys, type, lower, upper, R, seed + 1);
    result.supF = test.supF;
    result.pExists = test.p;
    if (test.note) result.notes = [test.note];
  }
  return result;
}

/**
 * Why sorted data (with integer case weights, null: all 1) cannot locate a threshold
 * of `type`: a constant x, fewer distinct x values than parameters, a constant y.
 * Empty when it can.
 */
function degeneracy(
  xs: Float64Array,
  ys: Float64Array,
  w: Float64Array | null,
  type: ThresholdType,
): string[] {
  const parameters = coefficientNames(type).length + 1;
  let distinct = 0, firstX = NaN, firstY = NaN, constantY = true, previous = NaN;
  for (let i = 0; i < xs.length; i++) {
    if (w && !(w[i] > 0)) continue;
    if (distinct === 0) {
      firstX = xs[i];
      firstY = ys[i];
    } else if (ys[i] !== firstY) constantY = false;
    if (distinct === 0 || xs[i] !== previous) distinct++;
    previous = xs[i];
  }
  const notes: string[] = [];
  if (distinct === 1) {
    notes.push(`x is constant (${firstX}): no threshold can be placed in it.`);
  } else if (distinct < parameters) {
    notes.push(
      `x has ${distinct} distinct values, fewer than the ${parameters} parameters of ` +
        `"${type}" (its coefficients and the threshold): the threshold is not identified.`,
    );
  }
  if (constantY) {
    notes.push(
      `y is constant (${firstY}): every threshold fits it equally well, so none is ` +
        `estimated and none can be tested.`,
    );
  }
  return notes;
}

/** The result for data that cannot locate a threshold: NaN threshold, intervals and test. */
function degenerateResult(
  type: ThresholdType,
  n: number,
  grid: Grid,
  ys: Float64Array,
  notes: string[],
  level: number,
  bootstrap: boolean,
  test: boolean,
): ThresholdResult {
  // A constant y has exact coefficients at every threshold: the intercept, no slope.
  const constantY = ys.every((v) => v === ys[0]);
  const coefficients: Record<string, number> = {};
  coefficientNames(type).forEach((name, j) => {
    coefficients[name] = constantY ? (j === 0 ? ys[0] : 0) : NaN;
  });
  const result: ThresholdResult = {
    type,
    threshold: NaN,
    coefficients,
    rss: constantY ? 0 : NaN,
    n,
    profile: { threshold: grid.thresholds, rss: grid.rss },
    level,
  };
  if (bootstrap) {
    result.ci = [NaN, NaN];
    result.ciSymmetric = [NaN, NaN];
  }
  if (test) {
    result.supF = NaN;
    result.pExists = NaN;
  }
  result.notes = notes;
  return result;
}

/** Null model RSS (line or constant) for sorted data, and its fitted values. */
function nullFit(xs: Float64Array, ys: Float64Array, type: ThresholdType) {
  const n = xs.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i];
    my += ys[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0, sxy = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
    syy += (ys[i] - my) ** 2;
  }
  const slope = type === "step" || sxx === 0 ? 0 : sxy / sxx;
  const rss = syy - slope * sxy;
  const fitted = Float64Array.from(xs, (v) => my + slope * (v - mx));
  return { rss: Math.max(rss, 0), fitted, p0: type === "step" ? 1 : 2, syy };
}

function supFTest(
  xs: Float64Array,
  ys: Float64Array,
  type: ThresholdType,
  lower: number,
  upper: number,
  replicates: number,
  seed: number,
): { supF: number; p: number; note?: string } {
  const n = xs.length;
  const k = coefficientNames(type).length + 1;
  const stat = (yv: Float64Array, rss0: number): number => {
    const g = gridSearch(xs, yv, null, type, lower, upper, false);
    const rss1 = Math.max(g.bestRss, 0);
    return (rss0 - rss1) / (rss1 / (n - k));
  };
  const null0 = nullFit(xs, ys, type);
  // No residual variance under the null: nothing to calibrate the statistic with.
  if (!(null0.rss > 1e-12 * null0.syy)) {
    return {
      supF: NaN,
      p: NaN,
      note: `y lies exactly on the ${type === "step" ? "constant" : "straight line"} of ` +
        `the null model: the test that a threshold exists has no residual variance to ` +
        `calibrate with, so pExists is NaN.`,
    };
  }
  const observed = stat(ys, null0.rss);
  const sigma = Math.sqrt(null0.rss / (n - null0.p0));
  const rng = createRandom(seed);
  const ystar = new Float64Array(n);
  let exceed = 0;
  for (let r = 0; r < replicates; r++) {
    for (let i = 0; i < n; i++) ystar[i] = null0.fitted[i] + sigma * rng.normal();
    const rss0 = nullFit(xs, ystar, type).rss;
    if (stat(ystar, rss0) >= observed) exceed++;
  }
  if (Number.isNaN(observed)) {
    return {
      supF: NaN,
      p: NaN,
      note: "the sup-F statistic is undefined (0/0), so pExists is NaN.",
    };
  }
  return { supF: observed, p: (1 + exceed) / (replicates + 1) };
}

/**
 * Normal-theory interval `estimate ± z * sd(replicates)` from bootstrap replicates,
 * for comparison with the percentile and symmetric intervals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapNormalInterval } from "./threshold.ts";
 * const [lo, hi] = bootstrapNormalInterval(10, [9, 10, 11, 10], 0.95);
 * const sd = Math.sqrt(2 / 3); // the replicates' sample standard deviation
 * assert.ok(Math.abs(lo - (10 - 1.959964 * sd)) < 1e-6); // z = 1.959964 for 95%
 * assert.ok(Math.abs(hi - (10 + 1.959964 * sd)) < 1e-6);
 * ```
 */
export function bootstrapNormalInterval(
  estimate: number,
  replicates: ArrayLike<number>,
  level = 0.95,
): [number, number] {
  const m = replicates.length;
  if (m < 2) throw new Error(`bootstrapNormalInterval: need 2 or more replicates, got ${m}`);
  let mean = 0;
  for (let i = 0; i < m; i++) mean += replicates[i];
  mean /= m;
  let ss = 0;
  for (let i = 0; i < m; i++) ss += (replicates[i] - mean) ** 2;
  const z = normalQuantileOf(1 - (1 - level) / 2);
  const sd = Math.sqrt(ss / (m - 1));
  return [estimate - z * sd, estimate + z * sd];
}
