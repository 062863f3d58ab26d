import assert from "node:assert/strict";
import { collectResults } from "../../lib/study/collect.ts";
import { appendResult, readResults } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

Deno.test("collectResults: merges shards, reports duplicates, conflicts, missing and unknown runs", async () => {
  const dir = await Deno.makeTempDir();
  const a = `${dir}/a.jsonl`, b = `${dir}/b.jsonl`;
  await appendResult(a, fakeResult("r0", 0));
  await appendResult(a, fakeResult("r1", 1));
  await appendResult(b, { ...fakeResult("r1", 1), finishedAt: "later", trainMs: 99 }); // same numbers
  await appendResult(b, fakeResult("r0", 5)); // different numbers
  await appendResult(b, fakeResult("zz", 3));
  const c = await collectResults([a, b], {
    expected: ["r0", "r1", "r2"],
    outPath: `${dir}/all.jsonl`,
  });
  assert.deepEqual(c.duplicates, ["r1"]);
  assert.deepEqual(c.conflicting, ["r0"]);
  assert.deepEqual(c.missing, ["r2"]);
  assert.deepEqual(c.unknown, ["zz"]);
  assert.deepEqual(c.results.map((r) => r.runId), ["r0", "r1", "zz"]);
  assert.deepEqual(c.results[0], fakeResult("r0", 0)); // the first is kept
  const merged = await readResults(`${dir}/all.jsonl`);
  assert.deepEqual(merged.results, c.results);
  await Deno.remove(dir, { recursive: true });
});
