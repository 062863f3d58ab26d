/**
 * The subword tokenizer as subword alignment sees it: a function from one word to its
 * subtoken ids, plus the ids put around each sequence. Any tokenizer fits behind this
 * small interface; {@link loadTokenizer} makes one from a Hugging Face `tokenizer.json`
 * with `@huggingface/tokenizers` (the tokenizers of transformers.js 4, which give no
 * character offsets, hence the word-by-word design: see `align.ts`).
 *
 * @module
 */

import { Tokenizer } from "../deps/tokenizers.ts";

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
 */
export type WordTokenizer = {
  encodeWord(word: string, first: boolean): number[];
  prefixIds: readonly number[];
  suffixIds: readonly number[];
  padId: number;
  unkId: number;
  vocabSize: number;
};

/**
 * Loads the tokenizer in a folder holding `tokenizer.json` and `tokenizer_config.json`
 * (Hugging Face layout) with `@huggingface/tokenizers`, as transformers.js 4's
 * `AutoTokenizer` does (same ids; no network, no FFI). The special tokens around a
 * sequence are found by encoding a word with and without them; the padding and unknown
 * tokens are the config's `pad_token` (else `eos_token`) and `unk_token`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tok = await loadTokenizer("../shared/data/tokenizers/bert-base-uncased");
 * assert.deepEqual(tok.encodeWord("Niswender", false), [9152, 26760, 10497, 2121]);
 * assert.deepEqual([tok.prefixIds, tok.suffixIds], [[101], [102]]); // [CLS], [SEP]
 * ```
 */
export async function loadTokenizer(dir: string): Promise<WordTokenizer> {
  const folder = dir.replace(/\/+$/, "");
  const json = await readJson(folder, "tokenizer.json", NEEDS["tokenizer.json"]);
  const config = await readJson(folder, "tokenizer_config.json", NEEDS["tokenizer_config.json"]);
  return wordTokenizer(json, config, `loadTokenizer: ${dir}`);
}

/**
 * The tokenizer of a `tokenizer.json` and `tokenizer_config.json` already read and parsed
 * (a browser fetches them), as {@link loadTokenizer} makes it from a folder; `source` names
 * them in errors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizerFromJson } from "./tokenizer.ts";
 * const dir = "../shared/data/tokenizers/bert-base-uncased";
 * const read = async (name: string) => JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
 * const tok = tokenizerFromJson(await read("tokenizer.json"), await read("tokenizer_config.json"));
 * assert.deepEqual(tok.encodeWord("Niswender", false), [9152, 26760, 10497, 2121]);
 * assert.deepEqual([tok.prefixIds, tok.suffixIds, tok.padId], [[101], [102], 0]);
 * ```
 */
export function tokenizerFromJson(
  json: Record<string, unknown>,
  config: Record<string, unknown>,
  source = "tokenizer.json",
): WordTokenizer {
  return wordTokenizer(json, config, `tokenizerFromJson: ${source}`);
}

/** The word tokenizer of parsed tokenizer files; `where` starts its error messages. */
function wordTokenizer(
  json: Record<string, unknown>,
  config: Record<string, unknown>,
  where: string,
): WordTokenizer {
  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, config);
  } catch (e) {
    throw new Error(`${where}: cannot load the tokenizer: ${(e as Error).message}`);
  }
  const encode = (text: string, special: boolean) =>
    tok.encode(text, { add_special_tokens: special }).ids;
  const plain = encode("a", false);
  const full = encode("a", true);
  const at = full.findIndex((_, i) => plain.every((id, k) => full[i + k] === id));
  if (plain.length === 0 || at < 0) {
    throw new Error(`${where}: cannot find the special tokens (encoding "a" gave [${full}])`);
  }
  const idOf = (...keys: string[]) => {
    const token = specialToken(config, keys);
    return token === undefined ? undefined : tok.token_to_id(token);
  };
  const unkId = idOf("unk_token") ?? idOf("pad_token", "eos_token") ?? 0;
  return {
    encodeWord: (word, first) => encode(first ? word : " " + word, false),
    prefixIds: full.slice(0, at),
    suffixIds: full.slice(at + plain.length),
    padId: idOf("pad_token", "eos_token") ?? unkId,
    unkId,
    vocabSize: tok.get_vocab().size,
  };
}

/** What each file of the folder is needed for, said when it is missing. */
const NEEDS = {
  "tokenizer.json": "the vocabulary, normalizer, pre-tokenizer and subword model that split " +
    "words into subtokens; a folder with only vocab.txt, or vocab.json and merges.txt, can be " +
    "converted with ensureTokenizerJson",
  "tokenizer_config.json": "the special tokens (pad_token, unk_token, eos_token) and the " +
    "tokenizer's settings",
};

async function readJson(
  folder: string,
  name: string,
  need: string,
): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${folder}/${name}`);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`loadTokenizer: ${folder} has no ${name}, which gives ${need}`);
    }
    throw new Error(`loadTokenizer: ${folder}/${name}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`loadTokenizer: ${folder}/${name} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * The first of `keys` set in a tokenizer_config.json, as transformers.js reads it: a
 * string, or an AddedToken object's `content`.
 */
function specialToken(config: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const item = config[key];
    if (!item) continue;
    if (typeof item === "string") return item;
    if (typeof item === "object" && "content" in item && typeof item.content === "string") {
      return item.content;
    }
  }
  return undefined;
}
