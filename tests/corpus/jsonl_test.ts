import assert from "node:assert/strict";
import { type JsonlFormat, readJsonl, writeJsonl } from "../../lib/corpus/jsonl.ts";
import { CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import type { Doc } from "../../lib/core/types.ts";

Deno.test("readJsonl doccano: label/labels, ids, meta, sorting", () => {
  const text =
    '{"id": 3, "text": "Alice at NIH", "label": [[9, 12, "ORG"], [0, 5, "PER"]], "Comments": []}\n' +
    "\n" + '{"text": "Bob", "labels": [[0, 3, "PER"]]}\n';
  assert.deepEqual(readJsonl(text, { format: "doccano" }), [
    {
      id: "3",
      text: "Alice at NIH",
      spans: [{ start: 0, end: 5, label: "PER" }, { start: 9, end: 12, label: "ORG" }],
      meta: { Comments: [] },
    },
    { id: "doc-2", text: "Bob", spans: [{ start: 0, end: 3, label: "PER" }], meta: {} },
  ]);
});

Deno.test("readJsonl spacy: objects and training tuples, code-point offsets", () => {
  // "😀 Ann": the emoji is 1 code point, 2 UTF-16 units; Python's "😀 Ann"[2:5] == "Ann"
  const text =
    '{"text": "😀 Ann", "entities": [[2, 5, "PER"]]}\n["Bo", {"entities": [[0, 2, "PER"]]}]\n';
  const docs = readJsonl(text, { format: "spacy" });
  assert.deepEqual(docs[0].spans, [{ start: 3, end: 6, label: "PER" }]);
  assert.equal(docs[0].text.slice(3, 6), "Ann");
  assert.deepEqual(docs[1], {
    id: "doc-2",
    text: "Bo",
    spans: [{ start: 0, end: 2, label: "PER" }],
    meta: {},
  });
  // UTF-16 offsets on request
  assert.deepEqual(
    readJsonl('{"text": "😀 Ann", "entities": [[3, 6, "PER"]]}', {
      format: "spacy",
      offsets: "utf16",
    })[0]
      .spans,
    [{ start: 3, end: 6, label: "PER" }],
  );
});

const LS_TASK = {
  id: 11,
  data: { text: "Ann thanks NIH" },
  annotations: [{
    id: 101,
    completed_by: 1,
    result: [
      { type: "labels", value: { start: 0, end: 3, text: "Ann", labels: ["PER"] } },
      { type: "labels", value: { start: 11, end: 14, text: "NIH", labels: ["ORG"] } },
      { type: "relation", from_id: "a", to_id: "b" },
    ],
  }, { id: 102, was_cancelled: true, result: [] }],
};

Deno.test("readJsonl labelstudio: JSON array and JSONL, ignored results counted", () => {
  const want: Doc[] = [{
    id: "11",
    text: "Ann thanks NIH",
    spans: [{ start: 0, end: 3, label: "PER" }, { start: 11, end: 14, label: "ORG" }],
    meta: { ignoredResults: { relation: 1 }, cancelledAnnotations: 1 },
  }];
  assert.deepEqual(readJsonl(JSON.stringify([LS_TASK], null, 2), { format: "labelstudio" }), want);
  assert.deepEqual(readJsonl(JSON.stringify(LS_TASK) + "\n", { format: "labelstudio" }), want);
});

Deno.test("readJsonl labelstudio: several annotations, unannotated tasks", () => {
  const second = {
    id: 103,
    completed_by: 2,
    result: [{ type: "labels", value: { start: 0, end: 3, labels: ["PER"] } }],
  };
  const task = { ...LS_TASK, annotations: [LS_TASK.annotations[0], second] };
  const line = JSON.stringify(task);
  assert.throws(
    () => readJsonl(line, { format: "labelstudio", file: "ls.jsonl" }),
    /^CorpusError: ls\.jsonl:1: document 11: task has 2 annotations/,
  );
  const each = readJsonl(line, { format: "labelstudio", annotations: "each" });
  assert.deepEqual(each.map((d) => [d.id, d.meta?.annotator, d.spans.length]), [
    ["11/101", 1, 2],
    ["11/103", 2, 1],
  ]);
  assert.equal(readJsonl(line, { format: "labelstudio", annotations: "first" })[0].spans.length, 2);
  const bare = JSON.stringify({ id: 5, data: { text: "x" }, annotations: [] });
  assert.throws(
    () => readJsonl(bare, { format: "labelstudio" }),
    /document 5: task has no annotation/,
  );
  assert.deepEqual(readJsonl(bare, { format: "labelstudio", unannotated: "skip" }), []);
  assert.deepEqual(readJsonl(bare, { format: "labelstudio", unannotated: "keep" }), [
    { id: "5", text: "x", spans: [], meta: { annotated: false } },
  ]);
});

Deno.test("readJsonl: bad spans and records are errors naming line, document and span", () => {
  const cases: [JsonlFormat, string, RegExp][] = [
    [
      "doccano",
      '{"id": 1, "text": "abc", "label": []}\n{"id": 2, "text": "abc", "label": [[1, 9, "X"]]}',
      /^f:2: document 2: span \[1, 9\) X: end is past the end of the text \(length 3 codepoint\)/,
    ],
    [
      "doccano",
      '{"id": 1, "text": "abc", "label": [[2, 2, "X"]]}',
      /^f:1: document 1: span \[2, 2\) X: start >= end/,
    ],
    [
      "doccano",
      '{"id": 1, "text": "abc", "label": [[0, 2, "X"], [1, 3, "Y"]]}',
      /^f:1: document 1: span \[1, 3\) Y: span overlaps span \[0, 2\) X/,
    ],
    [
      "spacy",
      '{"text": "abc", "entities": [[0, 1]]}',
      /^f:1: document doc-1: "entities"\[0\] is \[0,1\]/,
    ],
    ["spacy", '{"text": "abc", "entities": [[-1, 1, "X"]]}', /start is negative/],
    ["spacy", '{"text": 5}', /^f:1: document doc-1: "text" is missing/],
    [
      "doccano",
      '{"id": 1, "text": "a", "label": []}\n{"id": 1, "text": "b", "label": []}',
      /^f:2: document 1: duplicate id \(first seen on line 1\)/,
    ],
    ["doccano", '{"id": 1, "text": "a"\n', /^f:1: not valid JSON/],
    [
      "labelstudio",
      JSON.stringify([{
        id: 4,
        data: { text: "abc" },
        annotations: [{
          result: [{ type: "labels", value: { start: 0, end: 2, text: "ab ", labels: ["X"] } }],
        }],
      }]),
      /^f:1: document 4: span \[0, 2\) X: result text "ab " does not match the text at its offsets "ab"/,
    ],
  ];
  for (const [format, text, re] of cases) {
    assert.throws(() => readJsonl(text, { format, file: "f" }), (e: unknown) => {
      assert.ok(e instanceof CorpusError, String(e));
      assert.match(e.message, re);
      return true;
    });
  }
});

Deno.test("writeJsonl: hand-worked records", () => {
  const docs: Doc[] = [{ id: "7", text: "😀 Ann", spans: [{ start: 3, end: 6, label: "PER" }] }];
  assert.equal(
    writeJsonl(docs, { format: "doccano" }),
    '{"id":7,"text":"😀 Ann","label":[[2,5,"PER"]]}\n',
  );
  assert.equal(
    writeJsonl([{ ...docs[0], id: "a" }], { format: "spacy", offsets: "utf16" }),
    '{"id":"a","text":"😀 Ann","entities":[[3,6,"PER"]]}\n',
  );
  const ls = JSON.parse(writeJsonl(docs, { format: "labelstudio" }));
  assert.deepEqual(ls[0].annotations[0].result[0].value, {
    start: 3,
    end: 6,
    text: "Ann",
    labels: ["PER"],
  });
  assert.throws(
    () =>
      writeJsonl([{ id: "s", text: "😀", spans: [{ start: 1, end: 2, label: "X" }] }], {
        format: "doccano",
      }),
    /document s: span \[1, 2\) X: span boundary splits a surrogate pair/,
  );
});

/** The error `f` throws, which must be a CorpusError. */
function corpusError(f: () => unknown): CorpusError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof CorpusError, String(e));
    return e;
  }
  throw new Error("no error");
}

Deno.test("readJsonl doccano: the relation project's export (entities as objects) is read", () => {
  // hand-worked: in "😀 Ann thanks NIH" the emoji is code point 0 (two UTF-16 units), "Ann"
  // is code points [2, 5) = UTF-16 [3, 6), "NIH" code points [13, 16) = UTF-16 [14, 17)
  const relations = [{ id: 3, from_id: 20, to_id: 21, type: "thanks" }];
  const line = JSON.stringify({
    id: 8,
    text: "😀 Ann thanks NIH",
    entities: [
      { id: 21, label: "ORG", start_offset: 13, end_offset: 16 },
      { id: 20, label: "PER", start_offset: 2, end_offset: 5 },
    ],
    relations,
    Comments: [],
  });
  assert.deepEqual(readJsonl(line, { format: "doccano" }), [{
    id: "8",
    text: "😀 Ann thanks NIH",
    spans: [{ start: 3, end: 6, label: "PER" }, { start: 14, end: 17, label: "ORG" }],
    meta: { relations, Comments: [] },
  }]);
  // the intent-detection project writes entities as triples, beside its categories
  const intent = '{"text": "book Ann", "entities": [[5, 8, "PER"]], "cats": ["booking"]}';
  assert.deepEqual(readJsonl(intent, { format: "doccano" })[0].spans, [
    { start: 5, end: 8, label: "PER" },
  ]);
  assert.match(
    corpusError(() =>
      readJsonl('{"text": "Ann", "entities": [{"label": "PER", "start": 0, "end": 3}]}', {
        format: "doccano",
      })
    ).message,
    /^line 1: document doc-1: "entities"\[0\] is \{"label":"PER","start":0,"end":3\}, expected \{"start_offset", "end_offset", "label"\}/,
  );
  assert.match(
    corpusError(() =>
      readJsonl('{"text": "Ann", "label": [], "entities": [[0, 3, "PER"]]}', { format: "doccano" })
    ).message,
    /record has both "label" and "entities"/,
  );
});

Deno.test("readJsonl: a record without its format's annotation key names the keys it has", () => {
  const doccano = '{"text": "Bo", "label": [[0, 2, "PER"]]}\n{"text": "x", "label": []}\n' +
    '{"text": "Ann", "meta": {"source": "x"}}\n';
  assert.match(
    corpusError(() => readJsonl(doccano, { format: "doccano", file: "x.jsonl" })).message,
    /^x\.jsonl:3: document doc-3: record has keys text, meta; a doccano record needs "label", "labels" or "entities"/,
  );
  assert.match(
    corpusError(() =>
      readJsonl('{"text": "Ann", "ents": [{"start": 0, "end": 3, "label": "PER"}]}', {
        format: "spacy",
        file: "x.jsonl",
      })
    ).message,
    /^x\.jsonl:1: document doc-1: record has keys text, ents; a spaCy record needs "entities"/,
  );
  assert.match(
    corpusError(() => readJsonl('["Ann", {"cats": {}}]', { format: "spacy" })).message,
    /record has keys cats, text; a spaCy record needs "entities"/,
  );
  const ls = '{"id": 4, "data": {"text": "Ann"}, "predictions": []}';
  assert.match(
    corpusError(() => readJsonl(ls, { format: "labelstudio", unannotated: "keep" })).message,
    /^line 1: document 4: record has keys id, data, predictions; a Label Studio task needs "annotations"/,
  );
  // an explicitly empty list is a document without entities
  assert.deepEqual(readJsonl(doccano.split("\n")[1], { format: "doccano" })[0].spans, []);
  assert.deepEqual(readJsonl('{"text": "x", "entities": []}', { format: "spacy" })[0].spans, []);
  // Label Studio 0.x called annotations completions
  const old = JSON.stringify({
    id: 5,
    data: { text: "Ann" },
    completions: [{ result: [{ type: "labels", value: { start: 0, end: 3, labels: ["PER"] } }] }],
  });
  assert.deepEqual(readJsonl(old, { format: "labelstudio" })[0].spans, [
    { start: 0, end: 3, label: "PER" },
  ]);
});

Deno.test("readJsonl: labels are checked as read, naming file, line and document", () => {
  const cases: [JsonlFormat, string, RegExp][] = [
    [
      "doccano",
      '{"id": 1, "text": "Bo", "label": []}\n{"id": 2, "text": "Ann", "label": [[0, 3, "PER "]]}',
      /^x\.jsonl:2: document 2: span \[0, 3\) PER : label "PER " contains whitespace/,
    ],
    [
      "spacy",
      '{"text": "Ann", "entities": [[0, 3, "B-PER"]]}',
      /^x\.jsonl:1: document doc-1: span \[0, 3\) B-PER: label "B-PER" starts with the tag prefix B-/,
    ],
    [
      "labelstudio",
      JSON.stringify({
        id: 9,
        data: { text: "Ann" },
        annotations: [{ result: [{ type: "labels", value: { start: 0, end: 3, labels: ["O"] } }] }],
      }),
      /^x\.jsonl:1: document 9: span \[0, 3\) O: label "O" is "O", the outside tag/,
    ],
  ];
  for (const [format, text, re] of cases) {
    assert.match(corpusError(() => readJsonl(text, { format, file: "x.jsonl" })).message, re);
  }
  // and what the reader refuses the writer does not write
  assert.throws(
    () =>
      writeJsonl([{ id: "d", text: "Ann", spans: [{ start: 0, end: 3, label: "A B" }] }], {
        format: "spacy",
      }),
    /document d: span \[0, 3\) A B: label "A B" contains whitespace/,
  );
});

Deno.test("readJsonl: a leading BOM is dropped; LF, CRLF and CR all end records", () => {
  const records: Record<JsonlFormat, string[]> = {
    doccano: ['{"id": 1, "text": "Ann", "label": [[0, 3, "PER"]]}', '{"id": 2, "text": "Bo"'],
    spacy: ['{"id": 1, "text": "Ann", "entities": [[0, 3, "PER"]]}', '["Bo", {"entities": ['],
    labelstudio: [
      JSON.stringify({
        id: 1,
        data: { text: "Ann" },
        annotations: [{
          result: [{ type: "labels", value: { start: 0, end: 3, labels: ["PER"] } }],
        }],
      }),
      '{"id": 2, "data": {"text": "Bo"}',
    ],
  };
  const want = [{ id: "1", text: "Ann", spans: [{ start: 0, end: 3, label: "PER" }] }];
  for (const [format, [good, broken]] of Object.entries(records) as [JsonlFormat, string[]][]) {
    for (const eol of ["\n", "\r\n", "\r"]) {
      for (const bom of ["", "\uFEFF"]) {
        const docs = readJsonl(bom + good + eol + eol, { format });
        assert.deepEqual(docs.map(({ id, text, spans }) => ({ id, text, spans })), want, format);
        // a broken third record is named by its line, whatever the line ends
        const three = bom + good + eol + eol + broken + eol;
        assert.match(
          corpusError(() => readJsonl(three, { format, file: "x.jsonl" })).message,
          /^x\.jsonl:3: not valid JSON/,
          `${format} ${JSON.stringify(eol)}`,
        );
      }
    }
  }
  // a Label Studio array with a BOM and CRLF; a broken task is named by the line it starts on
  const array = "\uFEFF[\r\n  " + records.labelstudio[0] + ",\r\n  " +
    '{"id": 2, "data": {"text": "Bo"} x}' + "\r\n]\r\n";
  assert.match(
    corpusError(() => readJsonl(array, { format: "labelstudio", file: "ls.json" })).message,
    /^ls\.json:3: not valid JSON/,
  );
  assert.deepEqual(
    readJsonl("\uFEFF[\r" + records.labelstudio[0] + "\r]", { format: "labelstudio" })[0].spans,
    want[0].spans,
  );
});

Deno.test('readJsonl: unreadable records are errors naming the option; invalid: "skip" lists them', () => {
  const lines = [
    '{"id": 1, "text": "Ann", "label": [[0, 3, "PER"]]}',
    '{"id": 2, "text": "Bo", "label": [[0, 2, "PER"]]', // JSON broken
    '{"id": 3, "text": "Cy", "label": [[0, 2, "PER"], [1, 9, "ORG"]]}', // span past the end
    '{"id": 4, "text": "Di", "label": [[0, 2, "PER X"]]}', // label with a space
    '{"id": 1, "text": "Ed", "label": []}', // duplicate id
    '{"id": 6, "text": "Flo", "label": [[0, 3, "PER"]]}',
  ];
  const text = lines.join("\n");
  assert.match(
    corpusError(() => readJsonl(text, { format: "doccano", file: "x.jsonl" })).message,
    /^x\.jsonl:2: not valid JSON: .*\(invalid: "skip".* skips such lines and reports each one\)$/,
  );
  const report: ReadReport = { skipped: [] };
  const docs = readJsonl(text, { format: "doccano", file: "x.jsonl", invalid: "skip", report });
  assert.deepEqual(docs.map((d) => [d.id, d.text]), [["1", "Ann"], ["6", "Flo"]]);
  assert.deepEqual(
    report.skipped.map(({ reason: _, ...place }) => place),
    [
      { file: "x.jsonl", line: 2 },
      { file: "x.jsonl", line: 3, docId: "3", span: { start: 1, end: 9, label: "ORG" } },
      { file: "x.jsonl", line: 4, docId: "4", span: { start: 0, end: 2, label: "PER X" } },
      { file: "x.jsonl", line: 5, docId: "1" },
    ],
  );
  const reasons = report.skipped.map((s) => s.reason);
  for (
    const [k, re] of [/not valid JSON/, /past the end/, /whitespace/, /duplicate id/].entries()
  ) {
    assert.match(reasons[k], re);
  }
  // skipping without a report to list the records would lose them silently
  assert.throws(
    () => readJsonl(text, { format: "doccano", invalid: "skip" }),
    /invalid: "skip" needs a report/,
  );
  // a Label Studio array: a broken task is skipped; an array never closed is an error
  const task = (id: number) =>
    JSON.stringify({ id, data: { text: "Ann" }, annotations: [{ result: [] }] });
  const array = `[\n${task(1)},\n{"id": 2, "data": }\n,\n${task(3)}\n]`;
  const lsReport: ReadReport = { skipped: [] };
  const ls = readJsonl(array, { format: "labelstudio", invalid: "skip", report: lsReport });
  assert.deepEqual(ls.map((d) => d.id), ["1", "3"]);
  assert.deepEqual(lsReport.skipped.map((s) => s.line), [3]);
  assert.match(
    corpusError(() => readJsonl(`[\n${task(1)},\n${task(2)}\n`, { format: "labelstudio" }))
      .message,
    /^line 4: the JSON array opened on line 1 is not closed/,
  );
});

Deno.test("readJsonl labelstudio: a labels result that is not a span is an error, not ignored", () => {
  const task = JSON.stringify({
    id: 3,
    data: { text: "Ann" },
    annotations: [{ result: [{ type: "labels", value: { start: "0", end: 3, labels: ["PER"] } }] }],
  });
  assert.match(
    corpusError(() => readJsonl(task, { format: "labelstudio" })).message,
    /^line 1: document 3: result \{"start":"0","end":3,"labels":\["PER"\]\} needs numeric start and end and exactly one label/,
  );
});

Deno.test("readJsonl: keys named like Object.prototype's are kept as data", () => {
  const [doc] = readJsonl('{"text": "a", "label": [], "__proto__": {"x": 1}, "constructor": 2}', {
    format: "doccano",
  });
  assert.deepEqual(Object.keys(doc.meta!), ["__proto__", "constructor"]);
  assert.deepEqual(Object.getOwnPropertyDescriptor(doc.meta, "__proto__")?.value, { x: 1 });
  assert.equal(Object.getPrototypeOf(doc.meta), Object.prototype);
  const task = JSON.stringify({
    id: 1,
    data: { text: "a" },
    annotations: [{
      result: [{ type: "constructor" }, { type: "toString" }, { type: "toString" }],
    }],
  });
  const [ls] = readJsonl(task, { format: "labelstudio" });
  assert.deepEqual(ls.meta?.ignoredResults, { constructor: 1, toString: 2 });
});
