/**
 * Helpers for the GPU kernel tests (not a test itself): f32 copies of seeded data.
 *
 * @module
 */
import { randn } from "./test_data.ts";

/**
 * Seeded normal numbers as f32.
 *
 * @example
 * ```ts
 * const x = randf(1, 10);
 * ```
 */
export function randf(seed: number, n: number, sd = 1): Float32Array {
  return Float32Array.from(randn(seed, n, sd));
}
