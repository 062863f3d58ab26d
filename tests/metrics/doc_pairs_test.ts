import assert from "node:assert/strict";
import { pairDocs } from "../../lib/metrics/doc_pairs.ts";
import type { Doc } from "../../lib/core/types.ts";

const doc = (id: string, text = "Ann met Bob", spans: Doc["spans"] = []): Doc => ({
  id,
  text,
  spans,
});

Deno.test("pairDocs lines documents up by id in the first set's order", () => {
  const a = [doc("x"), doc("y")], b = [doc("y"), doc("x")], c = [doc("x"), doc("y")];
  const pairs = pairDocs([a, b, c]);
  assert.deepEqual(pairs.map((row) => row.map((d) => d.id)), [["x", "x", "x"], ["y", "y", "y"]]);
  assert.equal(pairs[0][1], b[1]);
  assert.deepEqual(pairDocs([]), []);
});

Deno.test("pairDocs names the document and set on every mismatch", () => {
  assert.throws(
    () => pairDocs([[doc("x")], [doc("x"), doc("z")]], ["g", "p"]),
    /p has document "z", which g lacks/,
  );
  assert.throws(
    () => pairDocs([[doc("x"), doc("z")], [doc("x")]], ["g", "p"]),
    /p lacks document "z" of g/,
  );
  assert.throws(
    () => pairDocs([[doc("x"), doc("x")], [doc("x")]], ["g", "p"]),
    /g: document id "x" occurs twice/,
  );
  assert.throws(
    () => pairDocs([[doc("x")], [doc("x", "Ann met Bo")]], ["g", "p"]),
    /document "x": the text in p differs from g/,
  );
  const bad = [doc("x", "Ann", [{ start: 2, end: 1, label: "PER" }])];
  assert.throws(() => pairDocs([bad, [doc("x", "Ann")]], ["g", "p"]), /g: document "x", span 0/);
  const unlabelled = [doc("x", "Ann", [{ start: 0, end: 3, label: "" }])];
  assert.throws(() => pairDocs([unlabelled, [doc("x", "Ann")]], ["g", "p"]), /span 0/);
});
