import assert from "node:assert/strict";
import { DEFAULT_STUDY, parseStudyConfig, type StudyConfig } from "../../lib/study/config.ts";
import { checkResults, runHash, runHashes } from "../../lib/study/provenance.ts";
import { prepareStudy, type RunSpec } from "../../lib/study/prepare.ts";
import { executeRuns, type StudyRun } from "../../lib/study/execute.ts";
import { readResults } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

Deno.test("runHash: what changes a run's result changes it; name, corpus path, analysis and key order do not", async () => {
  const model = DEFAULT_STUDY.models[0];
  const base = await runHash(DEFAULT_STUDY, model);
  const same: StudyConfig[] = [
    { ...DEFAULT_STUDY, name: "renamed" },
    { ...DEFAULT_STUDY, analysis: { bootstrap: 5, minRuns: 3 } },
    // the same study with its sections' keys in another order
    parseStudyConfig(JSON.parse(JSON.stringify({
      seed: 1,
      training: Object.fromEntries(Object.entries(DEFAULT_STUDY.training).reverse()),
      plan: Object.fromEntries(Object.entries(DEFAULT_STUDY.plan).reverse()),
    }))),
  ];
  for (const c of same) assert.equal(await runHash(c, model), base);
  const other: StudyConfig[] = [
    { ...DEFAULT_STUDY, seed: 2 },
    { ...DEFAULT_STUDY, test: { fraction: 0.3 } },
    { ...DEFAULT_STUDY, plan: { ...DEFAULT_STUDY.plan, count: 41 } },
    { ...DEFAULT_STUDY, training: { ...DEFAULT_STUDY.training, epochs: 2 } },
    { ...DEFAULT_STUDY, labels: { individual: "PERSON" } },
    { ...DEFAULT_STUDY, dataset: "wikigold" },
  ];
  const hashes = await Promise.all(other.map((c) => runHash(c, model)));
  for (const h of hashes) assert.notEqual(h, base);
  assert.notEqual(await runHash(DEFAULT_STUDY, { ...model, hiddenSize: 64 }), base);
  // own corpora: the checksum counts, the path does not
  const data = (path: string, sha256: string) => ({ ...DEFAULT_STUDY, data: { path, sha256 } });
  const a = await runHash(data("/a/c.jsonl", "1".repeat(64)), model);
  assert.equal(await runHash(data("/b/c.jsonl", "1".repeat(64)), model), a);
  assert.notEqual(await runHash(data("/a/c.jsonl", "2".repeat(64)), model), a);
});

Deno.test("checkResults: unknown ids, other studies, unhashed lines and conflicts are named; repeats kept once", () => {
  const hashes = new Map([["a", "h"], ["b", "h"]]);
  const ok = { ...fakeResult("a", 1), studyHash: "h" };
  const many = Array.from({ length: 8 }, (_, i) => ({ ...fakeResult(`x${i}`, i), studyHash: "h" }));
  assert.throws(
    () => checkResults([ok, ...many], hashes, "f.jsonl"),
    /^Error: f.jsonl: 8 lines for runs this study does not have: x0, x1, x2, x3, x4, x5 and 2 more; nothing was changed$/,
  );
  const checked = checkResults([ok, { ...ok, finishedAt: "x" }, ok], hashes, "f.jsonl");
  assert.deepEqual(checked.results, [ok]);
  assert.deepEqual(checked.notes, [
    "f.jsonl: a appears 3 times with the same numbers: counted once",
  ]);
  assert.deepEqual(
    checkResults([fakeResult("b", 2)], hashes, "f", { unhashed: "accept" }).results,
    [fakeResult("b", 2)],
  );
});

Deno.test("replicates: not in the hash; raising them keeps the results done and a resume trains only the new runs", async () => {
  const model = DEFAULT_STUDY.models[0];
  const base = await runHash(DEFAULT_STUDY, model);
  const with1 = parseStudyConfig({ plan: { replicates: 1 } });
  assert.equal(with1.plan.replicates, undefined); // not written when 1: study.json unchanged
  assert.deepEqual(with1, DEFAULT_STUDY);
  assert.equal(await runHash(with1, model), base);
  const with3 = parseStudyConfig({ plan: { replicates: 3 } });
  assert.equal(await runHash(with3, model), base);

  const docs = Array.from({ length: 40 }, (_, i) => ({
    id: `d${i}`,
    text: "Ann Lee thanks NIH. Bo Chen spoke.",
    spans: [{ start: 0, end: 7, label: "PERSON" }],
  }));
  const config = (replicates: number) =>
    parseStudyConfig({ plan: { count: 4, sizes: [[4, 10]], replicates } });
  const one = await prepareStudy(config(1), { docs });
  const three = await prepareStudy(config(3), { docs });
  const hashes1 = await runHashes(one), hashes3 = await runHashes(three);
  for (const [id, h] of hashes1) assert.equal(hashes3.get(id), h);
  assert.equal(hashes3.size, 12);

  const dir = await Deno.makeTempDir();
  try {
    const resultsPath = `${dir}/results.jsonl`;
    const trained: string[] = [];
    const execute = (run: StudyRun<RunSpec>) => {
      trained.push(run.runId);
      return Promise.resolve({
        ...fakeResult(run.runId, trained.length),
        seed: run.spec.seed,
        studyHash: hashes3.get(run.runId),
      });
    };
    const first = await executeRuns(one.runs, { resultsPath, execute, progress: "none" });
    assert.deepEqual([first.executed, first.skipped], [4, 0]);
    // the results of one replicate are results of the study with three
    const done = (await readResults(resultsPath)).results;
    assert.equal(checkResults(done, hashes3, resultsPath).results.length, 4);
    trained.length = 0;
    const second = await executeRuns(three.runs, { resultsPath, execute, progress: "none" });
    assert.deepEqual([second.executed, second.skipped], [8, 4]);
    assert.deepEqual(trained, three.runs.slice(4).map((r) => r.runId));
    const all = (await readResults(resultsPath)).results;
    assert.deepEqual(
      all.map((r) => [r.runId, r.seed]),
      three.runs.map((r) => [r.runId, 1 + r.spec.replicate]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
