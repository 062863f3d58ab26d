import assert from "node:assert/strict";
import { fromColumns, leastSquares } from "../../lib/stats/linalg.ts";

Deno.test("leastSquares: exact line through points", () => {
  const fit = leastSquares(fromColumns([[1, 1, 1, 1], [0, 1, 2, 3]]), [1, 3, 5, 7]);
  assert.ok(Math.abs(fit.coefficients[0] - 1) < 1e-12);
  assert.ok(Math.abs(fit.coefficients[1] - 2) < 1e-12);
  assert.ok(fit.rss < 1e-24);
  assert.equal(fit.rank, 2);
});

Deno.test("leastSquares: hand-worked simple regression and (X'X)^-1", () => {
  // x = 1,2,3, y = 1,2,2: slope = Sxy/Sxx = 1/2 = 0.5, intercept = 5/3 - 0.5*2 = 2/3.
  const fit = leastSquares(fromColumns([[1, 1, 1], [1, 2, 3]]), [1, 2, 2]);
  assert.ok(Math.abs(fit.coefficients[0] - 2 / 3) < 1e-12);
  assert.ok(Math.abs(fit.coefficients[1] - 0.5) < 1e-12);
  // X'X = [[3, 6], [6, 14]], det 6, inverse [[14/6, -1], [-1, 0.5]].
  const u = fit.unscaled;
  assert.ok(Math.abs(u[0] - 14 / 6) < 1e-12 && Math.abs(u[1] + 1) < 1e-12);
  assert.ok(Math.abs(u[2] + 1) < 1e-12 && Math.abs(u[3] - 0.5) < 1e-12);
  // Residuals 1-(2/3+0.5), 2-(2/3+1), 2-(2/3+1.5): -1/6, 1/3, -1/6; RSS = 1/6.
  assert.ok(Math.abs(fit.rss - 1 / 6) < 1e-12);
});

Deno.test("leastSquares: collinear column is reported through rank and NaN", () => {
  const x = [1, 2, 3, 4, 5];
  const fit = leastSquares(fromColumns([[1, 1, 1, 1, 1], x, x.map((v) => 2 * v)]), [
    2,
    4,
    6,
    8,
    10,
  ]);
  assert.equal(fit.rank, 2);
  assert.ok(Number.isNaN(fit.coefficients[2]));
  assert.ok(Math.abs(fit.coefficients[1] - 2) < 1e-9);
});
