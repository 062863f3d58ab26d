import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { adamw } from "../../lib/gpu/kernels/adamw.ts";
import { gradNorm, gradNormPartials } from "../../lib/gpu/kernels/grad_norm.ts";
import { adamwUpdate } from "../../lib/gpu/reference/adamw.ts";
import { clipFactor, globalNorm } from "../../lib/gpu/reference/grad_norm.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("adamw with on-GPU clipping matches the reference over 3 steps, in chunks", async () => {
  const gpu = await getGpu();
  const n = 4099;
  for (const chunkBytes of [undefined, 4096]) {
    const p0 = randf(1, n), m0 = new Float32Array(n), v0 = new Float32Array(n);
    const param = tensor(gpu, [n], p0), m = tensor(gpu, [n], m0), v = tensor(gpu, [n], v0);
    const rp = Float64Array.from(p0), rm = new Float64Array(n), rv = new Float64Array(n);
    const grad = tensor(gpu, [n]), clip = tensor(gpu, [2]);
    const partials = tensor(gpu, [gradNormPartials(gpu, [grad])]);
    for (let k = 1; k <= 3; k++) {
      const g = randf(10 + k, n, 0.05);
      const o = {
        lr: 1e-3,
        beta1: 0.9,
        beta2: 0.999,
        eps: 1e-8,
        weightDecay: 0.01,
        step: k,
        gradScale: 0.5,
      };
      const s = step(gpu);
      s.copy(tensor(gpu, [n], g), grad);
      gradNorm(s, { gpu, grads: [grad], partials, out: clip, maxNorm: 1 });
      adamw(s, { gpu, param, grad, m, v, clip, chunkBytes }, o);
      await s.submit();
      const f = clipFactor(globalNorm([g]), 1);
      assert.ok(f < 1, "the test clips");
      adamwUpdate({ param: rp, grad: Float64Array.from(g), m: rm, v: rv }, {
        ...o,
        gradScale: f * 0.5,
      });
    }
    const s = step(gpu);
    const reads = [param, m, v].map((t) => s.read(t));
    await s.submit();
    const [gp, gm, gv] = await Promise.all(reads);
    assert.ok(maxError(gp, rp) < 1e-5, "param");
    assert.ok(maxError(gm, rm) < 1e-6, "m");
    assert.ok(maxError(gv, rv) < 1e-8, "v");
  }
});
