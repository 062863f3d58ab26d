import assert from "node:assert/strict";
import fc from "fast-check";
import { type JsonlFormat, readJsonl, writeJsonl } from "../../lib/corpus/jsonl.ts";
import { CorpusError } from "../../lib/corpus/errors.ts";
import type { Doc } from "../../lib/corpus/types.ts";
import { joinLabelledWords } from "./fixtures/labelled_words.ts";

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
      '{"id": 1, "text": "abc"}\n{"id": 2, "text": "abc", "label": [[1, 9, "X"]]}',
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
    ["doccano", '{"id": 1, "text": "a"}\n{"id": 1, "text": "b"}', /^f:2: document 1: duplicate id/],
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
      /^f: document 4: span \[0, 2\) X: task 0 \(0-based\) of the array: result text "ab " does not match the text at its offsets "ab"/,
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

const docsArb = fc.uniqueArray(
  fc.record({
    id: fc.oneof(fc.nat({ max: 10_000 }).map(String), fc.stringMatching(/^[a-z]{1,5}$/)),
    words: fc.array(
      fc.record({
        word: fc.constantFrom("Ann", "NIH", "😀", "é", "of", "Zoë", "𝔘"),
        label: fc.constantFrom(null, null, "PER", "ORG"),
      }),
      { maxLength: 12 },
    ),
  }),
  { selector: (d) => d.id, maxLength: 6 },
).map((raw) => raw.map(({ id, words }): Doc => ({ id, ...joinLabelledWords(words) })));

for (const format of ["doccano", "labelstudio", "spacy"] as const) {
  Deno.test(`property: readJsonl(writeJsonl(docs)) round trip, ${format}`, () => {
    fc.assert(
      fc.property(docsArb, (docs) => {
        const back = readJsonl(writeJsonl(docs, { format }), { format });
        assert.deepEqual(back.map((d) => ({ id: d.id, text: d.text, spans: d.spans })), docs);
      }),
      { numRuns: 150 },
    );
  });
}
