/**
 * Reader speed on the public data in ../shared/data: `readConll` on wikigold and WNUT
 * 2017 train, `readTei` on GROBID's all-acknowledgements.tei.xml, and `tagsToSpans` /
 * `spansToTags` on WNUT's tokens. References measured in the same run: a bare
 * line-splitting loop over the CoNLL file (the floor any reader pays) and linkedom's
 * XML `DOMParser` building a DOM of the TEI file (a well-kept npm parser). Prints the
 * best of 5 runs after one warm-up.
 *
 * Run: deno run -A bench/corpus_readers_bench.ts
 *
 * @module
 */

import { DOMParser } from "linkedom";
import { readConll } from "../lib/corpus/conll.ts";
import { GROBID_PERSON_ORG, readTei } from "../lib/corpus/tei.ts";
import { spansToTags, tagsToSpans } from "../lib/core/convert.ts";
import type { Range } from "../lib/core/types.ts";

const DATA = new URL("../../shared/data/", import.meta.url);

function best(run: () => unknown): number {
  run();
  let min = Infinity;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    run();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

function report(name: string, ms: number, ref?: { name: string; ms: number }) {
  const ratio = ref
    ? `  (${ref.name}: ${ref.ms.toFixed(1)} ms, ratio ${(ms / ref.ms).toFixed(2)})`
    : "";
  console.log(`${name.padEnd(40)} ${ms.toFixed(1).padStart(8)} ms${ratio}`);
}

const wikigold = Deno.readTextFileSync(new URL("wikigold/wikigold.conll.txt", DATA));
const wnut = Deno.readTextFileSync(new URL("wnut17/train/wnut17train.conll", DATA));
const tei = Deno.readTextFileSync(
  new URL("grobid-acknowledgements/all-acknowledgements.tei.xml", DATA),
);

const splitLoop = (text: string) => {
  let n = 0;
  for (const line of text.split("\n")) n += line.split(/\s+/).length;
  return n;
};
for (const [name, text] of [["wikigold", wikigold], ["wnut17 train", wnut]] as const) {
  report(`readConll ${name}`, best(() => readConll(text)), {
    name: "split lines and columns",
    ms: best(() => splitLoop(text)),
  });
}

report("readTei all-acknowledgements", best(() => readTei(tei, { labels: GROBID_PERSON_ORG })), {
  name: "linkedom DOMParser (DOM only)",
  ms: best(() => new DOMParser().parseFromString(tei, "text/xml")),
});

const docs = readConll(wnut);
const items = docs.map((d) => ({ tokens: d.meta?.tokens as Range[], spans: d.spans }));
const tagged = items.map((x) => spansToTags(x.tokens, x.spans, "IOBES"));
const tokenCount = items.reduce((n, x) => n + x.tokens.length, 0);
const enc = best(() => items.forEach((x) => spansToTags(x.tokens, x.spans, "IOBES")));
const dec = best(() => items.forEach((x, i) => tagsToSpans(x.tokens, tagged[i], "IOBES")));
report(`spansToTags IOBES (${tokenCount} tokens)`, enc);
report(`tagsToSpans IOBES (${tokenCount} tokens)`, dec);
