/**
 * Embedding kernels: the lookup (summing word, position and token-type tables, one
 * dispatch per table) and the gradient scatter-add without races. CPU reference:
 * `lib/gpu/reference/embedding.ts` (PyTorch `nn.Embedding`, with `padding_idx`).
 *
 * The backward groups tokens by id on the host (the host uploaded the ids, so it has
 * them): {@link embeddingBackwardPlan} lists each distinct id once with its tokens (CSR
 * layout, as llm.c's encoder backward buckets on the CPU), and the kernel runs one
 * invocation per (distinct id, channel), summing that id's tokens in token order and
 * adding the sum into its table row. No two invocations touch the same element, and the
 * result is deterministic.
 *
 * Tables larger than the device binds at once (RoBERTa's and GPT-2's 50k x 768 word
 * embeddings are 154 MB against lavapipe's 128 MiB `maxStorageBufferBindingSize`) are split
 * into row ranges ({@link embeddingTableRanges}), each bound on its own: the lookup gathers
 * every token from the range holding its id (automatically, given `gpu`), and the backward
 * runs once per range with a plan of only that range's ids ({@link embeddingRangePlan})
 * on a view of the range. Each row's tokens are summed in the same order, so the results
 * are bit-identical to the whole-table kernels.
 *
 * Where rows are whole vec4s (`cols` a multiple of 4, tensors at 16-byte offsets) every
 * kernel moves a vec4 per invocation, with the same arithmetic per element (lavapipe, 1,024
 * tokens x 128 from a 30,522-row table: lookup 0.30 vs 0.73 ms, backward 0.41 vs 1.07 ms).
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import { type Tensor, tensorU32 } from "../tensor.ts";
import { checkIds } from "../reference/embedding.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";

/** Element types of the kernels: f32, or vec4<f32> when a row is whole vec4s. */
type Elem = "f32" | "vec4<f32>";

// Bindings and element (token n, channel c: in units of T) of both lookups; bodies follow.
const lookupHead = (t: Elem) =>
  `@group(0) @binding(0) var<storage, read> table: array<${t}>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;
@group(0) @binding(3) var<uniform> u: U;
${flatMain("i")}
  if (i >= u.rows * u.cols) { return; }
  let n = i / u.cols;
  let c = i % u.cols;`;

const lookup = (t: Elem): Kernel => ({
  name: `embedding-lookup-${t}`,
  code: `struct U { rows: u32, cols: u32, vocab: u32, accumulate: u32, nanBits: u32 }
${lookupHead(t)}
  let id = ids[n];
  // an id outside the table poisons its row with NaN instead of reading out of bounds
  let nan = ${t}(bitcast<f32>(u.nanBits));
  let v = select(nan, table[min(id, u.vocab - 1u) * u.cols + c], id < u.vocab);
  out[i] = select(v, out[i] + v, u.accumulate != 0u);
}`,
});

const lookupRows = (t: Elem): Kernel => ({
  name: `embedding-lookup-rows-${t}`,
  code: `struct U { rows: u32, cols: u32, rowStart: u32, rowCount: u32, write: u32 }
${lookupHead(t)}
  let r = ids[n] - u.rowStart; // wraps for ids below the range
  if (r < u.rowCount) {
    let v = table[r * u.cols + c];
    out[i] = select(out[i] + v, v, u.write != 0u);
  } else if (u.write != 0u) {
    out[i] = ${t}();
  }
}`,
});

const backward = (t: Elem): Kernel => ({
  name: `embedding-backward-${t}`,
  code: `struct U { distinct: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> dout: array<${t}>;
@group(0) @binding(1) var<storage, read> rowIds: array<u32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> tokens: array<u32>;
@group(0) @binding(4) var<storage, read_write> dtable: array<${t}>;
@group(0) @binding(5) var<uniform> u: U;
${flatMain("i")}
  if (i >= u.distinct * u.cols) { return; }
  let d = i / u.cols;
  let c = i % u.cols;
  var sum = ${t}();
  for (var k = starts[d]; k < starts[d + 1u]; k++) { sum += dout[tokens[k] * u.cols + c]; }
  dtable[rowIds[d] * u.cols + c] += sum;
}`,
});

const LOOKUP = [lookup("f32"), lookup("vec4<f32>")] as const;
const LOOKUP_ROWS = [lookupRows("f32"), lookupRows("vec4<f32>")] as const;
const BACKWARD = [backward("f32"), backward("vec4<f32>")] as const;

/** 4 when rows of `cols` floats are whole vec4s in every tensor, else 1. */
const width = (cols: number, tensors: { offset: number }[]): 1 | 4 =>
  cols % 4 === 0 && tensors.every((t) => t.offset % 16 === 0) ? 4 : 1;

/**
 * Records `out[n, :] = table[ids[n], :]` (or `+=` with `accumulate`), `out` `[rows, cols]`,
 * `ids` a u32 tensor `[rows]`. Call once per table, accumulating after the first, for
 * word + position + token type. An id outside the table gives a NaN row (check ids on the
 * host with `checkIds` from the reference for a clear error). Given `gpu`, a table of more
 * than `chunkBytes` (default and at most: the device's `maxStorageBufferBindingSize`) is
 * bound in row ranges ({@link embeddingTableRanges}), one dispatch each; there an id outside
 * the table gives a zero row (or leaves it, accumulating).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, tensorU32 } from "../tensor.ts";
 * import { embeddingLookup } from "./embedding.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [2, 2]);
 * embeddingLookup(s, { table: tensor(gpu, [3, 2], [1, 2, 3, 4, 5, 6]),
 *   ids: tensorU32(gpu, [2], [2, 0]), out, rows: 2, cols: 2 });
 * const r = s.read(out);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(5, 6, 1, 2)); // rows 2 and 0 of the table
 * ```
 */
export function embeddingLookup(s: Step, o: {
  table: Tensor;
  ids: Tensor;
  out: Tensor;
  rows: number;
  cols: number;
  accumulate?: boolean;
  gpu?: Gpu;
  chunkBytes?: number;
}): void {
  const { table, ids, out, rows, cols, gpu } = o;
  if (ids.size !== rows || out.size !== rows * cols || table.size % cols !== 0) {
    throw new Error(
      `embeddingLookup: ids [${ids.shape.join(", ")}], out ` +
        `[${out.shape.join(", ")}], table [${
          table.shape.join(", ")
        }] do not fit [${rows}, ${cols}]`,
    );
  }
  const maxBytes = Math.min(
    o.chunkBytes ?? Infinity,
    gpu?.limits.maxStorageBufferBindingSize ?? Infinity,
  );
  const w = width(cols, [table, out]), c = cols / w;
  if (!gpu || table.size * 4 <= maxBytes) {
    s.dispatch(
      LOOKUP[w === 4 ? 1 : 0],
      [table, ids, out],
      flatGrid(rows * c),
      packUniforms("uuuuu", [rows, c, table.size / cols, o.accumulate ? 1 : 0, 0x7fc00000]),
    );
    return;
  }
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const ranges = embeddingTableRanges(table.size / cols, cols, maxBytes, align);
  ranges.forEach(([r0, r1], j) => {
    const n = (r1 - r0) * cols;
    const range = { buffer: table.buffer, offset: table.offset + r0 * cols * 4, size: n * 4 };
    s.dispatch(
      LOOKUP_ROWS[w === 4 ? 1 : 0],
      [range, ids, out],
      flatGrid(rows * c),
      packUniforms("uuuuu", [rows, c, r0, r1 - r0, j === 0 && !o.accumulate ? 1 : 0]),
    );
  });
}

/**
 * Row ranges `[start, end)` of a `[rows, cols]` table, each spanning at most `maxBytes`
 * and starting at a byte offset that is a multiple of `alignBytes` (so a range can be
 * bound as a view).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingTableRanges } from "./embedding.ts";
 * // rows of 32 floats (128 bytes): 8 rows in 1024 bytes
 * assert.deepEqual(embeddingTableRanges(10, 32, 1024, 256), [[0, 8], [8, 10]]);
 * ```
 */
export function embeddingTableRanges(
  rows: number,
  cols: number,
  maxBytes: number,
  alignBytes: number,
): [number, number][] {
  const rowBytes = cols * 4;
  let step = 1;
  while ((step * rowBytes) % alignBytes !== 0) step++;
  const per = Math.floor(maxBytes / rowBytes / step) * step;
  if (per < 1) {
    throw new Error(
      `embeddingTableRanges: rows of ${rowBytes} bytes cannot be ` +
        `bound in ranges of ${maxBytes} bytes aligned to ${alignBytes}`,
    );
  }
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r += per) out.push([r, Math.min(rows, r + per)]);
  return out;
}

/**
 * Tokens grouped by id for the backward, on the host: `rowIds[d]` is the d-th distinct id
 * (ascending), its tokens are `tokens[starts[d] .. starts[d+1])` (ascending). Tokens whose
 * id is `paddingIdx` are left out (PyTorch's `padding_idx` gets no gradient). An id outside
 * `[0, vocab)` is an error naming the token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingBackwardPlan } from "./embedding.ts";
 * assert.deepEqual(embeddingBackwardPlan([3, 1, 3], 5), {
 *   rowIds: Uint32Array.of(1, 3), // id 1 (token 1), then id 3 (tokens 0 and 2)
 *   starts: Uint32Array.of(0, 1, 3),
 *   tokens: Uint32Array.of(1, 0, 2),
 * });
 * assert.throws(() => embeddingBackwardPlan([3, 5], 5), /id 5 at token 1 is outside the table/);
 * ```
 */
export function embeddingBackwardPlan(
  ids: ArrayLike<number>,
  vocab: number,
  paddingIdx?: number,
): { rowIds: Uint32Array; starts: Uint32Array; tokens: Uint32Array } {
  checkIds(ids, vocab, "embeddingBackwardPlan");
  return embeddingRangePlan(ids, 0, vocab, paddingIdx);
}

/**
 * The {@link embeddingBackwardPlan} of only the tokens whose id lies in `[start, end)`
 * (one of {@link embeddingTableRanges}), with row ids relative to `start`, for the
 * backward into a view of that range; ids outside the range (and `paddingIdx`) are left
 * out without error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { embeddingRangePlan } from "./embedding.ts";
 * assert.deepEqual(embeddingRangePlan([3, 1, 3, 7], 2, 6), {
 *   rowIds: Uint32Array.of(1), // id 3, row 1 of the range [2, 6)
 *   starts: Uint32Array.of(0, 2),
 *   tokens: Uint32Array.of(0, 2),
 * });
 * ```
 */
export function embeddingRangePlan(
  ids: ArrayLike<number>,
  start: number,
  end: number,
  paddingIdx?: number,
): { rowIds: Uint32Array; starts: Uint32Array; tokens: Uint32Array } {
  const order: number[] = [];
  for (let n = 0; n < ids.length; n++) {
    if (ids[n] >= start && ids[n] < end && ids[n] !== paddingIdx) order.push(n);
  }
  order.sort((a, b) => ids[a] - ids[b] || a - b);
  const rowIds: number[] = [], starts: number[] = [];
  order.forEach((n, k) => {
    if (k === 0 || ids[n] !== ids[order[k - 1]]) {
      rowIds.push(ids[n] - start);
      starts.push(k);
    }
  });
  starts.push(order.length);
  return {
    rowIds: Uint32Array.from(rowIds),
    starts: Uint32Array.from(starts),
    tokens: Uint32Array.from(order),
  };
}

/**
 * An {@link embeddingBackwardPlan} uploaded as u32 tensors (release them after the step).
 */
export type EmbeddingPlan = { rowIds: Tensor; starts: Tensor; tokens: Tensor; distinct: number };

/**
 * Uploads a plan from {@link embeddingBackwardPlan}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { downloadU32 } from "../tensor.ts";
 * import { embeddingBackwardPlan, uploadEmbeddingPlan } from "./embedding.ts";
 * const gpu = await getGpu();
 * const plan = uploadEmbeddingPlan(gpu, embeddingBackwardPlan([0, 0], 2));
 * assert.equal(plan.distinct, 1);
 * assert.deepEqual(await downloadU32(gpu, plan.tokens), Uint32Array.of(0, 1));
 * ```
 */
export function uploadEmbeddingPlan(
  gpu: Gpu,
  p: { rowIds: Uint32Array; starts: Uint32Array; tokens: Uint32Array },
): EmbeddingPlan {
  const up = (a: Uint32Array) => tensorU32(gpu, [Math.max(1, a.length)], a.length ? a : [0]);
  return {
    rowIds: up(p.rowIds),
    starts: up(p.starts),
    tokens: up(p.tokens),
    distinct: p.rowIds.length,
  };
}

/**
 * Records the embedding backward for one table: ADDS `dout[n, :]` into `dtable[ids[n], :]`
 * for every token of the plan, race-free. For a table too large to bind, call it once per
 * {@link embeddingTableRanges} range with that range's {@link embeddingRangePlan} and a
 * view of the range as `dtable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { embeddingBackward, embeddingBackwardPlan, uploadEmbeddingPlan } from "./embedding.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dtable = zeros(gpu, [2, 2]);
 * const plan = uploadEmbeddingPlan(gpu, embeddingBackwardPlan([1, 1], 2));
 * embeddingBackward(s, { dout: tensor(gpu, [2, 2], [1, 2, 3, 4]), plan, dtable, cols: 2 });
 * const r = s.read(dtable);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(0, 0, 4, 6)); // both tokens add into row 1
 * ```
 */
export function embeddingBackward(
  s: Step,
  o: { dout: Tensor; plan: EmbeddingPlan; dtable: Tensor; cols: number },
): void {
  const { dout, plan, dtable, cols } = o;
  if (dout.size % cols !== 0 || dtable.size % cols !== 0) {
    throw new Error(
      `embeddingBackward: dout [${dout.shape.join(", ")}] or ` +
        `dtable [${dtable.shape.join(", ")}] is not a multiple of ${cols} columns`,
    );
  }
  const w = width(cols, [dout, dtable]);
  s.dispatch(
    BACKWARD[w === 4 ? 1 : 0],
    [dout, plan.rowIds, plan.starts, plan.tokens, dtable],
    flatGrid(plan.distinct * cols / w),
    packUniforms("uu", [plan.distinct, cols / w]),
  );
}
