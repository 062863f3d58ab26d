/**
 * Dropout with a counter-based random number generator: whether element `index` is kept
 * is a pure function of `(seed, step, index)`, so the GPU kernel and this reference give
 * the identical mask, the backward regenerates the mask instead of storing it, and a run
 * is reproducible from its seed. The CPU reference for `lib/gpu/kernels/dropout.ts`.
 *
 * The hash is the PCG output permutation used as a hash ("pcg_hash", Jarzynski and Olano,
 * "Hash Functions for GPU Rendering", JCGT 2020), applied as
 * `key = pcg(seed ^ pcg(step))`, `r = pcg(pcg(index ^ key) + key)`; an element is dropped
 * when the top 24 bits of `r` are below `round(p * 2^24)`, so `p` is honoured to 6e-8.
 * Same semantics as PyTorch's `F.dropout` in training mode (kept values scaled by
 * `1 / (1 - p)`), though not the same random stream.
 *
 * @module
 */
import { type FloatArray, zerosLike } from "./float_array.ts";

/**
 * The PCG hash of a 32-bit unsigned integer.
 *
 * @example
 * ```ts
 * pcgHash(0); // a fixed u32
 * ```
 */
export function pcgHash(v: number): number {
  const state = (Math.imul(v >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul((state >>> ((state >>> 28) + 4)) ^ state, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/**
 * The drop threshold for probability `p` in [0, 1]: `round(p * 2^24)`.
 *
 * @example
 * ```ts
 * dropoutThreshold(0.1); // 1677722
 * ```
 */
export function dropoutThreshold(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new Error(`dropoutThreshold: probability ${p} is not in [0, 1]`);
  return Math.round(p * 16777216);
}

/**
 * The f32 scale applied to kept values: `1 / (1 - p)`, 0 when `p` is 1.
 *
 * @example
 * ```ts
 * dropoutScale(0.5); // 2
 * ```
 */
export function dropoutScale(p: number): number {
  return p < 1 ? Math.fround(1 / (1 - p)) : 0;
}

/**
 * The per-call key mixing `seed` and `step` (both u32).
 *
 * @example
 * ```ts
 * dropoutKey(42, 0);
 * ```
 */
export function dropoutKey(seed: number, step: number): number {
  return pcgHash((seed ^ pcgHash(step)) >>> 0);
}

/**
 * Whether element `index` is kept for this `key` and `threshold`.
 *
 * @example
 * ```ts
 * dropoutKeep(dropoutKey(42, 0), 7, dropoutThreshold(0.1));
 * ```
 */
export function dropoutKeep(key: number, index: number, threshold: number): boolean {
  const r = pcgHash((pcgHash((index ^ key) >>> 0) + key) >>> 0);
  return r >>> 8 >= threshold;
}

/**
 * Options of a dropout call: probability `p`, `seed`, and `step` (a u32 counter that
 * must differ between call sites and training steps, e.g. `trainingStep * 64 + site`).
 *
 * @example
 * ```ts
 * const o: DropoutOptions = { p: 0.1, seed: 42, step: 3 };
 * ```
 */
export type DropoutOptions = { p: number; seed: number; step: number };

/**
 * Dropout forward (and, applied to `dout`, backward): `out[i] = keep(i) ? x[i] / (1 - p) : 0`.
 * In f32 the product is rounded as the GPU rounds it, so the outputs agree bit for bit.
 *
 * @example
 * ```ts
 * dropoutForward(new Float32Array([1, 2, 3]), { p: 0, seed: 1, step: 0 }); // [1, 2, 3]
 * ```
 */
export function dropoutForward<T extends FloatArray>(x: T, o: DropoutOptions): T {
  const key = dropoutKey(o.seed, o.step);
  const threshold = dropoutThreshold(o.p);
  const scale = dropoutScale(o.p);
  const out = zerosLike(x, x.length);
  for (let i = 0; i < x.length; i++) {
    out[i] = dropoutKeep(key, i, threshold) ? x[i] * scale : 0;
  }
  return out;
}

/**
 * Dropout backward: the same mask and scale applied to `dout` (the map is linear).
 *
 * @example
 * ```ts
 * dropoutBackward(new Float32Array([1, 1]), { p: 0.5, seed: 1, step: 0 }); // each 0 or 2
 * ```
 */
export function dropoutBackward<T extends FloatArray>(dout: T, o: DropoutOptions): T {
  return dropoutForward(dout, o);
}
