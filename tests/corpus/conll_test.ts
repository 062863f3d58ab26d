import assert from "node:assert/strict";
import fc from "fast-check";
import { readConll, writeConll } from "../../lib/corpus/conll.ts";
import { CorpusError } from "../../lib/corpus/errors.ts";
import type { Doc, Range } from "../../lib/corpus/types.ts";
import { SCHEMES } from "../../lib/tags/scheme.ts";
import { readData } from "../data_dir.ts";

function countByLabel(docs: Doc[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of docs) for (const s of d.spans) out[s.label] = (out[s.label] ?? 0) + 1;
  return out;
}

Deno.test("readConll: two-column text, offsets, sentences and documents", () => {
  const text = [
    "-DOCSTART- O",
    "",
    "Alice B-PER",
    "Smith I-PER",
    "met O",
    "Bob B-PER",
    "",
    "NIH B-ORG",
    "paid O",
    "",
    "-DOCSTART- O",
    "",
    "Hi O",
    "",
  ].join("\n");
  const docs = readConll(text);
  assert.equal(docs.length, 2);
  const [d1, d2] = docs;
  assert.equal(d1.id, "doc-1");
  assert.equal(d1.text, "Alice Smith met Bob\nNIH paid");
  assert.deepEqual(d1.spans, [
    { start: 0, end: 11, label: "PER" },
    { start: 16, end: 19, label: "PER" },
    { start: 20, end: 23, label: "ORG" },
  ]);
  for (const s of d1.spans) {
    assert.ok(["Alice Smith", "Bob", "NIH"].includes(d1.text.slice(s.start, s.end)));
  }
  assert.deepEqual(d1.meta?.sentences, [{ start: 0, end: 19 }, { start: 20, end: 28 }]);
  assert.deepEqual((d1.meta?.tokens as Range[]).length, 6);
  assert.equal(d1.meta?.line, 3);
  assert.equal(d2.id, "doc-2");
  assert.equal(d2.text, "Hi");
  assert.deepEqual(d2.spans, []);
});

Deno.test("readConll: CoNLL-2003 four columns, tabs, CRLF, column option", () => {
  const text = "-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n" +
    "German JJ B-NP B-MISC\r\n";
  const [doc] = readConll(text);
  assert.equal(doc.text, "EU rejects German");
  assert.deepEqual(doc.spans, [{ start: 0, end: 2, label: "ORG" }, {
    start: 11,
    end: 17,
    label: "MISC",
  }]);
  assert.deepEqual(doc.meta?.columns, [["NNP", "B-NP"], ["VBZ", "B-VP"], ["JJ", "B-NP"]]);
  // chunk column as the tag column
  const [chunks] = readConll(text, { column: 2 });
  assert.deepEqual(chunks.spans.map((s) => s.label), ["NP", "VP", "NP"]);
  const tab = readConll("a b\tB-X\nc\tO\n", {});
  assert.equal(tab[0].text, "a b c");
  assert.deepEqual(tab[0].spans, [{ start: 0, end: 3, label: "X" }]);
});

Deno.test("readConll: without -DOCSTART- each sentence is a document; documents option", () => {
  const text = "a B-X\n\nb O\nc I-Y\n\n\n";
  assert.deepEqual(readConll(text).map((d) => d.text), ["a", "b c"]);
  const [one] = readConll(text, { documents: "file", idPrefix: "w" });
  assert.equal(one.id, "w-1");
  assert.equal(one.text, "a\nb c");
  assert.deepEqual(one.spans, [{ start: 0, end: 1, label: "X" }, { start: 4, end: 5, label: "Y" }]);
});

Deno.test("readConll: scheme and mode decode per sentence", () => {
  const text = "a I-X\nb B-X\nc O\n\nd I-X\n";
  // IOB1: B-X after I-X splits; an entity never crosses the blank line
  assert.deepEqual(readConll(text, { scheme: "IOB1", documents: "file" })[0].spans, [
    { start: 0, end: 1, label: "X" },
    { start: 2, end: 3, label: "X" },
    { start: 6, end: 7, label: "X" },
  ]);
  // IOB2 strict: I-X after O is not an entity
  assert.deepEqual(readConll(text, { mode: "strict", documents: "file" })[0].spans, [
    { start: 2, end: 3, label: "X" },
  ]);
  const iobes = readConll("a B-X\nb E-X\nc S-Y\n", { scheme: "IOBES" });
  assert.deepEqual(iobes[0].spans, [{ start: 0, end: 3, label: "X" }, {
    start: 4,
    end: 5,
    label: "Y",
  }]);
});

Deno.test("readConll: errors name file and line", () => {
  const cases: [string, RegExp][] = [
    ["a O\nb O x\n", /^f\.conll:2: 3 columns, expected 2 \(as on line 1\)/],
    [
      "a O\n\nb E-X\n",
      /^f\.conll:3: document doc-2: tag "E-X" at position 0: prefix E- is not allowed in IOB2/,
    ],
    ["a O\nb X-PER\n", /^f\.conll:2: .*"X-PER"/],
    ["a O\nb B-\n", /^f\.conll:2: /],
    ["lonely\n", /^f\.conll:1: expected at least 2 columns/],
    ["a\t\tO\n", /^f\.conll:1: column 1 is empty/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => readConll(text, { file: "f.conll" }), (e: unknown) => {
      assert.ok(e instanceof CorpusError);
      assert.match(e.message, re);
      return true;
    });
  }
  assert.throws(() => readConll("a O x\n", { column: 3 }), /line 1: tag column 3/);
});

Deno.test("writeConll: hand-worked output in IOB2, IOB1 and IOBES", () => {
  const doc: Doc = {
    id: "d",
    text: "Alice Smith met Bob\nNIH paid",
    spans: [{ start: 0, end: 5, label: "PER" }, { start: 6, end: 11, label: "PER" }, {
      start: 20,
      end: 23,
      label: "ORG",
    }],
  };
  assert.equal(
    writeConll([doc]),
    "-DOCSTART- O\n\nAlice B-PER\nSmith B-PER\nmet O\nBob O\n\nNIH B-ORG\npaid O\n\n",
  );
  assert.equal(
    writeConll([doc], { scheme: "IOB1", separator: "\t", docstart: false }),
    "Alice\tI-PER\nSmith\tB-PER\nmet\tO\nBob\tO\n\nNIH\tI-ORG\npaid\tO\n\n",
  );
  assert.equal(
    writeConll([doc], { scheme: "IOBES", docstart: false }),
    "Alice S-PER\nSmith S-PER\nmet O\nBob O\n\nNIH S-ORG\npaid O\n\n",
  );
});

Deno.test("writeConll: bad spans are errors naming document and span", () => {
  const base = { id: "d7", text: "Alice Smith\nmet Bob" };
  assert.throws(
    () => writeConll([{ ...base, spans: [{ start: 6, end: 15, label: "PER" }] }]),
    /document d7: span \[6, 15\) PER: span crosses a sentence boundary/,
  );
  assert.throws(
    () => writeConll([{ ...base, spans: [{ start: 1, end: 5, label: "PER" }] }]),
    /document d7: span \[1, 5\) PER: span starts inside token 0/,
  );
});

/** Random documents as readConll would build them from random tagged sentences. */
const conllArb = fc.array(
  fc.array(
    fc.array(
      fc.record({
        word: fc.stringMatching(/^[A-Za-z0-9.,'-]{1,6}$/),
        tag: fc.constantFrom("O", "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-creative-work"),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    { minLength: 1, maxLength: 4 },
  ),
  { minLength: 1, maxLength: 4 },
).filter((docs) => docs.flat(2).every((t) => t.word !== "-DOCSTART-"));

Deno.test("property: readConll(writeConll(docs)) gives the same documents in every scheme", () => {
  fc.assert(
    fc.property(conllArb, fc.constantFrom(...SCHEMES), (raw, scheme) => {
      const text = raw.map((doc) =>
        "-DOCSTART- O\n\n" +
        doc.map((s) => s.map((t) => `${t.word} ${t.tag}`).join("\n") + "\n\n").join("")
      ).join("");
      const docs = readConll(text);
      const again = readConll(writeConll(docs, { scheme }), { scheme });
      assert.deepEqual(again, docs);
    }),
    { numRuns: 200 },
  );
});

Deno.test("wikigold: 145 documents, 1,696 sentences, conlleval entity counts", () => {
  const text = readData("wikigold/wikigold.conll.txt");
  const docs = readConll(text, { scheme: "IOB1", file: "wikigold.conll.txt" });
  assert.equal(docs.length, 145);
  const sentences = docs.reduce((n, d) => n + (d.meta?.sentences as Range[]).length, 0);
  assert.equal(sentences, 1696);
  const tokens = docs.reduce((n, d) => n + (d.meta?.tokens as Range[]).length, 0);
  assert.equal(tokens, 39152 - 145); // awk: 39,152 two-column lines, 145 of them -DOCSTART-
  // Expected counts computed outside the test with awk over the file, counting an
  // entity at every B- tag and at every I-TYPE whose previous tag (in the sentence)
  // is O or of another type (conlleval's reading of IOB1):
  //   awk 'NF==0||$1=="-DOCSTART-"{prev="O";next} {tag=$NF; if(tag=="O"){prev="O";next}
  //     p=substr(tag,1,1); ty=substr(tag,3); pty=(prev=="O")?"":substr(prev,3);
  //     if(p=="B"||pty!=ty)n[ty]++; prev=tag} END{for(k in n)print k,n[k]}'
  assert.deepEqual(countByLabel(docs), { PER: 934, ORG: 898, LOC: 1014, MISC: 712 });
  // the first document has no -DOCSTART- line before it
  assert.ok(docs[0].text.startsWith("010 is the tenth album from Japanese Punk Techno band"));
  assert.equal(docs[0].meta?.line, 1);
  for (const d of docs) {
    for (const s of d.spans) assert.ok(!/^\s|\s$/.test(d.text.slice(s.start, s.end)));
  }
});

Deno.test("wnut17 train: 3,394 tweets as documents, entity counts", () => {
  const text = readData("wnut17/train/wnut17train.conll");
  const docs = readConll(text, { file: "wnut17train.conll" });
  assert.equal(docs.length, 3394);
  const tokens = docs.reduce((n, d) => n + (d.meta?.tokens as Range[]).length, 0);
  assert.equal(tokens, 62730); // awk 'NF>0' | wc -l
  // same awk as for wikigold (with -F'\t'); equal to the B- tag counts (`uniq -c`),
  // as the file is valid IOB2
  assert.deepEqual(countByLabel(docs), {
    person: 660,
    corporation: 221,
    group: 264,
    location: 548,
    "creative-work": 140,
    product: 142,
  });
  // strict IOB2 reading finds the same entities
  assert.deepEqual(countByLabel(readConll(text, { mode: "strict" })), countByLabel(docs));
});
