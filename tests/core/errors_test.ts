import assert from "node:assert/strict";
import { CorpusError, formatPlace, withPlace } from "../../lib/core/errors.ts";

Deno.test("formatPlace: file:line, document, span", () => {
  assert.equal(formatPlace({}), "");
  assert.equal(formatPlace({ file: "a.conll", line: 3 }), "a.conll:3: ");
  assert.equal(formatPlace({ file: "a.conll" }), "a.conll: ");
  assert.equal(formatPlace({ line: 3 }), "line 3: ");
  assert.equal(
    formatPlace({ file: "f", line: 2, docId: "d1", span: { start: 0, end: 5, label: "PER" } }),
    "f:2: document d1: span [0, 5) PER: ",
  );
});

Deno.test("CorpusError and withPlace keep fields and add missing context", () => {
  const e = new CorpusError("bad tag", { index: 2, docId: "d" });
  assert.equal(e.message, "document d: bad tag");
  assert.equal(e.name, "CorpusError");
  const w = withPlace(e, { file: "x.conll", line: 7, docId: "other" });
  assert.ok(w instanceof CorpusError);
  assert.equal(w.message, "x.conll:7: document d: bad tag");
  assert.equal(w.index, 2);
  const plain = new Error("x");
  assert.equal(withPlace(plain, { line: 1 }), plain);
});
