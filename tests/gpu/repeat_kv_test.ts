import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, view } from "../../lib/gpu/tensor.ts";
import { repeatKv, repeatKvBackward } from "../../lib/gpu/kernels/repeat_kv.ts";
import * as ref from "../../lib/gpu/reference/repeat_kv.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("repeatKv and its backward match the reference in a fused projection at any offset", async () => {
  const gpu = await getGpu();
  const cases = [
    { rows: 1, parts: 1, kvHeads: 1, groups: 1, headDim: 1, at: 0 },
    // SmolLM2-like: 9 query heads, 3 key/value heads of 8, keys at column 72 of 120
    { rows: 37, parts: 2, kvHeads: 3, groups: 3, headDim: 8, at: 72, ld: 120 },
    { rows: 13, parts: 2, kvHeads: 2, groups: 4, headDim: 5, at: 41, ld: 61 },
  ];
  for (const c of cases) {
    const ld = c.ld ?? c.parts * c.kvHeads * c.headDim;
    const total = c.at + c.rows * ld;
    const heads = c.rows * c.parts * c.kvHeads * c.groups * c.headDim;
    const data = randf(1, total), dout = randf(2, heads), before = randf(3, total);
    const shape = { ...c, ld };
    const proj = tensor(gpu, [total], data), grad = tensor(gpu, [total], before);
    const out = tensor(gpu, [heads]);
    const s = step(gpu);
    repeatKv(s, { ...shape, x: view(proj, [total - c.at], c.at), out });
    repeatKvBackward(s, {
      ...shape,
      dout: tensor(gpu, [heads], dout),
      dx: view(grad, [total - c.at], c.at),
    });
    const [a, b] = [s.read(out), s.read(grad)];
    await s.submit();
    const label = JSON.stringify(c);
    assert.ok(maxError(await a, ref.repeatKvForward(data.subarray(c.at), shape)) < 1e-7, label);
    // the key/value columns written with the sums, every other element left as it was
    const want = Float32Array.from(before);
    const sums = ref.repeatKvBackward(dout, shape);
    const width = c.parts * c.kvHeads * c.headDim;
    for (let r = 0; r < c.rows; r++) {
      for (let e = 0; e < width; e++) want[c.at + r * ld + e] = sums[r * ld + e];
    }
    assert.ok(maxError(await b, want) < 1e-6, `backward ${label}`);
  }
});

Deno.test("repeatKv names a mis-sized copy", async () => {
  const gpu = await getGpu();
  assert.throws(
    () =>
      repeatKv(step(gpu), {
        x: tensor(gpu, [8]),
        out: tensor(gpu, [8]),
        rows: 2,
        parts: 2,
        kvHeads: 1,
        groups: 2,
        headDim: 2,
        ld: 4,
      }),
    /repeatKv: the repeated heads have 8 elements, \[2, 2, 2, 2\] needs 16/,
  );
});
