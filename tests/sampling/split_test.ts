import assert from "node:assert/strict";
import { splitTestSet } from "../../lib/sampling/split.ts";
import type { Doc } from "../../lib/core/types.ts";

// Ten documents with EPS 0.0, 0.1, ..., 0.9 given in scrambled order.
const EPS_TENTHS = [7, 2, 9, 0, 5, 3, 8, 1, 6, 4];
const TEN = EPS_TENTHS.map((t) => ({ id: `d${t}`, sentences: 10, entities: t }));

Deno.test("splitTestSet: hand-worked stratum allocation (10 docs, 3 strata, 5 test)", () => {
  // Ranks 0-3 -> stratum 0 (d0-d3), 4-6 -> 1 (d4-d6), 7-9 -> 2 (d7-d9): sizes 4, 3, 3.
  // Quotas 5 * (4, 3, 3) / 10 = 2, 1.5, 1.5 -> floors 2, 1, 1; the one left goes to the
  // largest remainder, tie -> lower stratum: 2, 2, 1.
  for (const seed of [1, 2, 3, 4, 5]) {
    const { train, test } = splitTestSet(TEN, { testSize: 5, seed, strata: 3 });
    const tenth = (d: { id: string }) => Number(d.id.slice(1));
    const per = [0, 0, 0];
    for (const d of test) per[tenth(d) < 4 ? 0 : tenth(d) < 7 ? 1 : 2]++;
    assert.deepEqual(per, [2, 2, 1], `seed ${seed}`);
    assert.equal(train.length, 5);
    // Train and test partition the input and keep its order.
    const pos = (d: { id: string }) => TEN.findIndex((x) => x.id === d.id);
    assert.deepEqual([...train, ...test].map(pos).sort((a, b) => a - b), [...Array(10).keys()]);
    assert.ok(test.every((d, i) => i === 0 || pos(test[i - 1]) < pos(d)));
  }
});

Deno.test("splitTestSet: same seed same split; other seeds differ; testFraction rounds", () => {
  const docs = Array.from({ length: 200 }, (_, i) => ({
    id: `doc${i}`,
    sentences: 1 + (i % 6),
    entities: (i * 7) % 9,
  }));
  const a = splitTestSet(docs, { testFraction: 0.2, seed: 42 });
  const b = splitTestSet(docs, { testFraction: 0.2, seed: 42 });
  const c = splitTestSet(docs, { testFraction: 0.2, seed: 43 });
  assert.deepEqual(a.test.map((d) => d.id), b.test.map((d) => d.id));
  assert.notDeepEqual(a.test.map((d) => d.id), c.test.map((d) => d.id));
  assert.equal(a.test.length, 40);
  assert.equal(splitTestSet(docs, { testFraction: 0.1234, seed: 1 }).test.length, 25); // 24.68
});

Deno.test("splitTestSet: stratification keeps the test EPS distribution close to the corpus", () => {
  // 5 strata of 100 docs and a test set of 50: exactly 10 per stratum, every seed.
  const docs = Array.from({ length: 500 }, (_, i) => ({
    id: `x${i}`,
    sentences: 4,
    entities: (i * 37) % 17,
  }));
  const sorted = [...docs].sort((p, q) =>
    p.entities - q.entities || docs.indexOf(p) - docs.indexOf(q)
  );
  const stratumOf = new Map(sorted.map((d, r) => [d.id, Math.floor(r / 100)]));
  for (const seed of [10, 11, 12]) {
    const { test } = splitTestSet(docs, { testSize: 50, seed });
    const per = [0, 0, 0, 0, 0];
    for (const d of test) per[stratumOf.get(d.id)!]++;
    assert.deepEqual(per, [10, 10, 10, 10, 10]);
  }
});

Deno.test("splitTestSet: Doc[] with a sizes function", () => {
  const docs: Doc[] = Array.from({ length: 6 }, (_, i) => ({
    id: `t${i}`,
    text: "A. B.",
    spans: Array.from({ length: i }, () => ({ start: 0, end: 1, label: "X" })),
  }));
  const { train, test } = splitTestSet(docs, {
    testSize: 2,
    seed: 3,
    strata: 2,
    sizes: (d) => ({ sentences: 2, entities: d.spans.length }),
  });
  assert.equal(test.length, 2);
  // One from the low-EPS half (t0-t2), one from the high half (t3-t5).
  const hi = test.filter((d) => d.spans.length >= 3).length;
  assert.equal(hi, 1);
  assert.equal(train.length, 4);
  assert.ok(test.every((d) => "text" in d)); // the documents themselves come back
});

Deno.test("splitTestSet: errors name the problem", () => {
  assert.throws(() => splitTestSet(TEN, { seed: 1 }), /exactly one of testFraction and testSize/);
  assert.throws(() => splitTestSet(TEN, { testSize: 10, seed: 1 }), /leaves no train or test/);
  assert.throws(() => splitTestSet(TEN, { testFraction: 1.5, seed: 1 }), /in \(0, 1\)/);
  assert.throws(
    () => splitTestSet([...TEN, { id: "d3", sentences: 1, entities: 0 }], { testSize: 2, seed: 1 }),
    /document id "d3" appears twice/,
  );
  assert.throws(
    () => splitTestSet([{ id: "a", sentences: 0, entities: 2 }, ...TEN], { testSize: 2, seed: 1 }),
    /document "a" \(0\) has 2 entities but no sentences/,
  );
  // Doc[] are measured (no sizes function needed): an entity in an empty text is an error
  const docs: Doc[] = [{ id: "q", text: "", spans: [{ start: 0, end: 0, label: "X" }] }, {
    id: "r",
    text: "",
    spans: [],
  }];
  assert.throws(
    () => splitTestSet(docs, { testSize: 1, seed: 1 }),
    /splitTestSet: document "q" \(0\) has 1 entities but no sentences/,
  );
});

Deno.test("splitTestSet: Doc[] without sizes is measured as corpus statistics count it", () => {
  // Document i: 1 + (i % 3) sentences and i % 4 entities; its counts given by hand.
  const docs: Doc[] = Array.from({ length: 30 }, (_, i) => ({
    id: `t${i}`,
    text: Array.from({ length: 1 + (i % 3) }, () => "Ann Lee thanks NIH.").join(" "),
    spans: Array.from({ length: i % 4 }, () => ({ start: 0, end: 7, label: "PERSON" })),
  }));
  const sizes = docs.map((d, i) => ({ id: d.id, sentences: 1 + (i % 3), entities: i % 4 }));
  const opts = { testFraction: 0.3, seed: 5, strata: 3 };
  const fromDocs = splitTestSet(docs, opts);
  const fromSizes = splitTestSet(sizes, opts);
  assert.deepEqual(fromDocs.test.map((d) => d.id), fromSizes.test.map((d) => d.id));
  assert.deepEqual(fromDocs.train.map((d) => d.id), fromSizes.train.map((d) => d.id));
  // the documents themselves come back
  const byId = new Map(docs.map((d) => [d.id, d]));
  for (const d of [...fromDocs.train, ...fromDocs.test]) assert.equal(d, byId.get(d.id));
  // documents with neither text nor counts still need a sizes function
  assert.throws(
    () => splitTestSet([{ id: "a" }, { id: "b" }], { testSize: 1, seed: 1 }),
    /splitTestSet: document "a" \(0\): sentences must be a non-negative integer.*sizes function/,
  );
});
