import assert from "node:assert/strict";
import {
  planFromJson,
  planSubsamples,
  planTable,
  planToJson,
  type Subsample,
} from "../../lib/sampling/plan.ts";
import type { DocSize } from "../../lib/sampling/doc_size.ts";
import { createRandom } from "../../lib/core/random.ts";

/** A synthetic corpus: 1-6 sentences and 0-8 entities per document (independent). */
function corpus(n: number, seed: number): DocSize[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, (_, i) => ({
    id: `doc${i}`,
    sentences: 1 + rng.int(6),
    entities: rng.int(9),
  }));
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function sd(a: number[]): number {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  return Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
}

const DOCS = corpus(490, 1);
const SIZES: [number, number][] = [[50, 150], [150, 300], [300, 500], [500, 800]];

/** Recomputes a subsample's totals from the corpus (an independent check). */
function check(sub: Subsample, docs: DocSize[]) {
  const byId = new Map(docs.map((d) => [d.id, d]));
  let s = 0, e = 0;
  for (const id of sub.docIds) {
    const d = byId.get(id);
    assert.ok(d, `${sub.id}: unknown ${id}`);
    s += d.sentences;
    e += d.entities;
  }
  assert.equal(new Set(sub.docIds).size, sub.docIds.length, `${sub.id}: repeated document`);
  assert.equal(sub.documents, sub.docIds.length);
  assert.equal(sub.sentences, s);
  assert.equal(sub.entities, e);
  assert.equal(sub.eps, e / s);
}

Deno.test("planSubsamples: ranges spread evenly; sizes reach the target within the range", () => {
  const plan = planSubsamples(DOCS, { count: 200, sizes: SIZES, seed: 5 });
  assert.equal(plan.length, 200);
  assert.equal(plan[0].id, "s001");
  assert.equal(plan[199].id, "s200");
  SIZES.forEach((r, k) => {
    const inRange = plan.filter((s) => s.range[0] === r[0] && s.range[1] === r[1]);
    assert.equal(inRange.length, 50, `range ${k}`);
  });
  for (const sub of plan) {
    check(sub, DOCS);
    assert.ok(sub.target >= sub.range[0] && sub.target <= sub.range[1]);
    // Documents of 1 sentence exist, so the target is always reached exactly or
    // passed, and never beyond the range's maximum.
    assert.ok(sub.sentences >= sub.target && sub.sentences <= sub.range[1], sub.id);
  }
  // Targets are spread over the range, not stuck at one end.
  const firstRange = plan.slice(0, 50).map((s) => s.target);
  assert.ok(Math.min(...firstRange) < 75 && Math.max(...firstRange) > 125);
});

Deno.test("planSubsamples: unit documents counts documents", () => {
  const plan = planSubsamples(DOCS, {
    count: 30,
    sizes: [[10, 20], [40, 60]],
    seed: 2,
    unit: "documents",
  });
  for (const sub of plan) {
    check(sub, DOCS);
    assert.equal(sub.documents, sub.target); // every document fits until the target
  }
});

Deno.test("planSubsamples: skips documents that would overshoot the maximum", () => {
  // One 1-sentence document and many 5-sentence ones; range [3, 3]: the only way to
  // stay within the maximum is to skip every 5-sentence document and stop at 1 < 3.
  const docs = [
    { id: "one", sentences: 1, entities: 0 },
    ...Array.from({ length: 5 }, (_, i) => ({
      id: `five${i}`,
      sentences: 5,
      entities: 1,
    })),
  ];
  assert.throws(
    () => planSubsamples(docs, { count: 1, sizes: [[3, 3]], seed: 1 }),
    /subsample s1 \(range \[3, 3\] sentences, target 3\) reached only 1 sentences/,
  );
  // Range [6, 6]: "one" plus one five, in whatever order they are met.
  for (let seed = 0; seed < 10; seed++) {
    const [s] = planSubsamples(docs, { count: 1, sizes: [[6, 6]], seed });
    assert.equal(s.sentences, 6);
    assert.ok(s.docIds.includes("one"));
  }
});

Deno.test("planSubsamples: identical for the same seed, different for another", () => {
  const a = planSubsamples(DOCS, { count: 50, sizes: SIZES, seed: 9 });
  const b = planSubsamples(DOCS, { count: 50, sizes: SIZES, seed: 9 });
  const c = planSubsamples(DOCS, { count: 50, sizes: SIZES, seed: 10 });
  assert.deepEqual(a, b);
  assert.equal(planToJson(a), planToJson(b));
  assert.notDeepEqual(a, c);
});

Deno.test("eps-stratified design: EPS varies far more and is uncorrelated with size", () => {
  const docs = corpus(1286, 4);
  const sizes: [number, number][] = [[50, 200], [200, 400], [400, 600], [600, 900]];
  const random = planSubsamples(docs, { count: 400, sizes, seed: 3 });
  const strat = planSubsamples(docs, { count: 400, sizes, seed: 3, design: "eps-stratified" });
  for (const sub of strat) check(sub, docs);
  const sdRandom = sd(random.map((s) => s.eps)), sdStrat = sd(strat.map((s) => s.eps));
  assert.ok(sdStrat > 4 * sdRandom, `sd EPS stratified ${sdStrat} vs random ${sdRandom}`);
  const r = pearson(strat.map((s) => s.sentences), strat.map((s) => s.eps));
  assert.ok(Math.abs(r) < 0.1, `correlation sentences-EPS ${r}`);
  // Every range has every stratum, equally often (100 per range, 5 strata -> 20 each).
  for (let k = 0; k < 4; k++) {
    const counts = [0, 0, 0, 0, 0];
    strat.slice(k * 100, (k + 1) * 100).forEach((s) => counts[s.stratum!]++);
    assert.deepEqual(counts, [20, 20, 20, 20, 20]);
  }
  // Mean EPS rises with the target stratum.
  const mean = (k: number) => {
    const v = strat.filter((s) => s.stratum === k).map((s) => s.eps);
    return v.reduce((a, b) => a + b, 0) / v.length;
  };
  for (let k = 1; k < 5; k++) assert.ok(mean(k) > mean(k - 1), `stratum ${k}`);
});

Deno.test("planTable and JSON round trip", () => {
  const plan = planSubsamples(DOCS, { count: 12, sizes: SIZES, seed: 1, design: "eps-stratified" });
  const t = planTable(plan);
  assert.equal(t.numRows(), 12);
  assert.deepEqual(t.columnNames(), [
    "id",
    "range_lo",
    "range_hi",
    "target",
    "documents",
    "sentences",
    "entities",
    "eps",
    "stratum",
    "docIds",
  ]);
  assert.equal(t.get("sentences", 3), plan[3].sentences);
  assert.deepEqual(t.get("docIds", 5), plan[5].docIds);
  const text = planToJson(plan);
  assert.deepEqual(planFromJson(text), plan);
  // JSON Lines: one subsample object per line, nothing else
  const lines = text.split("\n");
  assert.equal(lines.pop(), "");
  assert.deepEqual(lines.map((l) => JSON.parse(l)), plan);
  const random = planSubsamples(DOCS, { count: 3, sizes: SIZES, seed: 1 });
  assert.ok(!planTable(random).columnNames().includes("stratum"));
  assert.deepEqual(planFromJson(planToJson(random)), random);
});

Deno.test("planFromJson: rejects inconsistent plans, naming the subsample", () => {
  const plan = planSubsamples(DOCS, { count: 2, sizes: [[20, 30]], seed: 1 });
  const edit = (f: (s: Record<string, unknown>) => void) => {
    const copy = JSON.parse(JSON.stringify(plan));
    f(copy[1]);
    return planToJson(copy);
  };
  assert.throws(() => planFromJson("{"), /not valid JSON/);
  assert.throws(() => planFromJson('{"format":"x"}'), /not a subsample plan/);
  assert.throws(
    () => planFromJson(edit((s) => (s.documents = 99))),
    /line 2 \(id "s2"\): documents is 99 but docIds has/,
  );
  assert.throws(() => planFromJson(planToJson(plan) + "{\n"), /line 3: not valid JSON/);
  assert.throws(() => planFromJson(edit((s) => (s.eps = 7))), /s2.*eps is 7 but/);
  assert.throws(() => planFromJson(edit((s) => (s.id = "s1"))), /duplicate id/);
  assert.throws(() => planFromJson(edit((s) => (s.range = [5, 2]))), /range must be/);
  assert.throws(() => planFromJson(edit((s) => (s.extra = 1))), /unknown field\(s\) extra/);
  assert.throws(
    () => planFromJson(edit((s) => ((s.docIds as string[]).push((s.docIds as string[])[0])))),
    /repeat/,
  );
});

Deno.test("planFromJson: reads the earlier single-document format too, with the same checks", () => {
  const plan = planSubsamples(DOCS, { count: 3, sizes: [[20, 30]], seed: 1 });
  const old = (subsamples: unknown[]) =>
    `{"format":"nerss-subsample-plan","version":1,"subsamples":[\n${
      subsamples.map((s) => JSON.stringify(s)).join(",\n")
    }\n]}\n`;
  assert.deepEqual(planFromJson(old(plan)), plan);
  const bad = JSON.parse(JSON.stringify(plan));
  bad[2].eps = 7;
  assert.throws(() => planFromJson(old(bad)), /subsamples\[2\] \(id "s3"\): eps is 7 but/);
  assert.throws(
    () => planFromJson('{"format":"nerss-subsample-plan","version":2,"subsamples":[]}'),
    /unsupported version 2/,
  );
  assert.deepEqual(planFromJson(""), []);
});

Deno.test("planSubsamples: bad options are rejected", () => {
  assert.throws(() => planSubsamples(DOCS, { count: 0, sizes: SIZES, seed: 1 }), /count/);
  assert.throws(() => planSubsamples(DOCS, { count: 1, sizes: [], seed: 1 }), /at least one/);
  assert.throws(() => planSubsamples(DOCS, { count: 1, sizes: [[5, 2]], seed: 1 }), /sizes\[0\]/);
  assert.throws(() => planSubsamples(DOCS, { count: 1, sizes: SIZES, seed: 0.5 }), /seed/);
  assert.throws(
    () => planSubsamples(DOCS, { count: 1, sizes: [[5000, 6000]], seed: 1 }),
    /cannot fill it/,
  );
});

Deno.test("planSubsamples: documents give the same plan as their sizes", () => {
  const docs = Array.from({ length: 30 }, (_, i) => ({
    id: `d${i}`,
    text: Array.from({ length: 1 + (i % 3) }, () => "Ann Lee thanks NIH.").join(" "),
    spans: i % 2 ? [{ start: 0, end: 7, label: "PERSON" }] : [],
  }));
  const sizes = docs.map((d, i) => ({ id: d.id, sentences: 1 + (i % 3), entities: i % 2 }));
  const opts = { count: 4, sizes: [[5, 10], [10, 20]] as [number, number][], seed: 3 };
  assert.deepEqual(planSubsamples(docs, opts), planSubsamples(sizes, opts));
});

Deno.test("planSubsamples: documents in, the same documents out, in docIds order", () => {
  // 40 documents of 1-4 sentences ("Ann Lee thanks NIH." each) and 0-2 entities.
  const docs = Array.from({ length: 40 }, (_, i) => ({
    id: `doc${i}`,
    text: Array.from({ length: 1 + (i % 4) }, () => "Ann Lee thanks NIH.").join(" "),
    spans: Array.from({ length: i % 3 }, () => ({ start: 0, end: 7, label: "PERSON" })),
  }));
  const sizes = docs.map((d, i) => ({ id: d.id, sentences: 1 + (i % 4), entities: i % 3 }));
  const byId = new Map(docs.map((d) => [d.id, d]));
  for (
    const opts of [
      { count: 6, sizes: [[5, 10], [15, 25]] as [number, number][], seed: 9 },
      {
        count: 6,
        sizes: [[5, 10]] as [number, number][],
        seed: 2,
        design: "eps-stratified" as const,
      },
      { count: 4, sizes: [[3, 6]] as [number, number][], seed: 4, unit: "documents" as const },
    ]
  ) {
    const plan = planSubsamples(docs, opts);
    assert.deepEqual(plan, planSubsamples(sizes, opts), JSON.stringify(opts));
    for (const sub of plan) {
      assert.equal(sub.docs.length, sub.docIds.length);
      // the very objects given, in the order drawn
      sub.docs.forEach((d, j) => assert.equal(d, byId.get(sub.docIds[j])));
    }
    // the documents stay out of the plan's JSON
    assert.ok(!planToJson(plan).includes("Ann Lee"));
    assert.deepEqual(planFromJson(planToJson(plan)), plan);
  }
  // counts in, no documents out
  assert.ok(planSubsamples(sizes, { count: 2, sizes: [[5, 10]], seed: 1 }).every((s) => !s.docs));
});
