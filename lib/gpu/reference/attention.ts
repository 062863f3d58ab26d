/**
 * The non-matmul part of multi-head attention, forward and backward: the masked, scaled
 * softmax over scores `[B*H, T, T]` (the batched matmuls read and write the heads in place,
 * see `lib/gpu/reference/matmul.ts`). The CPU reference for `lib/gpu/kernels/attention.ts`. Matches PyTorch's
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
 * zero = padding; omitted = all keys visible), `causal` (query `i` sees keys `<= i`) and
 * `window` (ModernBERT's `local_attention` on its local layers: query `i` sees keys `j` with
 * `|i - j| <= floor(window / 2)`, as transformers' sliding-window mask; omitted = no window).
 */
export type SoftmaxShape = {
  batch: number;
  heads: number;
  seq: number;
  scale: number;
  keyMask?: ArrayLike<number>;
  causal?: boolean;
  window?: number;
};

function visible(s: SoftmaxShape, b: number, i: number, j: number): boolean {
  if (s.causal && j > i) return false;
  if (s.window !== undefined && Math.abs(i - j) > Math.floor(s.window / 2)) return false;
  return !s.keyMask || s.keyMask[b * s.seq + j] !== 0;
}

/**
 * Softmax forward: `probs[bh, i, j] = exp(scale * scores[bh, i, j] - max) / sum` over the
 * visible keys `j`, zero for hidden keys.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softmaxForward } from "./attention.ts";
 * const scores = new Float64Array([0, Math.log(3), 0, 0]); // 2 queries x 2 keys
 * const p = softmaxForward(scores, { batch: 1, heads: 1, seq: 2, scale: 1 });
 * assert.ok([0.25, 0.75, 0.5, 0.5].every((v, i) => Math.abs(p[i] - v) < 1e-15));
 * const causal = softmaxForward(scores, { batch: 1, heads: 1, seq: 2, scale: 1, causal: true });
 * assert.deepEqual(Array.from(causal), [1, 0, 0.5, 0.5]); // query 0 sees key 0 only
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
 * import assert from "node:assert/strict";
 * import { softmaxBackward, softmaxForward } from "./attention.ts";
 * const p = softmaxForward(new Float64Array([1, 2, 3, 4]), { batch: 1, heads: 1, seq: 2, scale: 1 });
 * // the same gradient on every probability of a row: they sum to 1 whatever the scores
 * const d = softmaxBackward(p, new Float64Array([1, 1, 1, 1]), { batch: 1, heads: 1, seq: 2, scale: 1 });
 * assert.deepEqual(d, new Float64Array(4));
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
