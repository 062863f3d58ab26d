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
 * import assert from "node:assert/strict";
 * import { pcgHash } from "./dropout.ts";
 * assert.equal(pcgHash(0), 129708002);
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
 * import assert from "node:assert/strict";
 * import { dropoutThreshold } from "./dropout.ts";
 * assert.equal(dropoutThreshold(0.1), 1677722); // round(1677721.6)
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
 * import assert from "node:assert/strict";
 * import { dropoutScale } from "./dropout.ts";
 * assert.equal(dropoutScale(0.5), 2);
 * assert.equal(dropoutScale(1), 0);
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
 * import assert from "node:assert/strict";
 * import { dropoutKey } from "./dropout.ts";
 * assert.equal(dropoutKey(42, 0), 2365913068); // pcg(42 ^ pcg(0))
 * assert.notEqual(dropoutKey(42, 1), dropoutKey(42, 0));
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
 * import assert from "node:assert/strict";
 * import { dropoutKeep, dropoutKey, dropoutThreshold } from "./dropout.ts";
 * const key = dropoutKey(42, 0);
 * assert.equal(dropoutKeep(key, 7, dropoutThreshold(0)), true); // p = 0 keeps every element
 * assert.equal(dropoutKeep(key, 7, dropoutThreshold(1)), false); // p = 1 drops every element
 * ```
 */
export function dropoutKeep(key: number, index: number, threshold: number): boolean {
  const r = pcgHash((pcgHash((index ^ key) >>> 0) + key) >>> 0);
  return r >>> 8 >= threshold;
}

/**
 * Options of a dropout call: probability `p`, `seed`, and `step` (a u32 counter that
 * must differ between call sites and training steps, e.g. `trainingStep * 64 + site`).
 */
export type DropoutOptions = { p: number; seed: number; step: number };

/**
 * Dropout forward (and, applied to `dout`, backward): `out[i] = keep(i) ? x[i] / (1 - p) : 0`.
 * In f32 the product is rounded as the GPU rounds it, so the outputs agree bit for bit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dropoutForward } from "./dropout.ts";
 * assert.deepEqual(dropoutForward(new Float32Array([1, 2, 3]), { p: 0, seed: 1, step: 0 }),
 *   Float32Array.of(1, 2, 3));
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
 * import assert from "node:assert/strict";
 * import { dropoutBackward, dropoutForward } from "./dropout.ts";
 * const o = { p: 0.5, seed: 1, step: 0 };
 * const dx = dropoutBackward(new Float32Array([1, 1, 1, 1]), o);
 * assert.ok(dx.every((v) => v === 0 || v === 2));
 * assert.deepEqual(dx, dropoutForward(new Float32Array([1, 1, 1, 1]), o)); // the same mask
 * ```
 */
export function dropoutBackward<T extends FloatArray>(dout: T, o: DropoutOptions): T {
  return dropoutForward(dout, o);
}
