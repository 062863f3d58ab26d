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
 * import assert from "node:assert/strict";
 * import { tTwoSidedP } from "./distributions.ts";
 * // 2.228: the 97.5% point of t with 10 df in printed tables
 * assert.ok(Math.abs(tTwoSidedP(2.228, 10) - 0.05) < 1e-4);
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
 * import assert from "node:assert/strict";
 * import { tCdfOf } from "./distributions.ts";
 * assert.ok(Math.abs(tCdfOf(2.228, 10) - 0.975) < 1e-4);
 * assert.equal(tCdfOf(0, 10), 0.5);
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
 * import assert from "node:assert/strict";
 * import { tQuantileOf } from "./distributions.ts";
 * assert.ok(Math.abs(tQuantileOf(0.975, 10) - 2.2281) < 1e-4); // R: qt(0.975, 10) 2.228139
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
 * import assert from "node:assert/strict";
 * import { fUpperP } from "./distributions.ts";
 * // with df1 = 2 the tail is (1 + 2 f / df2)^(-df2 / 2): 0.02666
 * assert.ok(Math.abs(fUpperP(4.1, 2, 30) - (1 + (2 * 4.1) / 30) ** -15) < 1e-12);
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
 * import assert from "node:assert/strict";
 * import { fCdfOf } from "./distributions.ts";
 * assert.ok(Math.abs(fCdfOf(4.1, 2, 30) - (1 - (1 + (2 * 4.1) / 30) ** -15)) < 1e-12);
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
 * import assert from "node:assert/strict";
 * import { normalCdfOf } from "./distributions.ts";
 * assert.ok(Math.abs(normalCdfOf(1.96) - 0.975) < 1e-5);
 * assert.equal(normalCdfOf(0), 0.5);
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
 * import assert from "node:assert/strict";
 * import { normalQuantileOf } from "./distributions.ts";
 * assert.ok(Math.abs(normalQuantileOf(0.975) - 1.959964) < 1e-6);
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
 * import assert from "node:assert/strict";
 * import { chisquareUpperP, normalCdfOf } from "./distributions.ts";
 * // one df: the square of a standard normal, so P(X > x) = 2 (1 - Phi(sqrt(x)))
 * assert.ok(Math.abs(chisquareUpperP(3.84, 1) - 2 * (1 - normalCdfOf(Math.sqrt(3.84)))) < 1e-12);
 * assert.ok(Math.abs(chisquareUpperP(3.84, 1) - 0.05) < 1e-4);
 * ```
 */
export function chisquareUpperP(x: number, df: number): number {
  return 1 - chisquareCdf(x, df);
}
