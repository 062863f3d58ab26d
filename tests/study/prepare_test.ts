import assert from "node:assert/strict";
import { DEFAULT_STUDY, parseStudyConfig } from "../../lib/study/config.ts";
import { prepareStudy } from "../../lib/study/prepare.ts";
import type { Doc } from "../../lib/core/types.ts";
import { shardOf } from "../../lib/study/shard.ts";

function syntheticDocs(n: number): Doc[] {
  return Array.from({ length: n }, (_, i) => {
    const sentences = 1 + (i % 4);
    const text = Array.from({ length: sentences }, (_, k) => `Ann Lee thanks NIH number ${k}.`)
      .join(" ");
    const spans = i % 3 === 0 ? [] : [{ start: 0, end: 7, label: "PERSON" }];
    return { id: `d${i}`, text, spans };
  });
}

Deno.test("prepareStudy: same config, same runs; disjoint train and test; ids subsample/model", async () => {
  const config = parseStudyConfig({
    plan: { count: 6, sizes: [[5, 10], [20, 30]] },
    models: [
      { name: "a", source: "random", family: "bert", tokenizer: "bert-base-uncased" },
      { name: "b", source: "random", family: "gpt2", tokenizer: "gpt2" },
    ],
  });
  const docs = syntheticDocs(60);
  const one = await prepareStudy(config, { docs });
  const two = await prepareStudy(config, { docs });
  assert.deepEqual(one.runs, two.runs);
  assert.equal(one.runs.length, 12);
  assert.deepEqual(one.runs.slice(0, 2).map((r) => r.runId), [
    `${one.plan[0].id}/a`,
    `${one.plan[0].id}/b`,
  ]);
  assert.equal(one.test.length, 12); // a fifth of 60
  const testIds = new Set(one.test.map((d) => d.id));
  for (const s of one.plan) {
    for (const id of s.docIds) assert.ok(!testIds.has(id), `${id} is in the test set`);
  }
  const other = await prepareStudy({ ...config, seed: DEFAULT_STUDY.seed + 1 }, { docs });
  assert.notDeepEqual(other.plan.map((s) => s.docIds), one.plan.map((s) => s.docIds));
});

Deno.test("prepareStudy: invalid: skip records the skipped lines in data.skipped", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // twelve one-sentence documents; line 5 cannot be read (an empty token column)
    const lines = Array.from({ length: 12 }, (_, i) => `Ann${i}\tB-PER\nspoke\tO\n`);
    lines[1] = "Bo\tB-PER\n\tO\n";
    const path = `${dir}/c.conll`;
    await Deno.writeTextFile(path, lines.join("\n"));
    const config = parseStudyConfig({
      data: { path, invalid: "skip" },
      test: { size: 2 },
      plan: { count: 2, sizes: [[2, 4]] },
    });
    const prepared = await prepareStudy(config);
    assert.equal(prepared.docs.length, 12);
    // one file: no file name in the record, so it does not depend on where the corpus lies
    assert.deepEqual(prepared.config.data?.skipped, [{ line: 5, reason: "column 0 is empty" }]);
    // a study that recorded another list belongs to another reading of the corpus
    await assert.rejects(
      prepareStudy({ ...prepared.config, data: { ...prepared.config.data!, skipped: [] } }),
      /reading .*c\.conll now skips other lines than the study recorded \(1 now, 0 in data.skipped\)/,
    );
    // the same list: the same study
    assert.deepEqual((await prepareStudy(prepared.config)).config, prepared.config);
    // without invalid: skip nothing is recorded, and the line is an error
    await assert.rejects(
      prepareStudy({ ...config, data: { path } }),
      /c\.conll:5: column 0 is empty \(invalid: "skip"/,
    );
    // a brat folder: file names relative to it
    await Deno.mkdir(`${dir}/brat`);
    for (let i = 0; i < 12; i++) {
      await Deno.writeTextFile(`${dir}/brat/d${i}.txt`, "Ann Lee thanks NIH.");
      await Deno.writeTextFile(`${dir}/brat/d${i}.ann`, "T1\tPER 0 7\tAnn Lee\n");
    }
    await Deno.writeTextFile(`${dir}/brat/d3.ann`, "T1\tPER 0 7\tAnn Lee\nT2\tORG 15 18\tNIX\n");
    const brat = await prepareStudy({ ...config, data: { path: `${dir}/brat`, invalid: "skip" } });
    assert.deepEqual(brat.config.data?.skipped?.map(({ file, line }) => [file, line]), [[
      "d3.ann",
      2,
    ]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("prepareStudy: replicates train each subsample again with the next seeds; ids, order and shards of earlier runs stay", async () => {
  const models = [
    { name: "a", source: "random", family: "bert", tokenizer: "bert-base-uncased" },
    { name: "b", source: "random", family: "gpt2", tokenizer: "gpt2" },
  ];
  const docs = syntheticDocs(60);
  const one = await prepareStudy(
    parseStudyConfig({ plan: { count: 3, sizes: [[5, 10]] }, models, seed: 5 }),
    { docs },
  );
  const three = await prepareStudy(
    parseStudyConfig({ plan: { count: 3, sizes: [[5, 10]], replicates: 3 }, models, seed: 5 }),
    { docs },
  );
  assert.deepEqual(three.plan, one.plan); // the same subsamples
  assert.equal(three.runs.length, 3 * one.runs.length);
  // replicate 0 is the study without replicates: same ids, specs, positions
  assert.deepEqual(three.runs.slice(0, one.runs.length), one.runs);
  assert.deepEqual(
    one.runs.map((r) => [r.spec.replicate, r.spec.seed]),
    one.runs.map(() => [0, 5]),
  );
  const s = one.plan.map((p) => p.id);
  assert.deepEqual(three.runs.slice(6).map((r) => [r.runId, r.spec.replicate, r.spec.seed]), [
    [`${s[0]}/a/r1`, 1, 6],
    [`${s[0]}/b/r1`, 1, 6],
    [`${s[1]}/a/r1`, 1, 6],
    [`${s[1]}/b/r1`, 1, 6],
    [`${s[2]}/a/r1`, 1, 6],
    [`${s[2]}/b/r1`, 1, 6],
    [`${s[0]}/a/r2`, 2, 7],
    [`${s[0]}/b/r2`, 2, 7],
    [`${s[1]}/a/r2`, 2, 7],
    [`${s[1]}/b/r2`, 2, 7],
    [`${s[2]}/a/r2`, 2, 7],
    [`${s[2]}/b/r2`, 2, 7],
  ]);
  // a replicate trains the same documents
  assert.deepEqual(three.runs[6].spec.subsample, one.runs[0].spec.subsample);
  // every earlier run stays in its shard: a job array can grow a study
  for (const index of [1, 2, 3, 4]) {
    const shard = { index, count: 4 };
    const before = shardOf(one.runs, shard).map((r) => r.runId);
    const after = shardOf(three.runs, shard).map((r) => r.runId);
    assert.deepEqual(after.filter((id) => !/\/r\d+$/.test(id)), before);
  }
  // the training pool the plan drew from
  assert.equal(one.pool.documents, one.train.length);
  assert.equal(
    one.pool.sentences,
    one.train.reduce((n, d) => n + (d.text.match(/\./g)?.length ?? 0), 0),
  );
});
