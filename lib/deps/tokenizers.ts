/**
 * Hugging Face tokenizers.js, pinned (see arquero.ts for why lib/deps names versions):
 * the pure TypeScript tokenizers transformers.js 4 itself uses, without onnxruntime,
 * sharp or FFI.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Tokenizer } from "./tokenizers.ts";
 * const tok = new Tokenizer({
 *   model: {
 *     type: "WordPiece",
 *     vocab: { "[UNK]": 0, hi: 1, the: 2, "##re": 3 },
 *     unk_token: "[UNK]",
 *     continuing_subword_prefix: "##",
 *     max_input_chars_per_word: 100,
 *   },
 *   normalizer: null,
 *   pre_tokenizer: { type: "Whitespace" },
 *   post_processor: null,
 *   decoder: null,
 *   added_tokens: [],
 * }, {});
 * assert.deepEqual(tok.encode("hi there you").ids, [1, 2, 3, 0]);
 * ```
 *
 * @module
 */
export { Tokenizer } from "npm:@huggingface/tokenizers@0.2.0";
