// Expected ids: a plain Python WordPiece (BERT's basic tokenizer: lower-case, strip
// accents, split punctuation; then greedy longest match with "##" continuations) run
// over vocab.txt of the same folder, outside this test.
import assert from "node:assert/strict";
import { loadTokenizer } from "../../lib/encode/tokenizer.ts";
import { dataPath } from "../data_dir.ts";

const BERT = dataPath("tokenizers/bert-base-uncased");

Deno.test("loadTokenizer: bert-base-uncased word pieces and special ids", async () => {
  const tok = await loadTokenizer(BERT);
  assert.deepEqual(tok.prefixIds, [101]); // [CLS]
  assert.deepEqual(tok.suffixIds, [102]); // [SEP]
  assert.equal(tok.padId, 0);
  assert.equal(tok.unkId, 100);
  assert.equal(tok.vocabSize, 30522);
  assert.deepEqual(tok.encodeWord("Niswender", false), [9152, 26760, 10497, 2121]);
  assert.deepEqual(tok.encodeWord("Niswender", true), [9152, 26760, 10497, 2121]);
  assert.deepEqual(tok.encodeWord("estradiol-17β", false), [9765, 12173, 20282, 1011, 2459, 29720]);
  assert.deepEqual(tok.encodeWord("R01-GM123456", false), [
    1054,
    24096,
    1011,
    13938,
    12521,
    22022,
    26976,
  ]);
  assert.deepEqual(
    tok.encodeWord("Forschungsgemeinschaft", false),
    [2005, 11624, 5575, 28745, 21382, 7076, 29043],
  );
  assert.deepEqual(tok.encodeWord("Südhof", false), [19219, 14586]);
});

Deno.test("loadTokenizer: a missing or broken file is named, with what it is needed for", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => loadTokenizer(dir),
      (e: Error) =>
        e.message.startsWith(`loadTokenizer: ${dir} has no tokenizer.json, which gives`) &&
        e.message.includes("subword model") && e.message.includes("ensureTokenizerJson"),
    );
    await Deno.copyFile(`${BERT}/tokenizer.json`, `${dir}/tokenizer.json`);
    await assert.rejects(
      () => loadTokenizer(dir),
      (e: Error) =>
        e.message.startsWith(`loadTokenizer: ${dir} has no tokenizer_config.json, which gives`) &&
        e.message.includes("special tokens (pad_token, unk_token"),
    );
    await Deno.writeTextFile(`${dir}/tokenizer_config.json`, "{ nope");
    await assert.rejects(
      () => loadTokenizer(dir),
      new RegExp(`loadTokenizer: ${dir}/tokenizer_config.json is not JSON`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
