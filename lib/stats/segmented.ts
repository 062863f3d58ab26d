/**
 * Segmented (broken-line) regression with one breakpoint, as R's `segmented`
 * package (version 1.6) fits it (Muggeo 2003, 2008), and Davies' test for a change
 * in slope, as its `davies.test`.
 *
 * - {@link segmentedRegression} matches `segmented(lm(y ~ x), seg.Z = ~x)`: the same
 *   iterative linearisation (fit `y ~ x + U + V` with `U = (x - psi)+` and
 *   `V = -I(x > psi)`, step `psi + gamma / beta`, step length chosen by
 *   `optimize()`), the same bootstrap restarts (`n.boot = 10` with `set.seed(12345)`,
 *   reproduced with R's random number generator), and the same summaries:
 *   `summary()`'s St.Err of psi, `slope()`, `confint()` (delta method with t
 *   quantiles on n - 4 df). With `nBoot: 0` it matches `seg.control(n.boot = 0)`.
 * - {@link daviesTest} matches `davies.test(lm(y ~ x))`: for n <= 300 the t-based
 *   bound (Davies 1987), for n > 300 the normal bound on Wald statistics, as R does.
 *
 * Degenerate data gets NaN instead of a claim, with `notes` saying why: a constant y
 * (every breakpoint fits equally well), a constant x, or fewer distinct x values than
 * the parameters (4 for the broken line: intercept, two slopes, breakpoint; 3 for
 * Davies' test, whose alternative adds one slope to the line). Davies' test is also NaN
 * where y lies exactly on a line (no residual variance). R errors or returns NA there.
 *
 * Agreement with R (tools/segmented_reference.R, tests/stats/segmented_test.ts): psi
 * to ~1e-8 relative, standard errors to ~1e-8, Davies p-values to ~1e-12 relative.
 * The last digits differ because R's RSS comes from OpenBLAS normal equations and
 * `optimize()` compares nearly equal RSS values; where several restarts end at RSS
 * values equal to ~1e-9 relative (a breakpoint at a data point), R and this code may
 * keep different ones of them.
 *
 * @module
 */
import { fromColumns, type LeastSquares, leastSquares } from "./linalg.ts";
import { normalCdfOf, tQuantileOf, tTwoSidedP } from "./distributions.ts";
import { optimize } from "./optimize.ts";
import { type RRandom, rRandom } from "./r_random.ts";

/**
 * Options of {@link segmentedRegression}; defaults are `seg.control()`'s.
 */
export type SegmentedOptions = {
  /** Starting breakpoint; default the median of x (segmented's `quant = TRUE` start). */
  psi?: number;
  /** Maximum iterations (`it.max`, default 30). */
  maxIter?: number;
  /** Convergence tolerance on the relative change in RSS (`tol`, default 1e-5). */
  tolerance?: number;
  /** Bootstrap restarts (`n.boot`, default 10); 0 for the plain algorithm. */
  nBoot?: number;
  /** Seed of R's generator for the restarts (`seed`, default 12345). */
  seed?: number;
  /** Stop the restarts after this many unchanged solutions (`break.boot`, default 5). */
  breakBoot?: number;
  /** Breakpoints are kept within the alpha and 1 - alpha quantiles of x (default max(0.05, 1/n)). */
  alpha?: number;
  /** Factor to move a breakpoint with fewer than 2 points on a side (`fc`, default 0.95). */
  fc?: number;
  /** Confidence level of `ci` and the slopes' intervals (default 0.95). */
  level?: number;
};

/**
 * One estimated slope, as a row of segmented's `slope()`.
 */
export type Slope = { estimate: number; se: number; t: number; ci: [number, number] };

/**
 * The fit of {@link segmentedRegression}.
 *
 * `coefficients` use segmented's names: the intercept, `x` (the left slope) and
 * `U1.x` (the change in slope at psi). `psiSe` is `summary()`'s "St.Err" and `ci`
 * `confint()`'s interval. `iterations` and `converged` describe the selected run
 * (`converged` is false where R warns "max number of iterations attained").
 */
export type SegmentedFit = {
  psi: number;
  psiSe: number;
  ci: [number, number];
  slopes: [Slope, Slope];
  coefficients: { "(Intercept)": number; x: number; "U1.x": number };
  rss: number;
  r2: number;
  sigma: number;
  n: number;
  dfResid: number;
  iterations: number;
  converged: boolean;
  psiStart: number;
  fitted: number[];
  /** Present only for degenerate data: why psi and its summaries are NaN. */
  notes?: string[];
};

/** A stop() inside segmented's fitting routine; the restarts catch these as R's try() does. */
class SegmentedStop extends Error {}

/** Type-7 quantile of sorted values, as R's `quantile(x, p)` computes it. */
function quantile7(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  const index = (n - 1) * p;
  const lo = Math.floor(index), hi = Math.ceil(index);
  const q = sorted[lo];
  if (index > lo && sorted[hi] !== q) {
    const h = index - lo;
    return (1 - h) * q + h * sorted[hi];
  }
  return q;
}

const sortedCopy = (v: ArrayLike<number>) => Float64Array.from(v).sort();

/** The design [1, x, (x - psi)+] (and -I(x > psi) with `withV`). */
function design(x: ArrayLike<number>, psi: number, withV: boolean) {
  const n = x.length;
  const ones = new Float64Array(n).fill(1);
  const u = new Float64Array(n), v = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    u[i] = x[i] > psi ? x[i] - psi : 0;
    v[i] = x[i] > psi ? -1 : 0;
  }
  return fromColumns(withV ? [ones, x, u, v] : [ones, x, u]);
}

type Settings = { itMax: number; toll: number; fc: number; alpha: number };

/** A finished run of the fitting routine (segmented's `seg.lm.fit`). */
type Run = {
  psi: number;
  ss: number;
  it: number;
  idWarn: boolean;
  fit: LeastSquares | null;
};

/** Segmented's `far.psi`: at least 2 points on each side of psi, else the factor to move it by. */
function farPsi(x: ArrayLike<number>, psi: number, fc: number): { ok: boolean; factor: number } {
  let left = 0, right = 0;
  for (let i = 0; i < x.length; i++) x[i] > psi ? right++ : left++;
  if (right === 0) {
    left = 0;
    for (let i = 0; i < x.length; i++) x[i] >= psi ? right++ : left++;
    if (right === 0) return { ok: true, factor: 1 };
  }
  return { ok: left >= 2 && right >= 2, factor: right - left > 0 ? 1 / fc : fc };
}

/**
 * One run of Muggeo's algorithm from `psi` (segmented's `seg.lm.fit`). With
 * `allSolutions`, a run stopped by NA coefficients returns the visited breakpoint
 * with the smallest RSS (as `return.all.sol = TRUE` followed by `extract.psi`).
 */
function segRun(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  psiStart: number,
  s: Settings,
  allSolutions: boolean,
): Run {
  const sx = sortedCopy(x);
  const rangeZ = [sx[0], sx[sx.length - 1]];
  const limZ = [quantile7(sx, s.alpha), quantile7(sx, 1 - s.alpha)];
  let psi = psiStart;
  if (!(psi > limZ[0] && psi < limZ[1])) {
    throw new SegmentedStop(
      `starting psi ${psi} outside [${limZ[0]}, ${limZ[1]}] (the alpha quantiles of x)`,
    );
  }
  if (!farPsi(x, psi, 0.93).ok) {
    throw new SegmentedStop(`starting psi ${psi} has fewer than 2 points on one side`);
  }
  const rssAt = (p: number) => leastSquares(design(x, p, false), y).rss;
  let uPsi = psi; // the breakpoint the U column was built at
  let l0 = rssAt(psi);
  const devs: number[] = [l0], psis: number[] = [psi];
  let it = 0, epsilon = 10, idWarn = false;
  while (Math.abs(epsilon) > s.toll) {
    it++;
    // Fit y ~ x + U + V; U keeps the breakpoint of the last step, V uses the current one.
    const X = design(x, uPsi, true);
    const n = x.length;
    for (let i = 0; i < n; i++) X.data[i * 4 + 3] = x[i] > psi ? -1 : 0;
    const lin = leastSquares(X, y);
    const beta = lin.coefficients[2], gamma = lin.coefficients[3];
    if (Number.isNaN(beta) || Number.isNaN(gamma)) {
      if (!allSolutions) {
        throw new SegmentedStop(
          "breakpoint estimate too close or at the boundary causing NA estimates",
        );
      }
      let best = 0;
      for (let j = 1; j < devs.length; j++) if (devs[j] < devs[best]) best = j;
      return { psi: psis[best], ss: devs[best], it, idWarn, fit: null };
    }
    const psiOld = psi;
    psi = Math.min(Math.max(psiOld + gamma / beta, rangeZ[0]), rangeZ[1]);
    const target = psi;
    const step = optimize((h) => rssAt(target * h + psiOld * (1 - h)), 0, 1);
    const l1 = step.objective;
    psi = target * step.minimum + psiOld * (1 - step.minimum);
    psi = Math.min(Math.max(psi, limZ[0]), limZ[1]);
    uPsi = psi;
    epsilon = (l0 - l1) / (Math.abs(l0) + 0.1);
    l0 = l1;
    devs.push(l0);
    psis.push(psi);
    // Fewer than 2 points on a side: move psi by the factor fc (U keeps the unmoved psi).
    const far = farPsi(x, psi, s.fc);
    if (!far.ok) psi *= far.factor;
    if (it >= s.itMax) {
      idWarn = true;
      break;
    }
  }
  const fit = leastSquares(design(x, psi, false), y);
  return { psi, ss: fit.rss, it, idWarn, fit };
}

/** Segmented's bootstrap restarts (`seg.lm.fit.boot`, nonparametric, `random = TRUE`). */
function segBoot(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  psiStart: number,
  s: Settings,
  nBoot: number,
  breakBoot: number,
  rng: RRandom,
): Run {
  const n = x.length;
  const sx = sortedCopy(x);
  const limZ = [quantile7(sx, s.alpha), quantile7(sx, 1 - s.alpha)];
  const tryRun = (
    xs: ArrayLike<number>,
    ys: ArrayLike<number>,
    p: number,
    st: Settings,
    all: boolean,
  ) => {
    try {
      return segRun(xs, ys, p, st, all);
    } catch (e) {
      if (e instanceof SegmentedStop) return null;
      throw e;
    }
  };
  const single = { ...s, itMax: 1 };
  let best: Run = tryRun(x, y, psiStart, s, false) ?? segRun(x, y, psiStart, s, true);
  let estPsi0 = best.psi;
  const selectedSs: number[] = [];
  let alphaFlip = 0.1;
  let itMax = s.itMax;
  for (let k = 0; k < nBoot; k++) {
    const m = selectedSs.length;
    if (
      m >= 3 && Math.abs(selectedSs[m - 1] - selectedSs[m - 2]) < 5e-7 &&
      Math.abs(selectedSs[m - 2] - selectedSs[m - 3]) < 5e-7
    ) {
      // Stuck: restart from the mirror quantile of the current estimate.
      let q = 0;
      for (let i = 0; i < n; i++) if (estPsi0 >= x[i]) q++;
      q /= n;
      if (Math.abs(q - 0.5) < 0.1) q = alphaFlip;
      alphaFlip = 1 - alphaFlip;
      estPsi0 = quantile7(sx, 1 - q);
    }
    const id = rng.sample(n, n);
    const bootRun = tryRun(id.map((i) => x[i - 1]), id.map((i) => y[i - 1]), estPsi0, s, false);
    const psiBoot = bootRun ? bootRun.psi : rng.runif(limZ[0], limZ[1]);
    itMax++;
    let o = tryRun(x, y, psiBoot, { ...s, itMax }, true);
    if (o === null) {
      estPsi0 = rng.runif(limZ[0], limZ[1]);
      o = tryRun(x, y, estPsi0, single, false);
    }
    if (o !== null) {
      if (o.ss <= best.ss) best = o;
      estPsi0 = best.psi;
      selectedSs.push(best.ss);
    }
    const len = selectedSs.length;
    if (len > breakBoot) {
      let same = true;
      for (let j = len - 1; j > len - breakBoot; j--) {
        if (Math.abs(selectedSs[j] - selectedSs[j - 1]) >= 5e-7) same = false;
      }
      if (same) break;
    }
  }
  if (best.fit === null) best = segRun(x, y, estPsi0, single, false);
  return best;
}

/**
 * Why data cannot show a change in slope to a model of `parameters` parameters: a
 * constant x, fewer distinct x values than parameters, a constant y. Empty when it can.
 */
function degeneracy(x: ArrayLike<number>, y: ArrayLike<number>, parameters: number): string[] {
  const sx = sortedCopy(x);
  let distinct = 1;
  for (let i = 1; i < sx.length; i++) if (sx[i] !== sx[i - 1]) distinct++;
  let constantY = true;
  for (let i = 1; i < y.length; i++) if (y[i] !== y[0]) constantY = false;
  const notes: string[] = [];
  if (distinct === 1) {
    notes.push(`x is constant (${sx[0]}): no breakpoint can be placed in it.`);
  } else if (distinct < parameters) {
    notes.push(
      `x has ${distinct} distinct values, fewer than the ${parameters} parameters of the ` +
        `model: neither a breakpoint nor a change in slope is identified.`,
    );
  }
  if (constantY) {
    notes.push(
      `y is constant (${y[0]}): every breakpoint fits it equally well, so none is ` +
        `estimated and none can be tested.`,
    );
  }
  return notes;
}

function checkXY(fn: string, x: ArrayLike<number>, y: ArrayLike<number>, minN: number) {
  if (x.length !== y.length) {
    throw new Error(`${fn}: x has ${x.length} values, y has ${y.length}`);
  }
  if (x.length < minN) throw new Error(`${fn}: need at least ${minN} points, got ${x.length}`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i]) || !Number.isFinite(y[i])) {
      throw new Error(`${fn}: point ${i} is not finite (x=${x[i]}, y=${y[i]})`);
    }
  }
}

/**
 * Fits `y ~ x` with one breakpoint in the slope of x, as R's
 * `segmented(lm(y ~ x), seg.Z = ~x)` with `seg.control()` defaults (10 bootstrap
 * restarts, seed 12345); `nBoot: 0` gives `seg.control(n.boot = 0)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentedRegression } from "./segmented.ts";
 * const x = Array.from({ length: 20 }, (_, i) => i);
 * const y = x.map((v) => (v < 8 ? v : 8 + 0.2 * (v - 8)) + 0.01 * Math.sin(v));
 * const fit = segmentedRegression(x, y);
 * assert.ok(Math.abs(fit.psi - 8) < 0.01); // the breakpoint
 * const [before, after] = fit.slopes.map((s) => s.estimate);
 * assert.ok(Math.abs(before - 1) < 0.01 && Math.abs(after - 0.2) < 0.01); // the slopes
 * ```
 *
 * @example Data that cannot show a breakpoint gets NaN and a note
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentedRegression } from "./segmented.ts";
 * const flat = segmentedRegression([12, 17, 16, 44, 34, 36], [0, 0, 0, 0, 0, 0]);
 * assert.ok(Number.isNaN(flat.psi));
 * assert.match(flat.notes![0], /^y is constant \(0\)/);
 * ```
 */
export function segmentedRegression(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: SegmentedOptions = {},
): SegmentedFit {
  checkXY("segmentedRegression", x, y, 5);
  const n = x.length;
  const sx = sortedCopy(x);
  const psiStart = opts.psi ?? quantile7(sx, 0.5);
  const why = degeneracy(x, y, 4);
  if (why.length > 0) return degenerateFit(y, psiStart, why);
  if (!Number.isFinite(psiStart) || psiStart <= sx[0] || psiStart >= sx[n - 1]) {
    throw new Error(
      `segmentedRegression: starting psi ${psiStart} is not inside the range of x [${sx[0]}, ${
        sx[n - 1]
      }]`,
    );
  }
  const settings: Settings = {
    itMax: opts.maxIter ?? 30,
    toll: opts.tolerance ?? 1e-5,
    fc: Math.min(Math.max(Math.abs(opts.fc ?? 0.95), 0.8), 1),
    alpha: opts.alpha ?? Math.max(0.05, 1 / n),
  };
  const nBoot = opts.nBoot ?? 10;
  let run: Run;
  try {
    run = nBoot > 0
      ? segBoot(x, y, psiStart, settings, nBoot, opts.breakBoot ?? 5, rRandom(opts.seed ?? 12345))
      : segRun(x, y, psiStart, settings, false);
  } catch (e) {
    if (e instanceof SegmentedStop) throw new Error(`segmentedRegression: ${e.message}`);
    throw e;
  }
  const fit = run.fit!;
  const [b0, b1, b2] = fit.coefficients;
  if (Number.isNaN(b2)) {
    throw new Error(`segmentedRegression: breakpoint ${run.psi} leaves no points beyond it`);
  }
  // Covariance as summary.segmented: lm(y ~ x + U + psi) with the psi column
  // -I(x > psi) * beta, sigma^2 from the fit without it, n - 4 residual df.
  const X = design(x, run.psi, true);
  for (let i = 0; i < n; i++) X.data[i * 4 + 3] *= b2;
  const cov = leastSquares(X, y).unscaled;
  const dfResid = n - 4;
  const s2 = run.ss / dfResid;
  const c = (i: number, j: number) => s2 * cov[i * 4 + j];
  const level = opts.level ?? 0.95;
  const tq = Math.abs(tQuantileOf((1 - level) / 2, dfResid));
  const psiSe = Math.sqrt(c(3, 3));
  const slope = (est: number, v: number): Slope => {
    const se = Math.sqrt(v);
    return { estimate: est, se, t: est / se, ci: [est - tq * se, est + tq * se] };
  };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i];
  mean /= n;
  let tss = 0;
  for (let i = 0; i < n; i++) tss += (y[i] - mean) ** 2;
  return {
    psi: run.psi,
    psiSe,
    ci: [run.psi - tq * psiSe, run.psi + tq * psiSe],
    slopes: [slope(b1, c(1, 1)), slope(b1 + b2, c(1, 1) + c(2, 2) + 2 * c(1, 2))],
    coefficients: { "(Intercept)": b0, x: b1, "U1.x": b2 },
    rss: run.ss,
    r2: 1 - run.ss / tss,
    sigma: Math.sqrt(s2),
    n,
    dfResid,
    iterations: run.it,
    converged: !run.idWarn,
    psiStart,
    fitted: Array.from(fit.fitted),
  };
}

/**
 * The fit for data that cannot show a breakpoint: psi, its interval and the slopes'
 * standard errors NaN; a constant y keeps its exact line (intercept y, slopes 0).
 */
function degenerateFit(y: ArrayLike<number>, psiStart: number, notes: string[]): SegmentedFit {
  const n = y.length;
  let constantY = true;
  for (let i = 1; i < n; i++) if (y[i] !== y[0]) constantY = false;
  const flat = constantY ? 0 : NaN;
  const slope: Slope = { estimate: flat, se: NaN, t: NaN, ci: [NaN, NaN] };
  return {
    psi: NaN,
    psiSe: NaN,
    ci: [NaN, NaN],
    slopes: [slope, { ...slope, ci: [NaN, NaN] }],
    coefficients: { "(Intercept)": constantY ? y[0] : NaN, x: flat, "U1.x": flat },
    rss: constantY ? 0 : NaN,
    r2: NaN,
    sigma: constantY ? 0 : NaN,
    n,
    dfResid: n - 4,
    iterations: 0,
    converged: false,
    psiStart,
    fitted: Array.from(y, () => (constantY ? y[0] : NaN)),
    notes,
  };
}

/**
 * Options of {@link daviesTest}; defaults are `davies.test()`'s.
 */
export type DaviesOptions = {
  /** Number of evaluation points, evenly spaced from the 2nd smallest to the 2nd largest x (default 10). */
  k?: number;
  /** "two.sided" (default), "less" or "greater" (sign of the change in slope). */
  alternative?: "two.sided" | "less" | "greater";
  /** Evaluation points to use instead of the k evenly spaced ones. */
  values?: number[];
};

/**
 * The result of {@link daviesTest}: the p-value bound, the extreme statistic, where
 * it occurred (R's "'best' at"), and the statistic at each evaluation point.
 */
export type DaviesResult = {
  p: number;
  statistic: number;
  bestAt: number;
  values: number[];
  statistics: number[];
  /** Present only for degenerate data: why the test is NaN. */
  notes?: string[];
};

/** log Gamma by the Lanczos approximation (g = 7, 9 terms), |relative error| < 1e-14. */
function logGamma(z: number): number {
  const g = 7;
  const c = [
    0.99999999999980993,
    676.5203681218851,
    -1259.1392167224028,
    771.32342877765313,
    -176.61502916214059,
    12.507343278686905,
    -0.13857109526572012,
    9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (z < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * z))) - logGamma(1 - z);
  const zz = z - 1;
  let a = c[0];
  const t = zz + g + 0.5;
  for (let i = 1; i < 9; i++) a += c[i] / (zz + i);
  return 0.5 * Math.log(2 * Math.PI) + (zz + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Lower and upper tails of Student's t. */
function tTails(t: number, df: number): { lower: number; upper: number } {
  const half = tTwoSidedP(t, df) / 2;
  return t < 0 ? { lower: half, upper: 1 - half } : { lower: 1 - half, upper: half };
}

/**
 * Davies' test for a change in the slope of `y ~ x`, as R's
 * `davies.test(lm(y ~ x), seg.Z = ~x)`: the statistic for adding `(x - p)+` at each
 * of k points, and Davies' (1987) upper bound for the p-value of its maximum. For
 * n <= 300, t statistics with the t-based bound; for n > 300, Wald statistics with
 * the normal bound (R's switch). `p` is capped at 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { daviesTest } from "./segmented.ts";
 * const x = Array.from({ length: 30 }, (_, i) => i);
 * const y = x.map((v) => Math.min(v, 15) + 0.3 * Math.sin(v * 7));
 * assert.ok(daviesTest(x, y).p < 0.001); // the slope changes
 * ```
 */
export function daviesTest(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  opts: DaviesOptions = {},
): DaviesResult {
  checkXY("daviesTest", x, y, 5);
  const n = x.length;
  const k = opts.k ?? 10;
  if (!(k > 1)) throw new Error(`daviesTest: k must be > 1, got ${k}`);
  const alternative = opts.alternative ?? "two.sided";
  const sx = sortedCopy(x);
  const ones = new Float64Array(n).fill(1);
  const why = degeneracy(x, y, 3);
  if (why.length === 0) {
    // An exact line leaves no residual variance: every statistic would be 0/0.
    const line = leastSquares(fromColumns([ones, x]), y);
    let mean = 0, tss = 0;
    for (let i = 0; i < n; i++) mean += y[i] / n;
    for (let i = 0; i < n; i++) tss += (y[i] - mean) ** 2;
    if (!(line.rss > 1e-12 * tss)) {
      why.push(
        "y lies exactly on a straight line of x: no residual variance to test a change " +
          "in slope against.",
      );
    }
  }
  if (why.length > 0) {
    return { p: NaN, statistic: NaN, bestAt: NaN, values: [], statistics: [], notes: why };
  }
  const values = opts.values ??
    Array.from(
      { length: k },
      (_, i) => i === k - 1 ? sx[n - 2] : sx[1] + i * ((sx[n - 2] - sx[1]) / (k - 1)),
    );
  const dfRes = n - 3;
  const glmBranch = n > 300;
  const kept: number[] = [], stats: number[] = [], ratios: number[] = [];
  for (const p of values) {
    const u = Float64Array.from(x, (v) => Math.max(v - p, 0));
    const fit = leastSquares(fromColumns([u, ones, x]), y);
    if (fit.rank < 3) continue; // R: the fit fails (singular) and the point is dropped
    const b = fit.coefficients[0], v11 = fit.unscaled[0];
    kept.push(p);
    if (glmBranch) {
      const dispersion = Math.max(fit.rss / dfRes, 1e-10);
      stats.push(b / Math.sqrt(dispersion * v11));
    } else {
      stats.push(b / (Math.sqrt(fit.rss / dfRes) * Math.sqrt(v11)));
      const z = b / Math.sqrt(v11);
      ratios.push((z * z) / (z * z + fit.rss));
    }
  }
  if (stats.length === 0) throw new Error("daviesTest: no evaluation point gave a fit");
  let at = 0;
  for (let i = 1; i < stats.length; i++) {
    const better = alternative === "less"
      ? stats[i] < stats[at]
      : alternative === "greater"
      ? stats[i] > stats[at]
      : Math.abs(stats[i]) > Math.abs(stats[at]);
    if (better) at = i;
  }
  const m = alternative === "two.sided" ? Math.abs(stats[at]) : stats[at];
  let p: number;
  if (glmBranch) {
    let variation = 0;
    for (let i = 1; i < stats.length; i++) variation += Math.abs(stats[i] - stats[i - 1]);
    const naive = alternative === "less" ? normalCdfOf(m) : normalCdfOf(-m);
    p = naive + (variation * Math.exp(-(m * m) / 2)) / Math.sqrt(8 * Math.PI);
  } else {
    let variation = 0;
    for (let i = 1; i < ratios.length; i++) {
      variation += Math.abs(Math.asin(Math.sqrt(ratios[i])) - Math.asin(Math.sqrt(ratios[i - 1])));
    }
    const tails = tTails(m, dfRes);
    const naive = alternative === "less" ? tails.lower : tails.upper;
    const u = (m * m) / (n - 3 + m * m);
    const approx = variation * Math.pow(1 - u, (dfRes - 1) / 2) *
      Math.exp(logGamma(dfRes / 2 + 0.5) - logGamma(dfRes / 2)) / (2 * Math.sqrt(Math.PI));
    p = naive + approx;
  }
  if (alternative === "two.sided") p *= 2;
  return {
    p: Math.min(p, 1),
    statistic: stats[at],
    bestAt: kept[at],
    values: kept,
    statistics: stats,
  };
}
