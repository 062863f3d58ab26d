/**
 * Learning-rate schedule: linear warmup from 0 to the peak, then linear decay to 0 at
 * the last step, as Hugging Face's `get_linear_schedule_with_warmup` (the default of
 * its Trainer and token-classification example).
 *
 * @module
 */

/**
 * The learning rate used by optimizer step `step` (0-based) of `totalSteps`.
 * Same numbers as `peak * lr_lambda(step)` of transformers' linear schedule.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { linearSchedule } from "./schedule.ts";
 * const o = { peak: 5e-5, warmupSteps: 10, totalSteps: 100 };
 * assert.equal(linearSchedule(0, o), 0);
 * assert.equal(linearSchedule(10, o), 5e-5); // the peak after warming up
 * assert.equal(linearSchedule(55, o), 2.5e-5); // half way down
 * assert.equal(linearSchedule(100, o), 0);
 * ```
 */
export function linearSchedule(
  step: number,
  o: { peak: number; warmupSteps: number; totalSteps: number },
): number {
  if (step < o.warmupSteps) return (o.peak * step) / Math.max(1, o.warmupSteps);
  return o.peak * Math.max(0, (o.totalSteps - step) / Math.max(1, o.totalSteps - o.warmupSteps));
}
