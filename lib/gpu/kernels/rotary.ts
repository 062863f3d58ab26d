/**
 * Rotary position embeddings (RoPE, `rotate_half` convention) applied in place to the query
 * and key heads of a token-major projection, forward and backward (the same kernel turning
 * the other way). CPU reference: `lib/gpu/reference/rotary.ts` (transformers'
 * `apply_rotary_pos_emb`).
 *
 * Rules, each with its reason:
 * - In place, on the fused `[tokens, (3,) heads, d]` projection the attention products read
 *   heads from: no copy of queries and keys, and the backward turns their gradients in the
 *   same place before the projection's backward reads them.
 * - cos and sin come from a table computed on the host ({@link rotaryTableTensor}): WGSL's
 *   `cos` has no accuracy promise away from `[-pi, pi]`, and angles reach hundreds of radians.
 * - One invocation per pair of a head (both halves read before either is written), so no
 *   invocation touches another's elements.
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Kernel, Step } from "../kernel.ts";
import { type Tensor, tensor } from "../tensor.ts";
import { rotaryTable } from "../reference/rotary.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";
import { bindFrom } from "./offset_binding.ts";

const ROTARY: Kernel = {
  name: "rotary",
  code: `struct U { pairs: u32, half: u32, heads: u32, seq: u32, ld: u32, off: u32, sign: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> table: array<vec2<f32>>;
@group(0) @binding(2) var<uniform> u: U;
${flatMain("g")}
  if (g >= u.pairs) { return; }
  let i = g % u.half;
  let h = (g / u.half) % u.heads;
  let r = g / (u.half * u.heads);
  let base = u.off + r * u.ld + h * 2u * u.half + i;
  let cs = table[(r % u.seq) * u.half + i];
  let sn = u.sign * cs.y;
  let a = x[base];
  let b = x[base + u.half];
  x[base] = a * cs.x - b * sn;
  x[base + u.half] = b * cs.x + a * sn;
}`,
};

/**
 * The cos/sin table of {@link rotary} for positions `0..positions-1` (`[positions,
 * headDim / 2, 2]`, float32), from the reference's `rotaryTable`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { download } from "../tensor.ts";
 * import { rotaryTableTensor } from "./rotary.ts";
 * const gpu = await getGpu();
 * const table = rotaryTableTensor(gpu, 512, 64, 10000);
 * assert.deepEqual(table.shape, [512, 32, 2]); // 512 positions x 32 pairs x (cos, sin)
 * const t = await download(gpu, table);
 * assert.deepEqual([t[64], t[65]], [Math.fround(Math.cos(1)), Math.fround(Math.sin(1))]);
 * ```
 */
export function rotaryTableTensor(
  gpu: Gpu,
  positions: number,
  headDim: number,
  theta: number,
): Tensor {
  const t = rotaryTable(positions, headDim, theta);
  return tensor(gpu, [positions, headDim / 2, 2], Float32Array.from(t));
}

/**
 * Records the rotation, in place, of `heads` heads of `headDim` at the start of each of
 * `rows` rows of `x` (rows `ld` elements apart; `x` may be a view at any element), the
 * row's position being its index modulo `seq`; `inverse` turns by the negative angles
 * (the backward, on the gradients). `table` from {@link rotaryTableTensor} with at least
 * `min(rows, seq)` positions.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { rotary, rotaryTableTensor } from "./rotary.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [2, 2], [1, 0, 1, 0]);
 * rotary(s, { x, table: rotaryTableTensor(gpu, 2, 2, 10000), rows: 2, seq: 2, heads: 1,
 *   headDim: 2, ld: 2 });
 * const r = s.read(x);
 * await s.submit();
 * const got = await r; // position 0 stays, position 1 turns by 1 radian
 * const want = [1, 0, Math.cos(1), Math.sin(1)];
 * assert.ok(got.every((v, i) => Math.abs(v - want[i]) < 1e-6));
 * ```
 */
export function rotary(s: Step, o: {
  x: Tensor;
  table: Tensor;
  rows: number;
  seq: number;
  heads: number;
  headDim: number;
  ld: number;
  inverse?: boolean;
}): void {
  const { rows, seq, heads, headDim: d, ld } = o;
  if (d % 2 !== 0 || d < 2) throw new Error(`rotary: headDim ${d} is not a positive even number`);
  if (ld < heads * d) {
    throw new Error(`rotary: row stride ${ld} is shorter than ${heads} heads of ${d}`);
  }
  if (rows > 0 && o.x.size < (rows - 1) * ld + heads * d) {
    throw new Error(
      `rotary: x has ${o.x.size} elements, ${rows} rows of stride ${ld} need ` +
        `${(rows - 1) * ld + heads * d}`,
    );
  }
  if (o.table.size < Math.min(rows, seq) * d) {
    throw new Error(
      `rotary: the table holds ${o.table.size / d} positions, sequences of ${seq} need ` +
        `${Math.min(rows, seq)}`,
    );
  }
  const pairs = rows * heads * (d / 2);
  if (pairs === 0) return;
  const x = bindFrom(s.gpu, o.x, "rotary");
  s.dispatch(
    ROTARY,
    [x.binding, o.table],
    flatGrid(pairs),
    packUniforms("uuuuuuf", [pairs, d / 2, heads, seq, ld, x.offset, o.inverse ? -1 : 1]),
  );
}
