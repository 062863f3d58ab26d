/**
 * Tests of lib/models/tokenizer_build.ts through `@huggingface/tokenizers` (the tokenizers
 * of transformers.js 4's AutoTokenizer): the tokenizer.json built from bert-base-uncased's vocab.txt gives the same
 * ids as the tokenizer.json shipped beside it on every statement of the GROBID
 * acknowledgement corpus; the GPT-2 one gives the ids OpenAI's encoder gives for known
 * strings ("Hello world" -> [15496, 995], " Hello" -> [18435], "hello world" ->
 * [31373, 995] as in tiktoken's README for the gpt2 encoding).
 */
import assert from "node:assert/strict";
import { Tokenizer } from "../../lib/deps/tokenizers.ts";
import {
  buildByteLevelBpeTokenizer,
  buildWordPieceTokenizer,
  ensureTokenizerJson,
  parseMerges,
  parseVocabTxt,
  writeTokenizerFiles,
} from "../../lib/models/tokenizer_build.ts";

const DATA = "/work/shared/data";

type Tok = { encode(text: string): number[] };

async function load(dir: string): Promise<Tok> {
  const read = async (name: string) => JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
  const tok = new Tokenizer(await read("tokenizer.json"), await read("tokenizer_config.json"));
  return { encode: (text) => tok.encode(text).ids };
}

function statements(xml: string): string[] {
  const out: string[] = [];
  for (const m of xml.matchAll(/<acknowledgment>([\s\S]*?)<\/acknowledgment>/g)) {
    out.push(
      m[1].replace(/<[^>]+>/g, "").replace(/&lt;/g, "<").replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, "&"),
    );
  }
  return out;
}

Deno.test("WordPiece tokenizer.json from vocab.txt matches the shipped bert-base-uncased one", async () => {
  const out = await Deno.makeTempDir();
  try {
    const vocab = await Deno.readTextFile(`${DATA}/tokenizers/bert-base-uncased/vocab.txt`);
    await writeTokenizerFiles(`${out}/bert`, buildWordPieceTokenizer(vocab));
    const mine = await load(`${out}/bert`);
    const shipped = await load(`${DATA}/tokenizers/bert-base-uncased`);
    const texts = statements(
      await Deno.readTextFile(`${DATA}/grobid-acknowledgements/all-acknowledgements.tei.xml`),
    );
    assert.equal(texts.length, 1286);
    let tokens = 0;
    for (const [i, t] of texts.entries()) {
      const a = mine.encode(t);
      assert.deepEqual(a, shipped.encode(t), `statement ${i}: ${t.slice(0, 60)}`);
      tokens += a.length;
    }
    assert.ok(tokens > 50000, `${tokens} tokens`); // long statements are not truncated
    assert.deepEqual(mine.encode("Hello, world!"), [101, 7592, 1010, 2088, 999, 102]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("WordPiece: lowercase option, template, errors with file and line", async () => {
  const out = await Deno.makeTempDir();
  try {
    const vocab = "[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\nHello\n##lo\nhel\n";
    await writeTokenizerFiles(`${out}/cased`, buildWordPieceTokenizer(vocab, { lowercase: false }));
    await writeTokenizerFiles(`${out}/uncased`, buildWordPieceTokenizer(vocab));
    assert.deepEqual((await load(`${out}/cased`)).encode("Hello hello Helo"), [2, 5, 4, 1, 3]);
    assert.deepEqual((await load(`${out}/uncased`)).encode("Hello HELLO Hellolo"), [
      2,
      4,
      4,
      4,
      6,
      3,
    ]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
  assert.deepEqual([...parseVocabTxt("a\r\nb\n")], [["a", 0], ["b", 1]]);
  assert.throws(() => parseVocabTxt("a\nb\na\n", "v.txt"), /v.txt:3: token "a" already on line 1/);
  assert.throws(
    () => buildWordPieceTokenizer("[UNK]\n[SEP]\n"),
    /\[CLS\] is not in the vocabulary/,
  );
});

Deno.test("byte-level BPE for GPT-2 gives OpenAI's ids", async () => {
  const out = await Deno.makeTempDir();
  try {
    const vocab = await Deno.readTextFile(`${DATA}/tokenizers/gpt2/vocab.json`);
    const merges = await Deno.readTextFile(`${DATA}/tokenizers/gpt2/merges.txt`);
    await writeTokenizerFiles(
      `${out}/plain`,
      buildByteLevelBpeTokenizer(vocab, merges, { flavor: "gpt2", addPrefixSpace: false }),
    );
    await writeTokenizerFiles(
      `${out}/words`,
      buildByteLevelBpeTokenizer(vocab, merges, { flavor: "gpt2" }),
    );
    const plain = await load(`${out}/plain`);
    assert.deepEqual(plain.encode("Hello world"), [15496, 995]);
    assert.deepEqual(plain.encode(" Hello"), [18435]);
    assert.deepEqual(plain.encode("hello world"), [31373, 995]);
    assert.deepEqual(plain.encode("<|endoftext|>"), [50256]);
    // add_prefix_space: each word gets the leading space, as Python does for split words.
    const words = await load(`${out}/words`);
    assert.deepEqual(words.encode("Hello"), [18435]);
    assert.deepEqual(words.encode("Hello world"), [18435, 995]);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("byte-level BPE for RoBERTa wraps in <s> ... </s>", async () => {
  // A RoBERTa-style vocabulary: <s> <pad> </s> <unk> first, then GPT-2's tokens shifted by 4.
  const gpt2 = JSON.parse(await Deno.readTextFile(`${DATA}/tokenizers/gpt2/vocab.json`));
  const vocab: Record<string, number> = { "<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3 };
  for (const [t, id] of Object.entries(gpt2)) vocab[t] = (id as number) + 4;
  const merges = await Deno.readTextFile(`${DATA}/tokenizers/gpt2/merges.txt`);
  const out = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${out}/vocab.json`, JSON.stringify(vocab));
    await Deno.writeTextFile(`${out}/merges.txt`, merges);
    const dir = await ensureTokenizerJson(out, `${out}/built`);
    assert.equal(dir, `${out}/built`);
    const json = JSON.parse(await Deno.readTextFile(`${dir}/tokenizer.json`));
    assert.equal(json.post_processor.type, "RobertaProcessing");
    const tok = await load(dir);
    assert.deepEqual(tok.encode("Hello world"), [0, 18435 + 4, 995 + 4, 2]);
    // A folder that has tokenizer.json is used as it is.
    assert.equal(await ensureTokenizerJson(dir, `${out}/other`), dir);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("bad merges and vocabularies are reported with file and line", () => {
  assert.deepEqual(parseMerges("#version: 0.2\na b\n\nc d\n"), ["a b", "c d"]);
  assert.throws(
    () => parseMerges("#version: 0.2\na b c\n", "m.txt"),
    /m.txt:2: a merge must be two/,
  );
  const v = JSON.stringify({ a: 0, b: 1, ab: 2, "<|endoftext|>": 3 });
  assert.throws(
    () => buildByteLevelBpeTokenizer(v, "a c\n", { flavor: "gpt2" }),
    /merges.txt: merge "a c" \(merge 1\) uses a token missing from vocab.json/,
  );
  assert.throws(
    () => buildByteLevelBpeTokenizer(v, "a b\n", { flavor: "roberta" }),
    /<s> is not in the vocabulary/,
  );
  assert.throws(
    () => buildByteLevelBpeTokenizer(JSON.stringify({ a: 0, b: 0 }), "", { flavor: "gpt2" }),
    /tokens "a" and "b" share id 0/,
  );
});
