import assert from "node:assert/strict";
import { chooseBlock, choosePath, largeDirect } from "../../lib/gpu/kernels/matmul_path.ts";

// Each rule of lib/gpu/kernels/matmul_path.ts on both sides of its boundary, worked by hand
// from the rules as its header and docs/kernels.md state them.

Deno.test("matmul path: large means 2^20 multiply-adds, 32 rows, 64 columns, K 8, one entry", () => {
  assert.equal(largeDirect(32, 64, 512, 1, false), true); // exactly 2^20
  assert.equal(largeDirect(32, 64, 511, 1, false), false);
  assert.equal(largeDirect(31, 64, 1024, 1, false), false);
  assert.equal(largeDirect(32, 63, 1024, 1, false), false);
  assert.equal(largeDirect(4096, 4096, 7, 1, false), false);
  assert.equal(largeDirect(512, 768, 768, 2, false), false);
});

Deno.test("matmul path: a transposed A with a power-of-two M from 256 on is not large-direct", () => {
  for (const m of [256, 512, 1024, 4096]) assert.equal(largeDirect(m, 128, 1024, 1, true), false);
  for (const m of [128, 255, 384, 768, 3072]) {
    assert.equal(largeDirect(m, 128, 1024, 1, true), true);
  }
  assert.equal(largeDirect(512, 128, 1024, 1, false), true); // only when A is transposed
});

Deno.test("matmul path: large products off the 32-row blocks go tiled, small ones direct", () => {
  assert.equal(choosePath(32, 64, 512, 1), "direct"); // large, 32-row blocks
  assert.equal(choosePath(16, 64, 1024, 1), "tiled"); // large, 16 rows
  assert.equal(choosePath(15, 64, 2048, 1), "direct"); // fewer than 16 rows: 8x8 blocks
  assert.equal(choosePath(1024, 16, 64, 1), "tiled"); // large, 16 columns
  assert.equal(choosePath(1024, 15, 128, 1), "direct"); // fewer than 16 columns: 16x4 blocks
  assert.equal(choosePath(64, 64, 255, 1), "direct"); // just under 2^20
  assert.equal(choosePath(512, 128, 1024, 1, true), "tiled"); // A^T, M a power of two
  assert.equal(choosePath(64, 64, 64, 32), "direct"); // attention: 2^18 per entry
  assert.equal(choosePath(512, 512, 64, 2), "tiled"); // batched but 2^24 per entry
});

Deno.test("matmul path: large blocks by columns (32x32, 32x24) and by K and rows (64x16)", () => {
  assert.deepEqual(chooseBlock(1024, 256, 1, 128), [32, 32, 8, 1]); // 8 blocks per row
  assert.deepEqual(chooseBlock(1024, 255, 1, 128), [32, 16, 8, 1]);
  assert.deepEqual(chooseBlock(1024, 384, 1, 128), [32, 24, 8, 1]); // 12 x 32 vs 2 x 8 x 24
  assert.deepEqual(chooseBlock(1024, 576, 1, 128), [32, 24, 8, 1]); // 18 x 32 vs 3 x 8 x 24
  assert.deepEqual(chooseBlock(1024, 320, 1, 128), [32, 32, 8, 1]); // 320 is no multiple of 192
  assert.deepEqual(chooseBlock(1024, 768, 1, 128), [32, 32, 8, 1]); // 24 x 32 fills workgroups
  assert.deepEqual(chooseBlock(768, 64, 1, 256), [64, 16, 8, 1]); // 12 x 4 = 48 invocations
  assert.deepEqual(chooseBlock(704, 64, 1, 256), [32, 16, 8, 1]); // 11 x 4 = 44
  assert.deepEqual(chooseBlock(768, 64, 1, 255), [32, 16, 8, 1]); // K under 256
  // without K (or not large) the small-product rules apply
  assert.deepEqual(chooseBlock(1024, 256, 1), [16, 16, 8, 1]);
});

Deno.test("matmul path: small blocks aim for 64 invocations; narrow and batched shapes", () => {
  assert.deepEqual(chooseBlock(64, 15, 1), [16, 4, 8, 1]); // classifier head
  assert.deepEqual(chooseBlock(63, 15, 1), [4, 4, 8, 1]); // 16x16: 4, 8x8: 16 invocations
  assert.deepEqual(chooseBlock(15, 64, 1), [8, 8, 8, 1]);
  assert.deepEqual(chooseBlock(128, 128, 1), [16, 16, 8, 1]); // 8 x 8 = 64
  assert.deepEqual(chooseBlock(112, 128, 1), [8, 8, 8, 1]); // 7 x 8 = 56, then 14 x 16
  assert.deepEqual(chooseBlock(16, 16, 1), [4, 4, 8, 1]); // 1, then 4
  assert.deepEqual(chooseBlock(16, 8, 64), [16, 8, 8, 1]); // batched: 1 x 1 x 64
  assert.deepEqual(chooseBlock(16, 8, 63), [8, 8, 8, 1]); // 63, then 2 x 1 x 63
  assert.deepEqual(chooseBlock(8, 8, 63), [4, 4, 8, 1]); // 63 with 8x8, never 16x16
});
