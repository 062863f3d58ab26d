/**
 * The subword tokenizer as subword alignment sees it: a function from one word to its
 * subtoken ids, plus the ids put around each sequence. Any tokenizer fits behind this
 * small interface; {@link loadTokenizer} makes one from a Hugging Face `tokenizer.json`
 * through `@huggingface/transformers` (which gives no character offsets, hence the
 * word-by-word design: see `align.ts`).
 *
 * @module
 */

import { basename, dirname } from "node:path";

/**
 * A tokenizer seen word by word.
 *
 * - `encodeWord(word, first)`: the word's subtoken ids, with no special tokens.
 *   `first` is true when no space comes before the word (it opens the sequence, or is
 *   glued to the previous word, as `-funded` in `NIH-funded`); byte-level BPE
 *   tokenizers (GPT-2, RoBERTa) encode a word differently with and without a space
 *   before it, WordPiece (BERT) does not. It may return `[]` (a word the tokenizer
 *   drops entirely); alignment then uses `unkId`.
 * - `prefixIds` / `suffixIds`: special tokens around every sequence (`[CLS]` / `[SEP]`
 *   for BERT, `<s>` / `</s>` for RoBERTa, none for GPT-2).
 * - `padId`, `unkId`: padding and unknown-token ids.
 * - `vocabSize`: number of ids.
 *
 * @example
 * ```ts
 * // a toy tokenizer: every word is one id, its length
 * const toy: WordTokenizer = { encodeWord: (w) => [w.length], prefixIds: [1], suffixIds: [2],
 *   padId: 0, unkId: 3, vocabSize: 100 };
 * ```
 */
export type WordTokenizer = {
  encodeWord(word: string, first: boolean): number[];
  prefixIds: readonly number[];
  suffixIds: readonly number[];
  padId: number;
  unkId: number;
  vocabSize: number;
};

/** What loadTokenizer uses of a transformers.js tokenizer. */
type HfTokenizer = {
  encode(text: string, opts?: { add_special_tokens?: boolean }): number[];
  pad_token_id?: number;
  unk_token_id?: number;
  get_vocab(): Map<string, number> | Record<string, number>;
};

/**
 * Loads the tokenizer in a folder holding `tokenizer.json` and `tokenizer_config.json`
 * (Hugging Face layout) with `@huggingface/transformers` (imported on first use; it
 * needs `--allow-ffi`), without network access. The special tokens around a sequence
 * are found by encoding a word with and without them.
 *
 * @example
 * ```ts
 * const tok = await loadTokenizer("../shared/data/tokenizers/bert-base-uncased");
 * tok.encodeWord("Niswender", false); // [9152, 26760, 10497, 2121]
 * tok.prefixIds; // [101] ([CLS]); tok.suffixIds: [102] ([SEP])
 * ```
 */
export async function loadTokenizer(dir: string): Promise<WordTokenizer> {
  const { AutoTokenizer, env } = await import("@huggingface/transformers");
  const saved = {
    allowRemoteModels: env.allowRemoteModels,
    allowLocalModels: env.allowLocalModels,
    localModelPath: env.localModelPath,
  };
  let tok: HfTokenizer;
  try {
    env.allowRemoteModels = false;
    env.allowLocalModels = true;
    env.localModelPath = dirname(dir.replace(/\/+$/, "")) + "/";
    tok = await AutoTokenizer.from_pretrained(basename(dir.replace(/\/+$/, ""))) as HfTokenizer;
  } catch (e) {
    throw new Error(`cannot load the tokenizer in ${dir}: ${(e as Error).message}`);
  } finally {
    Object.assign(env, saved);
  }
  const plain = tok.encode("a", { add_special_tokens: false });
  const full = tok.encode("a", { add_special_tokens: true });
  const at = full.findIndex((_, i) => plain.every((id, k) => full[i + k] === id));
  if (plain.length === 0 || at < 0) {
    throw new Error(`${dir}: cannot find the special tokens (encoding "a" gave [${full}])`);
  }
  const vocab = tok.get_vocab();
  const vocabSize = vocab instanceof Map ? vocab.size : Object.keys(vocab).length;
  const unkId = tok.unk_token_id ?? tok.pad_token_id ?? 0;
  return {
    encodeWord: (word, first) =>
      tok.encode(first ? word : " " + word, { add_special_tokens: false }),
    prefixIds: full.slice(0, at),
    suffixIds: full.slice(at + plain.length),
    padId: tok.pad_token_id ?? unkId,
    unkId,
    vocabSize,
  };
}
