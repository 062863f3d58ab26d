import assert from "node:assert/strict";
import { executeRuns, StudyStopped } from "../../lib/study/execute.ts";
import { readResults } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

const fixture = new URL("./fixtures/slow_study.ts", import.meta.url).pathname;
const studyProcess = new URL("./fixtures/study_process.ts", import.meta.url).pathname;

async function lineCount(path: string): Promise<number> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l.endsWith("}")).length;
  } catch {
    return 0;
  }
}

async function lockExists(path: string): Promise<boolean> {
  try {
    await Deno.stat(`${path}.lock`);
    return true;
  } catch {
    return false;
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

for (
  const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGUSR1", 138], [
    "SIGUSR2",
    140,
  ]] as const
) {
  Deno.test({
    name:
      `executeRuns: ${signal} mid-study stops after the last whole run, exits ${code}; a restart resumes`,
    ignore: Deno.build.os !== "linux" && signal !== "SIGINT",
    fn: async () => {
      const dir = await Deno.makeTempDir();
      const path = `${dir}/results.jsonl`;
      // runs of 300 ms: the signal lands in the middle of one
      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", studyProcess, path, "300", "12"],
        stdout: "null",
        stderr: "piped",
      }).spawn();
      while (await lineCount(path) < 2) await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      const before = await lineCount(path); // 100 ms into a run of 300
      child.kill(signal);
      const { code: exit, stderr } = await child.output();
      const message = new TextDecoder().decode(stderr);
      assert.equal(exit, code, message);
      const text = await Deno.readTextFile(path);
      assert.ok(text.endsWith("\n"), "no partial line");
      const { results, damaged } = await readResults(path);
      assert.deepEqual(damaged, []);
      assert.equal(results.length, before, "the run in progress was abandoned, not waited for");
      // SIGUSR1 also opens Deno's inspector (Node's behaviour), which says so on
      // stderr from its own thread, before or after our line
      const ours = message.trim().split("\n").filter((line) =>
        !/^Debugger listening on |chrome:\/\/inspect/.test(line)
      );
      assert.equal(
        ours.at(-1),
        `stopped after ${results.length} of 12 runs; run the same command to resume`,
      );
      assert.equal(await lockExists(path), false, "lock released");

      const again = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", studyProcess, path, "1", "12"],
      }).output();
      assert.equal(again.code, 0, new TextDecoder().decode(again.stderr));
      assert.match(
        new TextDecoder().decode(again.stdout),
        new RegExp(`executed ${12 - results.length}, skipped ${results.length}`),
      );
      const after = (await readResults(path)).results;
      assert.deepEqual(after.map((r) => r.runId), Array.from({ length: 12 }, (_, i) => `s${i}`));
      for (const r of after) assert.deepEqual(r, fakeResult(r.runId, Number(r.runId.slice(1))));
      await Deno.remove(dir, { recursive: true });
    },
  });
}

Deno.test({
  name: "executeRuns: a stop abandons the run in progress (aborting it) and throws StudyStopped",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/results.jsonl`;
    const runs = ["a", "b", "c", "d"].map((runId, i) => ({ runId, spec: i }));
    let aborted = "";
    const stop = executeRuns(runs, {
      resultsPath: path,
      progress: "none",
      stopOn: ["SIGUSR2"],
      execute: (run, { signal }) => {
        if (run.runId !== "c") return Promise.resolve(fakeResult(run.runId, run.spec));
        // a run that would never end: the stop must not wait for it
        Deno.kill(Deno.pid, "SIGUSR2");
        return new Promise((_, reject) => {
          const long = setTimeout(() => reject(new Error("not abandoned")), 10_000);
          signal.addEventListener("abort", () => {
            clearTimeout(long);
            aborted = String(signal.reason);
            reject(signal.reason);
          });
        });
      },
    });
    await assert.rejects(stop, (e: unknown) => {
      assert.ok(e instanceof StudyStopped);
      assert.equal(e.signal, "SIGUSR2");
      assert.equal(e.exitCode, 140);
      assert.equal(e.message, "stopped after 2 of 4 runs; run the same command to resume");
      return true;
    });
    assert.equal(aborted, "Error: stopped by SIGUSR2");
    assert.deepEqual((await readResults(path)).results.map((r) => r.runId), ["a", "b"]);
    assert.equal(await lockExists(path), false);
    // with `stopOn: false` the signal is not taken: the caller's own listener gets it
    let heard = 0;
    const own = () => heard++;
    Deno.addSignalListener("SIGUSR2", own);
    await executeRuns([{ runId: "e", spec: 4 }], {
      resultsPath: path,
      progress: "none",
      stopOn: false,
      execute: async (run) => {
        Deno.kill(Deno.pid, "SIGUSR2");
        await new Promise((r) => setTimeout(r, 50));
        return fakeResult(run.runId, run.spec);
      },
    });
    Deno.removeSignalListener("SIGUSR2", own);
    assert.equal(heard, 1);
    assert.equal((await readResults(path)).results.length, 3);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("executeRuns pack 3: at most 3 runs at once, each line appended as its run finishes", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  // run i takes units[i] x 40 ms: started in plan order 3 at a time, they finish out of order
  const units = [10, 4, 7, 1, 3, 9, 3];
  const runs = units.map((_, i) => ({ runId: `s${i}`, spec: i }));
  let running = 0, most = 0;
  const started: string[] = [];
  const summary = await executeRuns(runs, {
    resultsPath: path,
    progress: "none",
    pack: 3,
    execute: async (run) => {
      started.push(run.runId);
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, units[run.spec] * 40));
      running--;
      return fakeResult(run.runId, run.spec);
    },
  });
  assert.deepEqual(summary, { total: 7, skipped: 0, executed: 7, damagedLines: 0 });
  assert.equal(most, 3);
  assert.deepEqual(started, runs.map((r) => r.runId));
  // by hand, in units: s0, s1, s2 start at 0; s1 ends at 4 (s3 starts, ends 5), s3 at 5
  // (s4, ends 8), s2 at 7 (s5, ends 16), s4 at 8 (s6, ends 11), s0 at 10, s6 11, s5 16
  assert.deepEqual(
    (await readResults(path)).results.map((r) => r.runId),
    ["s1", "s3", "s2", "s4", "s0", "s6", "s5"],
  );
  for (const r of (await readResults(path)).results) {
    assert.deepEqual(r, fakeResult(r.runId, Number(r.runId.slice(1))));
  }
  await assert.rejects(
    () => executeRuns(runs, { resultsPath: path, execute: () => Promise.reject(), pack: 0 }),
    /pack must be a whole number of runs, at least 1 \(got 0\)/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("executeRuns pack 3: a failing run lets the runs in flight finish and be kept, then throws", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const runs = Array.from({ length: 6 }, (_, i) => ({ runId: `s${i}`, spec: i }));
  const started: string[] = [];
  await assert.rejects(
    executeRuns(runs, {
      resultsPath: path,
      progress: "none",
      pack: 3,
      execute: async (run) => {
        started.push(run.runId);
        await new Promise((r) => setTimeout(r, run.spec === 0 ? 10 : 60));
        if (run.spec === 0) throw new Error("s0 failed");
        return fakeResult(run.runId, run.spec);
      },
    }),
    /s0 failed/,
  );
  assert.deepEqual(started, ["s0", "s1", "s2"], "no run starts after the failure");
  assert.deepEqual((await readResults(path)).results.map((r) => r.runId), ["s1", "s2"]);
  assert.equal(await lockExists(path), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "executeRuns pack 3: SIGTERM abandons every run in flight; a restart resumes",
  ignore: Deno.build.os !== "linux",
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/results.jsonl`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", studyProcess, path, "300", "12", "3"],
      stdout: "null",
      stderr: "piped",
    }).spawn();
    // the first 3 runs end together at 300 ms, the next 3 start: stop 100 ms into them
    while (await lineCount(path) < 3) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 100));
    child.kill("SIGTERM");
    const { code, stderr } = await child.output();
    assert.equal(code, 143);
    assert.equal(
      new TextDecoder().decode(stderr).trim(),
      "stopped after 3 of 12 runs; run the same command to resume",
    );
    assert.equal((await readResults(path)).results.length, 3);
    assert.equal(await lockExists(path), false);
    const again = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", studyProcess, path, "1", "12", "3"],
    }).output();
    assert.match(new TextDecoder().decode(again.stdout), /executed 9, skipped 3/);
    const after = (await readResults(path)).results.map((r) => r.runId).sort();
    assert.deepEqual(after, Array.from({ length: 12 }, (_, i) => `s${i}`).sort());
    await Deno.remove(dir, { recursive: true });
  },
});
