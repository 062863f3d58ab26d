/**
 * The probability distributions the statistics need, taken from the `@stdlib`
 * distribution packages (not written here): t, F, normal and chi-squared.
 *
 * @module
 */
import tCdf from "@stdlib/stats-base-dists-t-cdf";
import tQuantile from "@stdlib/stats-base-dists-t-quantile";
import fCdf from "@stdlib/stats-base-dists-f-cdf";
import normalCdf from "@stdlib/stats-base-dists-normal-cdf";
import normalQuantile from "@stdlib/stats-base-dists-normal-quantile";
import chisquareCdf from "@stdlib/stats-base-dists-chisquare-cdf";

/**
 * Two-sided p-value of a t statistic with `df` degrees of freedom.
 *
 * @example
 * ```ts
 * tTwoSidedP(2.228, 10); // ~0.05
 * ```
 */
export function tTwoSidedP(t: number, df: number): number {
  return 2 * tCdf(-Math.abs(t), df);
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
  return 1 - fCdf(f, df1, df2);
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
 * Upper-tail p-value of a chi-squared statistic.
 *
 * @example
 * ```ts
 * chisquareUpperP(3.84, 1); // ~0.05
 * ```
 */
export function chisquareUpperP(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}
