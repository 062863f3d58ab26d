/**
 * Softmax cross-entropy over class logits `[rows, classes]` with integer targets, fused
 * with its backward: the CPU reference for `lib/gpu/kernels/cross_entropy.ts`. Same
 * numbers as PyTorch's `F.cross_entropy(logits, targets)` with the defaults
 * `ignore_index=-100, reduction="mean"`: the mean over the rows whose target is not -100
 * (NaN when every row is ignored), and those rows get no gradient.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * The target that marks a row to ignore (padding, non-first subwords, special tokens).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropy, IGNORE_INDEX } from "./cross_entropy.ts";
 * const r = crossEntropy({ logits: new Float64Array([0, 0, 5, 1]), targets: [1, IGNORE_INDEX],
 *   rows: 2, classes: 2 });
 * assert.deepEqual(Array.from(r.losses), [Math.LN2, 0]); // the ignored row counts for nothing
 * assert.deepEqual(Array.from(r.dlogits.subarray(2)), [0, 0]);
 * ```
 */
export const IGNORE_INDEX = -100;

/**
 * Cross-entropy loss and its gradient. `losses[r]` is `logsumexp(logits[r]) -
 * logits[r, t]` (0 for ignored rows), `loss` their mean over the `count` rows not ignored,
 * and `dlogits = gradScale * (softmax(logits) - onehot(t)) / count` (zero for ignored rows),
 * the gradient of `gradScale * loss`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { crossEntropy } from "./cross_entropy.ts";
 * const r = crossEntropy({ logits: new Float64Array([0, 0]), targets: [1], rows: 1, classes: 2 });
 * assert.equal(r.loss, Math.LN2);
 * assert.deepEqual(Array.from(r.dlogits), [0.5, -0.5]);
 * assert.throws(() => crossEntropy({ logits: new Float64Array(2), targets: [2], rows: 1, classes: 2 }),
 *   /crossEntropy: target 2 at row 0 is not a class \(0..1\) or -100/);
 * ```
 */
export function crossEntropy<T extends FloatArray>(o: {
  logits: T;
  targets: ArrayLike<number>;
  rows: number;
  classes: number;
  gradScale?: number;
}): { loss: number; losses: T; dlogits: T; count: number } {
  const { logits, targets, rows, classes: k } = o;
  let count = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === IGNORE_INDEX) continue;
    if (!Number.isInteger(t) || t < 0 || t >= k) {
      throw new Error(`crossEntropy: target ${t} at row ${r} is not a class (0..${k - 1}) or -100`);
    }
    count++;
  }
  const losses = zerosLike(logits, rows);
  const dlogits = zerosLike(logits, rows * k);
  const g = (o.gradScale ?? 1) / count;
  let total = 0;
  for (let r = 0; r < rows; r++) {
    const t = targets[r];
    if (t === IGNORE_INDEX) continue;
    const base = r * k;
    let max = -Infinity;
    for (let c = 0; c < k; c++) max = Math.max(max, logits[base + c]);
    let sum = 0;
    for (let c = 0; c < k; c++) sum += Math.exp(logits[base + c] - max);
    const lse = max + Math.log(sum);
    losses[r] = lse - logits[base + t];
    total += losses[r];
    for (let c = 0; c < k; c++) {
      const p = Math.exp(logits[base + c] - lse);
      dlogits[base + c] = g * (p - (c === t ? 1 : 0));
    }
  }
  return { loss: count > 0 ? total / count : NaN, losses, dlogits, count };
}
