import assert from "node:assert/strict";
import { GROBID_PERSON_ORG, type NestedSpan, readTei } from "../../lib/corpus/tei.ts";
import { CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import { readData } from "../data_dir.ts";

Deno.test("readTei: text kept exactly, entities decoded, unmapped elements are text", () => {
  const xml = `<?xml version="1.0"?>
<!-- a comment -->
<acknowledgments>
  <acknowledgment>We  thank <individual>Ann &amp; Bo</individual>,\n
<funder type="x>y">NIH</funder> (<grantNumber>R01</grantNumber>) &lt;3 &#233;&#x1F600;<![CDATA[<raw>&]]><!-- gone --></acknowledgment>
  <funding><institution>MIT</institution></funding>
  <acknowledgment/>
</acknowledgments>
`;
  const docs = readTei(xml, { labels: GROBID_PERSON_ORG });
  assert.deepEqual(docs.map((d) => d.id), ["acknowledgment-1", "funding-1", "acknowledgment-2"]);
  const [a, f, empty] = docs;
  assert.equal(a.text, "We  thank Ann & Bo,\n\nNIH (R01) <3 é😀<raw>&");
  assert.deepEqual(a.spans, [
    { start: 10, end: 18, label: "PERSON" },
    { start: 21, end: 24, label: "ORG" },
  ]);
  assert.equal(a.text.slice(10, 18), "Ann & Bo");
  assert.deepEqual(a.meta, { element: "acknowledgment", line: 4 });
  assert.deepEqual(f, {
    id: "funding-1",
    text: "MIT",
    spans: [{ start: 0, end: 3, label: "ORG" }],
    meta: { element: "funding", line: 7 }, // the \n escape on line 4 adds a line
  });
  assert.equal(empty.text, "");
});

Deno.test("readTei: nested mapped elements keep the outermost and are reported", () => {
  const xml = "<r>\n<acknowledgment>I thank <individual>Cate (<affiliation>ANIC</affiliation>)" +
    "</individual> and <funder><funder>NASA</funder></funder>.</acknowledgment></r>";
  const seen: NestedSpan[] = [];
  const [doc] = readTei(xml, {
    labels: GROBID_PERSON_ORG,
    onNested: (n) => seen.push(n),
    idPrefix: "x/",
  });
  assert.equal(doc.text, "I thank Cate (ANIC) and NASA.");
  assert.deepEqual(doc.spans, [
    { start: 8, end: 19, label: "PERSON" },
    { start: 24, end: 28, label: "ORG" },
  ]);
  const want: NestedSpan[] = [
    {
      docId: "x/acknowledgment-1",
      line: 2,
      outer: { start: 8, end: 19, label: "PERSON", element: "individual" },
      inner: { start: 14, end: 18, label: "ORG", element: "affiliation" },
    },
    {
      docId: "x/acknowledgment-1",
      line: 2,
      outer: { start: 24, end: 28, label: "ORG", element: "funder" },
      inner: { start: 24, end: 28, label: "ORG", element: "funder" },
    },
  ];
  assert.deepEqual(seen, want);
  assert.deepEqual(doc.meta?.nested, want);
});

Deno.test("readTei: malformed XML is an error naming file and line", () => {
  const cases: [string, RegExp][] = [
    [
      "<r>\n<acknowledgment>a <funder>b</acknowledgment></r>",
      /^a\.xml:2: closing tag <\/acknowledgment> does not match <funder> opened on line 2/,
    ],
    [
      "<r>\n<acknowledgment>a\n</r>",
      /^a\.xml:3: closing tag <\/r> does not match <acknowledgment> opened on line 2/,
    ],
    [
      "<r>\n<acknowledgment>a</acknowledgment>\n",
      /^a\.xml:3: <r> opened on line 1 is never closed/,
    ],
    ["<r></r>\n</r>", /^a\.xml:2: closing tag <\/r> with no element open/],
    [
      "<r>\n<acknowledgment>AT&T</acknowledgment></r>",
      /^a\.xml:2: unknown or malformed entity "&T<\/ack|^a\.xml:2: unknown or malformed entity/,
    ],
    [
      "<r>\n<acknowledgment>\n&nbsp;</acknowledgment></r>",
      /^a\.xml:3: unknown or malformed entity "&nbsp;"/,
    ],
    [
      "<r>stray\n<acknowledgment>a</acknowledgment></r>",
      /^a\.xml:1: text "stray" outside a statement element/,
    ],
    [
      "<r><acknowledgment><acknowledgment>a</acknowledgment></acknowledgment></r>",
      /^a\.xml:1: statement <acknowledgment> inside statement acknowledgment-1/,
    ],
    [
      "<r><acknowledgment>a <funder></funder></acknowledgment></r>",
      /^a\.xml:1: document acknowledgment-1: <funder> \(label ORG\) has no text/,
    ],
    ["<r><acknowledgment>1 < 2</acknowledgment></r>", /^a\.xml:1: '<' that does not start a tag/],
  ];
  for (const [xml, re] of cases) {
    assert.throws(
      () => readTei(xml, { labels: GROBID_PERSON_ORG, file: "a.xml" }),
      (e: unknown) => {
        assert.ok(e instanceof CorpusError, String(e));
        assert.match(e.message, re);
        return true;
      },
    );
  }
});

Deno.test("readTei: a mapped element of only white space is refused, or skipped and reported", () => {
  const xml = "<r>\n<acknowledgment>We thank <individual> \n</individual> and " +
    "<funder>NIH</funder>.</acknowledgment></r>";
  assert.throws(() => readTei(xml, { labels: GROBID_PERSON_ORG, file: "a.xml" }), (e: unknown) => {
    assert.ok(e instanceof CorpusError);
    assert.match(
      e.message,
      /^a\.xml:2: document acknowledgment-1: <individual> \(label PERSON\) has only white space \(invalid: "skip"/,
    );
    return true;
  });
  const report: ReadReport = { skipped: [] };
  const [doc] = readTei(xml, { labels: GROBID_PERSON_ORG, file: "a.xml", invalid: "skip", report });
  // its text stays in the document, as plain text
  assert.equal(doc.text, "We thank  \n and NIH.");
  assert.deepEqual(doc.spans, [{ start: 16, end: 19, label: "ORG" }]); // "We thank " 9, " \n" 2, " and " 5
  assert.deepEqual(report.skipped, [{
    file: "a.xml",
    line: 2,
    docId: "acknowledgment-1",
    reason: "<individual> (label PERSON) has only white space",
  }]);
  // nested inside an entity: skipped too, not listed as nested
  const nested = "<r><acknowledgment><funder>NIH <funder> </funder></funder></acknowledgment></r>";
  const r2: ReadReport = { skipped: [] };
  const [n] = readTei(nested, { labels: GROBID_PERSON_ORG, invalid: "skip", report: r2 });
  assert.deepEqual(n.spans, [{ start: 0, end: 5, label: "ORG" }]);
  assert.equal(n.meta?.nested, undefined);
  assert.equal(r2.skipped.length, 1);
});

Deno.test("readTei: BOM dropped; CRLF and lone CR read as LF, with lines counted", () => {
  const lf = "<r>\n<acknowledgment>Ann\n<individual>Bo\nLee</individual></acknowledgment>\n</r>\n";
  const [want] = readTei(lf, { labels: GROBID_PERSON_ORG });
  assert.equal(want.text, "Ann\nBo\nLee");
  for (const eol of ["\r\n", "\r"]) {
    const docs = readTei("\uFEFF" + lf.replaceAll("\n", eol), { labels: GROBID_PERSON_ORG });
    assert.deepEqual(docs, [want], JSON.stringify(eol));
    assert.throws(
      () => readTei(`<r>${eol}<acknowledgment>${eol}&nbsp;</acknowledgment></r>`, { labels: {} }),
      /^CorpusError: line 3: unknown or malformed entity/,
    );
  }
  // a CR written as a character reference is kept
  assert.equal(
    readTei("<acknowledgment>a&#13;\r\nb</acknowledgment>", { labels: {} })[0].text,
    "a\r\nb",
  );
});

Deno.test("readTei: the mapping's labels are checked", () => {
  for (
    const [label, why] of [["A B", "contains whitespace"], ["O", 'is "O"'], [
      "B-X",
      "starts with the tag prefix B-",
    ]]
  ) {
    assert.throws(
      () => readTei("<acknowledgment/>", { labels: { individual: label }, file: "a.xml" }),
      new RegExp(`^CorpusError: a\\.xml: labels: <individual>: label "${label}" ${why}`),
    );
  }
});

Deno.test("grobid all-acknowledgements: 1,286 documents, 2,961 PERSON, 2,913 ORG, 2 nested", () => {
  const xml = readData("grobid-acknowledgements/all-acknowledgements.tei.xml");
  const nested: NestedSpan[] = [];
  const docs = readTei(xml, {
    labels: GROBID_PERSON_ORG,
    file: "all-acknowledgements.tei.xml",
    onNested: (n) => nested.push(n),
  });
  assert.equal(docs.length, 1286);
  assert.equal(new Set(docs.map((d) => d.id)).size, 1286);
  const count = (label: string) =>
    docs.reduce((n, d) => n + d.spans.filter((s) => s.label === label).length, 0);
  assert.equal(count("PERSON"), 2961);
  assert.equal(count("ORG"), 2913);
  assert.deepEqual(nested.map((n) => [n.line, n.outer.element, n.inner.element]), [
    [774, "individual", "affiliation"],
    [1133, "funder", "funder"],
  ]);

  // Each span's text against its element's text found independently: a regex for the
  // outermost mapped elements (backreference to the same closing name, non-greedy),
  // tags inside stripped, the entities this file uses (&amp; &lt;) decoded.
  const re = /<(individual|funder|institution|affiliation)\b[^>]*>(.*?)<\/\1>/gs;
  const expected = [...xml.matchAll(re)].map((m) =>
    m[2].replace(/<[^>]*>/g, "").replaceAll("&lt;", "<").replaceAll("&amp;", "&")
  );
  const actual = docs.flatMap((d) => d.spans.map((s) => d.text.slice(s.start, s.end)));
  assert.equal(actual.length, 5874);
  assert.deepEqual(actual, expected);
  // statement texts likewise, in file order
  const statements = [...xml.matchAll(/<acknowledgment>(.*?)<\/acknowledgment>/gs)].map((m) =>
    m[1].replace(/<[^>]*>/g, "").replaceAll("&lt;", "<").replaceAll("&amp;", "&")
  );
  assert.deepEqual(docs.map((d) => d.text), statements);
});

Deno.test("grobid other files: fundings, infrastructures, TEI-wrapped funding", () => {
  // element counts from `grep -o '<[a-zA-Z]*' FILE | sort | uniq -c`
  const cases: [string, number, number, string][] = [
    ["all-fundings.tei.xml", 161, 41 + 458 + 40 + 4, "funding-1"],
    ["all-infrastructures.tei.xml", 17, 36 + 59 + 38 + 2, "acknowledgment-1"],
    ["funding.tei.xml", 8, 2 + 28, "funding-1"],
  ];
  for (const [file, n, spans, first] of cases) {
    const docs = readTei(readData(`grobid-acknowledgements/${file}`), {
      labels: GROBID_PERSON_ORG,
      file,
    });
    assert.equal(docs.length, n, file);
    assert.equal(docs.reduce((k, d) => k + d.spans.length, 0), spans, file);
    assert.equal(docs[0].id, first);
  }
});
