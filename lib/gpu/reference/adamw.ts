/**
 * The AdamW update, in place: the CPU reference for `lib/gpu/kernels/adamw.ts`. Same
 * arithmetic, in the same order, as PyTorch's `torch.optim.AdamW` (decoupled weight decay
 * `p *= 1 - lr * wd` first, then the bias-corrected Adam step).
 *
 * @module
 */
import type { FloatArray } from "./float_array.ts";

/**
 * AdamW hyper-parameters for one update. `step` counts updates from 1 (bias correction);
 * `gradScale` multiplies the gradient first (the clipping factor; default 1).
 */
export type AdamWOptions = {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  step: number;
  gradScale?: number;
};

/**
 * One AdamW update of `param`, `m` (first moment) and `v` (second moment), in place:
 * `p *= 1 - lr wd; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
 * p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { adamwUpdate } from "./adamw.ts";
 * const p = new Float64Array([1]), g = new Float64Array([0.5]);
 * const m = new Float64Array(1), v = new Float64Array(1);
 * adamwUpdate({ param: p, grad: g, m, v }, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8,
 *   weightDecay: 0, step: 1 }); // the first step moves by lr: m / sqrt(v) = 1 after bias correction
 * assert.ok(Math.abs(p[0] - 0.9) < 1e-7);
 * assert.ok(Math.abs(m[0] - 0.05) < 1e-15 && Math.abs(v[0] - 0.00025) < 1e-15);
 * ```
 */
export function adamwUpdate<T extends FloatArray>(
  t: { param: T; grad: T; m: T; v: T },
  o: AdamWOptions,
): void {
  const { param, grad, m, v } = t;
  const { lr, beta1, beta2, eps, weightDecay, step } = o;
  if (!(step >= 1)) throw new Error(`adamwUpdate: step ${step} must count from 1`);
  const scale = o.gradScale ?? 1;
  const stepSize = lr / (1 - beta1 ** step);
  const bc2Sqrt = Math.sqrt(1 - beta2 ** step);
  const decay = 1 - lr * weightDecay;
  for (let i = 0; i < param.length; i++) {
    const g = grad[i] * scale;
    param[i] *= decay;
    m[i] = beta1 * m[i] + (1 - beta1) * g;
    v[i] = beta2 * v[i] + (1 - beta2) * g * g;
    param[i] -= stepSize * m[i] / (Math.sqrt(v[i]) / bc2Sqrt + eps);
  }
}
