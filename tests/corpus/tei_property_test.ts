/**
 * Properties of the TEI reader over generated input: documents written as inline XML read
 * back the same; any bytes either read or fail with a CorpusError naming the line; with
 * `invalid: "skip"` every mapped element is a span, a nested span or in the report.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { fragmentBytesArb } from "./fixtures/corpus_arbitraries.ts";
import { GROBID_PERSON_ORG, readTei } from "../../lib/corpus/tei.ts";
import { CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import type { Span } from "../../lib/core/types.ts";

const ELEMENTS = Object.keys(GROBID_PERSON_ORG);

/**
 * Text as XML content, written independently of the reader: `&`, `<` and `>` as named or
 * numeric references, a CR always as `&#13;` (a raw one would read as LF, as XML asks).
 */
function escape(text: string, numeric: boolean): string {
  return text.replace(
    /[&<>\r]/g,
    (c) =>
      c === "\r"
        ? "&#13;"
        : numeric
        ? `&#${c.codePointAt(0)};`
        : c === "&"
        ? "&amp;"
        : c === "<"
        ? "&lt;"
        : "&gt;",
  );
}

/** Any text, with the characters XML escapes made likely. */
const text = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("&", "<", ">", "\r\n", "\r", "\n", " ", "]]>", "&amp;", "é😀"),
);
/** A statement: plain runs and entities (text with something besides white space). */
const statement = fc.array(
  fc.record({
    text,
    element: fc.option(fc.constantFrom(...ELEMENTS), { nil: null }),
    wrap: fc.boolean(), // plain runs inside an unmapped element, as <grantNumber> is
  }).filter((s) => s.element === null || s.text.trim() !== ""),
  { maxLength: 5 },
);

Deno.test("property: documents written as inline XML read back with the same text and spans", () => {
  fc.assert(
    fc.property(
      fc.array(statement, { minLength: 1, maxLength: 3 }),
      fc.boolean(),
      fc.constantFrom("\n", "\r\n", "\r"),
      (statements, numeric, eol) => {
        let xml = `<?xml version="1.0"?>${eol}<acknowledgments>${eol}`;
        const want: { text: string; spans: Span[] }[] = [];
        for (const segments of statements) {
          xml += "<acknowledgment>";
          let t = "";
          const spans: Span[] = [];
          for (const s of segments) {
            const body = escape(s.text, numeric);
            if (s.element !== null) {
              xml += `<${s.element} type="x">${body}</${s.element}>`;
              spans.push({
                start: t.length,
                end: t.length + s.text.length,
                label: GROBID_PERSON_ORG[s.element],
              });
            } else xml += s.wrap ? `<grantNumber>${body}</grantNumber>` : body;
            t += s.text;
          }
          xml += `</acknowledgment>${eol}`;
          want.push({ text: t, spans });
        }
        xml += "</acknowledgments>" + eol;
        const docs = readTei(xml, { labels: GROBID_PERSON_ORG });
        assert.deepEqual(docs.map((d) => ({ text: d.text, spans: d.spans })), want);
      },
    ),
    { numRuns: 300 },
  );
});

/** Pieces that make XML-looking bytes likelier than uniform bytes would. */
const FRAGMENTS = [
  "<acknowledgment>",
  "</acknowledgment>",
  "<funding>",
  "</funding>",
  "<individual>",
  "</individual>",
  "<funder/>",
  "<funder>",
  "</funder>",
  "<r>",
  "</r>",
  '<a x="1">',
  "</a>",
  "&amp;",
  "&#x1F600;",
  "&#0;",
  "&#xD800;",
  "&nbsp;",
  "&",
  "<",
  ">",
  "/>",
  "</",
  "<!--",
  "-->",
  "<![CDATA[",
  "]]>",
  "<?x ",
  "?>",
  "<!DOCTYPE r [",
  "]>",
  "\uFEFF",
  "\r",
  "\n",
  "\r\n",
  " ",
  "\t",
  "Ann",
  "é",
];
const anyText = fragmentBytesArb(FRAGMENTS, 4);

Deno.test("property: any bytes read, or fail with a CorpusError naming file and line", () => {
  fc.assert(
    fc.property(anyText, fc.boolean(), (xml, skip) => {
      const report: ReadReport = { skipped: [] };
      try {
        readTei(xml, {
          labels: GROBID_PERSON_ORG,
          file: "a.xml",
          ...(skip ? { invalid: "skip" as const, report } : {}),
        });
      } catch (e) {
        assert.ok(e instanceof CorpusError, String(e));
        assert.equal(e.file, "a.xml");
        assert.ok(Number.isInteger(e.line) && e.line! >= 1, e.message);
      }
      for (const s of report.skipped) assert.ok(s.line! >= 1 && s.docId !== undefined);
    }),
    { numRuns: 500 },
  );
});

type Node = string | { name: string; children: Node[] };
const { node } = fc.letrec<{ node: Node; element: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom("", " ", "\n", "\t ", "\u00A0", "Ann", " NIH ", "&amp;", "&#32;"),
    tie("element"),
  ),
  element: fc.record({
    name: fc.constantFrom(...ELEMENTS, "hi"),
    children: fc.array(tie("node"), { maxLength: 3 }),
  }),
}));

/** The element's text, as XML decodes it. */
const textOf = (n: Node): string =>
  typeof n === "string"
    ? n.replaceAll("&amp;", "&").replaceAll("&#32;", " ")
    : n.children.map(textOf).join("");
const xmlOf = (n: Node): string =>
  typeof n === "string" ? n : `<${n.name}>${n.children.map(xmlOf).join("")}</${n.name}>`;

Deno.test("property: with invalid: skip, every mapped element is a span, a nested one or in the report", () => {
  fc.assert(
    fc.property(fc.array(fc.array(node, { maxLength: 4 }), { maxLength: 4 }), (statements) => {
      // expected, from the tree: blank elements (no text or white space only) are
      // skipped; the others are spans when outermost, nested ones inside another
      const want = { spans: [] as string[], nested: 0, skipped: 0 };
      const walk = (n: Node, inside: boolean) => {
        if (typeof n === "string") return;
        const mapped = Object.hasOwn(GROBID_PERSON_ORG, n.name);
        if (mapped) {
          const t = textOf(n);
          if (t.trim() === "") want.skipped++;
          else if (inside) want.nested++;
          else want.spans.push(t);
        }
        for (const c of n.children) walk(c, inside || mapped);
      };
      for (const s of statements) for (const n of s) walk(n, false);
      const xml = "<r>\n" +
        statements.map((s) => `<acknowledgment>${s.map(xmlOf).join("")}</acknowledgment>\n`)
          .join("") +
        "</r>";

      const report: ReadReport = { skipped: [] };
      const docs = readTei(xml, { labels: GROBID_PERSON_ORG, invalid: "skip", report });
      assert.deepEqual(
        docs.flatMap((d) => d.spans.map((s) => d.text.slice(s.start, s.end))),
        want.spans,
      );
      const nested = docs.reduce((k, d) => k + ((d.meta?.nested as unknown[]) ?? []).length, 0);
      assert.equal(nested, want.nested);
      assert.equal(report.skipped.length, want.skipped);
      // without skipping, the first blank element is the error
      if (want.skipped > 0) {
        assert.throws(() => readTei(xml, { labels: GROBID_PERSON_ORG }), CorpusError);
      } else assert.deepEqual(readTei(xml, { labels: GROBID_PERSON_ORG }), docs);
    }),
    { numRuns: 300 },
  );
});
