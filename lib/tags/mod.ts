/**
 * Tag logic: schemes and prefixes, spans to tags and back, repair, label lists, the
 * word-by-word subword tokenizer and alignment of tags to subwords, and Viterbi decoding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spansToTags, tagsToSpans } from "./mod.ts";
 * const tokens = [{ start: 0, end: 3 }, { start: 4, end: 7 }, { start: 8, end: 13 }];
 * const tags = spansToTags(tokens, [{ start: 0, end: 7, label: "PER" }], "IOB2");
 * assert.deepEqual(tags, ["B-PER", "I-PER", "O"]);
 * assert.deepEqual(tagsToSpans(tokens, tags, "IOB2"), [{ start: 0, end: 7, label: "PER" }]);
 * ```
 *
 * @module
 */
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
export { repairTags, type TagChange } from "./repair.ts";
export { labelIndex, labelList, labelsOf } from "./labels.ts";
export { loadTokenizer, type WordTokenizer } from "./tokenizer.ts";
export {
  type AlignOptions,
  decodeDocs,
  type DecodeOptions,
  decodeToSpans,
  decodeToTags,
  type Encoded,
  encodeDoc,
  encodeDocs,
  IGNORE_INDEX,
  type Prediction,
  type SentenceTags,
  type TagDecoding,
  wordPieces,
} from "./align.ts";
export { estimateTransitions, type TagTransitions, viterbiPath } from "./viterbi.ts";
