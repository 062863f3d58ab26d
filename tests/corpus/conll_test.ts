import assert from "node:assert/strict";
import fc from "fast-check";
import { readConll, writeConll } from "../../lib/corpus/conll.ts";
import { CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import type { Doc, Range } from "../../lib/core/types.ts";
import { SCHEMES } from "../../lib/core/scheme.ts";
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
  const tab = readConll("a\tB-X\nc\tO\n", {});
  assert.equal(tab[0].text, "a c");
  assert.deepEqual(tab[0].spans, [{ start: 0, end: 1, label: "X" }]);
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
      /^f\.conll:3: tag "E-X" at position 0: prefix E- is not allowed in IOB2/,
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

Deno.test("readConll: a UTF-8 BOM is dropped, also before -DOCSTART-", () => {
  const [doc, ...rest] = readConll("\uFEFF-DOCSTART-\tO\n\nAlice\tB-PER\n");
  assert.equal(rest.length, 0); // the marker is no sentence of its own
  assert.equal(doc.text, "Alice");
  const [first] = readConll("\uFEFFAlice\tB-PER\nwins\tO\n");
  assert.equal(first.text, "Alice wins");
  assert.deepEqual(first.spans, [{ start: 0, end: 5, label: "PER" }]);
});

Deno.test("readConll: LF, CRLF and lone CR all end lines, with the same documents", () => {
  const lf = "Alice B-PER\nSmith I-PER\nwins O\n\nNIH B-ORG\n";
  const want = [
    { text: "Alice Smith wins", spans: [{ start: 0, end: 11, label: "PER" }] },
    { text: "NIH", spans: [{ start: 0, end: 3, label: "ORG" }] },
  ];
  for (const eol of ["\n", "\r\n", "\r"]) {
    const docs = readConll(lf.replaceAll("\n", eol));
    assert.deepEqual(
      docs.map((d) => ({ text: d.text, spans: d.spans })),
      want,
      JSON.stringify(eol),
    );
  }
  // line numbers count lone CRs too
  assert.throws(() => readConll("a O\rb O\rc X-Y\r", { file: "f" }), /^CorpusError: f:3: /);
});

Deno.test("readConll: tokens and tags are trimmed on the tab path as on the space path", () => {
  // "Alice\tB-PER " once gave the label "PER ", and so two entities for one name
  const text = "Alice\tB-PER \n Smith \t I-PER\nwins\tO\t\n";
  const [doc] = readConll(text);
  assert.equal(doc.text, "Alice Smith wins");
  assert.deepEqual(doc.spans, [{ start: 0, end: 11, label: "PER" }]);
  assert.deepEqual(readConll(text.replaceAll("\t", " ")), [doc]);
});

Deno.test("readConll: what writeConll could not write is refused, or skipped and reported", () => {
  const text = "New York\tB-LOC\nis\tO\nbig\tO\n";
  assert.throws(
    () => readConll(text, { file: "t.tsv" }),
    /^CorpusError: t\.tsv:1: token "New York" contains white space \(invalid: "skip"/,
  );
  const report: ReadReport = { skipped: [] };
  const docs = readConll(text, { file: "t.tsv", invalid: "skip", report });
  assert.deepEqual(report.skipped, [
    { file: "t.tsv", line: 1, reason: 'token "New York" contains white space' },
  ]);
  assert.equal(docs[0].text, "is big");
  // read, then written and read again: the same documents
  assert.deepEqual(
    readConll(writeConll(docs)),
    docs.map((d) => ({ ...d, meta: { ...d.meta, line: 3 } })),
  );
});

Deno.test("readConll: each unreadable line is an error naming the option, or skipped with invalid: skip", () => {
  const lines = [
    "\tO", // 1: empty token column
    "a\tO", // 2
    "b\tO\tx", // 3: 3 columns
    "c\tX-PER", // 4: no such prefix
    "d\tB-", // 5: no type
    "e\tB-O", // 6: label "O"
    "f\tB-B-PER", // 7: label with a tag prefix
    "g\tB-PER X", // 8: label with white space
    "h\tE-PER", // 9: E- is not IOB2
    "i\tI-PER", // 10
  ];
  const text = lines.join("\n") + "\n";
  assert.throws(
    () => readConll(text, { file: "w.tsv" }),
    /^CorpusError: w\.tsv:1: column 0 is empty \(invalid: "skip", or --skip-invalid/,
  );
  const report: ReadReport = { skipped: [] };
  const [doc, ...rest] = readConll(text, { file: "w.tsv", invalid: "skip", report });
  assert.equal(rest.length, 0);
  assert.equal(doc.text, "a i");
  assert.deepEqual(doc.spans, [{ start: 2, end: 3, label: "PER" }]);
  assert.deepEqual(
    report.skipped.map((s) => [s.file, s.line]),
    [1, 3, 4, 5, 6, 7, 8, 9].map((l) => ["w.tsv", l]),
  );
  const reasons = report.skipped.map((s) => s.reason);
  assert.match(reasons[1], /^3 columns, expected 2 \(as on line 2\)$/);
  assert.match(reasons[2], /"X-PER"/);
  assert.match(reasons[4], /label "O" is "O"/);
  assert.match(reasons[5], /label "B-PER" starts with the tag prefix B-/);
  assert.match(reasons[6], /label "PER X" contains whitespace/);
  assert.match(reasons[7], /prefix E- is not allowed in IOB2/);
  // every skipped line, one at a time, is the first error without the option
  for (const { line, reason } of report.skipped) {
    const only = lines.map((l, i) => (i + 1 === line ? l : "a\tO")).join("\n");
    assert.throws(() => readConll(only, { file: "w.tsv" }), (e: unknown) => {
      assert.ok(e instanceof CorpusError);
      assert.equal(e.line, line);
      // the same reason, up to positions and line numbers
      const shape = (r: string) => r.replace(/\d+/g, "N");
      assert.ok(shape(e.detail).startsWith(shape(reason)), e.message);
      return true;
    });
  }
});

Deno.test("readConll: a skipped line inside a sentence leaves the sentence rebuilt from the kept tokens", () => {
  const report: ReadReport = { skipped: [] };
  const text = "Alice\tB-PER\nvan der\tI-PER\nSmith\tI-PER\nwins\tO\n\nBob\tB-PER\n";
  const docs = readConll(text, { invalid: "skip", report, documents: "file" });
  assert.equal(report.skipped.length, 1);
  assert.equal(report.skipped[0].line, 2);
  // the kept I-PER continues Alice's entity (conlleval's reading)
  assert.equal(docs[0].text, "Alice Smith wins\nBob");
  assert.deepEqual(docs[0].spans, [
    { start: 0, end: 11, label: "PER" },
    { start: 17, end: 20, label: "PER" },
  ]);
  assert.deepEqual(docs[0].meta?.sentences, [{ start: 0, end: 16 }, { start: 17, end: 20 }]);
  // a sentence whose every line is skipped is no sentence, and no document
  const none = readConll("x y\tO\n\nBob\tB-PER\n", { invalid: "skip", report: { skipped: [] } });
  assert.deepEqual(none.map((d) => [d.id, d.text]), [["doc-1", "Bob"]]);
  // a malformed first line does not set the column count for the lines after it
  const [fine] = readConll("a b c X\nBob B-PER\n", { invalid: "skip", report: { skipped: [] } });
  // skipping needs a report to list what it skips
  assert.throws(
    () => readConll("a O\n", { file: "f", invalid: "skip" }),
    /readConll \(f\): invalid: "skip" needs a report/,
  );
  assert.equal(fine.text, "Bob");
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
