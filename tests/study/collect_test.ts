import assert from "node:assert/strict";
import { collectResults } from "../../lib/study/collect.ts";
import { appendResult, readResults, type RunResult } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

// a study of runs r0..r3, each with this study's hash
const HASHES = new Map(["r0", "r1", "r2", "r3"].map((id) => [id, "h"]));
const line = (id: string, i: number): RunResult => ({ ...fakeResult(id, i), studyHash: "h" });

async function folder<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("collectResults: adds the shards' runs to the results, never drops a line, names the missing", async () => {
  await folder(async (dir) => {
    const out = `${dir}/results.jsonl`, a = `${dir}/a.jsonl`, b = `${dir}/b.jsonl`;
    await appendResult(out, line("r2", 2));
    await appendResult(a, line("r0", 0));
    await appendResult(a, line("r2", 2)); // already collected
    await appendResult(b, { ...line("r0", 0), finishedAt: "later", trainMs: 99 }); // a rerun, same numbers
    await Deno.writeTextFile(b, '{"runId": "r1", "cut', { append: true }); // a torn last line
    const c = await collectResults([a, b], { hashes: HASHES, outPath: out });
    assert.equal(c.added, 1);
    assert.deepEqual(c.results.map((r) => r.runId), ["r2", "r0"]); // what was there stays first
    assert.deepEqual(c.missing, ["r1", "r3"]);
    assert.deepEqual(c.damaged, [{ file: b, line: 2 }]);
    assert.ok(c.notes.some((n) => /r0 appears 2 times with the same numbers/.test(n)));
    assert.deepEqual((await readResults(out)).results, c.results);
    // a complete results file is not replaced by a shard's part of it
    const again = await collectResults([a], { hashes: HASHES, outPath: out });
    assert.equal(again.added, 0);
    assert.deepEqual((await readResults(out)).results.map((r) => r.runId), ["r2", "r0"]);
  });
});

Deno.test("collectResults: lines of another study, unknown runs and conflicts stop it before it writes", async () => {
  await folder(async (dir) => {
    const out = `${dir}/results.jsonl`, a = `${dir}/a.jsonl`;
    await appendResult(out, line("r0", 0));
    const before = await Deno.readTextFile(out);
    const cases: [RunResult, RegExp][] = [
      [
        { ...line("r1", 1), studyHash: "other" },
        /a.jsonl: 1 line of another study .*: r1; nothing was changed/,
      ],
      [line("zz", 1), /a.jsonl: 1 line for runs this study does not have: zz/],
      [
        fakeResult("r1", 1),
        /a.jsonl: 1 line without a study hash, so not known to be this study's: r1/,
      ],
      [line("r0", 5), /different results for the same run: r0/],
    ];
    for (const [bad, re] of cases) {
      await Deno.writeTextFile(a, JSON.stringify(bad) + "\n");
      await assert.rejects(collectResults([a], { hashes: HASHES, outPath: out }), re);
      assert.equal(await Deno.readTextFile(out), before);
    }
    // lines without a hash are taken where the folder's study.json matches
    await Deno.writeTextFile(a, JSON.stringify(fakeResult("r1", 1)) + "\n");
    const c = await collectResults([a], { hashes: HASHES, outPath: out, unhashed: "accept" });
    assert.equal(c.added, 1);
  });
});
