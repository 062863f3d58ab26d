import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, tensorU32, view } from "../../lib/gpu/tensor.ts";
import {
  embeddingBackward,
  embeddingBackwardPlan,
  embeddingLookup,
  embeddingRangePlan,
  embeddingTableRanges,
  uploadEmbeddingPlan,
} from "../../lib/gpu/kernels/embedding.ts";
import * as ref from "../../lib/gpu/reference/embedding.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randInts } from "./test_data.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("embeddingBackwardPlan groups tokens by id, leaving out padding", () => {
  const p = embeddingBackwardPlan([3, 1, 3, 0, 1], 5, 0);
  assert.deepEqual(Array.from(p.rowIds), [1, 3]);
  assert.deepEqual(Array.from(p.starts), [0, 2, 4]);
  assert.deepEqual(Array.from(p.tokens), [1, 4, 0, 2]);
  assert.throws(() => embeddingBackwardPlan([5], 5), /id 5 at token 0/);
});

Deno.test("embedding lookup (3 tables) and backward match the reference", async () => {
  for (const cols of [45, 44]) await lookupAndBackward(cols); // f32 and vec4 kernels
});

async function lookupAndBackward(cols: number): Promise<void> {
  const gpu = await getGpu();
  const rows = 2 * 37, vocab = 103, positions = 37;
  const word = randInts(1, rows, vocab);
  word[3] = word[9] = word[50] = 1; // repeated ids, one of them the padding id
  const pos = Array.from({ length: rows }, (_, n) => n % positions);
  const types = Array.from({ length: rows }, (_, n) => (n % 5 === 0 ? 1 : 0));
  const wte = randf(2, vocab * cols), wpe = randf(3, positions * cols), tte = randf(4, 2 * cols);
  const dout = randf(5, rows * cols), dwte0 = randf(6, vocab * cols);
  const out = tensor(gpu, [rows, cols]), dwte = tensor(gpu, [vocab, cols], dwte0);
  const dwpe = tensor(gpu, [positions, cols], new Float32Array(positions * cols));
  const planW = uploadEmbeddingPlan(gpu, embeddingBackwardPlan(word, vocab, 1));
  const planP = uploadEmbeddingPlan(gpu, embeddingBackwardPlan(pos, positions));
  const tdout = tensor(gpu, [rows, cols], dout);
  const s = step(gpu);
  const lookups: [Float32Array, number[]][] = [[wte, word], [wpe, pos], [tte, types]];
  lookups.forEach(([table, ids], i) =>
    embeddingLookup(s, {
      table: tensor(gpu, [table.length / cols, cols], table),
      ids: tensorU32(gpu, [rows], ids),
      out,
      rows,
      cols,
      accumulate: i > 0,
    })
  );
  embeddingBackward(s, { dout: tdout, plan: planW, dtable: dwte, cols });
  embeddingBackward(s, { dout: tdout, plan: planP, dtable: dwpe, cols });
  const reads = [out, dwte, dwpe].map((t) => s.read(t));
  await s.submit();
  const [gOut, gW, gP] = await Promise.all(reads);
  const expected = ref.embeddingForward({
    rows,
    cols,
    lookups: lookups.map(([table, ids]) => ({ table, ids })),
  });
  assert.ok(maxError(gOut, expected) < 1e-5);
  const rW = dwte0.slice(), rP = new Float32Array(positions * cols);
  ref.embeddingBackward({ dout, ids: word, dtable: rW, rows, cols, paddingIdx: 1 });
  ref.embeddingBackward({ dout, ids: pos, dtable: rP, rows, cols });
  assert.ok(maxError(gW, rW) < 1e-5);
  assert.ok(maxError(gP, rP) < 1e-5);
  assert.deepEqual(gW.subarray(cols, 2 * cols), dwte0.subarray(cols, 2 * cols)); // padding row
}

Deno.test("embeddingLookup gives NaN for an id outside the table", async () => {
  const gpu = await getGpu();
  const out = tensor(gpu, [2, 1]);
  const s = step(gpu);
  embeddingLookup(s, {
    table: tensor(gpu, [2, 1], [5, 6]),
    ids: tensorU32(gpu, [2], [1, 2]),
    out,
    rows: 2,
    cols: 1,
  });
  const r = s.read(out);
  await s.submit();
  const got = await r;
  assert.equal(got[0], 6);
  assert.ok(Number.isNaN(got[1]));
});

Deno.test("embeddingTableRanges cuts rows at aligned offsets within the byte limit", () => {
  assert.deepEqual(embeddingTableRanges(10, 32, 1024, 256), [[0, 8], [8, 10]]);
  // 12 columns = 48 bytes a row: ranges start at multiples of 16 rows (768 bytes).
  assert.deepEqual(embeddingTableRanges(40, 12, 1600, 256), [[0, 32], [32, 40]]);
  assert.throws(
    () => embeddingTableRanges(4, 100, 256, 256),
    /^Error: embeddingTableRanges: .*cannot be bound/,
  );
});

Deno.test("embeddingRangePlan keeps a range's tokens, relative ids, no padding", () => {
  assert.deepEqual(embeddingRangePlan([3, 1, 3, 7], 2, 6), {
    rowIds: Uint32Array.from([1]),
    starts: Uint32Array.from([0, 2]),
    tokens: Uint32Array.from([0, 2]),
  });
  const ids = [5, 0, 2, 5, 9, 2, 0];
  assert.deepEqual(embeddingRangePlan(ids, 0, 10, 0), embeddingBackwardPlan(ids, 10, 0));
});

Deno.test("embeddingLookup in row ranges (table over chunkBytes) equals the whole-table lookup", async () => {
  // vec4 and f32 kernels (rows of 120 bytes need 32-row ranges to start 256-byte aligned)
  for (const [cols, chunk] of [[32, 1024], [30, 4096]]) await lookupInRanges(cols, chunk);
});

async function lookupInRanges(cols: number, chunkBytes: number): Promise<void> {
  const gpu = await getGpu();
  const rows = 7, vocab = 50;
  const table = tensor(
    gpu,
    [vocab, cols],
    Float32Array.from({ length: vocab * cols }, (_, i) => Math.sin(i)),
  );
  const ids = tensorU32(gpu, [rows], [49, 0, 17, 8, 8, 33, 1]);
  const base = Float32Array.from({ length: rows * cols }, (_, i) => Math.cos(i));
  for (const accumulate of [false, true]) {
    const a = tensor(gpu, [rows, cols], base), b = tensor(gpu, [rows, cols], base);
    const s = step(gpu);
    embeddingLookup(s, { table, ids, out: a, rows, cols, accumulate });
    embeddingLookup(s, { gpu, table, ids, out: b, rows, cols, accumulate, chunkBytes });
    const [ra, rb] = [s.read(a), s.read(b)];
    await s.submit();
    assert.deepEqual(await rb, await ra);
  }
}

Deno.test("embeddingBackward range by range equals the whole-table backward", async () => {
  for (const [cols, chunk] of [[32, 1024], [30, 4096]]) await backwardInRanges(cols, chunk);
});

async function backwardInRanges(cols: number, chunkBytes: number): Promise<void> {
  const gpu = await getGpu();
  const rows = 9, vocab = 50, pad = 8;
  const word = [49, 0, 17, 8, 8, 33, 1, 17, 16];
  const dout = tensor(gpu, [rows, cols], randf(7, rows * cols));
  const d0 = randf(8, vocab * cols);
  const whole = tensor(gpu, [vocab, cols], d0), ranged = tensor(gpu, [vocab, cols], d0);
  const s = step(gpu);
  const plan = uploadEmbeddingPlan(gpu, embeddingBackwardPlan(word, vocab, pad));
  embeddingBackward(s, { dout, plan, dtable: whole, cols });
  const ranges = embeddingTableRanges(
    vocab,
    cols,
    chunkBytes,
    gpu.limits.minStorageBufferOffsetAlignment,
  );
  assert.ok(ranges.length > 1, "the test splits the table");
  for (const [r0, r1] of ranges) {
    const part = uploadEmbeddingPlan(gpu, embeddingRangePlan(word, r0, r1, pad));
    if (part.distinct === 0) continue;
    const dtable = view(ranged, [r1 - r0, cols], r0 * cols);
    embeddingBackward(s, { dout, plan: part, dtable, cols });
  }
  const [rw, rr] = [s.read(whole), s.read(ranged)];
  await s.submit();
  assert.deepEqual(await rr, await rw);
}
