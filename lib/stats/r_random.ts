/**
 * R's default random number generator, reproduced so that procedures which draw
 * random numbers inside R packages (the bootstrap restarts of `segmented`) give the
 * same numbers here: Mersenne-Twister seeded as `set.seed(seed)` does (R >= 3.6
 * defaults: `kind = "Mersenne-Twister"`, `sample.kind = "Rejection"`).
 * `unif()` matches `runif(1)`, `index(n)` matches one draw of `sample(n, 1)` minus 1.
 *
 * @module
 */

/**
 * A seeded stream of R-compatible random numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type RRandom, rRandom } from "./r_random.ts";
 * const r: RRandom = rRandom(12345);
 * // as set.seed(12345); sample(60, 3, replace = TRUE) prints in R 4.2.2
 * assert.deepEqual(r.sample(60, 3), [14, 51, 16]);
 * ```
 */
export type RRandom = {
  /** The next uniform on (0, 1), as R's `unif_rand()` / `runif(1)`. */
  unif(): number;
  /** A uniform integer in [0, n), as R's `R_unif_index(n)` (rejection sampling). */
  index(n: number): number;
  /** `size` draws from 1..n with replacement, as `sample(n, size, replace = TRUE)`. */
  sample(n: number, size: number): number[];
  /** A uniform on (a, b), as `runif(1, a, b)`. */
  runif(a: number, b: number): number;
};

const N = 624;
const M = 397;
const UPPER = 0x80000000;
const LOWER = 0x7fffffff;
const MATRIX_A = 0x9908b0df;
const I2_32M1 = 2.328306437080797e-10; // 1 / (2^32 - 1)

/**
 * A generator in the state `set.seed(seed)` leaves R in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { rRandom } from "./r_random.ts";
 * const r = rRandom(12345);
 * assert.equal(r.unif(), 0.72090389626100659); // as set.seed(12345); runif(1) in R
 * ```
 */
export function rRandom(seed: number): RRandom {
  if (!Number.isInteger(seed)) throw new Error(`rRandom: seed must be an integer, got ${seed}`);
  // set.seed: scramble the seed with 50 LCG steps, then fill the 625-word state
  // (word 0 is the position, reset to N so the first draw regenerates the block).
  let s = seed >>> 0;
  for (let j = 0; j < 50; j++) s = (Math.imul(69069, s) + 1) >>> 0;
  const mt = new Uint32Array(N);
  s = (Math.imul(69069, s) + 1) >>> 0; // the position word, overwritten below
  for (let j = 0; j < N; j++) {
    s = (Math.imul(69069, s) + 1) >>> 0;
    mt[j] = s;
  }
  let mti = N;

  const twist = (a: number, b: number) => {
    const y = (a & UPPER) | (b & LOWER);
    return (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
  };
  const next32 = (): number => {
    if (mti >= N) {
      for (let k = 0; k < N; k++) mt[k] = mt[(k + M) % N] ^ twist(mt[k], mt[(k + 1) % N]);
      mti = 0;
    }
    let y = mt[mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  const unif = (): number => {
    const u = next32() * 2.3283064365386963e-10;
    if (u <= 0) return 0.5 * I2_32M1;
    if (1 - u <= 0) return 1 - 0.5 * I2_32M1;
    return u;
  };
  // Random bits in 16-bit chunks, as R's rbits().
  const rbits = (bits: number): number => {
    let v = 0n;
    for (let n = 0; n <= bits; n += 16) {
      v = 65536n * v + BigInt(Math.floor(unif() * 65536));
    }
    return Number(v & ((1n << BigInt(bits)) - 1n));
  };
  const index = (n: number): number => {
    if (n <= 0) return 0;
    const bits = Math.ceil(Math.log2(n));
    let v: number;
    do v = rbits(bits); while (n <= v);
    return v;
  };
  return {
    unif,
    index,
    sample: (n, size) => Array.from({ length: size }, () => index(n) + 1),
    runif: (a, b) => a + (b - a) * unif(),
  };
}
