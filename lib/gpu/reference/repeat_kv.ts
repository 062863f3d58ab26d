/**
 * Grouped-query attention's key/value sharing, forward and backward: the CPU reference for
 * `lib/gpu/kernels/repeat_kv.ts`. Same as transformers' `repeat_kv` (Llama, Qwen2): query
 * head `h` reads key/value head `floor(h / groups)`, `groups = num_attention_heads /
 * num_key_value_heads`; the backward sums the gradients of the query heads sharing a head.
 *
 * Rules, each with its reason:
 * - A copy into `[rows, parts, heads, d]` (keys and values together, `parts` = 2) rather than
 *   head arithmetic inside the attention products: the tuned matmul stays as it is and reads
 *   the copy with the same in-place head strides as a fused projection.
 * - The source is read in place from the fused `[rows, q + k + v]` projection (row stride
 *   `ld`), and the backward writes only the key/value columns there.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * Where the shared heads sit: `rows` tokens, `ld` elements apart (default `parts * kvHeads *
 * headDim`), each holding `parts` blocks (keys, values) of `kvHeads` heads of `headDim`
 * from its first element; each head serves `groups` query heads.
 */
export type RepeatKvShape = {
  rows: number;
  parts: number;
  kvHeads: number;
  groups: number;
  headDim: number;
  ld?: number;
};

function sizes(s: RepeatKvShape): { ld: number; width: number; heads: number } {
  const width = s.parts * s.kvHeads * s.headDim;
  const ld = s.ld ?? width;
  if (ld < width) throw new Error(`repeatKv: row stride ${ld} is shorter than ${width} elements`);
  return { ld, width, heads: s.kvHeads * s.groups };
}

/**
 * The repeated heads `[rows, parts, kvHeads * groups, headDim]`: query head `h`'s copy of
 * key/value head `floor(h / groups)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repeatKvForward } from "./repeat_kv.ts";
 * // one token, keys [1, 2] and values [3, 4] of one head of 2, shared by 2 query heads
 * const out = repeatKvForward(new Float64Array([1, 2, 3, 4]), { rows: 1, parts: 2, kvHeads: 1, groups: 2, headDim: 2 });
 * assert.deepEqual(Array.from(out), [1, 2, 1, 2, 3, 4, 3, 4]);
 * ```
 */
export function repeatKvForward<T extends FloatArray>(x: T, s: RepeatKvShape): T {
  const { ld, heads } = sizes(s);
  const d = s.headDim;
  const out = zerosLike(x, s.rows * s.parts * heads * d);
  for (let r = 0; r < s.rows; r++) {
    for (let p = 0; p < s.parts; p++) {
      for (let h = 0; h < heads; h++) {
        const src = r * ld + (p * s.kvHeads + Math.floor(h / s.groups)) * d;
        const dst = ((r * s.parts + p) * heads + h) * d;
        for (let e = 0; e < d; e++) out[dst + e] = x[src + e];
      }
    }
  }
  return out;
}

/**
 * The backward: `dx` `[rows * ld]` holding, at each shared head's place, the sum of `dout`
 * over the `groups` query heads it served, zero elsewhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repeatKvBackward } from "./repeat_kv.ts";
 * const dx = repeatKvBackward(new Float64Array([1, 2, 10, 20, 3, 4, 30, 40]),
 *   { rows: 1, parts: 2, kvHeads: 1, groups: 2, headDim: 2 });
 * assert.deepEqual(Array.from(dx), [11, 22, 33, 44]);
 * ```
 */
export function repeatKvBackward<T extends FloatArray>(dout: T, s: RepeatKvShape): T {
  const { ld, heads } = sizes(s);
  const d = s.headDim;
  const dx = zerosLike(dout, s.rows * ld);
  for (let r = 0; r < s.rows; r++) {
    for (let p = 0; p < s.parts; p++) {
      for (let h = 0; h < heads; h++) {
        const dst = r * ld + (p * s.kvHeads + Math.floor(h / s.groups)) * d;
        const src = ((r * s.parts + p) * heads + h) * d;
        for (let e = 0; e < d; e++) dx[dst + e] += dout[src + e];
      }
    }
  }
  return dx;
}
