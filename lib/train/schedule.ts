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
 * linearSchedule(0, { peak: 5e-5, warmupSteps: 10, totalSteps: 100 }); // 0
 * linearSchedule(10, { peak: 5e-5, warmupSteps: 10, totalSteps: 100 }); // 5e-5
 * linearSchedule(55, { peak: 5e-5, warmupSteps: 10, totalSteps: 100 }); // 2.5e-5
 * ```
 */
export function linearSchedule(
  step: number,
  o: { peak: number; warmupSteps: number; totalSteps: number },
): number {
  if (step < o.warmupSteps) return (o.peak * step) / Math.max(1, o.warmupSteps);
  return o.peak * Math.max(0, (o.totalSteps - step) / Math.max(1, o.totalSteps - o.warmupSteps));
}
