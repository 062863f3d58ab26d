import assert from "node:assert/strict";
import { executeRuns } from "../../lib/study/execute.ts";
import { readResults } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

const fixture = new URL("./fixtures/slow_study.ts", import.meta.url).pathname;

async function lineCount(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.endsWith("}")).length;
  } catch {
    return 0;
  }
}

Deno.test("executeRuns: killed with SIGKILL mid-study, a restart resumes and loses nothing", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, path],
    stdout: "null",
    stderr: "null",
  }).spawn();
  while (await lineCount(path) < 5) await new Promise((r) => setTimeout(r, 10));
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.success, false);
  const before = (await readResults(path)).results.length;
  assert.ok(before >= 5 && before < 30, `${before} runs before the kill`);

  const again = new Deno.Command(Deno.execPath(), { args: ["run", "-A", fixture, path] });
  assert.equal((await again.output()).code, 0);
  const { results, damaged } = await readResults(path);
  assert.deepEqual(damaged, []);
  assert.deepEqual(
    results.map((r) => r.runId).sort(),
    Array.from({ length: 30 }, (_, i) => `s${i}`).sort(),
  );
  for (const r of results) assert.deepEqual(r, fakeResult(r.runId, Number(r.runId.slice(1))));
  await Deno.remove(dir, { recursive: true });
});

Deno.test("executeRuns: a half-written last line is dropped and its run executed again", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const done = JSON.stringify(fakeResult("a", 0));
  await Deno.writeTextFile(path, done + "\n" + done.slice(0, 25));
  const runs = ["a", "b"].map((runId, i) => ({ runId, spec: i }));
  const executed: string[] = [];
  const summary = await executeRuns(runs, {
    resultsPath: path,
    progress: "none",
    execute: (run) => {
      executed.push(run.runId);
      return Promise.resolve(fakeResult(run.runId, run.spec));
    },
  });
  assert.deepEqual(executed, ["b"]);
  assert.deepEqual(summary, { total: 2, skipped: 1, executed: 1, damagedLines: 1 });
  const text = await Deno.readTextFile(path);
  assert.equal(text, done + "\n" + JSON.stringify(fakeResult("b", 1)) + "\n");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("executeRuns: shards partition the runs; duplicate run ids are an error", async () => {
  const dir = await Deno.makeTempDir();
  const runs = Array.from({ length: 7 }, (_, i) => ({ runId: `r${i}`, spec: i }));
  const seen: string[][] = [];
  for (const index of [1, 2, 3]) {
    const ids: string[] = [];
    await executeRuns(runs, {
      resultsPath: `${dir}/shard-${index}.jsonl`,
      shard: { index, count: 3 },
      progress: "none",
      execute: (run) => {
        ids.push(run.runId);
        return Promise.resolve(fakeResult(run.runId, run.spec));
      },
    });
    seen.push(ids);
  }
  assert.deepEqual(seen, [["r0", "r3", "r6"], ["r1", "r4"], ["r2", "r5"]]);
  await assert.rejects(
    executeRuns([runs[0], runs[0]], {
      resultsPath: `${dir}/x.jsonl`,
      progress: "none",
      execute: () => Promise.reject(new Error("unreachable")),
    }),
    /run id "r0" appears twice/,
  );
  await Deno.remove(dir, { recursive: true });
});
