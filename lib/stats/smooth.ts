/**
 * Smoothers for learning-curve plots (F1 against training-set size): a penalized
 * regression spline with GCV smoothing, LOESS, and lowess.
 *
 * - {@link smoothSpline} matches mgcv's `gam(y ~ s(x, bs = "cr", k = 10))`
 *   (method "GCV.Cp"): the cubic regression spline basis with knots at quantiles of
 *   the unique x, the penalty scaled as mgcv scales it (so `lambda` is mgcv's `sp`),
 *   the smoothing parameter minimising GCV = n RSS / (n - tr A)^2, and the pointwise
 *   band of `predict(..., se.fit = TRUE)` (Bayesian covariance, scale RSS / (n - tr A)).
 * - {@link loess} matches R's `loess(y ~ x, span, degree, family = "gaussian",
 *   surface = "direct", statistics = "exact")`: the local regression is computed at
 *   every point asked for (no kd-tree interpolation, R's default `surface =
 *   "interpolate"` differs slightly), and standard errors use the exact operator traces.
 * - {@link lowess} matches R's `lowess(x, y, f = 2/3, iter = 3)` (Cleveland 1979).
 *
 * @module
 */
import { normalQuantileOf, tQuantileOf } from "./distributions.ts";
import { optimize } from "./optimize.ts";

// ---------------------------------------------------------------------------
// Small dense helpers (k x k, row-major).

/**
 * Cholesky factor L (lower, row-major) of a symmetric positive-definite matrix; `fn`
 * (the smoother called) starts the error message.
 */
function cholesky(a: Float64Array, k: number, fn: string): Float64Array {
  const l = new Float64Array(k * k);
  for (let j = 0; j < k; j++) {
    let d = a[j * k + j];
    for (let m = 0; m < j; m++) d -= l[j * k + m] ** 2;
    if (!(d > 0)) throw new Error(`${fn}: the normal equations are not positive definite`);
    const ljj = Math.sqrt(d);
    l[j * k + j] = ljj;
    for (let i = j + 1; i < k; i++) {
      let s = a[i * k + j];
      for (let m = 0; m < j; m++) s -= l[i * k + m] * l[j * k + m];
      l[i * k + j] = s / ljj;
    }
  }
  return l;
}

/** Solves L L' x = b. */
function cholSolve(l: Float64Array, k: number, b: ArrayLike<number>): Float64Array {
  const z = Float64Array.from(b);
  for (let i = 0; i < k; i++) {
    for (let m = 0; m < i; m++) z[i] -= l[i * k + m] * z[m];
    z[i] /= l[i * k + i];
  }
  for (let i = k - 1; i >= 0; i--) {
    for (let m = i + 1; m < k; m++) z[i] -= l[m * k + i] * z[m];
    z[i] /= l[i * k + i];
  }
  return z;
}

/** Inverse of L L'. */
function cholInverse(l: Float64Array, k: number): Float64Array {
  const inv = new Float64Array(k * k);
  const e = new Float64Array(k);
  for (let j = 0; j < k; j++) {
    e.fill(0);
    e[j] = 1;
    const c = cholSolve(l, k, e);
    for (let i = 0; i < k; i++) inv[i * k + j] = c[i];
  }
  return inv;
}

/** Type-7 quantile of sorted values (R's default `quantile`). */
function quantile7(sorted: ArrayLike<number>, p: number): number {
  const index = (sorted.length - 1) * p;
  const lo = Math.floor(index), hi = Math.ceil(index);
  const h = index - lo;
  return h === 0 ? sorted[lo] : (1 - h) * sorted[lo] + h * sorted[hi];
}

function checkXY(fn: string, x: ArrayLike<number>, y: ArrayLike<number>) {
  if (x.length !== y.length) throw new Error(`${fn}: x has ${x.length} values, y has ${y.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new Error(`${fn}: point ${i} is not finite (x=${x[i]}, y=${y[i]})`);
    }
  }
}

/** Evenly spaced points over the range of x, or the points given. */
function gridOf(
  fn: string,
  x: ArrayLike<number>,
  grid: number | number[] | undefined,
): number[] {
  if (Array.isArray(grid)) return grid.slice();
  const m = grid ?? 100;
  if (!Number.isInteger(m) || m < 2) {
    throw new Error(`${fn}: grid must be an integer >= 2, got ${m}`);
  }
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < x.length; i++) lo = Math.min(lo, x[i]), hi = Math.max(hi, x[i]);
  return Array.from({ length: m }, (_, i) => (i === m - 1 ? hi : lo + (i * (hi - lo)) / (m - 1)));
}

// ---------------------------------------------------------------------------
// Cubic regression spline (mgcv "cr").

/**
 * The "cr" basis: coefficients are the spline's values at the knots, the spline is
 * natural (zero second derivative at the end knots) and linear beyond them.
 * Returns the map from values to second derivatives at the knots (F = B^-1 D, with
 * zero first and last rows) and the penalty S = D' B^-1 D (Wood 2017, sec. 5.3.1).
 */
function crSetup(knots: number[]) {
  const k = knots.length;
  const h = Array.from({ length: k - 1 }, (_, j) => knots[j + 1] - knots[j]);
  const m = k - 2;
  // D: (k-2) x k second differences; B: (k-2) x (k-2) tridiagonal.
  const d = new Float64Array(m * k);
  const b = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    d[i * k + i] = 1 / h[i];
    d[i * k + i + 1] = -1 / h[i] - 1 / h[i + 1];
    d[i * k + i + 2] = 1 / h[i + 1];
    b[i * m + i] = (h[i] + h[i + 1]) / 3;
    if (i + 1 < m) b[i * m + i + 1] = b[(i + 1) * m + i] = h[i + 1] / 6;
  }
  const lb = cholesky(b, m, "smoothSpline");
  const f = new Float64Array(k * k); // rows 0 and k-1 stay zero
  for (let j = 0; j < k; j++) {
    const col = cholSolve(lb, m, Array.from({ length: m }, (_, i) => d[i * k + j]));
    for (let i = 0; i < m; i++) f[(i + 1) * k + j] = col[i];
  }
  const s = new Float64Array(k * k);
  for (let r = 0; r < k; r++) {
    for (let c = 0; c < k; c++) {
      let v = 0;
      for (let i = 0; i < m; i++) v += d[i * k + r] * f[(i + 1) * k + c];
      s[r * k + c] = v;
    }
  }
  for (let r = 0; r < k; r++) {
    for (let c = r + 1; c < k; c++) s[r * k + c] = s[c * k + r] = (s[r * k + c] + s[c * k + r]) / 2;
  }
  return { h, f, s };
}

/** One row of the "cr" model matrix at x. */
function crRow(knots: number[], h: number[], f: Float64Array, x: number): Float64Array {
  const k = knots.length;
  const row = new Float64Array(k);
  const addGamma = (j: number, w: number) => {
    if (w !== 0) { for (let c = 0; c < k; c++) row[c] += w * f[j * k + c]; }
  };
  if (x < knots[0] || x > knots[k - 1]) {
    // Linear beyond the end knots, with the spline's slope there.
    const left = x < knots[0];
    const j = left ? 0 : k - 2;
    const hj = h[j], at = left ? knots[0] : knots[k - 1], dx = x - at;
    row[j] += -dx / hj;
    row[j + 1] += dx / hj;
    addGamma(j, left ? -hj / 3 * dx : hj / 6 * dx);
    addGamma(j + 1, left ? -hj / 6 * dx : hj / 3 * dx);
    row[left ? 0 : k - 1] += 1;
    return row;
  }
  let j = 0;
  while (j < k - 2 && x > knots[j + 1]) j++;
  const hj = h[j];
  const am = (knots[j + 1] - x) / hj, ap = (x - knots[j]) / hj;
  row[j] += am;
  row[j + 1] += ap;
  addGamma(j, ((knots[j + 1] - x) ** 3 / hj - hj * (knots[j + 1] - x)) / 6);
  addGamma(j + 1, ((x - knots[j]) ** 3 / hj - hj * (x - knots[j])) / 6);
  return row;
}

/**
 * Options of {@link smoothSpline}.
 */
export type SmoothSplineOptions = {
  /** Basis dimension (mgcv's k, default 10); needs at least k unique x values. */
  k?: number;
  /** Points to predict at: a count spread evenly over the range of x (default 100) or the points. */
  grid?: number | number[];
  /** Coverage of the pointwise band, fit +- qnorm((1 + level) / 2) se (default 0.95: 1.96 se). */
  level?: number;
  /** Fix mgcv's smoothing parameter `sp` instead of choosing it by GCV. */
  lambda?: number;
};

/**
 * The result of {@link smoothSpline}. `edf` is the smooth's effective degrees of
 * freedom as `summary(gam)` reports it (without the intercept); `edfTotal` adds the
 * intercept; `gcv` is mgcv's `gcv.ubre`; `lambda` is mgcv's `sp`; `sigma2` its `sig2`.
 */
export type SmoothSplineFit = {
  x: number[];
  fit: number[];
  se: number[];
  lower: number[];
  upper: number[];
  fitted: number[];
  edf: number;
  edfTotal: number;
  gcv: number;
  lambda: number;
  sigma2: number;
  knots: number[];
};

/**
 * Penalized cubic regression spline with the smoothing parameter chosen by GCV, as
 * mgcv's `gam(y ~ s(x, bs = "cr", k = 10))`, predicted on a grid with a pointwise
 * band from `predict(..., se.fit = TRUE)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothSpline } from "./smooth.ts";
 * const x = Array.from({ length: 50 }, (_, i) => i / 49);
 * const y = x.map((v) => Math.sin(2 * Math.PI * v) + 0.1 * Math.cos(37 * v));
 * const s = smoothSpline(x, y, { grid: 20 });
 * assert.equal(s.fit.length, 20);
 * assert.ok(s.edf > 6 && s.edf < 8);
 * ```
 */
export function smoothSpline(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: SmoothSplineOptions = {},
): SmoothSplineFit {
  checkXY("smoothSpline", x, y);
  const n = x.length;
  const k = opts.k ?? 10;
  if (!Number.isInteger(k) || k < 3) {
    throw new Error(`smoothSpline: k must be an integer >= 3, got ${k}`);
  }
  // Knots at quantiles of the unique x (in order of first appearance, as R's unique).
  const unique = Float64Array.from(new Set(Array.from(x))).sort();
  if (unique.length < k) {
    throw new Error(`smoothSpline: x has ${unique.length} unique values, fewer than k = ${k}`);
  }
  const knots = Array.from({ length: k }, (_, i) => quantile7(unique, i / (k - 1)));
  const { h, f, s } = crSetup(knots);
  const X = Array.from({ length: n }, (_, i) => crRow(knots, h, f, x[i]));
  // mgcv's penalty scaling: S / (||S||_1 / ||X||_inf^2).
  let xInf = 0;
  for (const row of X) xInf = Math.max(xInf, row.reduce((a, v) => a + Math.abs(v), 0));
  let s1 = 0;
  for (let c = 0; c < k; c++) {
    let col = 0;
    for (let r = 0; r < k; r++) col += Math.abs(s[r * k + c]);
    s1 = Math.max(s1, col);
  }
  const sScale = s1 / (xInf * xInf);
  const xtx = new Float64Array(k * k), xty = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const row = X[i];
    for (let a = 0; a < k; a++) {
      xty[a] += row[a] * y[i];
      for (let b = 0; b < k; b++) xtx[a * k + b] += row[a] * row[b];
    }
  }
  const fitAt = (lambda: number) => {
    const a = new Float64Array(k * k);
    for (let i = 0; i < k * k; i++) a[i] = xtx[i] + (lambda * s[i]) / sScale;
    const l = cholesky(a, k, "smoothSpline");
    const beta = cholSolve(l, k, xty);
    const inv = cholInverse(l, k);
    let trA = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) trA += inv[i * k + j] * xtx[j * k + i];
    let rss = 0;
    const fitted = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let c = 0; c < k; c++) v += X[i][c] * beta[c];
      fitted[i] = v;
      rss += (y[i] - v) ** 2;
    }
    return { beta, inv, trA, rss, fitted, gcv: (n * rss) / (n - trA) ** 2 };
  };
  let lambda = opts.lambda;
  if (lambda === undefined) {
    // GCV over log(sp): coarse grid, then Brent's method around the best grid point.
    const score = (rho: number) => fitAt(Math.exp(rho)).gcv;
    let best = -20, bestScore = Infinity;
    for (let rho = -20; rho <= 20; rho += 0.5) {
      const v = score(rho);
      if (v < bestScore) best = rho, bestScore = v;
    }
    lambda = Math.exp(optimize(score, best - 0.5, best + 0.5, 1e-10).minimum);
  }
  if (!(lambda >= 0)) throw new Error(`smoothSpline: lambda must be >= 0, got ${lambda}`);
  const fit = fitAt(lambda);
  const sigma2 = fit.rss / (n - fit.trA);
  const z = normalQuantileOf((1 + (opts.level ?? 0.95)) / 2);
  const gx = gridOf("smoothSpline", x, opts.grid);
  const curve = gx.map((g) => {
    const row = crRow(knots, h, f, g);
    let v = 0, q = 0;
    for (let a = 0; a < k; a++) {
      v += row[a] * fit.beta[a];
      for (let b = 0; b < k; b++) q += row[a] * fit.inv[a * k + b] * row[b];
    }
    return { v, se: Math.sqrt(sigma2 * q) };
  });
  return {
    x: gx,
    fit: curve.map((c) => c.v),
    se: curve.map((c) => c.se),
    lower: curve.map((c) => c.v - z * c.se),
    upper: curve.map((c) => c.v + z * c.se),
    fitted: fit.fitted,
    edf: fit.trA - 1,
    edfTotal: fit.trA,
    gcv: fit.gcv,
    lambda,
    sigma2,
    knots,
  };
}

// ---------------------------------------------------------------------------
// LOESS (Cleveland, Grosse and Shyu 1992), surface = "direct".

/**
 * Options of {@link loess}; defaults are R's `loess()`.
 */
export type LoessOptions = {
  /** Fraction of the points in each local neighbourhood (default 0.75). */
  span?: number;
  /** Degree of the local polynomial: 0, 1 or 2 (default 2). */
  degree?: 0 | 1 | 2;
  /** Points to predict at: a count spread over the range of x (default 100) or the points. */
  grid?: number | number[];
  /** Coverage of the pointwise band, fit +- t quantile on R's look-up df times se (default 0.95). */
  level?: number;
};

/**
 * The result of {@link loess}: predictions on the grid with standard errors and a
 * pointwise band, fitted values at the data, and R's summaries: `enp` (R's
 * "equivalent number of parameters", one.delta + 2 tr(L) - n), `traceHat` (tr(L)), `sigma` (R's `s`, the residual
 * standard error), `oneDelta`, `twoDelta` and `df` (one.delta^2 / two.delta, the
 * degrees of freedom `predict.loess` reports). `twoDelta` costs O(n^3) and is only
 * computed for n <= 1000; beyond, it and `df` are NaN and the band uses normal quantiles.
 */
export type LoessFit = {
  x: number[];
  fit: number[];
  se: number[];
  lower: number[];
  upper: number[];
  fitted: number[];
  enp: number;
  traceHat: number;
  sigma: number;
  oneDelta: number;
  twoDelta: number;
  df: number;
};

/**
 * The weights of a local polynomial fit at x0 over x sorted ascending: fit(x0) =
 * sum_j weights[j] * y[start + j]. Only the neighbourhood (the q nearest points, or
 * all when span > 1) can have nonzero weight.
 */
function loessWeights(
  xs: Float64Array,
  x0: number,
  q: number,
  span: number,
  degree: number,
): { start: number; weights: Float64Array } {
  const n = xs.length;
  let lo: number, hi: number, rho: number;
  if (q >= n) {
    lo = 0, hi = n - 1;
    rho = Math.max(x0 - xs[0], xs[n - 1] - x0);
    if (span > 1) rho *= span; // one predictor: the largest distance times span^(1/1)
  } else {
    // Grow a window of the q nearest points from x0's place in the sorted x.
    let a = 0, b = n;
    while (a < b) {
      const m = (a + b) >> 1;
      if (xs[m] < x0) a = m + 1;
      else b = m;
    }
    lo = a, hi = a - 1;
    while (hi - lo + 1 < q) {
      if (lo === 0) hi++;
      else if (hi === n - 1) lo--;
      else if (x0 - xs[lo - 1] <= xs[hi + 1] - x0) lo--;
      else hi++;
    }
    rho = Math.max(x0 - xs[lo], xs[hi] - x0); // the q-th smallest distance
  }
  const p = degree + 1;
  const m = lo > hi ? 0 : hi - lo + 1;
  const w = new Float64Array(m), t = new Float64Array(m);
  // Tricube weights and the weighted normal equations of the polynomial in (x - x0) / rho.
  const mm = new Float64Array(p * p);
  for (let j = 0; j < m; j++) {
    const d = Math.abs(xs[lo + j] - x0);
    w[j] = d < rho ? (1 - (d / rho) ** 3) ** 3 : 0;
    t[j] = (xs[lo + j] - x0) / rho;
    let pw = w[j];
    for (let e = 0; e < 2 * p - 1; e++) {
      for (let r = Math.max(0, e - p + 1); r <= Math.min(e, p - 1); r++) mm[r * p + (e - r)] += pw;
      pw *= t[j];
    }
  }
  const l = cholesky(mm, p, "loess");
  const e0 = cholSolve(l, p, Array.from({ length: p }, (_, r) => (r === 0 ? 1 : 0)));
  for (let j = 0; j < m; j++) {
    let v = 0, pw = 1;
    for (let r = 0; r < p; r++) v += e0[r] * pw, pw *= t[j];
    w[j] *= v;
  }
  return { start: lo, weights: w };
}

/**
 * Local polynomial regression as R's `loess(y ~ x, span = 0.75, degree = 2)` with
 * `control = loess.control(surface = "direct", statistics = "exact")` (gaussian
 * family): tricube weights over the nearest `floor(n * span)` points, the fit
 * computed exactly at each point, standard errors from the exact operator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loess } from "./smooth.ts";
 * const x = Array.from({ length: 40 }, (_, i) => i);
 * const r = loess(x, x.map((v) => 2 * v + 1), { grid: [0, 10.5, 39] });
 * // a straight line is reproduced: 2 * 0 + 1, 2 * 10.5 + 1, 2 * 39 + 1
 * [1, 22, 79].forEach((v, i) => assert.ok(Math.abs(r.fit[i] - v) < 1e-9));
 * ```
 */
export function loess(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: LoessOptions = {},
): LoessFit {
  checkXY("loess", x, y);
  const n = x.length;
  const span = opts.span ?? 0.75;
  const degree = opts.degree ?? 2;
  if (![0, 1, 2].includes(degree)) {
    throw new Error(`loess: degree must be 0, 1 or 2, got ${degree}`);
  }
  const q = Math.floor(n * span);
  if (!(span > 0) || q < degree + 1) {
    throw new Error(`loess: span ${span} gives ${q} points per neighbourhood, need > ${degree}`);
  }
  // Work on x sorted ascending; `order` maps back to the caller's order.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const xs = Float64Array.from(order, (i) => x[i]);
  const ys = Float64Array.from(order, (i) => y[i]);
  // The operator L (fitted = L y), row by row over the sorted points.
  const L = Array.from(xs, (v) => loessWeights(xs, v, q, span, degree));
  const fittedSorted = L.map(({ start, weights }) =>
    weights.reduce((s, v, j) => s + v * ys[start + j], 0)
  );
  const fitted = new Array<number>(n);
  order.forEach((i, r) => (fitted[i] = fittedSorted[r]));
  // tr(L); one.delta = tr((I-L)'(I-L)) = ||I - L||_F^2; two.delta = tr(((I-L)'(I-L))^2)
  // costs O(n^3) and is computed up to n = 1000 (beyond, the band uses normal quantiles).
  let traceHat = 0, oneDelta = 0;
  L.forEach(({ start, weights }, r) => {
    const diag = r >= start && r < start + weights.length ? weights[r - start] : 0;
    traceHat += diag;
    let ss = 0;
    for (const v of weights) ss += v * v;
    oneDelta += ss - 2 * diag + 1;
  });
  let twoDelta = NaN;
  if (n <= 1000) {
    const m = new Float64Array(n * n); // I - L, row-major
    L.forEach(({ start, weights }, r) => {
      weights.forEach((v, j) => (m[r * n + start + j] = -v));
      m[r * n + r] += 1;
    });
    twoDelta = 0;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      // Column i of (I-L)'(I-L): sum_r m[r, j] m[r, i] for all j.
      col.fill(0);
      for (let r = 0; r < n; r++) {
        const mri = m[r * n + i];
        if (mri === 0) continue;
        const base = r * n;
        for (let j = 0; j < n; j++) col[j] += m[base + j] * mri;
      }
      for (let j = 0; j < n; j++) twoDelta += col[j] * col[j];
    }
  }
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - fitted[i]) ** 2;
  const sigma = Math.sqrt(rss / oneDelta);
  const enp = oneDelta + 2 * traceHat - n; // R's definition
  const df = (oneDelta * oneDelta) / twoDelta;
  const level = opts.level ?? 0.95;
  const tq = Number.isNaN(df)
    ? normalQuantileOf((1 + level) / 2)
    : tQuantileOf((1 + level) / 2, df);
  const gx = gridOf("loess", x, opts.grid);
  const fit: number[] = [], se: number[] = [];
  for (const g of gx) {
    const { start, weights } = loessWeights(xs, g, q, span, degree);
    let v = 0, ss = 0;
    weights.forEach((l, j) => (v += l * ys[start + j], ss += l * l));
    fit.push(v);
    se.push(sigma * Math.sqrt(ss));
  }
  return {
    x: gx,
    fit,
    se,
    lower: fit.map((v, i) => v - tq * se[i]),
    upper: fit.map((v, i) => v + tq * se[i]),
    fitted,
    enp,
    traceHat,
    sigma,
    oneDelta,
    twoDelta,
    df,
  };
}

// ---------------------------------------------------------------------------
// lowess (Cleveland 1979), as R's lowess() / clowess.

/**
 * Options of {@link lowess}; defaults are R's `lowess()`.
 */
export type LowessOptions = {
  /** Smoother span: the fraction of points in each local fit (default 2/3). */
  f?: number;
  /** Robustifying iterations (default 3). */
  iter?: number;
  /** Points closer than delta to the last fitted one are interpolated (default 1% of the range of x). */
  delta?: number;
};

/** One local linear fit at xs over points nleft..nright (R's `lowest`); null where all weights are 0. */
function lowest(
  x: Float64Array,
  y: Float64Array,
  xs: number,
  nleft: number,
  nright: number,
  rw: Float64Array | null,
  w: Float64Array,
): number | null {
  const n = x.length;
  const range = x[n - 1] - x[0];
  const h = Math.max(xs - x[nleft], x[nright] - xs);
  const h9 = 0.999 * h, h1 = 0.001 * h;
  let a = 0;
  let j = nleft;
  while (j < n) {
    w[j] = 0;
    const r = Math.abs(x[j] - xs);
    if (r <= h9) {
      w[j] = r <= h1 ? 1 : (1 - (r / h) ** 3) ** 3;
      if (rw) w[j] *= rw[j];
      a += w[j];
    } else if (x[j] > xs) break;
    j++;
  }
  const nrt = j - 1;
  if (a <= 0) return null;
  for (j = nleft; j <= nrt; j++) w[j] /= a;
  if (h > 0) {
    a = 0;
    for (j = nleft; j <= nrt; j++) a += w[j] * x[j];
    let b = xs - a, c = 0;
    for (j = nleft; j <= nrt; j++) c += w[j] * (x[j] - a) * (x[j] - a);
    if (Math.sqrt(c) > 0.001 * range) {
      b /= c;
      for (j = nleft; j <= nrt; j++) w[j] *= b * (x[j] - a) + 1;
    }
  }
  let ys = 0;
  for (j = nleft; j <= nrt; j++) ys += w[j] * y[j];
  return ys;
}

/**
 * Robust locally weighted linear smoothing as R's `lowess(x, y, f = 2/3, iter = 3)`:
 * returns the points sorted by x with the smoothed values (R's `list(x, y)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lowess } from "./smooth.ts";
 * const x = Array.from({ length: 30 }, (_, i) => i);
 * const r = lowess(x, x.map((v) => 3 * v - 2));
 * assert.ok(Math.abs(r.y[10] - 28) < 1e-9); // a straight line is reproduced: 3 * 10 - 2
 * ```
 */
export function lowess(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: LowessOptions = {},
): { x: number[]; y: number[] } {
  checkXY("lowess", x, y);
  const n = x.length;
  if (n === 0) return { x: [], y: [] };
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const xs = Float64Array.from(order, (i) => x[i]);
  const yv = Float64Array.from(order, (i) => y[i]);
  const f = opts.f ?? 2 / 3;
  const iterations = opts.iter ?? 3;
  const delta = opts.delta ?? 0.01 * (xs[n - 1] - xs[0]);
  if (n < 2) return { x: Array.from(xs), y: Array.from(yv) };
  const ns = Math.max(2, Math.min(n, Math.floor(f * n + 1e-7)));
  const ys = new Float64Array(n), res = new Float64Array(n), w = new Float64Array(n);
  let rw: Float64Array | null = null;
  for (let iter = 1; iter <= iterations + 1; iter++) {
    let nleft = 0, nright = ns - 1, last = -1, i = 0;
    for (;;) {
      if (nright < n - 1) {
        // Slide the neighbourhood right while that brings it closer to x[i].
        if (xs[i] - xs[nleft] > xs[nright + 1] - xs[i]) {
          nleft++, nright++;
          continue;
        }
      }
      const fit = lowest(xs, yv, xs[i], nleft, nright, rw, w);
      ys[i] = fit ?? yv[i];
      if (last < i - 1) {
        // Interpolate linearly over the points skipped within delta.
        const denom = xs[i] - xs[last];
        for (let j = last + 1; j < i; j++) {
          const alpha = (xs[j] - xs[last]) / denom;
          ys[j] = alpha * ys[i] + (1 - alpha) * ys[last];
        }
      }
      last = i;
      const cut = xs[last] + delta;
      for (i = last + 1; i < n; i++) {
        if (xs[i] > cut) break;
        if (xs[i] === xs[last]) {
          ys[i] = ys[last];
          last = i;
        }
      }
      i = Math.max(last + 1, i - 1);
      if (last >= n - 1) break;
    }
    for (let j = 0; j < n; j++) res[j] = yv[j] - ys[j];
    let sc = 0;
    for (let j = 0; j < n; j++) sc += Math.abs(res[j]);
    sc /= n;
    if (iter > iterations) break;
    // Robustness weights: bisquare of residuals over 6 median absolute residuals.
    const abs = Float64Array.from(res, Math.abs).sort();
    const m1 = Math.floor(n / 2);
    const cmad = n % 2 === 0 ? 3 * (abs[m1] + abs[n - m1 - 1]) : 6 * abs[m1];
    if (cmad < 1e-7 * sc) break;
    const c9 = 0.999 * cmad, c1 = 0.001 * cmad;
    rw = Float64Array.from(res, (r) => {
      const a = Math.abs(r);
      return a <= c1 ? 1 : a <= c9 ? (1 - (a / cmad) ** 2) ** 2 : 0;
    });
  }
  return { x: Array.from(xs), y: Array.from(ys) };
}
