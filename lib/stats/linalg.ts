/**
 * Dense linear least squares by Householder QR, in float64: the numerical core of
 * OLS, threshold regression, segmented regression and the smoothers. The same
 * method as R's `lm` (LINPACK dqrdc2, without its column pivoting) and LAPACK's
 * dgeqrf, so coefficients agree with R and statsmodels to rounding.
 *
 * @module
 */

/**
 * A row-major dense matrix.
 */
export type Matrix = { rows: number; cols: number; data: Float64Array };

/**
 * Builds a row-major matrix from its columns (each an array of the same length).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromColumns } from "./linalg.ts";
 * const X = fromColumns([[1, 1, 1], [1, 2, 3]]); // 3 x 2: intercept and x
 * assert.deepEqual(X, { rows: 3, cols: 2, data: Float64Array.of(1, 1, 1, 2, 1, 3) });
 * ```
 */
export function fromColumns(columns: ArrayLike<number>[]): Matrix {
  const cols = columns.length;
  const rows = cols === 0 ? 0 : columns[0].length;
  const data = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const c = columns[j];
    if (c.length !== rows) {
      throw new Error(`fromColumns: column ${j} has ${c.length} values, expected ${rows}`);
    }
    for (let i = 0; i < rows; i++) data[i * cols + j] = c[i];
  }
  return { rows, cols, data };
}

/**
 * The result of a least-squares fit `y ~ X b`.
 *
 * `unscaled` is (X'X)^-1 (p x p, row-major): multiply by sigma^2 for the covariance.
 * `rank` counts the columns whose R diagonal is above `tolerance * max|R_jj|`; when it
 * is below p the design is collinear and the affected coefficients are NaN.
 */
export type LeastSquares = {
  coefficients: Float64Array;
  fitted: Float64Array;
  residuals: Float64Array;
  rss: number;
  rank: number;
  unscaled: Float64Array;
};

/**
 * Least squares by Householder QR. Columns whose R diagonal falls below
 * `tolerance` (relative to the largest, default 1e-7 as in R's lm) make the fit
 * rank-deficient: their coefficients and covariances are NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fromColumns, leastSquares } from "./linalg.ts";
 * const fit = leastSquares(fromColumns([[1, 1, 1, 1], [0, 1, 2, 3]]), [1, 3, 5, 7]);
 * assert.deepEqual(fit.coefficients, Float64Array.of(1, 2)); // y = 1 + 2x exactly
 * assert.equal(fit.rank, 2);
 * ```
 */
export function leastSquares(
  X: Matrix,
  y: ArrayLike<number>,
  tolerance = 1e-7,
): LeastSquares {
  const n = X.rows, p = X.cols;
  if (y.length !== n) throw new Error(`leastSquares: y has ${y.length} values, X has ${n} rows`);
  if (n < p) throw new Error(`leastSquares: ${n} observations for ${p} coefficients`);
  // Column-major copy of X; Householder vectors overwrite it below the diagonal.
  const a = new Float64Array(n * p);
  for (let i = 0; i < n; i++) for (let j = 0; j < p; j++) a[j * n + i] = X.data[i * p + j];
  const qty = Float64Array.from(y);
  const diag = new Float64Array(p);
  for (let k = 0; k < p; k++) {
    const col = k * n;
    let norm = 0;
    for (let i = k; i < n; i++) norm += a[col + i] * a[col + i];
    norm = Math.sqrt(norm);
    if (norm === 0) {
      diag[k] = 0;
      continue;
    }
    const alpha = a[col + k] > 0 ? -norm : norm;
    a[col + k] -= alpha; // v = x - alpha e1, stored in place
    let vnorm2 = 0;
    for (let i = k; i < n; i++) vnorm2 += a[col + i] * a[col + i];
    diag[k] = alpha;
    if (vnorm2 === 0) continue;
    for (let j = k + 1; j < p; j++) {
      const cj = j * n;
      let s = 0;
      for (let i = k; i < n; i++) s += a[col + i] * a[cj + i];
      const f = (2 * s) / vnorm2;
      for (let i = k; i < n; i++) a[cj + i] -= f * a[col + i];
    }
    let s = 0;
    for (let i = k; i < n; i++) s += a[col + i] * qty[i];
    const f = (2 * s) / vnorm2;
    for (let i = k; i < n; i++) qty[i] -= f * a[col + i];
  }
  // R: diagonal in diag, above-diagonal entries in a (column-major, rows < col).
  const r = (i: number, j: number) => (i === j ? diag[i] : a[j * n + i]);
  let maxDiag = 0;
  for (let k = 0; k < p; k++) maxDiag = Math.max(maxDiag, Math.abs(diag[k]));
  const ok = Array.from(diag, (d) => Math.abs(d) > tolerance * maxDiag);
  const rank = ok.filter(Boolean).length;

  // Back substitution on the well-conditioned columns; NaN for the rest.
  const coefficients = new Float64Array(p).fill(NaN);
  for (let i = p - 1; i >= 0; i--) {
    if (!ok[i]) continue;
    let s = qty[i];
    for (let j = i + 1; j < p; j++) if (ok[j]) s -= r(i, j) * coefficients[j];
    coefficients[i] = s / r(i, i);
  }
  // (R'R)^-1 = R^-1 R^-T over the kept columns.
  const rinv = new Float64Array(p * p);
  for (let c = 0; c < p; c++) {
    if (!ok[c]) continue;
    for (let i = c; i >= 0; i--) {
      if (!ok[i]) continue;
      let s = i === c ? 1 : 0;
      for (let j = i + 1; j <= c; j++) if (ok[j]) s -= r(i, j) * rinv[j * p + c];
      rinv[i * p + c] = s / r(i, i);
    }
  }
  const unscaled = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      if (!ok[i] || !ok[j]) {
        unscaled[i * p + j] = NaN;
        continue;
      }
      let s = 0;
      for (let k = Math.max(i, j); k < p; k++) s += rinv[i * p + k] * rinv[j * p + k];
      unscaled[i * p + j] = s;
    }
  }
  const fitted = new Float64Array(n);
  const residuals = new Float64Array(n);
  let rss = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) if (ok[j]) s += X.data[i * p + j] * coefficients[j];
    fitted[i] = s;
    residuals[i] = y[i] - s;
    rss += residuals[i] * residuals[i];
  }
  return { coefficients, fitted, residuals, rss, rank, unscaled };
}
