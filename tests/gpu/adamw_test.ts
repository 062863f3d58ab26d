import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, tensorI32, view } from "../../lib/gpu/tensor.ts";
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

/** Seeded uniform numbers in [-0.5, 0.5) (or [0, 0.01) with `positive`), as f32. */
function lcg(seed: number, n: number, positive = false): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const u = s / 4294967296;
    return positive ? u * 0.01 : u - 0.5;
  });
}

Deno.test("adamw four-wide (size % 4 == 0) equals the scalar path bit for bit and the reference", async () => {
  // The scalar kernel runs for a size not divisible by 4: n + 1 elements whose first n
  // equal the four-wide run's data (the update is elementwise), whole and in chunks.
  const gpu = await getGpu();
  const n = 4 * 1000;
  const p0 = lcg(1, n + 1), g = lcg(2, n + 1), m0 = lcg(3, n + 1), v0 = lcg(4, n + 1, true);
  const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 3 };
  for (const chunkBytes of [undefined, 1024]) {
    const mk = (size: number) => ({
      param: tensor(gpu, [size], p0.subarray(0, size)),
      grad: tensor(gpu, [size], g.subarray(0, size)),
      m: tensor(gpu, [size], m0.subarray(0, size)),
      v: tensor(gpu, [size], v0.subarray(0, size)),
      clip: tensor(gpu, [2], [2, 0.5]),
    });
    const scalar = mk(n + 1), wide = mk(n);
    const s = step(gpu);
    adamw(s, { gpu, chunkBytes, ...scalar }, o);
    adamw(s, { gpu, chunkBytes, ...wide }, o);
    const reads = [scalar.param, scalar.m, scalar.v, wide.param, wide.m, wide.v].map((t) =>
      s.read(t)
    );
    await s.submit();
    const [ap, am, av, bp, bm, bv] = await Promise.all(reads);
    assert.deepEqual(bp, ap.subarray(0, n));
    assert.deepEqual(bm, am.subarray(0, n));
    assert.deepEqual(bv, av.subarray(0, n));
    const rp = Float64Array.from(p0), rm = Float64Array.from(m0), rv = Float64Array.from(v0);
    adamwUpdate({ param: rp, grad: Float64Array.from(g), m: rm, v: rv }, { ...o, gradScale: 0.5 });
    assert.ok(maxError(ap, rp) < 1e-6, "param (scalar)");
    assert.ok(maxError(bp, rp.subarray(0, n)) < 1e-6, "param (four-wide)");
  }
  const t = tensor(gpu, [4]);
  assert.throws(
    () => adamw(step(gpu), { gpu, param: t, grad: t, m: t, v: t }, { ...o, step: 0 }),
    /^Error: adamw: step 0 must count from 1/,
  );
});

Deno.test("adamw on listed rows of a table view: those rows as the whole-table update, bit for bit; the others untouched", async () => {
  const gpu = await getGpu();
  const o = { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1, step: 2 };
  const rowsList = [0, 5, 6, 36];
  for (const cols of [8, 3]) { // four-wide and scalar
    const n = 37 * cols, at = gpu.limits.minStorageBufferOffsetAlignment / 4;
    const p0 = lcg(1, n), g = lcg(2, n), m0 = lcg(3, n), v0 = lcg(4, n, true);
    // the table as a view `at` elements into a larger buffer, as the word table in a group
    const mk = () => {
      const full = (x: Float32Array) => {
        const b = new Float32Array(at + n + 7).fill(NaN);
        b.set(x, at);
        return view(tensor(gpu, [b.length], b), [37, cols], at);
      };
      return { param: full(p0), grad: full(g), m: full(m0), v: full(v0) };
    };
    const clip = tensor(gpu, [2], [2, 0.5]);
    const whole = mk(), listed = mk();
    const ids = tensorI32(gpu, [rowsList.length], rowsList);
    const s = step(gpu);
    adamw(s, { gpu, ...whole, clip }, o);
    adamw(s, { gpu, ...listed, clip, rows: { ids, cols } }, o);
    const names = ["param", "m", "v"] as const;
    const reads = names.flatMap((k) => [s.read(whole[k]), s.read(listed[k])]);
    await s.submit();
    const got = await Promise.all(reads);
    names.forEach((k, i) => {
      const [a, b] = [got[2 * i], got[2 * i + 1]];
      const before = { param: p0, m: m0, v: v0 }[k];
      for (let r = 0; r < 37; r++) {
        const row = (x: Float32Array) => Array.from(x.subarray(r * cols, (r + 1) * cols));
        const want = rowsList.includes(r) ? row(a) : row(before);
        assert.deepEqual(row(b), want, `${k}, row ${r}, ${cols} columns`);
      }
    });
  }
  const t = tensor(gpu, [10]);
  assert.throws(
    () =>
      adamw(step(gpu), { gpu, param: t, grad: t, m: t, v: t, rows: { ids: t, cols: 3 } }, {
        ...o,
      }),
    /^Error: adamw: rows need \[rows, 3\] tables within one binding/,
  );
});
