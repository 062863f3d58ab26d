import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, tensorI32 } from "../../lib/gpu/tensor.ts";
import { crossEntropy } from "../../lib/gpu/kernels/cross_entropy.ts";
import * as ref from "../../lib/gpu/reference/cross_entropy.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randInts } from "./test_data.ts";
import { randf } from "./gpu_helpers.ts";

async function run(rows: number, classes: number, targets: number[], gradScale?: number) {
  const gpu = await getGpu();
  const logits = randf(rows + classes, rows * classes, 4);
  const dlogits = tensor(gpu, [rows, classes]), losses = tensor(gpu, [rows]);
  const loss = tensor(gpu, [2]);
  const s = step(gpu);
  crossEntropy(s, {
    logits: tensor(gpu, [rows, classes], logits),
    targets: tensorI32(gpu, [rows], targets),
    dlogits,
    losses,
    loss,
    rows,
    classes,
    gradScale,
  });
  const reads = [loss, losses, dlogits].map((t) => s.read(t));
  await s.submit();
  const [gLoss, gLosses, gD] = await Promise.all(reads);
  return { gLoss, gLosses, gD, r: ref.crossEntropy({ logits, targets, rows, classes, gradScale }) };
}

Deno.test("crossEntropy matches the reference (ignored rows, many classes)", async () => {
  for (const [rows, classes] of [[1, 3], [203, 9], [17, 1031]]) {
    const targets = randInts(7, rows, classes).map((t, i) => (i % 4 === 1 ? -100 : t));
    const { gLoss, gLosses, gD, r } = await run(rows, classes, targets, 0.5);
    assert.ok(maxError([gLoss[0]], [r.loss]) < 1e-5, `loss [${rows}, ${classes}]`);
    assert.equal(gLoss[1], r.count);
    assert.ok(maxError(gLosses, r.losses) < 1e-4);
    assert.ok(maxError(gD, r.dlogits) < 1e-6);
  }
});

Deno.test("crossEntropy with every row ignored: NaN loss, zero gradient", async () => {
  const { gLoss, gD } = await run(3, 4, [-100, -100, -100]);
  assert.ok(Number.isNaN(gLoss[0]));
  assert.equal(gLoss[1], 0);
  assert.deepEqual(gD, new Float32Array(12));
});
