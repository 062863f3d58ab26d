/**
 * Sampling design: document sizes and entity density, the held-out test split and
 * stratified subsample plans (documents in, documents out), drawn with lib/core's seeded
 * generator.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eps } from "./mod.ts";
 * assert.equal(eps({ sentences: 4, entities: 6 }), 1.5); // entities per sentence
 * ```
 *
 * @module
 */
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
