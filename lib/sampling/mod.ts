/**
 * Sampling design: the seeded random generator, document sizes and entity density, the
 * held-out test split and stratified subsample plans (documents in, documents out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom } from "./mod.ts";
 * const a = createRandom(42), b = createRandom(42);
 * assert.equal(a.next(), b.next()); // the same seed draws the same numbers
 * ```
 *
 * @module
 */
export {
  createRandom,
  createRandomFromState,
  type Random,
  sampleWithoutReplacement,
  shuffle,
} from "./random.ts";
export { type DocSize, eps, epsStrata, toDocSizes } from "./doc_size.ts";
export { type SplitOptions, splitTestSet } from "./split.ts";
export {
  planFromJson,
  type PlanOptions,
  planSubsamples,
  planTable,
  planToJson,
  type Subsample,
} from "./plan.ts";
