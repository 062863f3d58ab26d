/**
 * Rotary position embeddings (RoPE) of queries and keys, forward and backward: the CPU
 * reference for `lib/gpu/kernels/rotary.ts`. Same numbers as transformers'
 * `apply_rotary_pos_emb` with `rotate_half` (Llama, Qwen2, ModernBERT: the two halves of a
 * head are rotated against each other, not interleaved pairs) and default RoPE parameters.
 *
 * Rules, each with its reason:
 * - Pair `i < d/2` of a head at position `p` turns by `p * theta^(-2i/d)`; the inverse
 *   frequency and the angle are rounded to float32 as transformers computes them (in float32
 *   even for float64 models), so that long positions keep parity; cos and sin of that angle
 *   are exact.
 * - Positions are `0..seq-1` within each sequence, padding or not: transformers' eager and
 *   SDPA paths use `arange(seq_len)` for ModernBERT and Llama alike.
 * - The backward is the rotation by the negative angle (a rotation's transpose), so one
 *   function serves both, with `inverse`.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * Where the heads to rotate sit: `rows` tokens (sequences of `seq` tokens one after another),
 * each row `ld` elements apart (default `heads * headDim`), holding `heads` heads of
 * `headDim` (even) elements from its first element (queries and keys side by side in a
 * fused projection count as `2 * heads` heads); `theta` is the configuration's `rope_theta`.
 */
export type RotaryShape = {
  rows: number;
  seq: number;
  heads: number;
  headDim: number;
  ld?: number;
  theta: number;
};

/**
 * The angle table `[positions, headDim / 2]` as `[cos, sin]` pairs: entry
 * `(p * headDim / 2 + i) * 2` is `cos(p * invFreq_i)`, the next `sin(...)`, with
 * `invFreq_i = 1 / theta^(2i / headDim)` and the angle rounded to float32 as transformers does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotaryTable } from "./rotary.ts";
 * const t = rotaryTable(2, 2, 10000); // position 1, pair 0: angle 1
 * assert.deepEqual(Array.from(t.subarray(0, 2)), [1, 0]);
 * assert.ok(Math.abs(t[2] - Math.cos(1)) < 1e-15 && Math.abs(t[3] - Math.sin(1)) < 1e-15);
 * ```
 */
export function rotaryTable(positions: number, headDim: number, theta: number): Float64Array {
  checkHeadDim(headDim, "rotaryTable");
  const half = headDim / 2;
  const invFreq = Array.from(
    { length: half },
    (_, i) => Math.fround(1 / Math.fround(theta ** Math.fround((2 * i) / headDim))),
  );
  const t = new Float64Array(positions * half * 2);
  for (let p = 0; p < positions; p++) {
    for (let i = 0; i < half; i++) {
      const angle = Math.fround(p * invFreq[i]);
      t[(p * half + i) * 2] = Math.cos(angle);
      t[(p * half + i) * 2 + 1] = Math.sin(angle);
    }
  }
  return t;
}

function checkHeadDim(headDim: number, what: string): void {
  if (!Number.isInteger(headDim) || headDim < 2 || headDim % 2 !== 0) {
    throw new Error(`${what}: headDim ${headDim} is not a positive even integer`);
  }
}

/**
 * Rotates the heads of `x` (laid out as `s` says) by their positions' angles, or with
 * `inverse` by the negative angles (the backward: `dx` from `dout`); returns a new array
 * in which the elements outside the heads are copied unchanged. Per head and pair
 * `i < d/2`: `out[i] = x[i] cos - x[i + d/2] sin`, `out[i + d/2] = x[i + d/2] cos + x[i] sin`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotaryForward } from "./rotary.ts";
 * // two tokens of one head [1, 0]: position 0 stays, position 1 turns by 1 radian
 * const out = rotaryForward(new Float64Array([1, 0, 1, 0]), { rows: 2, seq: 2, heads: 1, headDim: 2, theta: 10000 });
 * assert.deepEqual(Array.from(out.subarray(0, 2)), [1, 0]);
 * assert.ok(Math.abs(out[2] - Math.cos(1)) < 1e-15 && Math.abs(out[3] - Math.sin(1)) < 1e-15);
 * ```
 */
export function rotaryForward<T extends FloatArray>(x: T, s: RotaryShape, inverse = false): T {
  checkHeadDim(s.headDim, "rotaryForward");
  const d = s.headDim, half = d / 2, ld = s.ld ?? s.heads * d;
  if (s.rows > 0 && x.length < (s.rows - 1) * ld + s.heads * d) {
    throw new Error(
      `rotaryForward: ${x.length} elements hold fewer than ${s.rows} rows of ${s.heads} heads ` +
        `of ${d} (row stride ${ld})`,
    );
  }
  const table = rotaryTable(Math.min(s.rows, s.seq), d, s.theta);
  const out = zerosLike(x, x.length);
  out.set(x);
  for (let r = 0; r < s.rows; r++) {
    const p = r % s.seq;
    for (let h = 0; h < s.heads; h++) {
      const base = r * ld + h * d;
      for (let i = 0; i < half; i++) {
        const c = table[(p * half + i) * 2],
          sn = (inverse ? -1 : 1) * table[(p * half + i) * 2 + 1];
        const a = x[base + i], b = x[base + i + half];
        out[base + i] = a * c - b * sn;
        out[base + i + half] = b * c + a * sn;
      }
    }
  }
  return out;
}

/**
 * The rotary backward: `dx` from `dout`, the rotation by the negative angles.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rotaryBackward, rotaryForward } from "./rotary.ts";
 * const s = { rows: 3, seq: 3, heads: 2, headDim: 4, theta: 10 };
 * const x = new Float64Array(24).map((_, i) => Math.sin(i));
 * const back = rotaryBackward(rotaryForward(x, s), s); // a rotation undone
 * assert.ok(back.every((v, i) => Math.abs(v - x[i]) < 1e-12));
 * ```
 */
export function rotaryBackward<T extends FloatArray>(dout: T, s: RotaryShape): T {
  return rotaryForward(dout, s, true);
}
