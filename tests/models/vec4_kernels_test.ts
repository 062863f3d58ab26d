/**
 * Tests of lib/models/vec4_kernels.ts: bit-identical to the scalar kernels of
 * lib/gpu/kernels (adamw, fill), close to the CPU reference `adamwUpdate`, whole and in
 * chunks. Run with DENO_WEBGPU_BACKEND=vulkan.
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { adamw } from "../../lib/gpu/kernels/adamw.ts";
import { adamwUpdate } from "../../lib/gpu/reference/adamw.ts";
import { adamwVec4, fillVec4 } from "../../lib/models/vec4_kernels.ts";

function data(seed: number, n: number, positive = false): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    return positive ? u * 0.01 : u - 0.5;
  });
}

Deno.test("adamwVec4 equals the scalar adamw kernel bit for bit and the reference closely", async () => {
  const gpu = await getGpu();
  const n = 4 * 1000;
  const p0 = data(1, n), g = data(2, n), m0 = data(3, n), v0 = data(4, n, true);
  const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 3 };
  for (const chunkBytes of [undefined, 1024]) {
    const mk = () => ({
      param: tensor(gpu, [n], p0),
      grad: tensor(gpu, [n], g),
      m: tensor(gpu, [n], m0),
      v: tensor(gpu, [n], v0),
      clip: tensor(gpu, [2], [2, 0.5]),
    });
    const a = mk(), b = mk();
    const s = step(gpu);
    adamw(s, { gpu, chunkBytes, ...a }, o);
    adamwVec4(s, { gpu, chunkBytes, ...b }, o);
    const reads = [a.param, a.m, a.v, b.param, b.m, b.v].map((t) => s.read(t));
    await s.submit();
    const [ap, am, av, bp, bm, bv] = await Promise.all(reads);
    assert.deepEqual(bp, ap);
    assert.deepEqual(bm, am);
    assert.deepEqual(bv, av);
    const rp = Float64Array.from(p0), rm = Float64Array.from(m0), rv = Float64Array.from(v0);
    adamwUpdate({ param: rp, grad: Float64Array.from(g), m: rm, v: rv }, { ...o, gradScale: 0.5 });
    for (let i = 0; i < n; i++) assert.ok(Math.abs(bp[i] - rp[i]) < 1e-6, `param ${i}`);
  }
});

Deno.test("fillVec4 fills every element, whole and chunked, and rejects odd sizes", async () => {
  const gpu = await getGpu();
  for (const chunkBytes of [undefined, 1024]) {
    const x = tensor(gpu, [1000], data(5, 1000));
    const s = step(gpu);
    fillVec4(s, { gpu, x, value: -2.5, chunkBytes });
    const r = s.read(x);
    await s.submit();
    assert.deepEqual(await r, new Float32Array(1000).fill(-2.5));
  }
  assert.throws(
    () => fillVec4(step(gpu), { gpu, x: tensor(gpu, [6]), value: 0 }),
    /multiples of 4/,
  );
});
