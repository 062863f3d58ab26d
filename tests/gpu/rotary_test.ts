import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, view } from "../../lib/gpu/tensor.ts";
import { rotary, rotaryTableTensor } from "../../lib/gpu/kernels/rotary.ts";
import * as ref from "../../lib/gpu/reference/rotary.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("rotary matches the reference in place, forward and inverse, at any column offset", async () => {
  const gpu = await getGpu();
  const cases = [
    { rows: 1, seq: 1, heads: 1, headDim: 2, ld: 2, at: 0, theta: 1e4 },
    // queries and keys of a fused [tokens, 3, 3 heads, 6] projection, 2 sequences of 7
    { rows: 14, seq: 7, heads: 6, headDim: 6, ld: 54, at: 0, theta: 1e4 },
    // GQA: 4 query + 2 key heads of 8 among 8 heads, the view 5 elements in (unaligned)
    { rows: 33, seq: 11, heads: 6, headDim: 8, ld: 64, at: 5, theta: 160000 },
    // long sequence: positions up to 300
    { rows: 602, seq: 301, heads: 2, headDim: 64, ld: 128, at: 0, theta: 1e4 },
  ];
  for (const c of cases) {
    const total = c.at + c.rows * c.ld;
    const data = randf(1, total);
    const shape = { ...c, ld: c.ld };
    for (const inverse of [false, true]) {
      const buf = tensor(gpu, [total], data);
      const x = view(buf, [total - c.at], c.at);
      const table = rotaryTableTensor(gpu, c.seq, c.headDim, c.theta);
      const s = step(gpu);
      rotary(s, { ...c, x, table, inverse });
      const got = s.read(buf);
      await s.submit();
      const want = Float32Array.from(data);
      want.set(ref.rotaryForward(data.subarray(c.at), shape, inverse), c.at);
      assert.ok(maxError(await got, want) < 2e-6, `${JSON.stringify(c)} inverse ${inverse}`);
    }
  }
});

Deno.test("rotary refuses a table shorter than the sequence", async () => {
  const gpu = await getGpu();
  const s = step(gpu);
  assert.throws(
    () =>
      rotary(s, {
        x: tensor(gpu, [4 * 2]),
        table: rotaryTableTensor(gpu, 2, 2, 1e4),
        rows: 4,
        seq: 4,
        heads: 1,
        headDim: 2,
        ld: 2,
      }),
    /rotary: the table holds 2 positions, sequences of 4 need 4/,
  );
});
