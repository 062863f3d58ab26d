/**
 * Tests of lib/models/embedding_chunks.ts: row ranges of a table, the range plan against a
 * hand-worked example and the whole-table plan, and the row-range lookup against the
 * whole-table kernel (bit for bit) with and without accumulation. Run with
 * DENO_WEBGPU_BACKEND=vulkan.
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, tensorU32 } from "../../lib/gpu/tensor.ts";
import { embeddingBackwardPlan, embeddingLookup } from "../../lib/gpu/kernels/embedding.ts";
import { embeddingLookupRows, rangePlan, tableRanges } from "../../lib/models/embedding_chunks.ts";

Deno.test("tableRanges cuts rows at aligned offsets within the byte limit", () => {
  assert.deepEqual(tableRanges(10, 32, 1024, 256), [[0, 8], [8, 10]]);
  // 12 columns = 48 bytes a row: ranges start at multiples of 16 rows (768 bytes).
  assert.deepEqual(tableRanges(40, 12, 1600, 256), [[0, 32], [32, 40]]);
  assert.throws(() => tableRanges(4, 100, 256, 256), /cannot be bound/);
});

Deno.test("rangePlan keeps a range's tokens, relative ids, no padding", () => {
  assert.deepEqual(rangePlan([3, 1, 3, 7], 2, 6), {
    rowIds: Uint32Array.from([1]),
    starts: Uint32Array.from([0, 2]),
    tokens: Uint32Array.from([0, 2]),
  });
  const ids = [5, 0, 2, 5, 9, 2, 0];
  assert.deepEqual(rangePlan(ids, 0, 10, 0), embeddingBackwardPlan(ids, 10, 0));
});

Deno.test("embeddingLookupRows equals the whole-table lookup", async () => {
  const gpu = await getGpu();
  const rows = 7, cols = 32, vocab = 50;
  const table = tensor(gpu, [vocab, cols], Float32Array.from({ length: vocab * cols }, Math.sin));
  const ids = tensorU32(gpu, [rows], [49, 0, 17, 8, 8, 33, 1]);
  const base = Float32Array.from({ length: rows * cols }, Math.cos);
  for (const accumulate of [false, true]) {
    const a = tensor(gpu, [rows, cols], base), b = tensor(gpu, [rows, cols], base);
    const s = step(gpu);
    embeddingLookup(s, { table, ids, out: a, rows, cols, accumulate });
    embeddingLookupRows(s, { gpu, table, ids, out: b, rows, cols, accumulate, maxBytes: 1024 });
    const [ra, rb] = [s.read(a), s.read(b)];
    await s.submit();
    assert.deepEqual(await rb, await ra);
  }
});
