/**
 * Which study a result belongs to. Each results line carries `studyHash`: a hash of
 * everything that changes the run's result (the corpus's checksum and label mapping, the
 * test split, the plan, the model, the training settings and the seed; not the study's
 * name, the corpus's path, the analysis settings or the number of replicates: a run is its
 * subsample, model and seed, so raising `plan.replicates` adds runs and keeps the
 * results of the runs there were valid). {@link checkResults} sorts a
 * results file's lines against a prepared study: lines of another study, of run ids the
 * study does not have, and conflicting repeats are errors naming the run ids; exact
 * repeats are dropped with a note.
 *
 * @module
 */
import { sha256Hex } from "../corpus/dataset.ts";
import type { ModelSpec, StudyConfig } from "./config.ts";
import type { RunResult } from "./results.ts";

/** JSON with object keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The hash (16 hex digits of a sha256) of what makes a run of `model` in `config` what it
 * is. Studies that differ only in name, corpus path, analysis settings or the number of
 * replicates (`plan.replicates`) give the same hash: the replicate of a run is in its id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { runHash } from "./provenance.ts";
 * const model = DEFAULT_STUDY.models[0];
 * const a = await runHash(DEFAULT_STUDY, model);
 * assert.match(a, /^[0-9a-f]{16}$/);
 * assert.equal(await runHash({ ...DEFAULT_STUDY, name: "other" }, model), a);
 * assert.notEqual(await runHash({ ...DEFAULT_STUDY, seed: 2 }, model), a);
 * const three = { ...DEFAULT_STUDY, plan: { ...DEFAULT_STUDY.plan, replicates: 3 } };
 * assert.equal(await runHash(three, model), a);
 * ```
 */
export async function runHash(config: StudyConfig, model: ModelSpec): Promise<string> {
  const { path: _path, ...data } = config.data ?? { path: "" };
  const { replicates: _replicates, ...plan } = config.plan;
  const what = {
    corpus: config.data ? data : { dataset: config.dataset, labels: config.labels ?? null },
    test: config.test,
    plan,
    training: config.training,
    seed: config.seed,
    model,
  };
  return (await sha256Hex(new TextEncoder().encode(canonicalJson(what)))).slice(0, 16);
}

/**
 * The hash of each run of a prepared study, by run id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * import { runHash, runHashes } from "./provenance.ts";
 * const hashes = await runHashes(await prepareStudy(DEFAULT_STUDY));
 * assert.equal(hashes.size, 40); // every run of the study
 * assert.equal(hashes.get("s01/tiny-bert"), await runHash(DEFAULT_STUDY, DEFAULT_STUDY.models[0]));
 * ```
 */
export async function runHashes(
  prepared: { config: StudyConfig; runs: { runId: string; spec: { model: ModelSpec } }[] },
): Promise<Map<string, string>> {
  const byModel = new Map<string, string>();
  for (const m of prepared.config.models) byModel.set(m.name, await runHash(prepared.config, m));
  return new Map(prepared.runs.map((r) => [r.runId, byModel.get(r.spec.model.name)!]));
}

/**
 * What {@link checkResults} kept and noted.
 */
export type CheckedResults = { results: RunResult[]; notes: string[] };

/** A result's numbers: what must agree for two lines of one run to be the same result. */
function numbers(r: RunResult): string {
  return canonicalJson({ ...r, finishedAt: undefined, trainMs: undefined, device: undefined });
}

function listIds(ids: string[]): string {
  return ids.length <= 6
    ? ids.join(", ")
    : `${ids.slice(0, 6).join(", ")} and ${ids.length - 6} more`;
}

/**
 * Checks results lines against a study's runs (`hashes`: run id -> hash): a run id the study
 * does not have, a line whose `studyHash` is another study's, a line without one (unless
 * `unhashed: "accept"`: results written before lines carried hashes, in a folder whose
 * study.json matches) and two different results for one run are errors naming the run ids
 * and `source`; an exact repeat is kept once, with a note.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { RunResult } from "./results.ts";
 * import { checkResults } from "./provenance.ts";
 * const line = { runId: "s01/m", studyHash: "aa", f1: 0.5 } as unknown as RunResult;
 * const { results, notes } = checkResults([line, line], new Map([["s01/m", "aa"]]), "r.jsonl");
 * assert.equal(results.length, 1);
 * assert.match(notes[0], /s01\/m appears 2 times with the same numbers/);
 * assert.throws(() => checkResults([line], new Map([["s01/m", "bb"]]), "r.jsonl"),
 *   /r.jsonl: 1 line of another study \(other settings or another corpus\): s01\/m/);
 * ```
 */
export function checkResults(
  results: readonly RunResult[],
  hashes: ReadonlyMap<string, string>,
  source: string,
  opts: { unhashed?: "accept" | "refuse" } = {},
): CheckedResults {
  const unknown: string[] = [], foreign: string[] = [], unhashed: string[] = [];
  const conflicting = new Set<string>(), repeats = new Map<string, number>();
  const kept = new Map<string, RunResult>();
  for (const r of results) {
    const expected = hashes.get(r.runId);
    if (expected === undefined) unknown.push(r.runId);
    else if (r.studyHash === undefined) {
      if (opts.unhashed !== "accept") unhashed.push(r.runId);
    } else if (r.studyHash !== expected) foreign.push(r.runId);
    const seen = kept.get(r.runId);
    if (seen === undefined) kept.set(r.runId, r);
    else if (numbers(seen) === numbers(r)) repeats.set(r.runId, (repeats.get(r.runId) ?? 1) + 1);
    else conflicting.add(r.runId);
  }
  const problems: string[] = [];
  const count = (n: number, what: string) => `${n} line${n === 1 ? "" : "s"} ${what}`;
  if (foreign.length) {
    problems.push(
      `${count(foreign.length, "of another study")} (other settings or another corpus): ${
        listIds(foreign)
      }`,
    );
  }
  if (unknown.length) {
    problems.push(
      `${count(unknown.length, "for runs this study does not have")}: ${listIds(unknown)}`,
    );
  }
  if (unhashed.length) {
    problems.push(
      `${count(unhashed.length, "without a study hash")}, so not known to be this study's: ${
        listIds(unhashed)
      }`,
    );
  }
  if (conflicting.size) {
    problems.push(`different results for the same run: ${listIds([...conflicting])}`);
  }
  if (problems.length) {
    throw new Error(`${source}: ${problems.join("; ")}; nothing was changed`);
  }
  return {
    results: [...kept.values()],
    notes: [...repeats].map(([id, n]) =>
      `${source}: ${id} appears ${n} times with the same numbers: counted once`
    ),
  };
}
