import assert from "node:assert/strict";
import { solveSymmetric, symmetricEigenvalues } from "../../lib/stats/symmetric.ts";

Deno.test("symmetricEigenvalues: hand-worked 2x2 and 3x3", () => {
  // [[2, 1], [1, 2]]: eigenvalues 1 and 3.
  const e2 = symmetricEigenvalues([2, 1, 1, 2], 2);
  assert.ok(Math.abs(e2[0] - 1) < 1e-14 && Math.abs(e2[1] - 3) < 1e-14);
  // [[2, -1, 0], [-1, 2, -1], [0, -1, 2]]: 2 - sqrt(2), 2, 2 + sqrt(2).
  const e3 = symmetricEigenvalues([2, -1, 0, -1, 2, -1, 0, -1, 2], 3);
  [2 - Math.SQRT2, 2, 2 + Math.SQRT2].forEach((v, i) => assert.ok(Math.abs(e3[i] - v) < 1e-14));
  // Diagonal input is returned sorted.
  assert.deepEqual(Array.from(symmetricEigenvalues([5, 0, 0, -1], 2)), [-1, 5]);
});

Deno.test("symmetricEigenvalues: sum and product equal trace and determinant", () => {
  const a = [4, 1, 2, 0.5, 1, 3, 0, 1, 2, 0, 5, 1, 0.5, 1, 1, 2];
  const e = symmetricEigenvalues(a, 4);
  const trace = 4 + 3 + 5 + 2;
  assert.ok(Math.abs(e.reduce((s, v) => s + v, 0) - trace) < 1e-12);
  // det by cofactor expansion, computed independently below.
  const det3 = (m: number[]) =>
    m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) +
    m[2] * (m[3] * m[7] - m[4] * m[6]);
  const minor = (c: number) => {
    const out: number[] = [];
    for (let i = 1; i < 4; i++) for (let j = 0; j < 4; j++) if (j !== c) out.push(a[i * 4 + j]);
    return out;
  };
  const det = [0, 1, 2, 3].reduce((s, c) => s + (c % 2 ? -1 : 1) * a[c] * det3(minor(c)), 0);
  assert.ok(Math.abs(e.reduce((s, v) => s * v, 1) - det) < 1e-10 * Math.abs(det));
});

Deno.test("solveSymmetric: hand-worked system and a non-positive-definite matrix", () => {
  // [[4, 2], [2, 3]] x = [2, 1] -> x = [0.5, 0].
  const x = solveSymmetric([4, 2, 2, 3], [2, 1], 2);
  assert.ok(Math.abs(x[0] - 0.5) < 1e-15 && Math.abs(x[1]) < 1e-15);
  assert.throws(() => solveSymmetric([1, 2, 2, 1], [1, 1], 2), /not positive definite/);
});
