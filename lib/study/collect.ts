/**
 * Collects the results files of a sharded study into the study's results file. It only
 * ever adds: lines already there stay, each run found in a shard file and not yet there is
 * appended, and every line is checked against the study first ({@link checkResults}), so
 * lines of another study, unknown runs and conflicting results stop it before anything is
 * written. It names the runs still missing.
 *
 * @module
 */
import { acquireLock } from "./lock.ts";
import { appendResult, readResults, repairResults, type RunResult } from "./results.ts";
import { checkResults } from "./provenance.ts";

/**
 * What {@link collectResults} found and did.
 */
export type Collected = {
  /** Every result of the merged file, in its order. */
  results: RunResult[];
  /** Lines appended to the merged file. */
  added: number;
  /** The study's run ids found in no file, in the study's order. */
  missing: string[];
  /** Damaged (cut-short) last lines: of shard files (skipped) and of the merged file (removed). */
  damaged: { file: string; line: number }[];
  /** Exact repeats counted once. */
  notes: string[];
};

/**
 * Merges shard results files into `outPath` (the study's results.jsonl), checked against
 * the study's runs (`hashes`: run id -> study hash, see {@link runHashes}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectResults } from "./collect.ts";
 * const dir = await Deno.makeTempDir();
 * // a study of three runs (see runHashes); shard 1 of 2 has finished s01/m and s03/m
 * const hashes = new Map([["s01/m", "aa"], ["s02/m", "aa"], ["s03/m", "aa"]]);
 * const line = (runId: string) => JSON.stringify({ runId, studyHash: "aa", micro: { f1: 0.5 } });
 * await Deno.writeTextFile(`${dir}/results-shard-1-of-2.jsonl`,
 *   `${line("s01/m")}\n${line("s03/m")}\n`);
 * const c = await collectResults([`${dir}/results-shard-1-of-2.jsonl`],
 *   { hashes, outPath: `${dir}/results.jsonl` });
 * assert.equal(c.added, 2);
 * assert.deepEqual(c.missing, ["s02/m"]);
 * assert.deepEqual(c.results.map((r) => r.runId), ["s01/m", "s03/m"]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function collectResults(
  paths: readonly string[],
  options: {
    hashes: ReadonlyMap<string, string>;
    outPath: string;
    /** Lines without a study hash: accepted where the folder's study.json matches. */
    unhashed?: "accept" | "refuse";
  },
): Promise<Collected> {
  const { hashes, outPath } = options;
  const check = { unhashed: options.unhashed };
  const damaged: Collected["damaged"] = [];
  await using _lock = await acquireLock(outPath); // one writer per results file (lock.ts)
  const existing = await repairResults(outPath);
  damaged.push(...existing.damaged.map((d) => ({ file: outPath, line: d.line })));
  const all: RunResult[] = [...existing.results];
  for (const file of paths) {
    const read = await readResults(file);
    damaged.push(...read.damaged.map((d) => ({ file, line: d.line })));
    checkResults(read.results, hashes, file, check); // names the file of a bad line
    all.push(...read.results);
  }
  const { notes } = checkResults(all, hashes, [outPath, ...paths].join(", "), check);
  const have = new Set(existing.results.map((r) => r.runId));
  const byId = new Map<string, RunResult>();
  for (const r of all) if (!byId.has(r.runId)) byId.set(r.runId, r);
  const order = [...hashes.keys()];
  const toAdd = order.filter((id) => byId.has(id) && !have.has(id)).map((id) => byId.get(id)!);
  for (const r of toAdd) await appendResult(outPath, r);
  const results = [...existing.results, ...toAdd];
  const done = new Set(results.map((r) => r.runId));
  return {
    results,
    added: toAdd.length,
    missing: order.filter((id) => !done.has(id)),
    damaged,
    notes,
  };
}
