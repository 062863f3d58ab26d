import assert from "node:assert/strict";
import { eps, epsStrata, toDocSizes } from "../../lib/sampling/doc_size.ts";

Deno.test("eps: entities per sentence, 0 for an empty document", () => {
  assert.equal(eps({ sentences: 4, entities: 6 }), 1.5);
  assert.equal(eps({ sentences: 0, entities: 0 }), 0);
});

Deno.test("toDocSizes: from fields or a sizes function, with validation", () => {
  assert.deepEqual(toDocSizes([{ id: "a", sentences: 2, entities: 1, extra: true }]), [
    { id: "a", sentences: 2, entities: 1 },
  ]);
  assert.deepEqual(toDocSizes([{ id: "b" }], () => ({ sentences: 3, entities: 0 })), [
    { id: "b", sentences: 3, entities: 0 },
  ]);
  assert.throws(
    () => toDocSizes([{ id: "c", sentences: 1.5, entities: 0 }]),
    /"c" \(0\): sentences/,
  );
  assert.throws(() => toDocSizes([{ id: "", sentences: 1, entities: 0 }]), /document 0 has no id/);
});

Deno.test("epsStrata: rank-based quantile strata, ties in input order", () => {
  // EPS: 0.5, 0, 2, 0, 1 -> ranks: d1 (0), d3 (0), d0 (0.5), d4 (1), d2 (2);
  // k = 2, n = 5: floor(r * 2 / 5) = 0, 0, 0, 1, 1.
  const docs = [[2, 1], [1, 0], [1, 2], [3, 0], [2, 2]].map(([s, e], i) => ({
    id: `d${i}`,
    sentences: s,
    entities: e,
  }));
  assert.deepEqual(epsStrata(docs, 2), [0, 0, 1, 0, 1]);
  assert.deepEqual(epsStrata(docs, 5), [2, 0, 4, 1, 3]);
  assert.deepEqual(epsStrata(docs, 1), [0, 0, 0, 0, 0]);
});
