/**
 * The study's results file: append-only JSON Lines, one line per finished run,
 * flushed (written and synced) per run. A crash can at worst leave one partial last
 * line, which {@link readResults} reports and skips: only the run that was in progress
 * is lost, and resuming reruns it.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import type { EntityScores } from "../train/evaluate.ts";

/**
 * One finished (subsample x model) run.
 */
export type RunResult = {
  runId: string;
  model: string;
  subsample: string;
  documents: number;
  sentences: number;
  entities: number;
  eps: number;
  micro: EntityScores;
  byType: Record<string, EntityScores>;
  trainMs: number;
  steps: number;
  seed: number;
  finishedAt: string;
  [extra: string]: unknown;
};

/**
 * Appends one result as one line and syncs it to disk before returning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendResult, readResults, type RunResult } from "./results.ts";
 * const dir = await Deno.makeTempDir(), path = `${dir}/results.jsonl`;
 * const result = { runId: "s01/bert", micro: { f1: 0.5 } } as RunResult; // as a trainer gives it
 * await appendResult(path, result);
 * assert.equal(await Deno.readTextFile(path), '{"runId":"s01/bert","micro":{"f1":0.5}}\n');
 * assert.deepEqual((await readResults(path)).results, [result]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function appendResult(path: string, result: RunResult): Promise<void> {
  try {
    await writeSynced(path, JSON.stringify(result) + "\n", { append: true, create: true });
  } catch (e) {
    throw new Error(
      `${path}: ${osReason(e)}; the results before run "${result.runId}" are kept ` +
        `(a partial last line is dropped on resume)`,
      { cause: e },
    );
  }
}

/** An OS error's reason without Deno's "(os error N): op 'path'" tail. */
function osReason(e: unknown): string {
  return (e instanceof Error ? e.message : String(e))
    .replace(/ \(os error \d+\)/, "")
    .replace(/: [a-z_]+ '[^']*'$/, "");
}

async function writeSynced(path: string, text: string, options: Deno.OpenOptions): Promise<void> {
  const file = await Deno.open(path, options);
  try {
    const bytes = new TextEncoder().encode(text);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
    await file.sync();
  } finally {
    file.close();
  }
}

/**
 * What {@link readResults} found: the results and any damaged lines (with line numbers).
 */
export type ResultsFile = { results: RunResult[]; damaged: { line: number; text: string }[] };

/**
 * Reads a results file (missing file: no results). A line that is not a complete JSON
 * object is reported in `damaged`; only the last line may be damaged (an interrupted
 * write), anywhere else it is an error naming file and line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readResults } from "./results.ts";
 * const dir = await Deno.makeTempDir(), path = `${dir}/results.jsonl`;
 * // two runs, and a third whose line a crash cut short
 * await Deno.writeTextFile(path, '{"runId":"s01/m"}\n{"runId":"s02/m"}\n{"runId":"s0');
 * const { results, damaged } = await readResults(path);
 * assert.deepEqual(results.map((r) => r.runId), ["s01/m", "s02/m"]);
 * assert.deepEqual(damaged, [{ line: 3, text: '{"runId":"s0' }]);
 * assert.deepEqual(await readResults(`${dir}/none.jsonl`), { results: [], damaged: [] });
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readResults(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return { results: [], damaged: [] };
    throw e;
  }
  const lines = text.split("\n");
  const results: RunResult[] = [];
  const damaged: { line: number; text: string }[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === "") return;
    const last = i === lines.length - 1; // no trailing newline: the write was cut short
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = undefined;
    }
    const ok = !last && typeof parsed === "object" && parsed !== null &&
      typeof (parsed as RunResult).runId === "string";
    if (ok) results.push(parsed as RunResult);
    else if (last) damaged.push({ line: i + 1, text: line });
    else throw new Error(`${path}:${i + 1}: not a result line: ${line.slice(0, 80)}`);
  });
  return { results, damaged };
}

/**
 * Rewrites a results file without its damaged last line (write to a temporary file,
 * then rename), so that appends start on a fresh line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repairResults } from "./results.ts";
 * const dir = await Deno.makeTempDir(), path = `${dir}/results.jsonl`;
 * await Deno.writeTextFile(path, '{"runId":"s01/m"}\n{"runId":"s0'); // cut short
 * const { damaged } = await repairResults(path); // what it read
 * assert.equal(damaged.length, 1);
 * assert.equal(await Deno.readTextFile(path), '{"runId":"s01/m"}\n');
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function repairResults(path: string): Promise<ResultsFile> {
  const file = await readResults(path);
  if (file.damaged.length > 0) {
    await writeTextAtomic(path, file.results.map((r) => JSON.stringify(r) + "\n").join(""));
  }
  return file;
}

/**
 * Writes a whole file atomically: to a temporary file beside it (`path.tmp-<uuid>`,
 * unique across hosts and PID namespaces, created exclusively), synced, renamed over
 * `path`, and the folder synced so the rename survives a power cut. A file that already
 * holds exactly `text` is not rewritten (returns false). On failure the temporary file
 * is removed and the error names the file and what was kept, e.g. `out/study.json: No
 * space left on device; the previous study.json is unchanged`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeTextAtomic } from "./results.ts";
 * const dir = await Deno.makeTempDir(), path = `${dir}/report.html`;
 * assert.equal(await writeTextAtomic(path, "<html></html>"), true);
 * assert.equal(await writeTextAtomic(path, "<html></html>"), false); // unchanged: not rewritten
 * assert.equal(await Deno.readTextFile(path), "<html></html>");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeTextAtomic(path: string, text: string): Promise<boolean> {
  let exists = false;
  try {
    if (await Deno.readTextFile(path) === text) return false;
    exists = true;
  } catch (e) {
    exists = !(e instanceof Deno.errors.NotFound);
  }
  const tmp = `${path}.tmp-${crypto.randomUUID()}`;
  try {
    await writeSynced(tmp, text, { write: true, createNew: true });
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    const kept = exists
      ? `the previous ${basename(path)} is unchanged`
      : `${basename(path)} was not written`;
    throw new Error(`${path}: ${osReason(e)}; ${kept}`, { cause: e });
  }
  await syncFolder(dirname(path));
  return true;
}

/** fsync of a folder, where the platform allows it (not on Windows); best effort. */
async function syncFolder(dir: string): Promise<void> {
  if (Deno.build.os === "windows") return;
  try {
    const folder = await Deno.open(dir, { read: true });
    try {
      await folder.sync();
    } finally {
      folder.close();
    }
  } catch {
    // some file systems refuse fsync on a folder: the data itself is synced already
  }
}
