import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { type Kernel, step } from "../../lib/gpu/kernel.ts";
import { downloadU32, release, tensorU32 } from "../../lib/gpu/tensor.ts";
import {
  ELEMENTWISE_MAIN,
  flatGrid,
  flatMain,
  packUniforms,
  PER_INVOCATION,
  vec4Width,
  WORKGROUP,
} from "../../lib/gpu/kernels/grid.ts";

Deno.test("flatGrid: enough workgroups of WORKGROUP, wrapped to a second dimension past 65535", () => {
  assert.equal(WORKGROUP, 64);
  assert.deepEqual(flatGrid(0), [1, 1]);
  assert.deepEqual(flatGrid(64), [1, 1]);
  assert.deepEqual(flatGrid(65), [2, 1]);
  assert.deepEqual(flatGrid(64 * 65535), [65535, 1]);
  assert.deepEqual(flatGrid(64 * 65535 + 1), [65535, 2]); // 65536 groups
  assert.deepEqual(flatGrid(64 * 70000), [65535, 2]);
});

Deno.test("vec4Width: 4 only for equal non-zero sizes divisible by 4 at 16-byte offsets", () => {
  const t = (size: number, offset = 0) => ({ size, offset });
  assert.equal(vec4Width([t(8), t(8, 256)]), 4);
  assert.equal(vec4Width([t(4)]), 4);
  assert.equal(vec4Width([t(6)]), 1); // size not a multiple of 4
  assert.equal(vec4Width([t(0)]), 1); // nothing to bind as vec4
  assert.equal(vec4Width([t(8), t(12)]), 1); // sizes differ: chunkBindings reports it
  assert.equal(vec4Width([t(8), t(8, 8)]), 1); // offset of two floats
  assert.equal(vec4Width([]), 1);
});

Deno.test("packUniforms: little-endian u32/i32/f32 fields, padded to 16 bytes", () => {
  const buf = packUniforms("uif", [7, -2, 0.5]);
  assert.equal(buf.byteLength, 16);
  assert.deepEqual(
    [...new Uint8Array(buf)],
    [7, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 0, 0, 0, 0x3f, 0, 0, 0, 0],
  );
  assert.equal(packUniforms("uuuuf", [1, 2, 3, 4, 5]).byteLength, 32);
  assert.throws(() => packUniforms("u", [-1]), /field 0 \(-1\) is not a u32/);
  assert.throws(() => packUniforms("uu", [1]), /has 2 fields, got 1/);
  assert.throws(() => packUniforms("x", [1]), /unknown field type "x"/);
});

const IOTA: Kernel = {
  name: "grid-test-iota",
  code: `struct U { count: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> u: U;
${flatMain("k")}
  if (k >= u.count) { return; }
  out[k] = k;
}`,
};

Deno.test("flatMain with flatGrid visits each index once, also over a two-dimensional grid", async () => {
  const gpu = await getGpu();
  for (const count of [1, 1000, 64 * 65535 + 100]) {
    // one element of slack past `count` must stay untouched (the bounds check)
    const sentinel = 0xdeadbeef;
    const out = tensorU32(gpu, [count + 1], new Uint32Array(count + 1).fill(sentinel));
    const s = step(gpu);
    s.dispatch(IOTA, [out], flatGrid(count), packUniforms("u", [count]));
    await s.submit();
    const got = await downloadU32(gpu, out);
    let wrong = -1;
    for (let k = 0; k < count && wrong < 0; k++) if (got[k] !== k) wrong = k;
    assert.equal(wrong, -1, `count ${count}: index ${wrong} holds ${got[wrong]}`);
    assert.equal(got[count], sentinel, `count ${count}: wrote past the end`);
    release(out);
  }
});

const COUNT_VISITS: Kernel = {
  name: "grid-test-count-visits",
  code: `struct U { count: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> u: U;
fn one(i: u32) { out[i] = out[i] + 1u; }
${ELEMENTWISE_MAIN}`,
};

Deno.test("ELEMENTWISE_MAIN under dispatchElementwise's grid runs one() once on each index", async () => {
  const gpu = await getGpu();
  // counts around multiples of PER_INVOCATION, and past one dimension of workgroups
  for (const count of [1, 2, 3, 4, 5, 255, 256, 257, 1003, PER_INVOCATION * 64 * 65535 + 9]) {
    const out = tensorU32(gpu, [count + 1], new Uint32Array(count + 1)); // pooled: not zeroed
    const s = step(gpu);
    s.dispatch(
      COUNT_VISITS,
      [out],
      flatGrid(Math.ceil(count / PER_INVOCATION)),
      packUniforms("u", [count]),
    );
    await s.submit();
    const got = await downloadU32(gpu, out);
    const wrong = got.findIndex((v, k) => v !== (k < count ? 1 : 0));
    assert.equal(wrong, -1, `count ${count}: index ${wrong} visited ${got[wrong]} times`);
    release(out);
  }
});
