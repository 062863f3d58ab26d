/**
 * Tests of lib/models/gpu_ops.ts: scratch released inside a step is reused by later
 * allocations of that step, everything goes back to the pool at submit, embedding ids
 * need a plan, errors name the operation, and the backend's results equal the CPU
 * backend's for the same calls.
 * Fails without a WebGPU adapter.
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { poolStats, release } from "../../lib/gpu/tensor.ts";
import { gpuOps } from "../../lib/models/gpu_ops.ts";
import { cpuOps } from "../../lib/models/cpu_ops.ts";
import type { Ops } from "../../lib/models/ops.ts";

Deno.test("scratch is reused within a step and returned to the pool at submit", async () => {
  const gpu = await getGpu();
  const ops = gpuOps(gpu);
  const before = poolStats(gpu);
  const a = ops.alloc([1000]);
  ops.fill({ x: a, value: 1 });
  ops.release(a);
  const b = ops.alloc([990]);
  assert.equal(b.buffer, a.buffer);
  const c = ops.alloc([1000]);
  assert.notEqual(c.buffer, a.buffer);
  await ops.submit();
  const after = poolStats(gpu);
  assert.equal(after.allocated - after.free, before.allocated - before.free);
});

Deno.test("embeddingBackward needs ids made with a plan", () => {
  return getGpu().then((gpu) => {
    const ops = gpuOps(gpu);
    const ids = ops.ints(new Int32Array([1, 2]));
    assert.throws(
      () =>
        ops.embeddingBackward({
          dout: ops.alloc([2, 4]),
          ids,
          dtable: ops.alloc([3, 4]),
          cols: 4,
        }),
      /^Error: gpuOps.embeddingBackward: ids were made without a plan/,
    );
    return ops.submit();
  });
});

Deno.test("the backends' errors name the operation", async () => {
  const gpu = gpuOps(await getGpu()), cpu = cpuOps();
  const g = gpu.alloc([4]);
  assert.throws(() => gpu.release(gpu.view(g, [2], 2)), /^Error: gpuOps.release: a view was given/);
  assert.throws(
    () => gpu.ints(new Int32Array([3]), { vocab: 3 }),
    /^Error: gpuOps.ints: id 3 at token 0/,
  );
  const c = cpu.alloc([4]);
  assert.throws(() => cpu.view(c, [3], 2), /^Error: cpuOps.view: \[3\] at 2 exceeds 4/);
  assert.throws(
    () =>
      cpu.crossEntropy({
        logits: c,
        targets: c,
        dlogits: c,
        losses: c,
        loss: c,
        rows: 1,
        classes: 4,
      }),
    /^Error: cpuOps.crossEntropy: an integer tensor is needed/,
  );
  await gpu.submit();
});

async function program<X>(ops: Ops<X>): Promise<Float32Array[]> {
  const x = ops.persistent([2, 8], Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)));
  const w = ops.persistent([8, 4], Float32Array.from({ length: 32 }, (_, i) => Math.cos(i)));
  const y = ops.alloc([2, 4]);
  ops.matmul({ a: x, b: w, c: y, m: 2, n: 4, k: 8 });
  const table = ops.persistent([3, 4], new Float32Array(12));
  const ids = ops.ints(new Int32Array([2, 0]), { vocab: 3, paddingIdx: 0 });
  ops.embeddingBackward({ dout: y, ids, dtable: table, cols: 4 });
  const d = ops.alloc([2, 4]);
  ops.dropout({ x: y, out: d, p: 0.5, seed: 3, step: 7 });
  const reads = [ops.read(y), ops.read(table), ops.read(d)];
  await ops.submit();
  return await Promise.all(reads);
}

Deno.test("the GPU backend computes what the CPU backend computes", async () => {
  const [g, c] = [await program(gpuOps(await getGpu())), await program(cpuOps())];
  for (let i = 0; i < g.length; i++) {
    for (let j = 0; j < g[i].length; j++) assert.ok(Math.abs(g[i][j] - c[i][j]) < 1e-5);
  }
  // Row 0 of the table is the padding row: no gradient.
  assert.deepEqual(Array.from(c[1].subarray(0, 4)), [0, 0, 0, 0]);
  assert.deepEqual(c[1].subarray(8, 12), c[0].subarray(0, 4));
});

Deno.test("persistent without data is zeros, also in a pooled buffer that held values", async () => {
  const gpu = await getGpu();
  const ops = gpuOps(gpu);
  const used = ops.persistent([1000], new Float32Array(1000).fill(7));
  const before = ops.read(used);
  await ops.submit();
  assert.deepEqual((await before).slice(0, 2), Float32Array.of(7, 7));
  release(used);
  const z = ops.persistent([1000]);
  assert.equal(z.buffer, used.buffer);
  const read = ops.read(z);
  await ops.submit();
  assert.deepEqual(await read, new Float32Array(1000));
  assert.deepEqual(await cpuOps().read(cpuOps().persistent([3])), new Float32Array(3));
});
