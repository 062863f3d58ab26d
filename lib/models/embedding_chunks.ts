/**
 * Embedding tables larger than the device binds at once (RoBERTa's and GPT-2's 50k x 768
 * word embeddings are 154 MB against lavapipe's 128 MiB `maxStorageBufferBindingSize`):
 * the table is split into row ranges, each bound on its own. The lookup gathers, for every
 * token, from the range holding its id ({@link embeddingLookupRows}); the backward uses
 * `embeddingBackward` of `lib/gpu/kernels/embedding.ts` per range with a plan of only that
 * range's ids ({@link rangePlan}). Same semantics as the whole-table kernels (CPU
 * reference `lib/gpu/reference/embedding.ts`, PyTorch `nn.Embedding` with `padding_idx`);
 * the backward sums each row's tokens in the same order, so results are bit-identical.
 *
 * @module
 */
import type { Kernel, Step } from "../gpu/kernel.ts";
import type { Gpu } from "../gpu/device.ts";
import type { Tensor } from "../gpu/tensor.ts";
import { flatGrid, flatMain, packUniforms } from "../gpu/kernels/grid.ts";

const GATHER: Kernel = {
  name: "embedding-lookup-rows",
  code: `struct U { rows: u32, cols: u32, rowStart: u32, rowCount: u32, write: u32 }
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${flatMain("i")}
  if (i >= u.rows * u.cols) { return; }
  let n = i / u.cols;
  let c = i % u.cols;
  let r = ids[n] - u.rowStart; // wraps for ids below the range
  if (r < u.rowCount) {
    let v = table[r * u.cols + c];
    out[i] = select(out[i] + v, v, u.write != 0u);
  } else if (u.write != 0u) {
    out[i] = 0.0;
  }
}`,
};

/**
 * Row ranges `[start, end)` of a `[rows, cols]` table, each spanning at most `maxBytes`
 * and starting at a byte offset that is a multiple of `alignBytes` (so a range can be
 * bound as a view).
 *
 * @example
 * ```ts
 * import { tableRanges } from "./embedding_chunks.ts";
 * console.log(tableRanges(10, 32, 1024, 256)); // [[0, 8], [8, 10]]
 * ```
 */
export function tableRanges(
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
      `lib/models/embedding_chunks.ts: rows of ${rowBytes} bytes cannot be bound in ranges of ` +
        `${maxBytes} bytes aligned to ${alignBytes}`,
    );
  }
  const out: [number, number][] = [];
  for (let r = 0; r < rows; r += per) out.push([r, Math.min(rows, r + per)]);
  return out;
}

/**
 * Records `out[n, :] = table[ids[n], :]` (or `+=` with `accumulate`) for a table bound in
 * row ranges (see {@link tableRanges}); `ids` is a u32 (or non-negative i32) tensor `[rows]`
 * of ids inside the table (check them on the host).
 *
 * @example
 * ```ts
 * import { getGpu } from "../gpu/device.ts";
 * import { step } from "../gpu/kernel.ts";
 * import { tensor, tensorU32 } from "../gpu/tensor.ts";
 * import { embeddingLookupRows } from "./embedding_chunks.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [2, 64]);
 * embeddingLookupRows(s, { gpu, table: tensor(gpu, [10, 64]), ids: tensorU32(gpu, [2], [9, 0]),
 *   out, rows: 2, cols: 64, maxBytes: 1024 });
 * await s.submit();
 * ```
 */
export function embeddingLookupRows(s: Step, o: {
  gpu: Gpu;
  table: Tensor;
  ids: Tensor;
  out: Tensor;
  rows: number;
  cols: number;
  accumulate?: boolean;
  maxBytes: number;
}): void {
  const { gpu, table, ids, out, rows, cols } = o;
  if (table.size % cols !== 0 || ids.size < rows || out.size !== rows * cols) {
    throw new Error(
      `lib/models/embedding_chunks.ts embeddingLookupRows: table [${table.shape}], ids ` +
        `[${ids.shape}], out [${out.shape}] do not fit [${rows}, ${cols}]`,
    );
  }
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const ranges = tableRanges(table.size / cols, cols, o.maxBytes, align);
  ranges.forEach(([r0, r1], j) => {
    const n = (r1 - r0) * cols;
    const view = { buffer: table.buffer, offset: table.offset + r0 * cols * 4, size: n * 4 };
    s.dispatch(
      GATHER,
      [view, ids, out],
      flatGrid(rows * cols),
      packUniforms("uuuuu", [rows, cols, r0, r1 - r0, j === 0 && !o.accumulate ? 1 : 0]),
    );
  });
}

/**
 * The backward plan (as `embeddingBackwardPlan` of `lib/gpu/kernels/embedding.ts`) of the
 * tokens whose id lies in `[start, end)`, with row ids relative to `start`; tokens with
 * id `paddingIdx` are left out.
 *
 * @example
 * ```ts
 * import { rangePlan } from "./embedding_chunks.ts";
 * rangePlan([3, 1, 3, 7], 2, 6);
 * // { rowIds: [1], starts: [0, 2], tokens: [0, 2] }
 * ```
 */
export function rangePlan(
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
