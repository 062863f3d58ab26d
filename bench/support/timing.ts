/**
 * Timing for the benchmarks: the median of repeated calls after a warm-up call.
 *
 * @module
 */

/**
 * The median, in ms, of `reps` timed calls of `f`, after one untimed warm-up call.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.ok(medianMs(() => [3, 1, 2].sort(), 3) >= 0);
 * ```
 */
export function medianMs(f: () => unknown, reps: number): number {
  f();
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[reps >> 1];
}
