import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { gradNorm, gradNormPartials } from "../../lib/gpu/kernels/grad_norm.ts";
import * as ref from "../../lib/gpu/reference/grad_norm.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("gradNorm and the clip factor match the reference over many tensors", async () => {
  const gpu = await getGpu();
  const sizes = [1, 3, 767, 5000, 100003, 100004]; // 5000 and 100004 take vec4 loads
  const data = sizes.map((n, i) => randf(10 + i, n, 0.01));
  for (const [maxNorm, chunkBytes] of [[1, undefined], [0.1, 8192], [undefined, undefined]]) {
    const grads = data.map((d) => tensor(gpu, [d.length], d));
    const partials = tensor(gpu, [gradNormPartials(gpu, grads, chunkBytes)]);
    const out = tensor(gpu, [2]);
    const s = step(gpu);
    gradNorm(s, { gpu, grads, partials, out, maxNorm, chunkBytes });
    const r = s.read(out);
    await s.submit();
    const [norm, clip] = await r;
    const expected = ref.globalNorm(data);
    assert.ok(Math.abs(norm - expected) <= 1e-5 * expected, `norm ${norm} vs ${expected}`);
    const f = maxNorm === undefined ? 1 : ref.clipFactor(expected, maxNorm);
    assert.ok(Math.abs(clip - f) <= 1e-5 * f, `clip ${clip} vs ${f}`);
  }
});
