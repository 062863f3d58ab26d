import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import {
  clearPool,
  download,
  downloadI32,
  downloadMany,
  downloadU32,
  poolStats,
  release,
  sizeClass,
  tensor,
  tensorI32,
  tensorU32,
  upload,
  view,
  zeros,
} from "../../lib/gpu/tensor.ts";

Deno.test("sizeClass: hand-worked classes", () => {
  // minimum 256; above it eight steps per power of two: (512, 1024] step 64, (1024, 2048] step 128.
  assert.equal(sizeClass(0), 256);
  assert.equal(sizeClass(4), 256);
  assert.equal(sizeClass(256), 256);
  assert.equal(sizeClass(257), 288); // (256, 512] step 32
  assert.equal(sizeClass(1000), 1024);
  assert.equal(sizeClass(1024), 1024);
  assert.equal(sizeClass(1025), 1152);
  assert.equal(sizeClass(3 * 2 ** 20), 3 * 2 ** 20);
  assert.equal(sizeClass(3 * 2 ** 20 + 1), 3.25 * 2 ** 20); // (2 MiB, 4 MiB] step 256 KiB
  assert.throws(() => sizeClass(-1), /^Error: sizeClass: invalid byte count/);
});

Deno.test("tensor/download: round trip of awkward lengths", async () => {
  const gpu = await getGpu();
  for (const n of [1, 3, 7, 65, 1001]) {
    const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 1e3 - i / 7);
    const t = tensor(gpu, [n], data);
    assert.deepEqual(t.shape, [n]);
    assert.equal(t.size, n);
    assert.deepEqual(await download(gpu, t), data);
    release(t);
  }
  const fromNumbers = tensor(gpu, [2, 2], [1.5, -2, 3, 4e-20]);
  assert.deepEqual([...(await download(gpu, fromNumbers))], [1.5, -2, 3, Math.fround(4e-20)]);
  release(fromNumbers);
});

Deno.test("upload: overwrites a tensor's contents", async () => {
  const gpu = await getGpu();
  const t = tensor(gpu, [5], [1, 1, 1, 1, 1]);
  upload(gpu, t, new Float32Array([5, 4, 3, 2, 1]));
  assert.deepEqual([...(await download(gpu, t))], [5, 4, 3, 2, 1]);
  assert.throws(() => upload(gpu, t, new Float32Array(4)), /^Error: upload: data has 4 elements/);
  release(t);
});

Deno.test("tensorU32/tensorI32: integer round trips, range checks", async () => {
  const gpu = await getGpu();
  const u = tensorU32(gpu, [3], [0, 101, 0xffffffff]);
  assert.deepEqual([...(await downloadU32(gpu, u))], [0, 101, 0xffffffff]);
  const i = tensorI32(gpu, [4], [-100, 0, 7, -2147483648]);
  assert.deepEqual([...(await downloadI32(gpu, i))], [-100, 0, 7, -2147483648]);
  assert.throws(() => tensorU32(gpu, [1], [-1]), /^Error: tensorU32: -1 is not a u32/);
  assert.throws(() => tensorI32(gpu, [1], [1.5]), /^Error: tensorI32: 1.5 is not an i32/);
  release(u);
  release(i);
});

Deno.test("tensor: bad shapes and data lengths are reported", async () => {
  const gpu = await getGpu();
  assert.throws(
    () => tensor(gpu, [2, -1]),
    /^Error: tensor: shape \[2, -1\] has an invalid dimension -1/,
  );
  assert.throws(() => tensor(gpu, [2.5]), /invalid dimension 2.5/);
  assert.throws(
    () => tensor(gpu, [2, 3], [1, 2, 3]),
    /^Error: tensor: data has 3 elements, shape \[2, 3\] needs 6/,
  );
});

Deno.test("release: the pool reuses a buffer of the same size class, not of another", async () => {
  const gpu = await getGpu();
  clearPool(gpu);
  const before = poolStats(gpu);
  const a = tensor(gpu, [1000], new Float32Array(1000).fill(9)); // 4000 B -> class 4096
  assert.equal(poolStats(gpu).allocated, before.allocated + 1);
  release(a);
  assert.equal(poolStats(gpu).free, 1);
  const b = tensor(gpu, [1010]); // 4040 B -> class 4096: reuse
  assert.equal(b.buffer, a.buffer);
  assert.equal(poolStats(gpu).allocated, before.allocated + 1);
  assert.equal(poolStats(gpu).free, 0);
  const c = tensor(gpu, [2000]); // another class: a new buffer
  assert.notEqual(c.buffer, a.buffer);
  assert.equal(poolStats(gpu).allocated, before.allocated + 2);
  // zeros from a dirty reused buffer is really zero
  release(b);
  const z = zeros(gpu, [1000]);
  assert.equal(z.buffer, a.buffer);
  assert.deepEqual(await download(gpu, z), new Float32Array(1000));
  release(z);
  release(c);
  assert.throws(() => release(c), /^Error: release: tensor \[2000\] released twice/);
  clearPool(gpu);
  assert.equal(poolStats(gpu).free, 0);
  assert.equal(poolStats(gpu).allocated, before.allocated);
});

Deno.test("download: staging buffers are pooled", async () => {
  const gpu = await getGpu();
  const t = tensor(gpu, [300], new Float32Array(300).fill(2));
  await download(gpu, t);
  const staging = poolStats(gpu).staging;
  for (let i = 0; i < 3; i++) assert.equal((await download(gpu, t))[299], 2);
  assert.equal(poolStats(gpu).staging, staging);
  release(t);
});

Deno.test("downloadMany and view: several tensors and a sub-range", async () => {
  const gpu = await getGpu();
  const a = tensor(gpu, [2, 3], [1, 2, 3, 4, 5, 6]);
  const b = tensor(gpu, [1], [42]);
  const row1 = view(a, [3], 3);
  const [x, y, z] = await downloadMany(gpu, [a, b, row1]);
  assert.deepEqual([...x], [1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...y], [42]);
  assert.deepEqual([...z], [4, 5, 6]);
  assert.throws(() => view(a, [4], 3), /^Error: view: \[4\] at element 3 does not fit/);
  assert.throws(() => release(row1), /^Error: release: .* is a view/);
  release(a);
  release(b);
});
