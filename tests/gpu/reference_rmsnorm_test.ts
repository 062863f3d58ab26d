import assert from "node:assert/strict";
import { rmsNormBackward, rmsNormForward } from "../../lib/gpu/reference/rmsnorm.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("rmsNormForward divides by the root mean square, no centring (worked by hand)", () => {
  // row 0: mean(x^2) = (1 + 4 + 4) / 3 = 3, + eps 1 = 4, rstd 1/2; row 1: (0 + 0 + 9) / 3 + 1 = 4
  const { out, rstd } = rmsNormForward({
    x: new Float64Array([1, 2, 2, 0, 0, 3]),
    weight: new Float64Array([2, 1, -1]),
    rows: 2,
    cols: 3,
    eps: 1,
  });
  assert.deepEqual(Array.from(out), [1, 1, -1, 0, 0, -1.5]);
  assert.deepEqual(Array.from(rstd), [0.5, 0.5]);
});

Deno.test("rmsNormBackward matches finite differences and accumulates", () => {
  const rows = 4, cols = 9, eps = 1e-6;
  const x = randn(1, rows * cols, 2), weight = randn(2, cols), w = randn(3, rows * cols);
  const loss = () => dot(rmsNormForward({ x, weight, rows, cols, eps }).out, w);
  const { rstd } = rmsNormForward({ x, weight, rows, cols, eps });
  const dx = new Float64Array(rows * cols).fill(1), dweight = new Float64Array(cols).fill(1);
  rmsNormBackward({ dout: w, x, weight, rstd, rows, cols, dx, dweight });
  const minus1 = (a: Float64Array) => a.map((v) => v - 1);
  assert.ok(maxError(minus1(dx), numericGradient(loss, x)) < 1e-6);
  assert.ok(maxError(minus1(dweight), numericGradient(loss, weight)) < 1e-6);
});
