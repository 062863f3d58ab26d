import assert from "node:assert/strict";
import { DEFAULT_STUDY, parseStudyConfig, type StudyConfig } from "../../lib/study/config.ts";
import { checkResults, runHash } from "../../lib/study/provenance.ts";
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
