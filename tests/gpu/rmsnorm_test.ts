import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { rmsNormBackward, rmsNormForward } from "../../lib/gpu/kernels/layernorm.ts";
import * as ref from "../../lib/gpu/reference/rmsnorm.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { bothKernelForms, randf } from "./gpu_helpers.ts";

Deno.test("rmsNorm forward and backward match the reference on awkward shapes (both kernel forms)", async () => {
  for (
    const [gpu, rows, cols, eps] of bothKernelForms(await getGpu()).flatMap((g) =>
      [[1, 7, 1e-5], [37, 130, 1e-6], [5, 769, 1e-5], [3, 576, 1e-5]].map((c) => [g, ...c] as const)
    )
  ) {
    const x = randf(1, rows * cols, 3).map((v) => v + 0.5), weight = randf(2, cols);
    const dout = randf(4, rows * cols), dx0 = randf(5, rows * cols), dw0 = randf(6, cols);
    const t = (d: Float32Array) => tensor(gpu, [d.length], d);
    const out = t(new Float32Array(rows * cols)), rstd = t(new Float32Array(rows));
    const [tx, tw, dx, dweight] = [t(x), t(weight), t(dx0), t(dw0)];
    const s = step(gpu);
    rmsNormForward(s, { x: tx, weight: tw, out, rstd, rows, cols, eps });
    rmsNormBackward(s, { dout: t(dout), x: tx, weight: tw, rstd, dx, dweight, rows, cols });
    const reads = [out, rstd, dx, dweight].map((r) => s.read(r));
    await s.submit();
    const [gOut, gRstd, gDx, gDw] = await Promise.all(reads);
    const f = ref.rmsNormForward({ x, weight, rows, cols, eps });
    const [rDx, rDw] = [dx0.slice(), dw0.slice()];
    ref.rmsNormBackward({ dout, x, weight, rstd: f.rstd, rows, cols, dx: rDx, dweight: rDw });
    const shape = `[${rows}, ${cols}] fallback ${gpu.isFallback}`;
    assert.ok(maxError(gOut, f.out) < 1e-4, `out ${shape}`);
    assert.ok(maxError(gRstd, f.rstd) < 1e-4, `rstd ${shape}`);
    assert.ok(maxError(gDx, rDx) < 1e-4, `dx ${shape}`);
    assert.ok(maxError(gDw, rDw) < 1e-4, `dweight ${shape}`);
  }
});

Deno.test("rmsNormForward names a mis-sized tensor", async () => {
  const gpu = await getGpu();
  const t = (n: number) => tensor(gpu, [n]);
  assert.throws(
    () =>
      rmsNormForward(step(gpu), {
        x: t(6),
        weight: t(2),
        out: t(6),
        rstd: t(2),
        rows: 2,
        cols: 3,
        eps: 1e-6,
      }),
    /rmsNormForward: weight has 2 elements, \[2, 3\] needs 3/,
  );
});
