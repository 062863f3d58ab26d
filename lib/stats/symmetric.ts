/**
 * Small dense symmetric matrices (a handful of rows, as in regression output):
 * eigenvalues by the cyclic Jacobi method and linear solves by Cholesky. Used for
 * the condition number of a design (statsmodels' `condition_number`: the square
 * root of the ratio of the largest to the smallest eigenvalue of X'X) and for Wald
 * tests with a robust covariance. Matrices are row-major `Float64Array`s.
 *
 * @module
 */

/**
 * Eigenvalues of a symmetric p x p matrix (row-major), in ascending order, by cyclic
 * Jacobi rotations (accurate to a few ulps of the largest eigenvalue).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { symmetricEigenvalues } from "./symmetric.ts";
 * const [small, large] = symmetricEigenvalues(Float64Array.of(2, 1, 1, 2), 2); // 2 -+ 1
 * assert.ok(Math.abs(small - 1) < 1e-12 && Math.abs(large - 3) < 1e-12);
 * ```
 */
export function symmetricEigenvalues(matrix: ArrayLike<number>, p: number): Float64Array {
  if (matrix.length !== p * p) {
    throw new Error(`symmetricEigenvalues: expected ${p * p} entries, got ${matrix.length}`);
  }
  const a = Float64Array.from(matrix);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, total = 0;
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < p; j++) {
        const v = a[i * p + j] * a[i * p + j];
        total += v;
        if (i !== j) off += v;
      }
    }
    if (off <= 1e-30 * total || off === 0) break;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const aij = a[i * p + j];
        if (aij === 0) continue;
        const theta = (a[j * p + j] - a[i * p + i]) / (2 * aij);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < p; k++) {
          const aki = a[k * p + i], akj = a[k * p + j];
          a[k * p + i] = c * aki - s * akj;
          a[k * p + j] = s * aki + c * akj;
        }
        for (let k = 0; k < p; k++) {
          const aik = a[i * p + k], ajk = a[j * p + k];
          a[i * p + k] = c * aik - s * ajk;
          a[j * p + k] = s * aik + c * ajk;
        }
      }
    }
  }
  const out = new Float64Array(p);
  for (let i = 0; i < p; i++) out[i] = a[i * p + i];
  return out.sort();
}

/**
 * Solves `A x = b` for a symmetric positive definite p x p matrix `A` by Cholesky
 * decomposition. Throws when `A` is not positive definite.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { solveSymmetric } from "./symmetric.ts";
 * // 4a + 2b = 2, 2a + 3b = 1
 * assert.deepEqual(solveSymmetric(Float64Array.of(4, 2, 2, 3), Float64Array.of(2, 1), 2),
 *   Float64Array.of(0.5, 0));
 * ```
 */
export function solveSymmetric(
  matrix: ArrayLike<number>,
  b: ArrayLike<number>,
  p: number,
): Float64Array {
  if (matrix.length !== p * p || b.length !== p) {
    throw new Error(`solveSymmetric: sizes do not match p = ${p}`);
  }
  const l = new Float64Array(p * p);
  for (let j = 0; j < p; j++) {
    let d = matrix[j * p + j];
    for (let k = 0; k < j; k++) d -= l[j * p + k] * l[j * p + k];
    if (!(d > 0)) throw new Error("solveSymmetric: matrix is not positive definite");
    l[j * p + j] = Math.sqrt(d);
    for (let i = j + 1; i < p; i++) {
      let s = matrix[i * p + j];
      for (let k = 0; k < j; k++) s -= l[i * p + k] * l[j * p + k];
      l[i * p + j] = s / l[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * p + k] * z[k];
    z[i] = s / l[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= l[k * p + i] * x[k];
    x[i] = s / l[i * p + i];
  }
  return x;
}
