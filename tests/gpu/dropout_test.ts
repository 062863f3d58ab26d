import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { dropout } from "../../lib/gpu/kernels/dropout.ts";
import * as ref from "../../lib/gpu/reference/dropout.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("dropout on the GPU equals the reference bit for bit, in chunks too", async () => {
  const gpu = await getGpu();
  // 10007: the scalar kernel; 10008: the vec4 kernel (also in 4 KiB chunks)
  for (const n of [10007, 10008]) {
    const x = randf(1, n);
    for (
      const [p, chunkBytes] of [[0.1, undefined], [0.5, 4096], [0, undefined], [1, undefined]]
    ) {
      const o = { p: p as number, seed: 1234567, step: 99 };
      const out = tensor(gpu, [n]);
      const s = step(gpu);
      dropout(s, { ...o, gpu, x: tensor(gpu, [n], x), out, chunkBytes });
      const r = s.read(out);
      await s.submit();
      assert.deepEqual(await r, ref.dropoutForward(x, o), `n=${n} p=${p}`);
    }
  }
});
