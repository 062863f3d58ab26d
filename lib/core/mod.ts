/**
 * The ground floor every other folder builds on, importing nothing from lib but lib/deps:
 * documents, spans and ranges; the error that names file, line, document and span; the
 * tagging schemes, tag parsing and conversion between spans and tags (the CoNLL reader and
 * the subword alignment both need them); and the seeded xoshiro128** generator behind
 * every random choice.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createRandom, spansToTags, tagsToSpans } from "./mod.ts";
 * const tokens = [{ start: 0, end: 3 }, { start: 4, end: 7 }, { start: 8, end: 13 }];
 * const tags = spansToTags(tokens, [{ start: 0, end: 7, label: "PER" }], "IOB2");
 * assert.deepEqual(tags, ["B-PER", "I-PER", "O"]);
 * assert.deepEqual(tagsToSpans(tokens, tags, "IOB2"), [{ start: 0, end: 7, label: "PER" }]);
 * assert.equal(createRandom(42).next(), createRandom(42).next()); // same seed, same draws
 * ```
 *
 * @module
 */
export type { Doc, Range, Span } from "./types.ts";
export {
  checkLabel,
  CorpusError,
  type ErrorPlace,
  type InvalidPolicy,
  type ReadReport,
  type SkippedItem,
} from "./errors.ts";
export { type Scheme, SCHEMES } from "./scheme.ts";
export { ALLOWED_PREFIXES, type ParsedTag, parseTag, type Prefix } from "./prefix.ts";
export {
  chunksToTags,
  lenientChunks,
  spansToChunks,
  spansToTags,
  tagsToChunks,
  tagsToSpans,
  type TokenChunk,
} from "./convert.ts";
export {
  createRandom,
  createRandomFromState,
  type Random,
  sampleWithoutReplacement,
  shuffle,
} from "./random.ts";
