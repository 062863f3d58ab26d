import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { download, release, tensor, zeros } from "../../lib/gpu/tensor.ts";
import { chunkBindings, type Kernel, parseBindings, step } from "../../lib/gpu/kernel.ts";

/** x[i] = x[i] * u.mul + u.add for i < u.n, grid-stride so any n fits. */
const affine: Kernel = {
  name: "test-affine",
  code: `
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
struct U { mul: f32, add: f32, n: u32, _pad: u32 }
@group(0) @binding(1) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) nw: vec3<u32>) {
  var i = id.x;
  loop {
    if (i >= u.n) { break; }
    x[i] = x[i] * u.mul + u.add;
    i = i + nw.x * 64u;
  }
}`,
};

function affineUniforms(mul: number, add: number, n: number): ArrayBuffer {
  const buf = new ArrayBuffer(16);
  new Float32Array(buf, 0, 2).set([mul, add]);
  new Uint32Array(buf, 8, 1)[0] = n;
  return buf;
}

/** out[i] = a[i] + b[i] with a read-only inputs and no uniforms. */
const add: Kernel = {
  name: "test-add",
  entryPoint: "addMain",
  code: `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(64)
fn addMain(@builtin(global_invocation_id) id: vec3<u32>) {
  if (id.x < arrayLength(&out)) { out[id.x] = a[id.x] + b[id.x]; }
}`,
};

Deno.test("parseBindings: kinds in binding order; gaps and other groups are errors", () => {
  assert.deepEqual(parseBindings(affine.code), ["storage", "uniform"]);
  assert.deepEqual(parseBindings(add.code), ["read-only-storage", "read-only-storage", "storage"]);
  assert.deepEqual(
    parseBindings(
      "// @group(0) @binding(5) var<uniform> old: U;\n" +
        "@group(0) @binding(0) var<storage> a: array<f32>;",
    ),
    ["read-only-storage"], // var<storage> defaults to read; comments are skipped
  );
  assert.throws(
    () => parseBindings("@group(0) @binding(1) var<storage, read> a: array<f32>;", "k"),
    /kernel "k" bindings must be numbered 0..0 \(missing 0\)/,
  );
  assert.throws(
    () => parseBindings("@group(1) @binding(0) var<storage, read> a: array<f32>;", "k"),
    /^Error: parseBindings: kernel "k" uses @group\(1\)/,
  );
});

Deno.test("step: a tiny kernel with uniforms, then a read", async () => {
  const gpu = await getGpu();
  const x = tensor(gpu, [5], [1, 2, 3, 4, 5]);
  const s = step(gpu);
  s.dispatch(affine, [x], [1], affineUniforms(2, 0.5, 4)); // the last element is left alone
  const out = s.read(x);
  await s.submit();
  assert.deepEqual([...(await out)], [2.5, 4.5, 6.5, 8.5, 5]);
  release(x);
});

Deno.test("step: dispatches run in order in one command buffer; two reads, one submit", async () => {
  const gpu = await getGpu();
  const a = tensor(gpu, [3], [1, 2, 3]);
  const b = tensor(gpu, [3], [10, 20, 30]);
  const c = zeros(gpu, [3]);
  const snapshot = zeros(gpu, [3]);
  const s = step(gpu);
  s.dispatch(add, [a, b, c], [1]); // c = a + b = [11, 22, 33]
  s.copy(c, snapshot);
  s.dispatch(affine, [c], [1], affineUniforms(-1, 0, 3)); // c = -c
  const readC = s.read(c);
  const readSnap = s.read(snapshot);
  s.dispatch(affine, [c], [1], affineUniforms(0, 7, 3)); // after the read: not seen by readC
  await s.submit();
  assert.deepEqual([...(await readC)], [-11, -22, -33]);
  assert.deepEqual([...(await readSnap)], [11, 22, 33]);
  assert.deepEqual([...(await download(gpu, c))], [7, 7, 7]);
  assert.throws(
    () => s.dispatch(add, [a, b, c], [1]),
    /^Error: step.dispatch: called after submit/,
  );
  for (const t of [a, b, c, snapshot]) release(t);
});

Deno.test("step: many dispatches with distinct uniforms span several uniform buffers", async () => {
  const gpu = await getGpu();
  const n = 2500; // 2500 blocks of >= 16 bytes: more than one 64 KiB uniform buffer
  const x = zeros(gpu, [n]);
  for (let round = 0; round < 2; round++) { // the second round reuses the pooled buffers
    const s = step(gpu);
    // Dispatch k adds 1 to the first k+1 elements: x[i] gains n - i per round.
    for (let k = 0; k < n; k++) s.dispatch(affine, [x], [1], affineUniforms(1, 1, k + 1));
    await s.submit();
  }
  const got = await download(gpu, x);
  for (let i = 0; i < n; i++) assert.equal(got[i], 2 * (n - i), `element ${i}`);
  release(x);
});

Deno.test("step: wrong binding counts and workgroup counts are reported", async () => {
  const gpu = await getGpu();
  const x = tensor(gpu, [2], [1, 2]);
  const s = step(gpu);
  assert.throws(
    () => s.dispatch(affine, [x], [1]),
    /^Error: step.dispatch: kernel .* declares 2 bindings, got 1/,
  );
  assert.throws(() => s.dispatch(affine, [x], [1.5], affineUniforms(1, 1, 2)), /workgroups/);
  assert.throws(() => s.copy(x, tensor(gpu, [3])), /^Error: step.copy: .*sizes differ/);
  await s.submit();
  release(x);
});

Deno.test("chunkBindings: chunk plan respects the limit and the offset alignment", async () => {
  const gpu = await getGpu();
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const p = tensor(gpu, [1000]), g = tensor(gpu, [1000]);
  const chunks = chunkBindings(gpu, [p, g], 3 * align + 4); // rounds down to 3 * align bytes
  const per = (3 * align) / 4;
  let covered = 0;
  for (const c of chunks) {
    assert.equal(c.elementOffset, covered);
    assert.ok(c.count <= per);
    for (const [j, b] of c.bindings.entries()) {
      assert.ok("buffer" in b && !("shape" in b));
      assert.equal(b.buffer, [p, g][j].buffer);
      assert.equal(b.offset, c.elementOffset * 4);
      assert.equal((b.offset ?? 0) % align, 0);
      assert.equal(b.size, c.count * 4);
    }
    covered += c.count;
  }
  assert.equal(covered, 1000);
  assert.equal(chunks.length, Math.ceil(1000 / per));
  assert.equal(chunkBindings(gpu, [p]).length, 1); // fits whole
  assert.throws(
    () => chunkBindings(gpu, [p, tensor(gpu, [999])]),
    /^Error: chunkBindings: tensors differ in size/,
  );
  release(p);
  release(g);
});

Deno.test("chunkBindings: an elementwise kernel over a 160 MiB tensor, bound in chunks", async () => {
  const gpu = await getGpu();
  // 160 MiB + 12 B: over lavapipe's maxStorageBufferBindingSize (128 MiB); a GPU's limit
  // is larger (2 GiB on NVIDIA), so the chunks are capped at 128 MiB there.
  const n = 40 * 1024 * 1024 + 3;
  const limit = Math.min(128 * 1024 * 1024, gpu.limits.maxStorageBufferBindingSize);
  assert.ok(n * 4 > limit);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i += 4099) data[i] = i % 1000;
  const x = tensor(gpu, [n], data);
  const chunks = chunkBindings(gpu, [x], limit);
  assert.equal(chunks.length, 2);
  const s = step(gpu);
  for (const c of chunks) {
    s.dispatch(affine, c.bindings, [1024], affineUniforms(2, 1, c.count));
  }
  const out = s.read(x);
  await s.submit();
  const got = await out;
  for (let i = 0; i < n; i += 4099) assert.equal(got[i], 2 * (i % 1000) + 1, `element ${i}`);
  for (const i of [1, n - 1, chunks[1].elementOffset - 1, chunks[1].elementOffset]) {
    assert.equal(got[i], 2 * data[i] + 1, `element ${i}`);
  }
  release(x);
});
