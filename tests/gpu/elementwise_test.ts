import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, view } from "../../lib/gpu/tensor.ts";
import { accumulate, add, fill, scale } from "../../lib/gpu/kernels/elementwise.ts";
import * as ref from "../../lib/gpu/reference/elementwise.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randn } from "./test_data.ts";

Deno.test("elementwise kernels match the reference, in chunks and whole", async () => {
  const gpu = await getGpu();
  for (const [n, chunkBytes] of [[1, undefined], [1037, undefined], [5000, 1024]] as const) {
    const a = Float32Array.from(randn(1, n)), b = Float32Array.from(randn(2, n));
    const ta = tensor(gpu, [n], a), tb = tensor(gpu, [n], b), out = tensor(gpu, [n]);
    const dst = tensor(gpu, [n], a), x = tensor(gpu, [n], b), z = tensor(gpu, [n], a);
    const s = step(gpu);
    add(s, { gpu, a: ta, b: tb, out, chunkBytes });
    accumulate(s, { gpu, dst, src: tb, alpha: -0.75, chunkBytes });
    scale(s, { gpu, x, alpha: 3.5, chunkBytes });
    fill(s, { gpu, x: z, value: 0, chunkBytes });
    const reads = [out, dst, x, z].map((t) => s.read(t));
    await s.submit();
    const [gAdd, gAcc, gScale, gFill] = await Promise.all(reads);
    assert.ok(maxError(gAdd, ref.add(a, b)) < 1e-6, `add n=${n}`);
    const acc = a.slice();
    ref.accumulate(acc, b, -0.75);
    assert.ok(maxError(gAcc, acc) < 1e-6, `accumulate n=${n}`);
    const sc = b.slice();
    ref.scale(sc, 3.5);
    assert.ok(maxError(gScale, sc) < 1e-6, `scale n=${n}`);
    assert.deepEqual(gFill, new Float32Array(n));
  }
});

Deno.test("add rejects tensors of different sizes", async () => {
  const gpu = await getGpu();
  const s = step(gpu);
  assert.throws(
    () => add(s, { gpu, a: tensor(gpu, [2]), b: tensor(gpu, [3]), out: tensor(gpu, [2]) }),
    /^Error: add: sizes differ/,
  );
});

Deno.test("fill: four-wide and scalar sizes, whole, chunked and on a view", async () => {
  const gpu = await getGpu();
  for (const chunkBytes of [undefined, 1024]) {
    for (const n of [1000, 1001, 6]) {
      const x = tensor(gpu, [n], Float32Array.from(randn(5, n)));
      const s = step(gpu);
      fill(s, { gpu, x, value: -2.5, chunkBytes });
      const r = s.read(x);
      await s.submit();
      assert.deepEqual(await r, new Float32Array(n).fill(-2.5), `n=${n}`);
    }
  }
  // A view of 8 elements 64 elements (256 bytes) in: only those change.
  const base = Float32Array.from(randn(6, 200));
  const whole = tensor(gpu, [200], base);
  const s = step(gpu);
  fill(s, { gpu, x: view(whole, [8], 64), value: 7 });
  const r = s.read(whole);
  await s.submit();
  const expected = base.slice();
  expected.fill(7, 64, 72);
  assert.deepEqual(await r, expected);
});
