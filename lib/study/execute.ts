/**
 * Executes a study's runs: skips those already in the results file, trains and scores
 * the rest one by one through the given function, and appends each result as soon as
 * it is done. Killed at any moment and started again, it resumes and loses at most
 * the run in progress.
 *
 * @module
 */
import { appendResult, repairResults, type RunResult } from "./results.ts";
import { type Shard, shardOf } from "./shard.ts";
import { createProgress, type ProgressOutput } from "../train/progress.ts";

/**
 * A run to execute: its id and whatever the trainer needs.
 *
 * @example
 * ```ts
 * const run: StudyRun<{ docIds: string[] }> = { runId: "s0001/tiny-bert", spec: { docIds: ["d1"] } };
 * ```
 */
export type StudyRun<T> = { runId: string; spec: T };

/**
 * Options of {@link executeRuns}.
 *
 * @example
 * ```ts
 * const o: ExecuteOptions<number> = { resultsPath: "out/results.jsonl",
 *   execute: async (run) => { throw new Error("a trainer goes here"); } };
 * ```
 */
export type ExecuteOptions<T> = {
  resultsPath: string;
  execute: (run: StudyRun<T>) => Promise<RunResult>;
  shard?: Shard;
  progress?: ProgressOutput;
  /** Called after each finished run. */
  onResult?: (result: RunResult) => void;
};

/**
 * What {@link executeRuns} did.
 *
 * @example
 * ```ts
 * const s: ExecuteSummary = { total: 40, skipped: 10, executed: 30, damagedLines: 0 };
 * ```
 */
export type ExecuteSummary = {
  total: number;
  skipped: number;
  executed: number;
  damagedLines: number;
};

/**
 * Runs every run of the shard whose id is not yet in the results file.
 *
 * @example
 * ```ts
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * import { createRunExecutor } from "./train_run.ts";
 * const prepared = await prepareStudy(DEFAULT_STUDY);
 * await executeRuns(prepared.runs, { resultsPath: "out/results.jsonl",
 *   execute: createRunExecutor(prepared) });
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
  for (const run of todo) {
    const result = await options.execute(run);
    if (result.runId !== run.runId) {
      throw new Error(`trainer returned run id "${result.runId}" for run "${run.runId}"`);
    }
    await appendResult(options.resultsPath, result);
    options.onResult?.(result);
    progress.tick(1, { f1: result.micro.f1 });
  }
  progress.finish();
  return {
    total: mine.length,
    skipped: mine.length - todo.length,
    executed: todo.length,
    damagedLines: damaged.length,
  };
}
