/**
 * One writer per results file: an exclusive lock file beside it (`results.jsonl.lock`,
 * created with O_EXCL) that names its holder (pid, host, PID namespace, start time). A
 * second process is refused with the holder named; the lock of a dead process on the
 * same host (and PID namespace) is taken over, saying so; a lock from another host is
 * never taken over, since its process cannot be checked from here.
 *
 * @module
 */

/**
 * Who holds a lock, as written in the lock file.
 */
export type LockHolder = {
  pid: number;
  host: string;
  /** When the lock was taken (ISO 8601). */
  since: string;
  /** The PID namespace (Linux: `pid:[4026531836]`), where known. */
  pidNamespace?: string;
  /** The process's start time in clock ticks since boot (Linux), to detect reused pids. */
  processStart?: number;
};

/**
 * A lock taken by {@link acquireLock}; `release` removes the lock file if it is still
 * ours. It is also an async disposable: `await using lock = await acquireLock(path)`
 * releases it when the block is left, returning or throwing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLock } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * {
 *   await using lock = await acquireLock(`${dir}/results.jsonl`);
 *   assert.equal(lock.path, `${dir}/results.jsonl.lock`);
 *   assert.equal(lock.holder.pid, Deno.pid);
 *   // ... append to results.jsonl
 * } // released here: the lock file is gone
 * await assert.rejects(Deno.stat(`${dir}/results.jsonl.lock`), Deno.errors.NotFound);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export type FileLock = {
  /** The lock file's path. */
  path: string;
  holder: LockHolder;
  /** The stale holder whose lock was taken over, if any. */
  tookOver?: LockHolder;
  release: () => Promise<void>;
  [Symbol.asyncDispose]: () => Promise<void>;
};

/**
 * The error {@link acquireLock} throws when another process holds the lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLock, LockHeldError } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * const lock = await acquireLock(`${dir}/results.jsonl`);
 * // a second writer (here in the same process) is refused, with the holder named
 * await assert.rejects(acquireLock(`${dir}/results.jsonl`), (e) =>
 *   e instanceof LockHeldError && e.holder?.pid === Deno.pid &&
 *   e.lockPath === `${dir}/results.jsonl.lock`);
 * await lock.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export class LockHeldError extends Error {
  constructor(message: string, readonly lockPath: string, readonly holder?: LockHolder) {
    super(message);
    this.name = "LockHeldError";
  }
}

/**
 * Takes the lock of `filePath` (the file `filePath.lock`), or throws a
 * {@link LockHeldError} naming the holder and the lock file. A lock left by a process
 * that is no longer running on this host is taken over and `note` is told so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireLock } from "./lock.ts";
 * const dir = await Deno.makeTempDir();
 * // the lock of a process of this host that has ended (no pid is above Linux's 2^22)
 * const stale = { pid: 4194305, host: Deno.hostname(), since: "2026-01-01T00:00:00.000Z" };
 * await Deno.writeTextFile(`${dir}/results.jsonl.lock`, JSON.stringify(stale));
 * const notes: string[] = [];
 * const lock = await acquireLock(`${dir}/results.jsonl`, { note: (m) => notes.push(m) });
 * assert.deepEqual(lock.tookOver, stale);
 * assert.equal(notes[0], `taking over ${dir}/results.jsonl.lock: process 4194305 on ` +
 *   `${Deno.hostname()} since 2026-01-01T00:00:00.000Z is no longer running`);
 * await lock.release();
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function acquireLock(
  filePath: string,
  options: { note?: (message: string) => void } = {},
): Promise<FileLock> {
  const note = options.note ?? ((m: string) => console.error(m));
  const lockPath = `${filePath}.lock`;
  const holder = ownHolder();
  const text = JSON.stringify(holder) + "\n";
  let tookOver: LockHolder | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await createExclusive(lockPath, text)) {
      const lock = makeLock(lockPath, holder, text);
      if (tookOver) lock.tookOver = tookOver;
      return lock;
    }
    const found = await readHolder(lockPath);
    if (found === "gone") continue;
    if (found === "damaged") {
      throw new LockHeldError(
        `${filePath} is locked by ${lockPath}, which names no holder; ` +
          `if no study is writing ${filePath}, remove ${lockPath}`,
        lockPath,
      );
    }
    const where = `process ${found.pid} on ${found.host} since ${found.since}`;
    const sameMachine = found.host === holder.host &&
      (found.pidNamespace ?? holder.pidNamespace) === holder.pidNamespace;
    if (!sameMachine) {
      const ns = found.host === holder.host
        ? ` (another PID namespace, ${found.pidNamespace})`
        : "";
      throw new LockHeldError(
        `${filePath} is in use by ${where}${ns} (lock ${lockPath}); its process cannot be ` +
          `checked from ${holder.host}: if it no longer runs, remove ${lockPath}`,
        lockPath,
        found,
      );
    }
    if (await isRunning(found)) {
      throw new LockHeldError(
        `${filePath} is in use by ${where} (lock ${lockPath}); wait for it to finish or stop ` +
          `it (kill ${found.pid}), then run again`,
        lockPath,
        found,
      );
    }
    if (await removeIfUnchanged(lockPath, found)) {
      note(`taking over ${lockPath}: ${where} is no longer running`);
      tookOver = found;
    }
  }
  throw new LockHeldError(
    `${filePath}: could not take ${lockPath} (other processes keep taking it)`,
    lockPath,
  );
}

function ownHolder(): LockHolder {
  const holder: LockHolder = {
    pid: Deno.pid,
    host: Deno.hostname(),
    since: new Date().toISOString(),
  };
  const ns = pidNamespace();
  if (ns) holder.pidNamespace = ns;
  const start = processStart(Deno.pid);
  if (start !== undefined) holder.processStart = start;
  return holder;
}

function pidNamespace(): string | undefined {
  try {
    return Deno.readLinkSync("/proc/self/ns/pid");
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat: the start time in clock ticks since boot. */
function processStart(pid: number): number | undefined {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : undefined;
  } catch {
    return undefined;
  }
}

async function isRunning(holder: LockHolder): Promise<boolean> {
  if (holder.pid === Deno.pid) return true; // this process: another writer in it
  if (Deno.build.os === "linux") {
    try {
      await Deno.stat(`/proc/${holder.pid}`);
    } catch {
      return false;
    }
    // the pid may have been reused by an unrelated process since
    const start = processStart(holder.pid);
    return holder.processStart === undefined || start === undefined ||
      start === holder.processStart;
  }
  try {
    Deno.kill(holder.pid, "SIGCONT"); // harmless to a running process; fails for a dead one
    return true;
  } catch (e) {
    return !(e instanceof Deno.errors.NotFound) && !/ESRCH|No such process/i.test(String(e));
  }
}

async function createExclusive(path: string, text: string): Promise<boolean> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path, { createNew: true, write: true });
  } catch (e) {
    if (e instanceof Deno.errors.AlreadyExists) return false;
    throw new Error(`${path}: cannot create the lock file (${(e as Error).message})`, { cause: e });
  }
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } catch (e) {
    file.close();
    await Deno.remove(path).catch(() => {});
    throw new Error(`${path}: cannot write the lock file (${(e as Error).message})`, { cause: e });
  }
  file.close();
  return true;
}

/** The holder named in a lock file; a lock just created may still be empty, so wait a little. */
async function readHolder(path: string): Promise<LockHolder | "gone" | "damaged"> {
  for (let i = 0; i < 20; i++) {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) return "gone";
      throw e;
    }
    try {
      const h = JSON.parse(text) as LockHolder;
      if (typeof h.pid === "number" && typeof h.host === "string") return h;
    } catch {
      // still being written, or damaged
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return "damaged";
}

/**
 * Removes a stale lock only if it still names `stale`: it is moved aside first (atomic),
 * and put back (with link, which never overwrites) if it turned out to be a newer lock.
 */
async function removeIfUnchanged(path: string, stale: LockHolder): Promise<boolean> {
  const aside = `${path}.stale-${crypto.randomUUID()}`;
  try {
    await Deno.rename(path, aside);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
  const moved = await readHolder(aside);
  if (moved !== "gone" && moved !== "damaged" && sameHolder(moved, stale)) {
    await Deno.remove(aside);
    return true;
  }
  await Deno.link(aside, path).catch(() => {});
  await Deno.remove(aside).catch(() => {});
  return false;
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.host === b.host && a.since === b.since;
}

function makeLock(path: string, holder: LockHolder, text: string): FileLock {
  let released = false;
  // Deno.exit elsewhere skips `finally`: remove the lock on the way out all the same
  const onUnload = () => {
    try {
      if (Deno.readTextFileSync(path) === text) Deno.removeSync(path);
    } catch {
      // gone already
    }
  };
  globalThis.addEventListener("unload", onUnload);
  const release = async () => {
    if (released) return;
    released = true;
    globalThis.removeEventListener("unload", onUnload);
    try {
      if (await Deno.readTextFile(path) === text) await Deno.remove(path);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  };
  return { path, holder, release, [Symbol.asyncDispose]: release };
}
