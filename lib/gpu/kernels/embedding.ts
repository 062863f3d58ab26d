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
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import { type Tensor, tensorU32 } from "../tensor.ts";
import { checkIds } from "../reference/embedding.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";

const LOOKUP: Kernel = {
  name: "embedding-lookup",
  code: `struct U { rows: u32, cols: u32, vocab: u32, accumulate: u32, nanBits: u32 }
@group(0) @binding(0) var<storage, read> table: array<f32>;
@group(0) @binding(1) var<storage, read> ids: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${flatMain("i")}
  if (i >= u.rows * u.cols) { return; }
  let n = i / u.cols;
  let c = i % u.cols;
  let id = ids[n];
  // an id outside the table poisons its row with NaN instead of reading out of bounds
  let v = select(bitcast<f32>(u.nanBits), table[min(id, u.vocab - 1u) * u.cols + c], id < u.vocab);
  out[i] = select(v, out[i] + v, u.accumulate != 0u);
}`,
};

const BACKWARD: Kernel = {
  name: "embedding-backward",
  code: `struct U { distinct: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> dout: array<f32>;
@group(0) @binding(1) var<storage, read> rowIds: array<u32>;
@group(0) @binding(2) var<storage, read> starts: array<u32>;
@group(0) @binding(3) var<storage, read> tokens: array<u32>;
@group(0) @binding(4) var<storage, read_write> dtable: array<f32>;
@group(0) @binding(5) var<uniform> u: U;
${flatMain("i")}
  if (i >= u.distinct * u.cols) { return; }
  let d = i / u.cols;
  let c = i % u.cols;
  var sum = 0.0;
  for (var k = starts[d]; k < starts[d + 1u]; k++) { sum += dout[tokens[k] * u.cols + c]; }
  dtable[rowIds[d] * u.cols + c] += sum;
}`,
};

/**
 * Records `out[n, :] = table[ids[n], :]` (or `+=` with `accumulate`), `out` `[rows, cols]`,
 * `ids` a u32 tensor `[rows]`. Call once per table, accumulating after the first, for
 * word + position + token type. An id outside the table gives a NaN row (check ids on the
 * host with `checkIds` from the reference for a clear error).
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, tensorU32 } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [2, 2]);
 * embeddingLookup(s, { table: tensor(gpu, [3, 2], [1, 2, 3, 4, 5, 6]),
 *   ids: tensorU32(gpu, [2], [2, 0]), out, rows: 2, cols: 2 });
 * await s.submit(); // out = [5, 6, 1, 2]
 * ```
 */
export function embeddingLookup(s: Step, o: {
  table: Tensor;
  ids: Tensor;
  out: Tensor;
  rows: number;
  cols: number;
  accumulate?: boolean;
}): void {
  const { table, ids, out, rows, cols } = o;
  if (ids.size !== rows || out.size !== rows * cols || table.size % cols !== 0) {
    throw new Error(
      `lib/gpu/kernels/embedding.ts embeddingLookup: ids [${ids.shape.join(", ")}], out ` +
        `[${out.shape.join(", ")}], table [${
          table.shape.join(", ")
        }] do not fit [${rows}, ${cols}]`,
    );
  }
  s.dispatch(
    LOOKUP,
    [table, ids, out],
    flatGrid(rows * cols),
    packUniforms("uuuuu", [rows, cols, table.size / cols, o.accumulate ? 1 : 0, 0x7fc00000]),
  );
}

/**
 * Tokens grouped by id for the backward, on the host: `rowIds[d]` is the d-th distinct id
 * (ascending), its tokens are `tokens[starts[d] .. starts[d+1])` (ascending). Tokens whose
 * id is `paddingIdx` are left out (PyTorch's `padding_idx` gets no gradient).
 *
 * @example
 * ```ts
 * embeddingBackwardPlan([3, 1, 3], 5);
 * // { rowIds: [1, 3], starts: [0, 1, 3], tokens: [1, 0, 2] }
 * ```
 */
export function embeddingBackwardPlan(
  ids: ArrayLike<number>,
  vocab: number,
  paddingIdx?: number,
): { rowIds: Uint32Array; starts: Uint32Array; tokens: Uint32Array } {
  checkIds(ids, vocab, "embeddingBackwardPlan");
  const order: number[] = [];
  for (let n = 0; n < ids.length; n++) if (ids[n] !== paddingIdx) order.push(n);
  order.sort((a, b) => ids[a] - ids[b] || a - b);
  const rowIds: number[] = [], starts: number[] = [];
  order.forEach((n, k) => {
    if (k === 0 || ids[n] !== ids[order[k - 1]]) {
      rowIds.push(ids[n]);
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
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * const plan = uploadEmbeddingPlan(await getGpu(), embeddingBackwardPlan([3, 1, 3], 5));
 * ```
 */
export type EmbeddingPlan = { rowIds: Tensor; starts: Tensor; tokens: Tensor; distinct: number };

/**
 * Uploads a plan from {@link embeddingBackwardPlan}.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * const plan = uploadEmbeddingPlan(await getGpu(), embeddingBackwardPlan([0, 0], 2));
 * console.log(plan.distinct); // 1
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
 * for every token of the plan, race-free.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dtable = zeros(gpu, [2, 2]);
 * const plan = uploadEmbeddingPlan(gpu, embeddingBackwardPlan([1, 1], 2));
 * embeddingBackward(s, { dout: tensor(gpu, [2, 2], [1, 2, 3, 4]), plan, dtable, cols: 2 });
 * await s.submit(); // dtable = [0, 0, 4, 6]
 * ```
 */
export function embeddingBackward(
  s: Step,
  o: { dout: Tensor; plan: EmbeddingPlan; dtable: Tensor; cols: number },
): void {
  const { dout, plan, dtable, cols } = o;
  if (dout.size % cols !== 0 || dtable.size % cols !== 0) {
    throw new Error(
      `lib/gpu/kernels/embedding.ts embeddingBackward: dout [${dout.shape.join(", ")}] or ` +
        `dtable [${dtable.shape.join(", ")}] is not a multiple of ${cols} columns`,
    );
  }
  s.dispatch(
    BACKWARD,
    [dout, plan.rowIds, plan.starts, plan.tokens, dtable],
    flatGrid(plan.distinct * cols),
    packUniforms("uu", [plan.distinct, cols]),
  );
}
