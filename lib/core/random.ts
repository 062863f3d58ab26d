/**
 * Seeded random numbers that are identical on every platform: the xoshiro128**
 * 1.1 generator of Blackman and Vigna (128-bit state, 32-bit outputs, period
 * 2^128 - 1), written with 32-bit integer arithmetic (`Math.imul`, `>>> 0`), its
 * state seeded from a 53-bit integer seed by SplitMix64 (Steele, Lea and Flood), as
 * the xoshiro authors recommend. The outputs equal the authors' reference C code
 * (checked in tests/core/random_test.ts against tools/xoshiro_reference.c).
 *
 * Every random choice in the toolkit (subsample plans, test splits, bootstrap
 * replicates, model initialisation) goes through {@linkcode createRandom}, so a
 * study is reproduced exactly from its seeds.
 *
 * @module
 */

/**
 * A seeded generator. All methods advance the same stream.
 *
 * - `nextU32()`: the next raw 32-bit output, an integer in [0, 2^32).
 * - `next()`: a double in [0, 1) with 53 random bits, built from two outputs `a`, `b`
 *   as `((a >>> 5) * 2^26 + (b >>> 6)) / 2^53` (every multiple of 2^-53 equally likely).
 * - `int(n)`: an integer in [0, n), unbiased (rejection sampling); n up to 2^53.
 * - `normal()`: a standard normal deviate (Marsaglia's polar method; the second
 *   deviate of each pair is kept for the next call).
 * - `shuffle(array)`: shuffles `array` in place (Fisher-Yates, from the end) and returns it.
 * - `sampleWithoutReplacement(n, k)`: k distinct integers from [0, n) in random order.
 * - `state()`: a copy of the four 32-bit state words (for debugging and checks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom, type Random } from "./random.ts";
 * const rng: Random = createRandom(42);
 * const roll = rng.int(6); // a die roll, 0..5
 * assert.ok(Number.isInteger(roll) && roll >= 0 && roll < 6);
 * ```
 */
export type Random = {
  nextU32(): number;
  next(): number;
  int(n: number): number;
  normal(): number;
  shuffle<T>(array: T[]): T[];
  sampleWithoutReplacement(n: number, k: number): number[];
  state(): Uint32Array;
};

const TWO_32 = 4294967296;
const TWO_53 = 9007199254740992;

/** SplitMix64 over BigInt: only used once per generator, to expand the seed. */
function splitMix64State(seed: bigint): Uint32Array {
  const mask = (1n << 64n) - 1n;
  let x = seed & mask;
  const out = new Uint32Array(4);
  for (let k = 0; k < 2; k++) {
    x = (x + 0x9e3779b97f4a7c15n) & mask;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & mask;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & mask;
    z = z ^ (z >> 31n);
    out[2 * k] = Number(z & 0xffffffffn);
    out[2 * k + 1] = Number(z >> 32n);
  }
  return out;
}

/**
 * Creates a generator from an integer seed (a safe integer, negative allowed and
 * taken modulo 2^64, or a bigint). The same seed gives the same stream everywhere.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom } from "./random.ts";
 * const a = createRandom(7), b = createRandom(7);
 * assert.equal(a.nextU32(), b.nextU32()); // the same seed, the same stream
 * const u = a.next();
 * assert.ok(u >= 0 && u < 1);
 * ```
 */
export function createRandom(seed: number | bigint): Random {
  if (typeof seed === "number" && !Number.isSafeInteger(seed)) {
    throw new Error(`createRandom: seed must be a safe integer, got ${seed}`);
  }
  return createRandomFromState(splitMix64State(BigInt(seed)));
}

/**
 * Creates a generator from an explicit xoshiro128** state (four 32-bit words, not all
 * zero). Mostly for checking against the reference implementation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandomFromState } from "./random.ts";
 * // 11520: the first output of the authors' reference C code from this state
 * assert.equal(createRandomFromState([1, 2, 3, 4]).nextU32(), 11520);
 * ```
 */
export function createRandomFromState(words: ArrayLike<number>): Random {
  if (words.length !== 4) {
    throw new Error(`createRandomFromState: need 4 state words, got ${words.length}`);
  }
  let s0 = words[0] >>> 0, s1 = words[1] >>> 0, s2 = words[2] >>> 0, s3 = words[3] >>> 0;
  if ((s0 | s1 | s2 | s3) === 0) {
    throw new Error("createRandomFromState: state must not be all zero");
  }
  let spare = NaN;

  function nextU32(): number {
    const m = Math.imul(s1, 5);
    const r = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = (s3 << 11) | (s3 >>> 21);
    return r;
  }

  function next(): number {
    const a = nextU32() >>> 5, b = nextU32() >>> 6;
    return (a * 67108864 + b) / TWO_53;
  }

  function int(n: number): number {
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new Error(`Random.int: n must be a positive safe integer, got ${n}`);
    }
    if (n <= TWO_32) {
      // Reject the top (2^32 mod n) values so every residue is equally likely.
      const limit = TWO_32 - (TWO_32 % n);
      for (;;) {
        const x = nextU32();
        if (x < limit) return x % n;
      }
    }
    const limit = TWO_53 - (TWO_53 % n);
    for (;;) {
      const x = (nextU32() >>> 5) * 67108864 + (nextU32() >>> 6);
      if (x < limit) return x % n;
    }
  }

  function normal(): number {
    if (!Number.isNaN(spare)) {
      const z = spare;
      spare = NaN;
      return z;
    }
    for (;;) {
      const u = 2 * next() - 1, v = 2 * next() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * f;
        return u * f;
      }
    }
  }

  function shuffle<T>(array: T[]): T[] {
    for (let i = array.length - 1; i > 0; i--) {
      const j = int(i + 1);
      const t = array[i];
      array[i] = array[j];
      array[j] = t;
    }
    return array;
  }

  function sampleWithoutReplacement(n: number, k: number): number[] {
    if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(k) || k < 0 || k > n) {
      throw new Error(
        `Random.sampleWithoutReplacement: need integers 0 <= k <= n, got n=${n}, k=${k}`,
      );
    }
    if (k * 4 < n) {
      // Sparse partial Fisher-Yates: only the swapped positions are stored.
      const moved = new Map<number, number>();
      const out = new Array<number>(k);
      for (let i = 0; i < k; i++) {
        const j = i + int(n - i);
        const vj = moved.get(j) ?? j;
        out[i] = vj;
        moved.set(j, moved.get(i) ?? i);
      }
      return out;
    }
    const pool = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + int(n - i);
      const t = pool[i];
      pool[i] = pool[j];
      pool[j] = t;
    }
    pool.length = k;
    return pool;
  }

  function state(): Uint32Array {
    return Uint32Array.of(s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0);
  }

  return { nextU32, next, int, normal, shuffle, sampleWithoutReplacement, state };
}

/**
 * Shuffles `array` in place with `rng` (Fisher-Yates, the same draws as
 * `rng.shuffle(array)`) and returns it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom, shuffle } from "./random.ts";
 * const shuffled = shuffle([1, 2, 3, 4], createRandom(1));
 * assert.deepEqual([...shuffled].sort(), [1, 2, 3, 4]); // a permutation of 1..4
 * assert.deepEqual(shuffled, createRandom(1).shuffle([1, 2, 3, 4])); // the same draws
 * ```
 */
export function shuffle<T>(array: T[], rng: Random): T[] {
  return rng.shuffle(array);
}

/**
 * `k` distinct integers from [0, n) in random order, drawn with `rng` (the same draws
 * as `rng.sampleWithoutReplacement(n, k)`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom, sampleWithoutReplacement } from "./random.ts";
 * const picked = sampleWithoutReplacement(10, 3, createRandom(1));
 * assert.equal(new Set(picked).size, 3); // three distinct integers
 * assert.ok(picked.every((i) => Number.isInteger(i) && i >= 0 && i < 10));
 * ```
 */
export function sampleWithoutReplacement(n: number, k: number, rng: Random): number[] {
  return rng.sampleWithoutReplacement(n, k);
}
