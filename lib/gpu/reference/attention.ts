/**
 * The non-matmul parts of multi-head attention, forward and backward: the masked, scaled
 * softmax over scores `[B*H, T, T]`, and the permutations between the token-major layout
 * `[B, T, (3,) H, d]` and the head-major layout `[B*H, T, d]` the batched matmuls use.
 * The CPU reference for `lib/gpu/kernels/attention.ts`. Matches PyTorch's
 * `softmax(scale * scores + mask)` where masked keys get `-inf`, except that a row with no
 * visible key gives all zeros (PyTorch gives NaN for `-inf`; Hugging Face's large finite
 * mask gives a uniform row), which only happens for padding queries whose output is
 * ignored anyway.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * Shape and mask of an attention softmax: `batch` B, `heads` H, `seq` T (queries = keys),
 * `scale` (usually `1 / sqrt(d)`), `keyMask` `[B*T]` (nonzero = the key is a real token,
 * zero = padding; omitted = all keys visible) and `causal` (query `i` sees keys `<= i`).
 *
 * @example
 * ```ts
 * const shape: SoftmaxShape = { batch: 2, heads: 12, seq: 64, scale: 1 / 8, causal: false };
 * ```
 */
export type SoftmaxShape = {
  batch: number;
  heads: number;
  seq: number;
  scale: number;
  keyMask?: ArrayLike<number>;
  causal?: boolean;
};

function visible(s: SoftmaxShape, b: number, i: number, j: number): boolean {
  if (s.causal && j > i) return false;
  return !s.keyMask || s.keyMask[b * s.seq + j] !== 0;
}

/**
 * Softmax forward: `probs[bh, i, j] = exp(scale * scores[bh, i, j] - max) / sum` over the
 * visible keys `j`, zero for hidden keys.
 *
 * @example
 * ```ts
 * softmaxForward(new Float64Array([0, Math.log(3)]),
 *   { batch: 1, heads: 1, seq: 1, scale: 1 }); // [1]
 * ```
 */
export function softmaxForward<T extends FloatArray>(scores: T, s: SoftmaxShape): T {
  const { batch, heads, seq: n, scale } = s;
  const probs = zerosLike(scores, scores.length);
  for (let bh = 0; bh < batch * heads; bh++) {
    const b = Math.floor(bh / heads);
    for (let i = 0; i < n; i++) {
      const row = (bh * n + i) * n;
      let max = -Infinity;
      for (let j = 0; j < n; j++) {
        if (visible(s, b, i, j)) max = Math.max(max, scale * scores[row + j]);
      }
      if (max === -Infinity) continue; // nothing visible: a row of zeros
      let sum = 0;
      for (let j = 0; j < n; j++) {
        if (!visible(s, b, i, j)) continue;
        const e = Math.exp(scale * scores[row + j] - max);
        probs[row + j] = e;
        sum += e;
      }
      for (let j = 0; j < n; j++) probs[row + j] /= sum;
    }
  }
  return probs;
}

/**
 * Softmax backward: `dscores[i, j] = scale * p[i, j] * (dprobs[i, j] - sum_k p[i, k] dprobs[i, k])`
 * (written, not accumulated; zero where the key was hidden).
 *
 * @example
 * ```ts
 * const p = softmaxForward(new Float64Array([1, 2, 3, 4]), { batch: 1, heads: 1, seq: 2, scale: 1 });
 * softmaxBackward(p, new Float64Array([1, 1, 1, 1]), { batch: 1, heads: 1, seq: 2, scale: 1 }); // zeros
 * ```
 */
export function softmaxBackward<T extends FloatArray>(probs: T, dprobs: T, s: SoftmaxShape): T {
  const n = s.seq;
  const dscores = zerosLike(probs, probs.length);
  for (let r = 0; r < s.batch * s.heads * n; r++) {
    const row = r * n;
    let dot = 0;
    for (let j = 0; j < n; j++) dot += probs[row + j] * dprobs[row + j];
    for (let j = 0; j < n; j++) {
      dscores[row + j] = s.scale * probs[row + j] * (dprobs[row + j] - dot);
    }
  }
  return dscores;
}

/**
 * Sizes of a head permutation: `batch` B, `seq` T, `heads` H, `headDim` d.
 *
 * @example
 * ```ts
 * const shape: HeadShape = { batch: 2, seq: 64, heads: 12, headDim: 64 };
 * ```
 */
export type HeadShape = { batch: number; seq: number; heads: number; headDim: number };

/**
 * `[B, T, parts, H, d]` (part `part` of it) to `[B, H, T, d]`.
 */
function gather<T extends FloatArray>(x: T, s: HeadShape, parts: number, part: number): T {
  const { batch, seq, heads, headDim: d } = s;
  const out = zerosLike(x, batch * seq * heads * d);
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < seq; t++) {
        const src = (((b * seq + t) * parts + part) * heads + h) * d;
        const dst = ((b * heads + h) * seq + t) * d;
        for (let k = 0; k < d; k++) out[dst + k] = x[src + k];
      }
    }
  }
  return out;
}

/** `[B, H, T, d]` into part `part` of `[B, T, parts, H, d]`. */
function scatter<T extends FloatArray>(
  y: T,
  out: T,
  s: HeadShape,
  parts: number,
  part: number,
): void {
  const { batch, seq, heads, headDim: d } = s;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < heads; h++) {
      for (let t = 0; t < seq; t++) {
        const dst = (((b * seq + t) * parts + part) * heads + h) * d;
        const src = ((b * heads + h) * seq + t) * d;
        for (let k = 0; k < d; k++) out[dst + k] = y[src + k];
      }
    }
  }
}

/**
 * Split heads: `[B, T, H*d]` to `[B*H, T, d]` (BERT's separate q, k, v projections).
 * Its backward is {@link mergeHeads}.
 *
 * @example
 * ```ts
 * splitHeads(new Float32Array([1, 2, 3, 4]), { batch: 1, seq: 2, heads: 2, headDim: 1 }); // [1, 3, 2, 4]
 * ```
 */
export function splitHeads<T extends FloatArray>(x: T, s: HeadShape): T {
  return gather(x, s, 1, 0);
}

/**
 * Merge heads: `[B*H, T, d]` to `[B, T, H*d]` (the attention output before the output
 * projection). Its backward is {@link splitHeads}.
 *
 * @example
 * ```ts
 * mergeHeads(new Float32Array([1, 3, 2, 4]), { batch: 1, seq: 2, heads: 2, headDim: 1 }); // [1, 2, 3, 4]
 * ```
 */
export function mergeHeads<T extends FloatArray>(y: T, s: HeadShape): T {
  const out = zerosLike(y, y.length);
  scatter(y, out, s, 1, 0);
  return out;
}

/**
 * Split a fused projection `[B, T, 3, H, d]` (GPT-2's `c_attn` output `[B, T, 3C]`) into
 * `q`, `k`, `v`, each `[B*H, T, d]`. Its backward is {@link mergeQkv}.
 *
 * @example
 * ```ts
 * const { q, k, v } = splitQkv(new Float32Array([1, 2, 3]), { batch: 1, seq: 1, heads: 1, headDim: 1 });
 * // q [1], k [2], v [3]
 * ```
 */
export function splitQkv<T extends FloatArray>(qkv: T, s: HeadShape): { q: T; k: T; v: T } {
  return { q: gather(qkv, s, 3, 0), k: gather(qkv, s, 3, 1), v: gather(qkv, s, 3, 2) };
}

/**
 * Merge `dq`, `dk`, `dv` (each `[B*H, T, d]`) into `[B, T, 3, H, d]`: the backward of
 * {@link splitQkv}.
 *
 * @example
 * ```ts
 * const a = new Float32Array([1]), b = new Float32Array([2]), c = new Float32Array([3]);
 * mergeQkv(a, b, c, { batch: 1, seq: 1, heads: 1, headDim: 1 }); // [1, 2, 3]
 * ```
 */
export function mergeQkv<T extends FloatArray>(q: T, k: T, v: T, s: HeadShape): T {
  const out = zerosLike(q, 3 * q.length);
  scatter(q, out, s, 3, 0);
  scatter(k, out, s, 3, 1);
  scatter(v, out, s, 3, 2);
  return out;
}
