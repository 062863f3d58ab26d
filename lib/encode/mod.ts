/**
 * From documents to model inputs and back: the word-by-word subword tokenizer (loaded
 * from a Hugging Face `tokenizer.json`), the alignment of tags to subwords with windows
 * for long sentences, and the decoding of predictions to word tags and spans.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeToSpans, encodeDoc, type WordTokenizer } from "./mod.ts";
 * // A toy tokenizer: one subtoken per letter (its char code), [CLS] = 1 and [SEP] = 2.
 * const tok: WordTokenizer = {
 *   encodeWord: (word) => [...word].map((c) => c.charCodeAt(0)),
 *   prefixIds: [1],
 *   suffixIds: [2],
 *   padId: 0,
 *   unkId: 3,
 *   vocabSize: 128,
 * };
 * const doc = { id: "d", text: "Al ok", spans: [{ start: 0, end: 2, label: "PER" }] };
 * const labels = ["O", "B-PER", "I-PER"];
 * const examples = encodeDoc(doc, tok, { labels, scheme: "IOB2" });
 * assert.deepEqual(examples[0].inputIds, [1, 65, 108, 111, 107, 2]);
 * assert.deepEqual(examples[0].labels, [-100, 1, -100, 0, -100, -100]); // on first subtokens
 * const predicted = examples.map((e) => e.labels.map((id) => Math.max(id, 0)));
 * assert.deepEqual(decodeToSpans(examples, predicted, { labels }).get("d"), doc.spans);
 * ```
 *
 * @module
 */
export { loadTokenizer, tokenizerFromJson, type WordTokenizer } from "./tokenizer.ts";
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
