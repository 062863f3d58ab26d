/**
 * Properties of the CoNLL reader and writer over generated input: documents written and
 * read back are the same; any bytes either read or fail with a CorpusError naming the
 * line; with `invalid: "skip"` every tagged entity line is in a span or in the report.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { fragmentBytesArb } from "./fixtures/corpus_arbitraries.ts";
import { readConll, writeConll } from "../../lib/corpus/conll.ts";
import { checkLabel, CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import type { Doc, Range, Span } from "../../lib/core/types.ts";
import { SCHEMES } from "../../lib/core/scheme.ts";

const passes = (f: () => void) => {
  try {
    f();
    return true;
  } catch {
    return false;
  }
};

/** Tokens the writer can write: no white space, not the document marker. */
const token = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9.,'-]{1,5}$/),
  fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
).filter((t) => !/\s/.test(t) && t !== "-DOCSTART-");

/** Labels a reader accepts. */
const label = fc.oneof(
  fc.constantFrom("PER", "ORG", "creative-work"),
  fc.string({ unit: "binary", minLength: 1, maxLength: 4 }),
).filter((l) => passes(() => checkLabel(l, {})));

/** A document as sentences of segments: words, and the label of the entity they form (or none). */
const docArb = fc.array(
  fc.array(
    fc.record({
      words: fc.array(token, { minLength: 1, maxLength: 3 }),
      label: fc.option(label, { nil: null, freq: 2 }),
    }),
    { minLength: 1, maxLength: 4 },
  ),
  { minLength: 1, maxLength: 3 },
);

/** The document's text (one space between words, a newline between sentences), spans and sentences. */
function buildDoc(sentences: { words: string[]; label: string | null }[][], id: string) {
  let text = "";
  const spans: Span[] = [];
  const ranges: Range[] = [];
  for (const sentence of sentences) {
    if (ranges.length) text += "\n";
    const start = text.length;
    sentence.forEach((seg, i) => {
      if (i > 0) text += " ";
      const from = text.length;
      text += seg.words.join(" ");
      if (seg.label !== null) spans.push({ start: from, end: text.length, label: seg.label });
    });
    ranges.push({ start, end: text.length });
  }
  return { doc: { id, text, spans } as Doc, sentences: ranges };
}

Deno.test("property: documents written by writeConll read back with the same text, spans and sentences", () => {
  fc.assert(
    fc.property(
      fc.array(docArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom(...SCHEMES),
      fc.constantFrom(" " as const, "\t" as const),
      (raw, scheme, separator) => {
        const built = raw.map((s, i) => buildDoc(s, `d${i}`));
        const back = readConll(writeConll(built.map((b) => b.doc), { scheme, separator }), {
          scheme,
        });
        assert.equal(back.length, built.length);
        back.forEach((doc, i) => {
          assert.equal(doc.text, built[i].doc.text);
          assert.deepEqual(doc.spans, built[i].doc.spans);
          assert.deepEqual(doc.meta?.sentences, built[i].sentences);
        });
      },
    ),
    { numRuns: 300 },
  );
});

/** Pieces that make CoNLL-looking bytes likelier than uniform bytes would. */
const FRAGMENTS = [
  "\uFEFF",
  "\r",
  "\n",
  "\r\n",
  "\t",
  " ",
  "  ",
  "-DOCSTART-",
  "-DOCSTART- O\n",
  "B-",
  "I-",
  "E-",
  "S-",
  "L-",
  "U-",
  "O",
  "PER",
  "X",
  "B-PER",
  "I-PER",
  "B-O",
  "B-B-X",
  "\u00A0",
  "é",
  "\u2028",
  "\u0085",
  "\u3000",
  "😀",
  "a",
  "NIH",
  "-",
];
const anyText = fragmentBytesArb(FRAGMENTS, 6);

Deno.test("property: any bytes read, or fail with a CorpusError naming file and line; skipped input writes back", () => {
  fc.assert(
    fc.property(
      anyText,
      fc.constantFrom(...SCHEMES),
      fc.constantFrom("default" as const, "strict" as const),
      fc.constantFrom("auto" as const, "docstart" as const, "sentence" as const, "file" as const),
      (text, scheme, mode, documents) => {
        const opts = { file: "f.conll", scheme, mode, documents };
        try {
          readConll(text, opts);
        } catch (e) {
          assert.ok(e instanceof CorpusError, String(e));
          assert.equal(e.file, "f.conll");
          assert.ok(Number.isInteger(e.line) && e.line! >= 1, e.message);
        }
        // skipping: never an error, every skip placed, and what was read can be written
        const report: ReadReport = { skipped: [] };
        const docs = readConll(text, { ...opts, invalid: "skip", report });
        for (const s of report.skipped) assert.ok(s.file === "f.conll" && s.line! >= 1);
        const again = readConll(writeConll(docs, { scheme }), { scheme, mode });
        assert.deepEqual(again.map((d) => [d.text, d.spans]), docs.map((d) => [d.text, d.spans]));
      },
    ),
    { numRuns: 400 },
  );
});

/** Token-line parts, odd ones included (white space, empty, a BOM, NEL, ideographic space). */
const lineToken = fc.oneof(
  fc.stringMatching(/^[A-Za-z]{1,4}$/),
  fc.constantFrom(
    "",
    " ",
    "a b",
    "\u00A0x",
    "x\u3000",
    "\uFEFF",
    "New York",
    " Ann",
    "Bo ",
    "\u0085",
  ),
  fc.string({ maxLength: 3 }).filter((s) => !/[\r\n]/.test(s) && !s.includes("-DOCSTART-")),
);
const lineTag = fc.oneof(
  fc.constantFrom("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "E-PER", "S-ORG", "L-PER", "U-X"),
  fc.constantFrom("B-", "X-PER", "B-O", "B-B-X", "I-PER ", " B-ORG", "B-PER x", "B-PER\tx", "O x"),
  fc.constantFrom("B-", "I-").chain((p) =>
    fc.string({ minLength: 1, maxLength: 3 }).filter((s) => !/[\r\n]/.test(s)).map((s) => p + s)
  ),
);
const record = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.tuple(lineToken, fc.constantFrom(" ", "\t", " \t", "\t\t"), lineTag)
      .map(([t, sep, tag]) => ({ kind: "token" as const, line: t + sep + tag })),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom("", " ", "\t", "\u00A0").map((line) => ({
      kind: "blank" as const,
      line,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      "-DOCSTART-",
      "-DOCSTART- O",
      "-DOCSTART-\tO",
      "-DOCSTART- -X- -X- O",
    ).map((line) => ({ kind: "docstart" as const, line })),
  },
);

Deno.test("property: with invalid: skip, every entity-tagged line is in a span or in the report", () => {
  fc.assert(
    fc.property(
      fc.array(record, { maxLength: 30 }),
      fc.constantFrom("\n", "\r\n", "\r"),
      fc.boolean(),
      fc.constantFrom(...SCHEMES),
      (records, eol, bom, scheme) => {
        const text = (bom ? "\uFEFF" : "") + records.map((r) => r.line + eol).join("");
        const report: ReadReport = { skipped: [] };
        const docs = readConll(text, { file: "f", scheme, invalid: "skip", report });
        const skipped = new Set(report.skipped.map((s) => s.line));
        // the kept token lines, in file order, are the documents' tokens, in order
        const tokens = docs.flatMap((doc) =>
          (doc.meta?.tokens as Range[]).map((range) => ({ doc, range }))
        );
        let k = 0;
        records.forEach((r, i) => {
          if (r.kind !== "token" || skipped.has(i + 1)) return;
          assert.equal(r.line.trim() === "", false);
          const t = tokens[k++];
          assert.ok(t, `line ${i + 1} ${JSON.stringify(r.line)} kept but no token`);
          // the tag is the last field; an entity tag's token is inside a span of its label
          const m = /^[BIESLU]-(.+)$/.exec(r.line.trim().split(/\s+/).pop()!);
          if (!m) return;
          assert.ok(
            t.doc.spans.some((s) =>
              s.start <= t.range.start && t.range.end <= s.end && s.label === m[1]
            ),
            `line ${i + 1} ${JSON.stringify(r.line)}: not in a span of ${m[1]}`,
          );
        });
        assert.equal(k, tokens.length, "tokens that come from no line");
      },
    ),
    { numRuns: 400 },
  );
});
