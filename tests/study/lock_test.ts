import assert from "node:assert/strict";
import { acquireLock, type LockHolder } from "../../lib/study/lock.ts";
import { executeRuns } from "../../lib/study/execute.ts";
import { readResults } from "../../lib/study/results.ts";
import { fakeResult } from "./fixtures/fake_result.ts";

const fixture = new URL("./fixtures/study_process.ts", import.meta.url).pathname;
const linux = Deno.build.os === "linux";

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function until(what: () => Promise<boolean>, label: string): Promise<void> {
  const end = Date.now() + 20_000;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The pid of a process that has already ended. */
async function deadPid(): Promise<number> {
  const child = new Deno.Command(Deno.execPath(), { args: ["--version"], stdout: "null" }).spawn();
  await child.status;
  return child.pid;
}

Deno.test("acquireLock: the lock file names its holder and goes on release", async () => {
  const dir = await Deno.makeTempDir();
  const lock = await acquireLock(`${dir}/results.jsonl`);
  assert.equal(lock.path, `${dir}/results.jsonl.lock`);
  const holder = JSON.parse(await Deno.readTextFile(lock.path)) as LockHolder;
  assert.equal(holder.pid, Deno.pid);
  assert.equal(holder.host, Deno.hostname());
  assert.ok(Math.abs(Date.parse(holder.since) - Date.now()) < 60_000);
  // a second writer in this very process is refused too
  await assert.rejects(acquireLock(`${dir}/results.jsonl`), /in use by process \d+ on/);
  await lock.release();
  assert.equal(await exists(lock.path), false);
  // with `await using`, leaving the block (here by throwing) releases it
  await assert.rejects(async () => {
    await using _held = await acquireLock(`${dir}/results.jsonl`);
    throw new Error("boom");
  }, /boom/);
  assert.equal(await exists(lock.path), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: a second process is refused, naming the holder; the first writes on alone", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const first = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, path, "100", "30"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  await until(async () => (await readResults(path)).results.length >= 1, "the first run");
  const second = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fixture, path, "1", "30"],
  }).output();
  const stderr = new TextDecoder().decode(second.stderr);
  assert.equal(second.code, 1, stderr);
  assert.match(stderr, new RegExp(`error: ${path} is in use by process ${first.pid} on `));
  assert.match(stderr, new RegExp(`on ${Deno.hostname()} since \\d{4}-\\d\\d-\\d\\dT`));
  assert.match(stderr, new RegExp(`\\(lock ${path}\\.lock\\).*kill ${first.pid}`));
  first.kill("SIGKILL");
  await first.status;
  // every line is the first process's: no run twice
  const ids = (await readResults(path)).results.map((r) => r.runId);
  assert.equal(new Set(ids).size, ids.length);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: the stale lock of a dead process on this host is taken over, saying so", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const pid = await deadPid();
  const stale = { pid, host: Deno.hostname(), since: "2026-01-02T03:04:05.000Z" };
  await Deno.writeTextFile(`${path}.lock`, JSON.stringify(stale));
  const notes: string[] = [];
  const summary = await executeRuns([{ runId: "a", spec: 0 }], {
    resultsPath: path,
    progress: "none",
    note: (m) => notes.push(m),
    execute: (run) => Promise.resolve(fakeResult(run.runId, run.spec)),
  });
  assert.equal(summary.executed, 1);
  assert.deepEqual(notes, [
    `taking over ${path}.lock: process ${pid} on ${Deno.hostname()} since ` +
    `2026-01-02T03:04:05.000Z is no longer running`,
  ]);
  assert.equal(await exists(`${path}.lock`), false, "released after the runs");
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["results.jsonl"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "acquireLock: a pid reused by another process since does not keep a stale lock alive",
  ignore: !linux,
  fn: async () => {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/results.jsonl`;
    const ns = Deno.readLinkSync("/proc/self/ns/pid");
    // this process is alive, but started at another time than the lock says
    const stale = { pid: 1, host: Deno.hostname(), since: "x", pidNamespace: ns, processStart: -1 };
    await Deno.writeTextFile(`${path}.lock`, JSON.stringify(stale));
    const notes: string[] = [];
    const lock = await acquireLock(path, { note: (m) => notes.push(m) });
    assert.equal(lock.tookOver?.pid, 1);
    assert.match(notes[0], /process 1 .* is no longer running/);
    await lock.release();
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("acquireLock: a live holder on this host is refused, and its lock kept", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const sleeper = new Deno.Command(Deno.execPath(), {
    args: ["eval", "await new Promise((r) => setTimeout(r, 30000))"],
  }).spawn();
  const holder = { pid: sleeper.pid, host: Deno.hostname(), since: "2026-01-02T03:04:05.000Z" };
  await Deno.writeTextFile(`${path}.lock`, JSON.stringify(holder));
  await assert.rejects(
    acquireLock(path),
    new RegExp(
      `${path} is in use by process ${sleeper.pid} on ${Deno.hostname()} since ` +
        `2026-01-02T03:04:05.000Z \\(lock ${path}\\.lock\\); wait for it to finish or stop it`,
    ),
  );
  assert.deepEqual(JSON.parse(await Deno.readTextFile(`${path}.lock`)), holder);
  sleeper.kill("SIGKILL");
  await sleeper.status;
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: a lock from another host or PID namespace is never taken over", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const pid = await deadPid(); // dead here, but that says nothing about the other host
  const since = "2026-01-02T03:04:05.000Z";
  await Deno.writeTextFile(`${path}.lock`, JSON.stringify({ pid, host: "node-elsewhere", since }));
  await assert.rejects(
    executeRuns([{ runId: "a", spec: 0 }], {
      resultsPath: path,
      progress: "none",
      execute: () => Promise.reject(new Error("unreachable")),
    }),
    new RegExp(
      `${path} is in use by process ${pid} on node-elsewhere since ${since} \\(lock ${path}\\.lock\\); ` +
        `its process cannot be checked from .*: if it no longer runs, remove ${path}\\.lock`,
    ),
  );
  await Deno.writeTextFile(
    `${path}.lock`,
    JSON.stringify({ pid, host: Deno.hostname(), since, pidNamespace: "pid:[1]" }),
  );
  if (linux) {
    await assert.rejects(acquireLock(path), /another PID namespace, pid:\[1\]\).*remove/);
  }
  assert.equal(await exists(`${path}.lock`), true);
  assert.equal(await exists(path), false, "nothing written");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: a lock file naming no holder is refused with how to remove it", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  await Deno.writeTextFile(`${path}.lock`, "");
  await assert.rejects(acquireLock(path), /names no holder; if no study is writing .* remove/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("executeRuns: the lock is released when a run fails", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  await assert.rejects(
    executeRuns([{ runId: "a", spec: 0 }], {
      resultsPath: path,
      progress: "none",
      execute: () => Promise.reject(new Error("out of memory")),
    }),
    /out of memory/,
  );
  assert.equal(await exists(`${path}.lock`), false);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("acquireLock: Deno.exit elsewhere (skipping finally blocks) still removes the lock", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/results.jsonl`;
  const lockModule = new URL("../../lib/study/lock.ts", import.meta.url).href;
  const code = `import { acquireLock } from "${lockModule}";
    const lock = await acquireLock(${JSON.stringify(path)});
    try { Deno.exit(3); } finally { await lock.release(); }`;
  const out = await new Deno.Command(Deno.execPath(), { args: ["eval", code] }).output();
  assert.equal(out.code, 3, new TextDecoder().decode(out.stderr));
  assert.equal(await exists(`${path}.lock`), false);
  await Deno.remove(dir, { recursive: true });
});
