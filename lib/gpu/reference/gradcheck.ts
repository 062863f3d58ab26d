/**
 * Central finite differences in f64, used to check every backward reference against
 * its forward.
 *
 * @module
 */

/**
 * The gradient of a scalar function by central differences,
 * `(f(x + h e_i) - f(x - h e_i)) / 2h` for each element (restored afterwards).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { numericGradient } from "./gradcheck.ts";
 * const g = numericGradient((x) => x[0] * x[0] + 3 * x[1], new Float64Array([2, 5]));
 * assert.ok(Math.abs(g[0] - 4) < 1e-6 && Math.abs(g[1] - 3) < 1e-6); // [2 x0, 3]
 * ```
 */
export function numericGradient(
  f: (x: Float64Array) => number,
  x: Float64Array,
  h = 1e-6,
): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const keep = x[i];
    x[i] = keep + h;
    const up = f(x);
    x[i] = keep - h;
    const down = f(x);
    x[i] = keep;
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

/**
 * The largest error of `actual` against `expected`, each element's absolute error divided
 * by `max(1, |expected|)` (an absolute error for small values, a relative one for large).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { maxError } from "./gradcheck.ts";
 * // 0.001 / max(1, 1.001) and 2 / max(1, 202): the larger is 2 / 202
 * assert.ok(Math.abs(maxError([1, 200], [1.001, 202]) - 2 / 202) < 1e-15);
 * ```
 */
export function maxError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`maxError: lengths differ (${actual.length} vs ${expected.length})`);
  }
  let worst = 0;
  for (let i = 0; i < actual.length; i++) {
    const e = Math.abs(actual[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
    if (Number.isNaN(e)) return NaN; // a NaN anywhere is a failure, never hidden
    if (e > worst) worst = e;
  }
  return worst;
}
