import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { layerNormBackward, layerNormForward } from "../../lib/gpu/kernels/layernorm.ts";
import * as ref from "../../lib/gpu/reference/layernorm.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { bothKernelForms, randf } from "./gpu_helpers.ts";

Deno.test("layerNorm forward and backward match the reference on awkward shapes (both kernel forms)", async () => {
  for (
    const [gpu, rows, cols, eps] of bothKernelForms(await getGpu()).flatMap((g) =>
      [[1, 7, 1e-5], [37, 130, 1e-12], [5, 769, 1e-5], [3, 772, 1e-5]].map((c) =>
        [g, ...c] as const
      )
    )
  ) {
    const x = randf(1, rows * cols, 3), gamma = randf(2, cols), beta = randf(3, cols);
    const dout = randf(4, rows * cols), dx0 = randf(5, rows * cols);
    const dg0 = randf(6, cols), db0 = randf(7, cols);
    const t = (d: Float32Array) => tensor(gpu, [d.length], d);
    const out = t(new Float32Array(rows * cols)), mean = t(new Float32Array(rows));
    const rstd = t(new Float32Array(rows));
    const [tx, tg, tb] = [t(x), t(gamma), t(beta)];
    const dx = t(dx0), dgamma = t(dg0), dbeta = t(db0);
    const s = step(gpu);
    layerNormForward(s, { x: tx, gamma: tg, beta: tb, out, mean, rstd, rows, cols, eps });
    layerNormBackward(s, {
      dout: t(dout),
      x: tx,
      gamma: tg,
      mean,
      rstd,
      dx,
      dgamma,
      dbeta,
      rows,
      cols,
    });
    const reads = [out, mean, rstd, dx, dgamma, dbeta].map((r) => s.read(r));
    await s.submit();
    const [gOut, gMean, gRstd, gDx, gDg, gDb] = await Promise.all(reads);
    const f = ref.layerNormForward({ x, gamma, beta, rows, cols, eps });
    const [rDx, rDg, rDb] = [dx0.slice(), dg0.slice(), db0.slice()];
    ref.layerNormBackward({
      dout,
      x,
      gamma,
      mean: f.mean,
      rstd: f.rstd,
      rows,
      cols,
      dx: rDx,
      dgamma: rDg,
      dbeta: rDb,
    });
    const shape = `[${rows}, ${cols}] fallback ${gpu.isFallback}`;
    assert.ok(maxError(gOut, f.out) < 1e-4, `out ${shape}`);
    assert.ok(maxError(gMean, f.mean) < 1e-4, `mean ${shape}`);
    assert.ok(maxError(gRstd, f.rstd) < 1e-4, `rstd ${shape}`);
    assert.ok(maxError(gDx, rDx) < 1e-4, `dx ${shape}`);
    assert.ok(maxError(gDg, rDg) < 1e-4, `dgamma ${shape}`);
    assert.ok(maxError(gDb, rDb) < 1e-4, `dbeta ${shape}`);
  }
});

Deno.test("layerNorm without bias matches the reference (both kernel forms, scalar and vec4)", async () => {
  for (
    const [gpu, rows, cols] of bothKernelForms(await getGpu()).flatMap((g) =>
      [[3, 7], [9, 68]].map((c) => [g, ...c] as const)
    )
  ) {
    const x = randf(1, rows * cols, 3), gamma = randf(2, cols), dout = randf(4, rows * cols);
    const dx0 = randf(5, rows * cols), dg0 = randf(6, cols);
    const t = (d: Float32Array) => tensor(gpu, [d.length], d);
    const out = t(new Float32Array(rows * cols)), mean = t(new Float32Array(rows));
    const rstd = t(new Float32Array(rows)), [tx, tg, dx, dgamma] = [t(x), t(gamma), t(dx0), t(dg0)];
    const s = step(gpu);
    layerNormForward(s, { x: tx, gamma: tg, out, mean, rstd, rows, cols, eps: 1e-5 });
    layerNormBackward(s, { dout: t(dout), x: tx, gamma: tg, mean, rstd, dx, dgamma, rows, cols });
    const reads = [out, dx, dgamma].map((r) => s.read(r));
    await s.submit();
    const [gOut, gDx, gDg] = await Promise.all(reads);
    const f = ref.layerNormForward({ x, gamma, rows, cols, eps: 1e-5 });
    const [rDx, rDg] = [dx0.slice(), dg0.slice()];
    ref.layerNormBackward({
      dout,
      x,
      gamma,
      mean: f.mean,
      rstd: f.rstd,
      rows,
      cols,
      dx: rDx,
      dgamma: rDg,
    });
    const shape = `[${rows}, ${cols}] fallback ${gpu.isFallback}`;
    assert.ok(maxError(gOut, f.out) < 1e-4, `out ${shape}`);
    assert.ok(maxError(gDx, rDx) < 1e-4, `dx ${shape}`);
    assert.ok(maxError(gDg, rDg) < 1e-4, `dgamma ${shape}`);
  }
});
