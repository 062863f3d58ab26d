/**
 * Seeded test data for the GPU kernel and reference tests (not a test itself).
 *
 * @module
 */

/**
 * `n` pseudo-normal numbers (sum of uniforms, mean 0, sd `sd`) from a seeded generator
 * (mulberry32), as f64.
 *
 * @example
 * ```ts
 * const x = randn(1, 10);
 * ```
 */
export function randn(seed: number, n: number, sd = 1): Float64Array {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = (next() + next() + next() + next() - 2) * Math.sqrt(3) * sd;
  }
  return out;
}

/**
 * `n` seeded integers in `[0, bound)`.
 *
 * @example
 * ```ts
 * const ids = randInts(1, 10, 100);
 * ```
 */
export function randInts(seed: number, n: number, bound: number): number[] {
  const u = randn(seed, n);
  return Array.from(u, (v, i) => Math.abs(Math.floor(v * 1e6 + i * 7919)) % bound);
}

/**
 * `sum_i out[i] * w[i]`: the scalar loss whose gradient with respect to `out` is `w`.
 *
 * @example
 * ```ts
 * dot([1, 2], [3, 4]); // 11
 * ```
 */
export function dot(out: ArrayLike<number>, w: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < out.length; i++) s += out[i] * w[i];
  return s;
}
