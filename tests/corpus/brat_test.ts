import assert from "node:assert/strict";
import { readBrat, writeBrat } from "../../lib/corpus/brat.ts";
import { CorpusError } from "../../lib/core/errors.ts";
import type { Doc } from "../../lib/core/types.ts";

const TXT = "Alice Smith thanks the NIH and Bob.";
//           0    5 6   11 12  18 19 22 23 26 27 30 31 34

Deno.test("readBrat: T lines become spans; other lines are counted", () => {
  const ann = [
    "T1\tPER 0 11\tAlice Smith",
    "T2\tORG 23 26\tNIH",
    "#1\tAnnotatorNotes T2\tfunder",
    "T3\tPER 31 34\tBob",
    "R1\tThanks Arg1:T1 Arg2:T2",
    "A1\tNegated T3",
    "",
  ].join("\n");
  const { doc, report } = readBrat(TXT, ann, { id: "d1" });
  assert.deepEqual(doc, {
    id: "d1",
    text: TXT,
    spans: [
      { start: 0, end: 11, label: "PER" },
      { start: 23, end: 26, label: "ORG" },
      { start: 31, end: 34, label: "PER" },
    ],
  });
  assert.deepEqual(report, {
    ignored: { "#": 1, R: 1, A: 1 },
    discontinuous: [],
    otherTypes: 0,
    skipped: [],
  });
});

Deno.test("readBrat: code-point offsets are converted to UTF-16", () => {
  // Python: "😀 Ann"[2:5] == "Ann"
  const { doc } = readBrat("😀 Ann", "T1\tPER 2 5\tAnn\n");
  assert.deepEqual(doc.spans, [{ start: 3, end: 6, label: "PER" }]);
  assert.throws(
    () => readBrat("😀 Ann", "T1\tPER 3 5\tAnn\n"),
    /mention text "Ann" differs from the text at its offsets "nn"/,
  );
  assert.throws(
    () => readBrat("😀 Ann", "T1\tPER 3 6\tAnn\n"),
    /end is past the end of the text \(length 5\)/,
  );
  assert.deepEqual(readBrat("😀 Ann", "T1\tPER 3 6\tAnn\n", { offsets: "utf16" }).doc.spans, [
    { start: 3, end: 6, label: "PER" },
  ]);
});

Deno.test("readBrat: discontinuous mentions are an error unless an option says otherwise", () => {
  const ann = "T1\tPER 0 5;12 18\tAlice thanks\nT2\tORG 23 26\tNIH\n";
  assert.throws(
    () => readBrat(TXT, ann, { file: "d.ann", id: "d" }),
    /^CorpusError: d\.ann:1: document d: span \[0, 18\) PER: T1: discontinuous mention 0 5;12 18/,
  );
  const frag = [{ start: 0, end: 5 }, { start: 12, end: 18 }];
  const span = readBrat(TXT, ann, { discontinuous: "span" });
  assert.deepEqual(span.doc.spans.slice(0, 1), [{ start: 0, end: 18, label: "PER" }]);
  assert.deepEqual(span.report.discontinuous, [
    { id: "T1", line: 1, label: "PER", fragments: frag, action: "span" },
  ]);
  const frags = readBrat(TXT, ann, { discontinuous: "fragments" });
  assert.deepEqual(frags.doc.spans.map((s) => [s.start, s.end]), [[0, 5], [12, 18], [23, 26]]);
  const skip = readBrat(TXT, ann, { discontinuous: "skip" });
  assert.deepEqual(skip.doc.spans, [{ start: 23, end: 26, label: "ORG" }]);
  assert.equal(skip.report.discontinuous[0].action, "skip");
});

Deno.test("readBrat: errors name file, line and span", () => {
  const cases: [string, RegExp][] = [
    [
      "T1\tPER 0 5\tAlicE\n",
      /^a\.ann:1: document brat: span \[0, 5\) PER: T1: mention text "AlicE" differs/,
    ],
    [
      "\nT1\tPER 30 40\tx\n",
      /^a\.ann:2: .*span \[30, 40\) PER: T1: end is past the end of the text \(length 35\)/,
    ],
    ["T1\tPER 5 5\t\n", /^a\.ann:1: .*T1: start >= end/],
    ["T1 PER 0 5 Alice\n", /^a\.ann:1: .*malformed text-bound line/],
    ["X1\tfoo\n", /^a\.ann:1: .*unknown annotation line/],
    [
      "T1\tPER 0 11\tAlice Smith\nT2\tPER 6 11\tSmith\n",
      /^a\.ann:2: document brat: span \[6, 11\) PER: T2 overlaps T1 \[0, 11\) PER on line 1/,
    ],
  ];
  for (const [ann, re] of cases) {
    assert.throws(() => readBrat(TXT, ann, { file: "a.ann" }), (e: unknown) => {
      assert.ok(e instanceof CorpusError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
  const kept = readBrat(TXT, "T1\tPER 0 11\tAlice Smith\nT2\tPER 6 11\tSmith\n", {
    overlap: "keep",
  });
  assert.equal(kept.doc.spans.length, 2);
  const typed = readBrat(TXT, "T1\tPER 0 5\tAlice\nT2\tThank 12 18\tthanks\nE1\tThank:T2\n", {
    entityTypes: ["PER"],
  });
  assert.deepEqual(typed.doc.spans, [{ start: 0, end: 5, label: "PER" }]);
  assert.deepEqual(typed.report, {
    ignored: { E: 1 },
    discontinuous: [],
    otherTypes: 1,
    skipped: [],
  });
});

Deno.test("writeBrat: hand-worked output", () => {
  const doc: Doc = { id: "x", text: "😀 Ann", spans: [{ start: 3, end: 6, label: "PER" }] };
  assert.deepEqual(writeBrat(doc), { txt: "😀 Ann", ann: "T1\tPER 2 5\tAnn\n" });
  assert.throws(
    () => writeBrat({ id: "x", text: "a\nb", spans: [{ start: 0, end: 3, label: "P" }] }),
    /document x: span \[0, 3\) P: span text contains a line break/,
  );
});

Deno.test(".ann: a leading BOM is dropped; LF, CRLF and CR all end lines", () => {
  const lines = ["T1\tPER 0 11\tAlice Smith", "R1\tThanks Arg1:T1 Arg2:T2", "T2\tORG 23 26\tNIH"];
  for (const eol of ["\n", "\r\n", "\r"]) {
    for (const bom of ["", "\uFEFF"]) {
      const { doc, report } = readBrat(TXT, bom + lines.join(eol) + eol, { id: "d" });
      assert.deepEqual(doc.spans, [
        { start: 0, end: 11, label: "PER" },
        { start: 23, end: 26, label: "ORG" },
      ]);
      assert.deepEqual(report.ignored, { R: 1 });
    }
  }
  // line numbers count CR-only line ends too
  assert.throws(
    () => readBrat(TXT, "T1\tPER 0 5\tAlice\r\rT2\tORG 23 26\tNHI\r", { file: "a.ann" }),
    /^CorpusError: a\.ann:3: .*T2: mention text "NHI" differs/,
  );
});

Deno.test(".txt: taken as given, a BOM is character 0 and each \\r a character, as in brat", () => {
  // hand-worked: \uFEFF is 0, "Ann" [1, 4), \r 4, \n 5, "Bob" [6, 9)
  const txt = "\uFEFFAnn\r\nBob";
  const { doc } = readBrat(txt, "T1\tPER 1 4\tAnn\nT2\tPER 6 9\tBob\n");
  assert.equal(doc.text, txt);
  assert.deepEqual(doc.spans, [{ start: 1, end: 4, label: "PER" }, {
    start: 6,
    end: 9,
    label: "PER",
  }]);
  // offsets that do not count the BOM are wrong; the error says how offsets count
  assert.throws(
    () => readBrat(txt, "T1\tPER 0 3\tAnn\n", { file: "a.ann" }),
    /^CorpusError: a\.ann:1: .*mention text "Ann" differs from the text at its offsets "\uFEFFAn" \(offsets count every character of the \.txt, its byte-order mark and each \\r included\)/,
  );
});

Deno.test("readBrat: labels are checked as read; a mention may hold U+2028", () => {
  assert.throws(
    () => readBrat(TXT, "T1\tPER 0 5\tAlice\nT2\tB-ORG 23 26\tNIH\n", { file: "a.ann" }),
    /^CorpusError: a\.ann:2: document brat: span \[23, 26\) B-ORG: label "B-ORG" starts with the tag prefix B-/,
  );
  assert.throws(
    () => writeBrat({ id: "x", text: "Ann", spans: [{ start: 0, end: 3, label: "O" }] }),
    /document x: span \[0, 3\) O: label "O" is "O"/,
  );
  // JavaScript's "." stops at U+2028; what writeBrat writes, readBrat reads
  const doc: Doc = { id: "x", text: "a\u2028b", spans: [{ start: 0, end: 3, label: "P" }] };
  const { txt, ann } = writeBrat(doc);
  assert.deepEqual(readBrat(txt, ann, { id: "x" }).doc, doc);
});

Deno.test('readBrat: unreadable lines are errors naming the option; invalid: "skip" lists each', () => {
  const ann = [
    "T1\tPER 0 11\tAlice Smith",
    "T2 ORG 23 26 NIH", // spaces for tabs
    "T3\tPER 31 40\tBob", // past the end
    "T4\tORG 23 26\tNHI", // mention differs
    "T5\tB-ORG 23 26\tNIH", // label with a tag prefix
    "X1\tfoo", // unknown kind
    "T7\tPER 6 11\tSmith", // overlaps T1
    "T8\tPER 12 18;31 34\tthanks Bob", // discontinuous
    "T9\tORG 23 26\tNIH",
  ].join("\n");
  assert.throws(
    () => readBrat(TXT, ann, { file: "a.ann" }),
    /^CorpusError: a\.ann:2: .*malformed text-bound line.*\(invalid: "skip".* skips such lines and reports each one\)$/,
  );
  const { doc, report } = readBrat(TXT, ann, { file: "a.ann", id: "d", invalid: "skip" });
  assert.deepEqual(doc.spans, [
    { start: 0, end: 11, label: "PER" },
    { start: 23, end: 26, label: "ORG" },
  ]);
  assert.deepEqual(report.skipped.map((s) => [s.line, s.span?.label]), [
    [2, undefined],
    [3, "PER"],
    [4, "ORG"],
    [5, "B-ORG"],
    [6, undefined],
    [8, "PER"],
    [7, "PER"],
  ]);
  assert.ok(report.skipped.every((s) => s.file === "a.ann" && s.docId === "d"));
  assert.match(report.skipped[6].reason, /T7 overlaps T1/);
});
