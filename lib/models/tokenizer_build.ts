/**
 * Build a `tokenizer.json` (the Hugging Face `tokenizers` format that transformers.js'
 * `AutoTokenizer` reads) for checkpoints that ship only the slow tokenizer's files:
 * - BERT WordPiece from `vocab.txt`: `BertNormalizer` (lowercase option), `BertPreTokenizer`,
 *   `WordPiece` model (`##` prefix, 100 characters per word at most) and the
 *   `TemplateProcessing` post-processor `[CLS] $A [SEP]` (pairs `[CLS] $A [SEP] $B:1 [SEP]:1`),
 *   as transformers' `BertConverter` writes them;
 * - byte-level BPE from `vocab.json` + `merges.txt` for GPT-2 (`ByteLevel` post-processor, no
 *   special tokens added) and RoBERTa (`RobertaProcessing`: `<s> $A </s>`), as
 *   `GPT2Converter` and `RobertaConverter` write them. `addPrefixSpace` (default true here)
 *   puts a space before the text as Python's tokenizers do with `add_prefix_space=True`,
 *   which they require for words given one by one (`is_split_into_words`).
 * Each builder also returns a `tokenizer_config.json`.
 *
 * @module
 */

/**
 * The files of a fast tokenizer, as JSON objects by file name.
 */
export type TokenizerFiles = {
  "tokenizer.json": Record<string, unknown>;
  "tokenizer_config.json": Record<string, unknown>;
};

/**
 * Options of {@link buildWordPieceTokenizer}.
 */
export type WordPieceOptions = {
  /** Lowercase and strip accents (an "uncased" model; default true). */
  lowercase?: boolean;
  /** `model_max_length` of tokenizer_config.json (default 512). */
  maxLength?: number;
  /** The vocabulary's file name, for errors (default "vocab.txt"). */
  file?: string;
};

function added(id: number, content: string, lstrip = false) {
  return {
    id,
    content,
    single_word: false,
    lstrip,
    rstrip: false,
    normalized: false,
    special: true,
  };
}

/**
 * Parse `vocab.txt`: one token per line, the id is the line number (from 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseVocabTxt } from "./tokenizer_build.ts";
 * assert.deepEqual(parseVocabTxt("[PAD]\nhello\n"), new Map([["[PAD]", 0], ["hello", 1]]));
 * assert.throws(() => parseVocabTxt("a\n\nb\n"), /vocab\.txt:2: empty token/);
 * ```
 */
export function parseVocabTxt(text: string, file = "vocab.txt"): Map<string, number> {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((raw, i) => {
    const token = raw.replace(/\r$/, "");
    if (token === "") throw new Error(`${file}:${i + 1}: empty token`);
    if (vocab.has(token)) {
      throw new Error(
        `${file}:${i + 1}: token "${token}" already on line ${vocab.get(token)! + 1}`,
      );
    }
    vocab.set(token, i);
  });
  return vocab;
}

/**
 * Build the fast tokenizer of a BERT WordPiece vocabulary (`vocab.txt`). The vocabulary
 * must hold `[UNK]`, `[CLS]` and `[SEP]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTokenizer } from "../encode/tokenizer.ts";
 * import { buildWordPieceTokenizer, writeTokenizerFiles } from "./tokenizer_build.ts";
 * const files = buildWordPieceTokenizer("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n##s\n");
 * const dir = await Deno.makeTempDir();
 * await writeTokenizerFiles(dir, files);
 * const tok = await loadTokenizer(dir);
 * assert.deepEqual(tok.encodeWord("Hellos", true), [4, 5]); // hello ##s, lowercased
 * assert.deepEqual(tok.encodeWord("world", true), [1]); // [UNK]
 * assert.deepEqual([tok.prefixIds, tok.suffixIds], [[2], [3]]); // [CLS], [SEP]
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function buildWordPieceTokenizer(
  vocabTxt: string,
  options: WordPieceOptions = {},
): TokenizerFiles {
  const file = options.file ?? "vocab.txt";
  const lowercase = options.lowercase ?? true;
  const vocab = parseVocabTxt(vocabTxt, file);
  for (const t of ["[UNK]", "[CLS]", "[SEP]"]) {
    if (!vocab.has(t)) throw new Error(`${file}: the special token ${t} is not in the vocabulary`);
  }
  const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].filter((t) => vocab.has(t));
  const cls = vocab.get("[CLS]")!;
  const sep = vocab.get("[SEP]")!;
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: specials.map((t) => added(vocab.get(t)!, t)).sort((a, b) => a.id - b.id),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [cls], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [sep], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  };
  const config: Record<string, unknown> = {
    tokenizer_class: "BertTokenizer",
    do_lower_case: lowercase,
    do_basic_tokenize: true,
    tokenize_chinese_chars: true,
    strip_accents: null,
    model_max_length: options.maxLength ?? 512,
    clean_up_tokenization_spaces: true,
    unk_token: "[UNK]",
    cls_token: "[CLS]",
    sep_token: "[SEP]",
  };
  if (vocab.has("[PAD]")) config.pad_token = "[PAD]";
  if (vocab.has("[MASK]")) config.mask_token = "[MASK]";
  return { "tokenizer.json": tokenizer, "tokenizer_config.json": config };
}

/**
 * Options of {@link buildByteLevelBpeTokenizer}.
 */
export type ByteLevelBpeOptions = {
  /** GPT-2 (no special tokens around a sequence) or RoBERTa (`<s> ... </s>`). */
  flavor: "gpt2" | "roberta";
  /** Put a space before the text, as for words given one by one (default true). */
  addPrefixSpace?: boolean;
  /** `model_max_length` (default 1024 for GPT-2, 512 for RoBERTa). */
  maxLength?: number;
  /** File names for errors (default "vocab.json" and "merges.txt"). */
  files?: [string, string];
};

/**
 * Parse `merges.txt`: an optional `#version` line, then one merge `a b` per line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseMerges } from "./tokenizer_build.ts";
 * assert.deepEqual(parseMerges("#version: 0.2\nĠ t\nh e\n"), ["Ġ t", "h e"]);
 * ```
 */
export function parseMerges(text: string, file = "merges.txt"): string[] {
  const out: string[] = [];
  text.split("\n").forEach((raw, i) => {
    const line = raw.replace(/\r$/, "");
    if (line === "" || (i === 0 && line.startsWith("#version"))) return;
    const parts = line.split(" ");
    if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
      throw new Error(`${file}:${i + 1}: a merge must be two tokens separated by one space`);
    }
    out.push(line);
  });
  return out;
}

/**
 * Build the fast tokenizer of a byte-level BPE vocabulary (`vocab.json` + `merges.txt`).
 * GPT-2 needs `<|endoftext|>` in the vocabulary; RoBERTa `<s>`, `</s>`, `<pad>`, `<unk>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildByteLevelBpeTokenizer } from "./tokenizer_build.ts";
 * const gpt2 = "../shared/data/tokenizers/gpt2";
 * const files = buildByteLevelBpeTokenizer(
 *   await Deno.readTextFile(`${gpt2}/vocab.json`), await Deno.readTextFile(`${gpt2}/merges.txt`),
 *   { flavor: "gpt2", addPrefixSpace: false });
 * const model = files["tokenizer.json"].model as { type: string; merges: string[] };
 * assert.equal(model.type, "BPE");
 * assert.equal(model.merges.length, 50257 - 256 - 1); // all but the bytes and <|endoftext|>
 * assert.equal(files["tokenizer_config.json"].eos_token, "<|endoftext|>");
 * ```
 */
export function buildByteLevelBpeTokenizer(
  vocabJson: string,
  mergesTxt: string,
  options: ByteLevelBpeOptions,
): TokenizerFiles {
  const [vf, mf] = options.files ?? ["vocab.json", "merges.txt"];
  let vocab: Record<string, number>;
  try {
    vocab = JSON.parse(vocabJson);
  } catch (e) {
    throw new Error(`${vf}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof vocab !== "object" || vocab === null || Array.isArray(vocab)) {
    throw new Error(`${vf}: expected an object of token -> id`);
  }
  const seen = new Map<number, string>();
  for (const [t, id] of Object.entries(vocab)) {
    if (!Number.isInteger(id) || id < 0) throw new Error(`${vf}: token "${t}" has id ${id}`);
    if (seen.has(id)) throw new Error(`${vf}: tokens "${seen.get(id)}" and "${t}" share id ${id}`);
    seen.set(id, t);
  }
  const merges = parseMerges(mergesTxt, mf);
  merges.forEach((m, i) => {
    const [a, b] = m.split(" ");
    if (!(a in vocab) || !(b in vocab) || !(a + b in vocab)) {
      throw new Error(`${mf}: merge "${m}" (merge ${i + 1}) uses a token missing from ${vf}`);
    }
  });
  const prefix = options.addPrefixSpace ?? true;
  const need = options.flavor === "gpt2" ? ["<|endoftext|>"] : ["<s>", "<pad>", "</s>", "<unk>"];
  for (const t of need) {
    if (!(t in vocab)) throw new Error(`${vf}: the special token ${t} is not in the vocabulary`);
  }
  const byteLevel = {
    type: "ByteLevel",
    add_prefix_space: prefix,
    trim_offsets: true,
    use_regex: true,
  };
  let addedTokens;
  let post;
  let config: Record<string, unknown>;
  if (options.flavor === "gpt2") {
    addedTokens = [added(vocab["<|endoftext|>"], "<|endoftext|>")];
    post = { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: true };
    config = {
      tokenizer_class: "GPT2Tokenizer",
      add_prefix_space: prefix,
      bos_token: "<|endoftext|>",
      eos_token: "<|endoftext|>",
      unk_token: "<|endoftext|>",
      model_max_length: options.maxLength ?? 1024,
    };
  } else {
    const specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"].filter((t) => t in vocab);
    addedTokens = specials.map((t) => added(vocab[t], t, t === "<mask>")).sort((a, b) =>
      a.id - b.id
    );
    post = {
      type: "RobertaProcessing",
      sep: ["</s>", vocab["</s>"]],
      cls: ["<s>", vocab["<s>"]],
      trim_offsets: true,
      add_prefix_space: prefix,
    };
    config = {
      tokenizer_class: "RobertaTokenizer",
      add_prefix_space: prefix,
      bos_token: "<s>",
      eos_token: "</s>",
      sep_token: "</s>",
      cls_token: "<s>",
      unk_token: "<unk>",
      pad_token: "<pad>",
      model_max_length: options.maxLength ?? 512,
      trim_offsets: true,
    };
    if ("<mask>" in vocab) config.mask_token = "<mask>";
  }
  const tokenizer = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: post,
    decoder: { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
  return { "tokenizer.json": tokenizer, "tokenizer_config.json": config };
}

/**
 * Write tokenizer files into `dir` (created if needed), each through a temporary name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { buildWordPieceTokenizer, writeTokenizerFiles } from "./tokenizer_build.ts";
 * const dir = await Deno.makeTempDir();
 * await writeTokenizerFiles(`${dir}/tok`, buildWordPieceTokenizer("[UNK]\n[CLS]\n[SEP]\n"));
 * const names = [...Deno.readDirSync(`${dir}/tok`)].map((e) => e.name).sort();
 * assert.deepEqual(names, ["tokenizer.json", "tokenizer_config.json"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeTokenizerFiles(dir: string, files: TokenizerFiles): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, json] of Object.entries(files)) {
    const tmp = `${dir}/${name}.tmp-${crypto.randomUUID()}`;
    await Deno.writeTextFile(tmp, JSON.stringify(json));
    await Deno.rename(tmp, `${dir}/${name}`);
  }
}

async function readIfThere(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/**
 * Make sure a tokenizer folder has a `tokenizer.json`: return `dir` when it has one,
 * otherwise build one from `vocab.txt` (lowercasing as its tokenizer_config.json's
 * `do_lower_case` says, default true) or from `vocab.json` + `merges.txt` (`flavor` from
 * the options, else "roberta" when `<s>` is in the vocabulary, else "gpt2"), write it with
 * the vocabulary files into `outDir` (the source folder is never changed) and return
 * `outDir`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ensureTokenizerJson } from "./tokenizer_build.ts";
 * const out = await Deno.makeTempDir();
 * // GPT-2's vocab.json and merges.txt: a tokenizer.json is built beside copies of them
 * const dir = await ensureTokenizerJson("../shared/data/tokenizers/gpt2", out);
 * assert.equal(dir, out);
 * assert.deepEqual([...Deno.readDirSync(out)].map((e) => e.name).sort(),
 *   ["merges.txt", "tokenizer.json", "tokenizer_config.json", "vocab.json"]);
 * // A folder that has a tokenizer.json is used as it is.
 * const bert = "../shared/data/tokenizers/bert-base-uncased";
 * assert.equal(await ensureTokenizerJson(bert, out), bert);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function ensureTokenizerJson(
  dir: string,
  outDir: string,
  options: { flavor?: "gpt2" | "roberta"; addPrefixSpace?: boolean; lowercase?: boolean } = {},
): Promise<string> {
  if ((await readIfThere(`${dir}/tokenizer.json`)) !== null) return dir;
  const vocabTxt = await readIfThere(`${dir}/vocab.txt`);
  const cfgText = await readIfThere(`${dir}/tokenizer_config.json`);
  const cfg = cfgText ? JSON.parse(cfgText) : {};
  let files: TokenizerFiles;
  const copies: Record<string, string> = {};
  if (vocabTxt !== null) {
    const lowercase = options.lowercase ??
      (typeof cfg.do_lower_case === "boolean" ? cfg.do_lower_case : true);
    files = buildWordPieceTokenizer(vocabTxt, { lowercase, file: `${dir}/vocab.txt` });
    copies["vocab.txt"] = vocabTxt;
  } else {
    const vocabJson = await readIfThere(`${dir}/vocab.json`);
    const merges = await readIfThere(`${dir}/merges.txt`);
    if (vocabJson === null || merges === null) {
      throw new Error(`${dir}: no tokenizer.json, vocab.txt, or vocab.json with merges.txt`);
    }
    const flavor = options.flavor ?? (vocabJson.includes('"<s>"') ? "roberta" : "gpt2");
    files = buildByteLevelBpeTokenizer(vocabJson, merges, {
      flavor,
      addPrefixSpace: options.addPrefixSpace ??
        (typeof cfg.add_prefix_space === "boolean" ? cfg.add_prefix_space : undefined),
      files: [`${dir}/vocab.json`, `${dir}/merges.txt`],
    });
    copies["vocab.json"] = vocabJson;
    copies["merges.txt"] = merges;
  }
  await writeTokenizerFiles(outDir, files);
  for (const [name, text] of Object.entries(copies)) {
    await Deno.writeTextFile(`${outDir}/${name}`, text);
  }
  return outDir;
}
