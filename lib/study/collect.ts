/**
 * Collects the results files of a sharded study into one, and reports runs that
 * appear more than once (with identical or different results) or not at all.
 *
 * @module
 */
import { readResults, type RunResult, writeTextAtomic } from "./results.ts";

/**
 * What {@link collectResults} found.
 *
 * @example
 * ```ts
 * const c: Collected = { results: [], duplicates: [], conflicting: [], missing: ["s0001/bert"],
 *   unknown: [], damaged: [] };
 * ```
 */
export type Collected = {
  results: RunResult[];
  /** Run ids found more than once with the same numbers (kept once). */
  duplicates: string[];
  /** Run ids found more than once with different numbers (the first is kept). */
  conflicting: string[];
  /** Expected run ids found in no file. */
  missing: string[];
  /** Run ids found that the study does not have. */
  unknown: string[];
  damaged: { file: string; line: number }[];
};

/**
 * Merges results files; with `expected` run ids, reports missing and unknown runs.
 * With `outPath`, writes the merged results there (atomically), ordered as `expected`.
 *
 * @example
 * ```ts
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * const { runs } = await prepareStudy(DEFAULT_STUDY);
 * const c = await collectResults(["out/shard-1.jsonl", "out/shard-2.jsonl"],
 *   { expected: runs.map((r) => r.runId), outPath: "out/results.jsonl" });
 * console.log(c.missing.length, "missing");
 * ```
 */
export async function collectResults(
  paths: string[],
  options: { expected?: string[]; outPath?: string } = {},
): Promise<Collected> {
  const byId = new Map<string, RunResult>();
  const duplicates = new Set<string>(), conflicting = new Set<string>();
  const damaged: Collected["damaged"] = [];
  const numbers = (r: RunResult) =>
    JSON.stringify({ ...r, finishedAt: undefined, trainMs: undefined, device: undefined });
  for (const file of paths) {
    const read = await readResults(file);
    damaged.push(...read.damaged.map((d) => ({ file, line: d.line })));
    for (const r of read.results) {
      const seen = byId.get(r.runId);
      if (!seen) byId.set(r.runId, r);
      else if (numbers(seen) === numbers(r)) duplicates.add(r.runId);
      else conflicting.add(r.runId);
    }
  }
  const expected = options.expected;
  const expectedSet = new Set(expected ?? []);
  const missing = expected ? expected.filter((id) => !byId.has(id)) : [];
  const unknown = expected ? [...byId.keys()].filter((id) => !expectedSet.has(id)) : [];
  const order = expected ? [...expected, ...unknown] : [...byId.keys()];
  const results = order.flatMap((id) => byId.get(id) ?? []);
  if (options.outPath) {
    await writeTextAtomic(options.outPath, results.map((r) => JSON.stringify(r) + "\n").join(""));
  }
  return {
    results,
    duplicates: [...duplicates],
    conflicting: [...conflicting],
    missing,
    unknown,
    damaged,
  };
}
