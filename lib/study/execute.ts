/**
 * Executes a study's runs: skips those already in the results file, trains and scores
 * the rest through the given function, one by one or `pack` at once, and appends each
 * result as soon as it is done. Killed at any moment and started again, it resumes and
 * loses at most the runs in progress. It holds the results file's lock (lock.ts)
 * throughout, so two processes never write one file. SIGINT, SIGTERM, SIGUSR2 and SIGUSR1 (for Slurm's
 * warning before its time limit prefer `--signal=USR2@120` or `TERM@120`: SIGUSR1 also
 * opens Deno's inspector on 127.0.0.1:9229, as Node does) stop it gracefully: the runs
 * in progress are abandoned, not waited for (a long run could outlast Slurm's grace time),
 * nothing partial is appended, the lock is released, and a {@link StudyStopped} is
 * thrown for the caller to map to an exit code (the CLI exits 128 + the signal's number).
 *
 * @module
 */
import { acquireLock } from "./lock.ts";
import { appendResult, repairResults, type RunResult } from "./results.ts";
import { type Shard, shardOf } from "./shard.ts";
import { createProgress, type ProgressOutput } from "../train/progress.ts";

/**
 * A run to execute: its id and whatever the trainer needs.
 */
export type StudyRun<T> = { runId: string; spec: T };

/**
 * Options of {@link executeRuns}.
 */
export type ExecuteOptions<T> = {
  resultsPath: string;
  /** Trains and scores one run; `signal` aborts when the study is being stopped. */
  execute: (run: StudyRun<T>, context: { signal: AbortSignal }) => Promise<RunResult>;
  shard?: Shard;
  progress?: ProgressOutput;
  /** Called after each finished run. */
  onResult?: (result: RunResult) => void;
  /**
   * Signals that stop the study gracefully (default SIGINT, SIGTERM, SIGUSR1 and SIGUSR2,
   * those the platform supports); `false` leaves signals alone.
   */
  stopOn?: readonly Deno.Signal[] | false;
  /** Where notes go (a stale lock taken over); default `console.error`. */
  note?: (message: string) => void;
  /**
   * How many runs are trained at once (default 1): each run is its own model, so its
   * results are those of its solo run; lines are appended as runs finish, in that order.
   */
  pack?: number;
};

const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = Deno.build.os === "darwin"
  ? { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGUSR1: 30, SIGUSR2: 31 }
  : { SIGHUP: 1, SIGINT: 2, SIGTERM: 15, SIGUSR1: 10, SIGUSR2: 12 };

/**
 * Thrown by {@link executeRuns} when a signal stopped the study: no partial line was
 * written and the lock is released. `exitCode` is 128 + the signal's number (SIGINT
 * 130, SIGTERM 143, SIGUSR1 138, SIGUSR2 140 on Linux), what a shell reports for a process the
 * signal ended.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StudyStopped } from "./execute.ts";
 * const e = new StudyStopped("SIGINT", 3, 12);
 * assert.equal(e.message, "stopped after 3 of 12 runs; run the same command to resume");
 * assert.equal(e.exitCode, 130);
 * ```
 */
export class StudyStopped extends Error {
  readonly exitCode: number;
  constructor(readonly signal: Deno.Signal, readonly finished: number, readonly total: number) {
    super(`stopped after ${finished} of ${total} runs; run the same command to resume`);
    this.name = "StudyStopped";
    this.exitCode = 128 + (SIGNAL_NUMBERS[signal] ?? 0);
  }
}

/**
 * What {@link executeRuns} did.
 */
export type ExecuteSummary = {
  total: number;
  skipped: number;
  executed: number;
  damagedLines: number;
};

/**
 * Runs every run of the shard whose id is not yet in the results file, holding the
 * file's lock (lock.ts's `LockHeldError` when another process holds it). A stopping
 * signal ends it with a {@link StudyStopped}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { executeRuns } from "./execute.ts";
 * import type { RunResult } from "./results.ts";
 * const dir = await Deno.makeTempDir(), resultsPath = `${dir}/results.jsonl`;
 * const runs = [{ runId: "s01/m", spec: 120 }, { runId: "s02/m", spec: 480 }];
 * // a stand-in for a trainer (createRunExecutor in train_run.ts trains and scores)
 * const execute = (run: { runId: string; spec: number }) =>
 *   Promise.resolve({ runId: run.runId, sentences: run.spec, micro: { f1: 0.5 } } as RunResult);
 * const options = { resultsPath, execute, progress: "none" as const };
 * assert.deepEqual(await executeRuns(runs, options),
 *   { total: 2, skipped: 0, executed: 2, damagedLines: 0 });
 * // run again (after a crash, or a StudyStopped): what is in the results file is skipped
 * assert.deepEqual(await executeRuns(runs, options),
 *   { total: 2, skipped: 2, executed: 0, damagedLines: 0 });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function executeRuns<T>(
  runs: readonly StudyRun<T>[],
  options: ExecuteOptions<T>,
): Promise<ExecuteSummary> {
  const ids = new Set<string>();
  for (const r of runs) {
    if (ids.has(r.runId)) throw new Error(`run id "${r.runId}" appears twice in the study`);
    ids.add(r.runId);
  }
  const pack = options.pack ?? 1;
  if (!Number.isInteger(pack) || pack < 1) {
    throw new Error(`pack must be a whole number of runs, at least 1 (got ${pack})`);
  }
  const lock = await acquireLock(options.resultsPath, { note: options.note });
  const controller = new AbortController();
  let stoppedBy: Deno.Signal | undefined;
  let wake = () => {};
  const stopping = new Promise<"stop">((resolve) => (wake = () => resolve("stop")));
  const listeners: [Deno.Signal, () => void][] = [];
  const stopOn = options.stopOn === false
    ? []
    : options.stopOn ?? ["SIGINT", "SIGTERM", "SIGUSR1", "SIGUSR2"];
  for (const signal of stopOn) {
    const listener = () => {
      if (stoppedBy) return;
      stoppedBy = signal;
      wake();
      controller.abort(new Error(`stopped by ${signal}`));
    };
    try {
      Deno.addSignalListener(signal, listener);
      listeners.push([signal, listener]);
    } catch {
      // not supported on this platform (Windows: SIGINT and SIGBREAK only)
    }
  }
  try {
    const { results, damaged } = await repairResults(options.resultsPath);
    const finished = new Set(results.map((r) => r.runId));
    const mine = shardOf(runs, options.shard);
    const todo = mine.filter((r) => !finished.has(r.runId));
    const progress = createProgress({
      total: todo.length,
      label: options.shard ? `study ${options.shard.index}/${options.shard.count}` : "study",
      unit: "runs",
      output: options.progress,
    });
    let executed = 0;
    let failure: { error: unknown } | undefined;
    const queue = [...todo];
    const inFlight = new Map<string, Promise<RunResult>>();
    while (!stoppedBy && (inFlight.size > 0 || (queue.length > 0 && !failure))) {
      while (!failure && inFlight.size < pack && queue.length > 0) {
        const run = queue.shift()!;
        const pending = options.execute(run, { signal: controller.signal });
        pending.catch(() => {}); // an abandoned run may fail later: nobody waits for it
        inFlight.set(run.runId, pending);
      }
      const outcome = await Promise.race([
        ...[...inFlight].map(([runId, pending]) =>
          pending.then((result) => ({ runId, result }), (error) => ({ runId, error }))
        ),
        stopping,
      ]);
      if (outcome === "stop") break; // abandon the runs in progress: nothing is appended
      inFlight.delete(outcome.runId);
      if ("error" in outcome) {
        if (stoppedBy) break; // the run failed because it was aborted
        // the runs still in flight finish and are kept; then the first error is thrown
        failure ??= { error: outcome.error };
        continue;
      }
      const { result } = outcome;
      if (result.runId !== outcome.runId) {
        throw new Error(`trainer returned run id "${result.runId}" for run "${outcome.runId}"`);
      }
      await appendResult(options.resultsPath, result);
      executed++;
      options.onResult?.(result);
      progress.tick(1, { f1: result.micro.f1 });
    }
    if (failure && !stoppedBy) throw failure.error;
    progress.finish();
    if (stoppedBy) {
      throw new StudyStopped(stoppedBy, mine.length - todo.length + executed, mine.length);
    }
    return {
      total: mine.length,
      skipped: mine.length - todo.length,
      executed,
      damagedLines: damaged.length,
    };
  } finally {
    for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
    await lock.release();
  }
}
