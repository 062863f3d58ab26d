import assert from "node:assert/strict";
import { layerNormBackward, layerNormForward } from "../../lib/gpu/reference/layernorm.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("layerNormForward matches PyTorch layer_norm", () => {
  // torch.nn.functional.layer_norm(x, (4,), gamma, beta, 1e-5) in float64 (torch 1.13).
  const expected = [
    -0.5283768386246563,
    -0.7667335978840868,
    0.009979920634774098,
    1.0501003968261298,
    -0.1365077368579913,
    -2.3677982858867628,
    -1.1190464211479478,
    -0.06213180448858391,
  ];
  const { out, mean } = layerNormForward({
    x: new Float64Array([1, 2, 3, 4.5, 0.5, -1, 4, 2]),
    gamma: new Float64Array([0.5, 2, -1, 1]),
    beta: new Float64Array([0.1, 0.2, 0.3, -0.4]),
    rows: 2,
    cols: 4,
    eps: 1e-5,
  });
  assert.ok(maxError(out, expected) < 1e-12);
  assert.deepEqual(Array.from(mean), [2.625, 1.375]);
});

Deno.test("layerNormBackward matches finite differences and accumulates", () => {
  const rows = 3, cols = 7, eps = 1e-5;
  const x = randn(1, rows * cols, 2), gamma = randn(2, cols), beta = randn(3, cols);
  const w = randn(4, rows * cols);
  const loss = () => dot(layerNormForward({ x, gamma, beta, rows, cols, eps }).out, w);
  const f = layerNormForward({ x, gamma, beta, rows, cols, eps });
  const dx = new Float64Array(rows * cols).fill(1);
  const dgamma = new Float64Array(cols).fill(1), dbeta = new Float64Array(cols).fill(1);
  layerNormBackward({
    dout: w,
    x,
    gamma,
    mean: f.mean,
    rstd: f.rstd,
    rows,
    cols,
    dx,
    dgamma,
    dbeta,
  });
  const minus1 = (a: Float64Array) => a.map((v) => v - 1);
  assert.ok(maxError(minus1(dx), numericGradient(loss, x)) < 1e-6);
  assert.ok(maxError(minus1(dgamma), numericGradient(loss, gamma)) < 1e-6);
  assert.ok(maxError(minus1(dbeta), numericGradient(loss, beta)) < 1e-6);
});

Deno.test("layerNorm without bias: PyTorch's numbers less beta, and no dbeta summed", () => {
  // the PyTorch float64 values of the first test minus beta (LayerNorm(bias=False) adds none)
  const withBias = [
    -0.5283768386246563,
    -0.7667335978840868,
    0.009979920634774098,
    1.0501003968261298,
    -0.1365077368579913,
    -2.3677982858867628,
    -1.1190464211479478,
    -0.06213180448858391,
  ];
  const beta = [0.1, 0.2, 0.3, -0.4];
  const x = new Float64Array([1, 2, 3, 4.5, 0.5, -1, 4, 2]);
  const gamma = new Float64Array([0.5, 2, -1, 1]);
  const f = layerNormForward({ x, gamma, rows: 2, cols: 4, eps: 1e-5 });
  assert.ok(maxError(f.out, withBias.map((v, i) => v - beta[i % 4])) < 1e-12);
  const w = randn(4, 8), dx = new Float64Array(8), dgamma = new Float64Array(4);
  layerNormBackward({
    dout: w,
    x,
    gamma,
    mean: f.mean,
    rstd: f.rstd,
    rows: 2,
    cols: 4,
    dx,
    dgamma,
  });
  const loss = () => dot(layerNormForward({ x, gamma, rows: 2, cols: 4, eps: 1e-5 }).out, w);
  assert.ok(maxError(dx, numericGradient(loss, x)) < 1e-6);
  assert.ok(maxError(dgamma, numericGradient(loss, gamma)) < 1e-6);
});
