/**
 * The probability distributions the statistics need, taken from the `@stdlib`
 * packages (not written here): t, F, normal and chi-squared.
 *
 * The t and F upper tails are computed directly as regularized incomplete beta
 * functions (`@stdlib/math-base-special-betainc`), the way scipy's `stdtr` / `fdtrc`
 * (and so statsmodels) and R's `pt` / `pf` do, not as `1 - cdf`: p-values as small as
 * 1e-300 keep their full relative precision instead of rounding to 0.
 *
 * @module
 */
import {
  betainc,
  chisquareCdf,
  fCdf,
  normalCdf,
  normalQuantile,
  tCdf,
  tQuantile,
} from "../deps/stdlib.ts";

/**
 * Two-sided p-value of a t statistic with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * tTwoSidedP(2.228, 10); // ~0.05
 * ```
 */
export function tTwoSidedP(t: number, df: number): number {
  if (Number.isNaN(t) || Number.isNaN(df)) return NaN;
  if (!Number.isFinite(df)) return 2 * normalCdf(-Math.abs(t), 0, 1);
  // P(|T| > t) = I_{df / (df + t^2)}(df / 2, 1 / 2).
  return betainc(df / (df + t * t), df / 2, 0.5, true, false);
}

/**
 * Student's t CDF.
 *
 * @example
 * ```ts
 * tCdfOf(2.228, 10); // ~0.975
 * ```
 */
export function tCdfOf(t: number, df: number): number {
  return tCdf(t, df);
}

/**
 * Quantile of Student's t distribution.
 *
 * @example
 * ```ts
 * tQuantileOf(0.975, 10); // ~2.228
 * ```
 */
export function tQuantileOf(p: number, df: number): number {
  return tQuantile(p, df);
}

/**
 * Upper-tail p-value of an F statistic.
 *
 * @example
 * ```ts
 * fUpperP(4.1, 2, 30); // ~0.027
 * ```
 */
export function fUpperP(f: number, df1: number, df2: number): number {
  if (Number.isNaN(f) || Number.isNaN(df1) || Number.isNaN(df2)) return NaN;
  if (f <= 0) return 1;
  if (f === Infinity) return 0;
  // P(F > f) = I_{df2 / (df2 + df1 f)}(df2 / 2, df1 / 2), as in cephes fdtrc.
  return betainc(df2 / (df2 + df1 * f), df2 / 2, df1 / 2, true, false);
}

/**
 * F distribution CDF.
 *
 * @example
 * ```ts
 * fCdfOf(4.1, 2, 30); // ~0.973
 * ```
 */
export function fCdfOf(f: number, df1: number, df2: number): number {
  return fCdf(f, df1, df2);
}

/**
 * Standard normal CDF.
 *
 * @example
 * ```ts
 * normalCdfOf(1.96); // ~0.975
 * ```
 */
export function normalCdfOf(z: number): number {
  return normalCdf(z, 0, 1);
}

/**
 * Standard normal quantile.
 *
 * @example
 * ```ts
 * normalQuantileOf(0.975); // ~1.96
 * ```
 */
export function normalQuantileOf(p: number): number {
  return normalQuantile(p, 0, 1);
}

/**
 * Upper-tail p-value of a chi-squared statistic (as `1 - cdf`: below ~1e-16 it
 * rounds to 0).
 *
 * @example
 * ```ts
 * chisquareUpperP(3.84, 1); // ~0.05
 * ```
 */
export function chisquareUpperP(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}
