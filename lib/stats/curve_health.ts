/**
 * Curve health: whether a study's runs look like a learning curve before one is fitted and
 * extrapolated. Viering and Loog ("The shape of learning curves: a review", 2023) and the
 * learning-curve database LCDB 1.1 find a good share of real curves ill-behaved (dips,
 * peaks, no flattening), and Mahmood et al. (CVPR 2022) that power-law extrapolation
 * misestimates when they are; each check here says in words what it found.
 *
 * Each check is a one-sided z test at level `alpha` (default 0.05), so a healthy curve is
 * flagged by chance at most that often per check:
 * - **rising**: the slope of F1 regressed on ln(size) is above z(alpha) standard errors.
 * - **monotone**: no mean F1 of a size group falls below the previous group's by more than
 *   z(alpha / m) standard errors of the difference (pooled within-group SD), Bonferroni's
 *   correction over the m steps between consecutive groups.
 * - **concave** (flattening): the least-squares slope of F1 on size over the upper half of
 *   the runs (sizes above the median) is not above the lower half's by more than z(alpha)
 *   standard errors; a curve still steepening has no asymptote to estimate yet.
 *
 * Runs are grouped per size when there are at most 10 distinct sizes, else into `bins`
 * (default N / 5, between 5 and 10) groups of consecutive sizes with equal counts.
 *
 * @module
 */
import { fromColumns, leastSquares } from "./linalg.ts";
import { normalQuantileOf } from "./distributions.ts";

/**
 * A group of runs: the mean size, the mean and standard deviation of F1, the number of
 * runs and their positions in the input.
 */
export type RunGroup = { x: number; mean: number; sd: number; runs: number; indices: number[] };

/**
 * Groups runs by size (see the module notes): per distinct size when there are at most 10,
 * else `bins` groups of consecutive sizes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupRuns } from "./curve_health.ts";
 * const groups = groupRuns([100, 200, 100, 200], [0.25, 0.8, 0.75, 0.8]);
 * assert.deepEqual(groups.map((g) => [g.x, g.mean, g.runs]), [[100, 0.5, 2], [200, 0.8, 2]]);
 * ```
 */
export function groupRuns(
  x: readonly number[],
  y: readonly number[],
  options: { bins?: number } = {},
): RunGroup[] {
  if (x.length !== y.length) throw new Error(`groupRuns: x has ${x.length} values, y ${y.length}`);
  const order = x.map((_, i) => i).sort((i, j) => x[i] - x[j]);
  const N = x.length;
  const chunks: number[][] = [];
  if (new Set(x).size <= 10 && options.bins === undefined) {
    for (const i of order) {
      const last = chunks.at(-1);
      if (last && x[last[0]] === x[i]) last.push(i);
      else chunks.push([i]);
    }
  } else {
    const bins = Math.max(
      1,
      Math.min(N, options.bins ?? Math.min(10, Math.max(5, Math.floor(N / 5)))),
    );
    for (let b = 0; b < bins; b++) {
      chunks.push(order.slice(Math.round((b * N) / bins), Math.round(((b + 1) * N) / bins)));
    }
  }
  return chunks.filter((c) => c.length > 0).map((indices) => {
    const k = indices.length;
    const mean = indices.reduce((s, i) => s + y[i], 0) / k;
    const ss = indices.reduce((s, i) => s + (y[i] - mean) ** 2, 0);
    return {
      x: indices.reduce((s, i) => s + x[i], 0) / k,
      mean,
      sd: k > 1 ? Math.sqrt(ss / (k - 1)) : NaN,
      runs: k,
      indices,
    };
  });
}

/**
 * The result of {@link learningCurveHealth}: each check (null when there are too few runs
 * to make it), `healthy` when none failed, the groups the checks used, and a note per
 * failed or skipped check.
 */
export type CurveHealth = {
  healthy: boolean;
  rising: boolean | null;
  monotone: boolean | null;
  concave: boolean | null;
  groups: RunGroup[];
  notes: string[];
};

/** Slope of y on t by least squares, with its standard error (NaN with under 3 runs). */
function slope(t: number[], y: number[]): { slope: number; se: number } {
  if (t.length < 3 || new Set(t).size < 2) return { slope: NaN, se: NaN };
  const fit = leastSquares(fromColumns([t.map(() => 1), t]), y);
  const s2 = fit.rss / (t.length - 2);
  return { slope: fit.coefficients[1], se: Math.sqrt(s2 * fit.unscaled[3]) };
}

const f3 = (v: number) => Number(v.toPrecision(3)).toString();
const f4 = (v: number) => (Math.abs(v) < 5e-5 ? 0 : v).toFixed(4);
const size = (v: number) => Math.round(v).toLocaleString("en-US");

/**
 * Checks that runs (x: training size, y: F1) rise, rise monotonically and flatten, as
 * the learning-curve models assume (see the module notes).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { learningCurveHealth } from "./curve_health.ts";
 * const x = [50, 50, 100, 100, 200, 200, 400, 400, 800, 800];
 * const good = learningCurveHealth(x, x.map((n) => 0.9 - 2 * n ** -0.5));
 * assert.ok(good.healthy);
 * const y = [0.6, 0.62, 0.7, 0.71, 0.78, 0.79, 0.7, 0.71, 0.85, 0.86]; // a dip at 400
 * const dip = learningCurveHealth(x, y);
 * assert.equal(dip.monotone, false);
 * assert.match(dip.notes[0], /^mean F1 falls from 0.785 at 200 to 0.705 at 400/);
 * ```
 */
export function learningCurveHealth(
  x: number[],
  y: number[],
  options: { bins?: number; alpha?: number } = {},
): CurveHealth {
  if (x.length !== y.length) {
    throw new Error(`learningCurveHealth: x has ${x.length} values, y has ${y.length}`);
  }
  x.forEach((v, i) => {
    if (!(v > 0 && Number.isFinite(v)) || !Number.isFinite(y[i])) {
      throw new Error(`learningCurveHealth: run ${i} has size ${v} and F1 ${y[i]}`);
    }
  });
  const alpha = options.alpha ?? 0.05;
  if (!(alpha > 0 && alpha < 1)) throw new Error(`learningCurveHealth: alpha is ${alpha}`);
  const z = normalQuantileOf(1 - alpha);
  const notes: string[] = [];
  const groups = groupRuns(x, y, options);

  // Rising: slope on ln(size).
  const overall = slope(x.map(Math.log), y);
  let rising: boolean | null = null;
  if (Number.isNaN(overall.slope)) notes.push("too few runs or sizes to check that F1 rises");
  else {
    rising = overall.slope > z * overall.se;
    if (!rising) {
      notes.push(
        `F1 does not rise with size: ${f4(overall.slope * Math.LN2)} per doubling ` +
          `(standard error ${f4(overall.se * Math.LN2)}), so no learning curve can be fitted`,
      );
    }
  }

  // Monotone: consecutive group means, pooled within-group SD.
  let num = 0, den = 0;
  for (const g of groups) if (g.runs > 1) num += g.sd ** 2 * (g.runs - 1), den += g.runs - 1;
  const pooled = den > 0 ? Math.sqrt(num / den) : 0;
  let monotone: boolean | null = null;
  if (groups.length < 2) notes.push("too few size groups to check that F1 rises monotonically");
  else {
    const steps = groups.length - 1;
    const zm = normalQuantileOf(1 - alpha / steps);
    const drops = groups.slice(1).map((g, k) => ({ from: groups[k], to: g })).filter(
      ({ from, to }) =>
        from.mean - to.mean > zm * pooled * Math.sqrt(1 / from.runs + 1 / to.runs) &&
        from.mean - to.mean > 1e-12,
    );
    monotone = drops.length === 0;
    if (!monotone) {
      const list = drops.slice(0, 3).map(({ from, to }) =>
        `from ${f3(from.mean)} at ${size(from.x)} to ${f3(to.mean)} at ${size(to.x)}`
      ).join(", ");
      notes.push(
        `mean F1 falls ${list}${drops.length > 3 ? ` and ${drops.length - 3} more` : ""}` +
          ` (by more than ${zm.toFixed(2)} standard errors, the one-sided ${alpha} level ` +
          `over ${steps} steps): the runs do not rise monotonically, as the curve models assume`,
      );
    }
  }

  // Concave: slope over the upper half of the sizes against the lower half.
  const sorted = [...x].sort((u, v) => u - v);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  const half = (upper: boolean) => {
    const idx = x.map((_, i) => i).filter((i) => (x[i] > median) === upper);
    return slope(idx.map((i) => x[i]), idx.map((i) => y[i]));
  };
  const lower = half(false), upper = half(true);
  let concave: boolean | null = null;
  if (Number.isNaN(lower.slope) || Number.isNaN(upper.slope)) {
    notes.push("too few runs or sizes in each half to check that the curve flattens");
  } else {
    const diff = upper.slope - lower.slope;
    concave = !(diff > z * Math.hypot(lower.se, upper.se) && diff > 1e-12 * Math.abs(lower.slope));
    if (!concave) {
      notes.push(
        `F1 rises faster above the median size ${size(median)} than below it ` +
          `(${f3(upper.slope * 100)} against ${f3(lower.slope * 100)} per 100): the curve has ` +
          `not begun to flatten, so its asymptote and sizes past the runs are guesses`,
      );
    }
  }
  return {
    healthy: rising !== false && monotone !== false && concave !== false,
    rising,
    monotone,
    concave,
    groups,
    notes,
  };
}
