import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, tensorU32 } from "../../lib/gpu/tensor.ts";
import { softmaxBackward, softmaxForward } from "../../lib/gpu/kernels/attention.ts";
import * as ref from "../../lib/gpu/reference/attention.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("attention softmax forward/backward match the reference (masks, long rows)", async () => {
  const gpu = await getGpu();
  const cases = [
    { batch: 1, heads: 1, seq: 1, causal: false, masked: false },
    { batch: 3, heads: 2, seq: 13, causal: true, masked: true },
    { batch: 2, heads: 3, seq: 257, causal: false, masked: true },
    // ModernBERT's local layers: a sliding window (local_attention 128) with padding
    { batch: 2, heads: 2, seq: 150, causal: false, masked: true, window: 128 },
    { batch: 1, heads: 3, seq: 9, causal: true, masked: false, window: 5 },
  ];
  for (const c of cases) {
    const n = c.batch * c.heads * c.seq * c.seq;
    const scores = randf(1, n, 3), dprobs = randf(2, n);
    const mask = Array.from(
      { length: c.batch * c.seq },
      (_, i) => (i % c.seq) < c.seq - 3 * (i / c.seq | 0) ? 1 : 0,
    );
    if (c.masked) mask.fill(0, 0, c.seq); // batch 0: no visible key at all
    const shape = {
      batch: c.batch,
      heads: c.heads,
      seq: c.seq,
      scale: 0.37,
      causal: c.causal,
      window: c.window,
    };
    const probs = tensor(gpu, [n]), dscores = tensor(gpu, [n]);
    const s = step(gpu);
    softmaxForward(s, {
      ...shape,
      scores: tensor(gpu, [n], scores),
      probs,
      keyMask: c.masked ? tensorU32(gpu, [mask.length], mask) : undefined,
    });
    softmaxBackward(s, { ...shape, probs, dprobs: tensor(gpu, [n], dprobs), dscores });
    const [a, b] = [s.read(probs), s.read(dscores)];
    await s.submit();
    const rs = { ...shape, keyMask: c.masked ? mask : undefined };
    const p = ref.softmaxForward(scores, rs);
    const label = JSON.stringify(c);
    assert.ok(maxError(await a, p) < 1e-5, `probs ${label}`);
    assert.ok(maxError(await b, ref.softmaxBackward(p, dprobs, rs)) < 1e-5, `dscores ${label}`);
  }
});
