/**
 * Corpus pipeline benchmark: read the whole GROBID funding-acknowledgement corpus (the
 * four TEI files, 1,472 statements), split sentences and words, tokenize with the
 * bert-base-uncased tokenizer and align labels (`encodeDocs`), cold (fresh word
 * cache) and warm. Reference, in the same run: `@huggingface/tokenizers` (transformers.js
 * 4's tokenizers) encoding each sentence's text in one call (what a pipeline without
 * word alignment would cost).
 *
 * Run: `deno run -A bench/corpus_bench.ts`
 *
 * @module
 */

import { loadDataset } from "../lib/corpus/dataset.ts";
import { docSentences, docTokens } from "../lib/corpus/stats.ts";
import { datasetDir } from "../lib/corpus/dataset.ts";
import { encodeDocs } from "../lib/encode/align.ts";
import { labelList } from "../lib/tags/labels.ts";
import { loadTokenizer } from "../lib/encode/tokenizer.ts";
import type { Doc } from "../lib/core/types.ts";
import { Tokenizer } from "../lib/deps/tokenizers.ts";

const NAMES = [
  "grobid-acknowledgements",
  "grobid-fundings",
  "grobid-infrastructures",
  "grobid-evaluation",
];
const ms = (t0: number) => performance.now() - t0;

const dir = await datasetDir("bert-base-uncased");
let t0 = performance.now();
const tok = await loadTokenizer(dir);
const loadMs = ms(t0);

t0 = performance.now();
const docs: Doc[] = [];
for (const name of NAMES) docs.push(...await loadDataset(name));
const readMs = ms(t0);

t0 = performance.now();
let sentences = 0, words = 0;
for (const doc of docs) {
  sentences += docSentences(doc).length;
  words += docTokens(doc).length;
}
const splitMs = ms(t0);

const labels = labelList(["ORG", "PERSON"], "IOB2");
t0 = performance.now();
const examples = encodeDocs(docs, tok, { labels, maxLength: 512 });
const coldMs = ms(t0);
t0 = performance.now();
encodeDocs(docs, tok, { labels, maxLength: 512 });
const warmMs = ms(t0);
const subtokens = examples.reduce((n, e) => n + e.inputIds.length, 0);

// reference: tokenizers.js on whole sentences (no word alignment, no offsets)
const readJson = async (name: string) => JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
const hf = new Tokenizer(await readJson("tokenizer.json"), await readJson("tokenizer_config.json"));
const texts = docs.flatMap((d) => docSentences(d).map((s) => d.text.slice(s.start, s.end)));
t0 = performance.now();
for (const t of texts) hf.encode(t);
const refMs = ms(t0);

const per1k = (x: number) => (x / sentences * 1000).toFixed(1);
const total = readMs + splitMs + coldMs;
console.log(
  `GROBID corpus: ${docs.length} statements, ${sentences} sentences, ${words} words, ` +
    `${examples.length} examples, ${subtokens} subtokens (bert-base-uncased)`,
);
console.log(`tokenizer load            ${loadMs.toFixed(0)} ms`);
console.log(`read (4 TEI files)        ${readMs.toFixed(0)} ms`);
console.log(
  `split sentences + words   ${splitMs.toFixed(0)} ms   (${per1k(splitMs)} ms / 1,000 sentences)`,
);
console.log(
  `tokenize + align, cold    ${coldMs.toFixed(0)} ms   (${per1k(coldMs)} ms / 1,000 sentences)`,
);
console.log(
  `tokenize + align, warm    ${warmMs.toFixed(0)} ms   (${per1k(warmMs)} ms / 1,000 sentences)`,
);
console.log(
  `read + split + align      ${total.toFixed(0)} ms   (${
    per1k(total)
  } ms / 1,000 sentences; target < 3000 ms)`,
);
console.log(
  `reference: tokenizers.js encode of whole sentences ${refMs.toFixed(0)} ms ` +
    `(${per1k(refMs)} ms / 1,000 sentences); ratio cold align / reference ${
      (coldMs / refMs).toFixed(2)
    }`,
);
