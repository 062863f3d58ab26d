/**
 * Prepares a study from its configuration: loads the dataset (or the user's corpus,
 * checked against the sha256 its study recorded, with the lines skipped under
 * `invalid: "skip"` recorded in the study), holds out the test
 * documents (stratified by EPS, fixed by the seed), plans the training subsamples
 * from the rest, and lists the runs (subsample x model x replicate) in a fixed order with
 * stable ids: `<subsample>/<model>` for the first replicate, `<subsample>/<model>/r<k>` for
 * replicate k (training seed `seed + k`). Replicates come after all runs of the replicates
 * before them, so raising `plan.replicates` appends runs and leaves every earlier run's id,
 * position (and so its shard) and hash as they were. The same configuration always gives
 * the same runs.
 *
 * @module
 */
import { relative } from "node:path";
import type { Doc } from "../core/types.ts";
import type { ReadReport, SkippedItem } from "../core/errors.ts";
import { type DatasetOptions, loadDataset } from "../corpus/dataset.ts";
import { corpusSha256, readCorpus } from "../corpus/read_corpus.ts";
import { docSizes } from "../corpus/stats.ts";
import { splitTestSet } from "../sampling/split.ts";
import { planSubsamples, type Subsample } from "../sampling/plan.ts";
import { DEFAULT_STUDY, type ModelSpec, type StudyConfig } from "./config.ts";
import type { StudyRun } from "./execute.ts";

/**
 * What one run trains: a subsample with one model, as replicate `replicate` (0 for the
 * first) with training seed `seed` (the study's seed + `replicate`).
 */
export type RunSpec = { subsample: Subsample; model: ModelSpec; replicate: number; seed: number };

/**
 * A prepared study: its documents, the training pool and the test documents, the plan,
 * the runs, and the size of the training pool (`pool`: documents and sentences), the
 * corpus a plan for more annotation starts from.
 */
export type PreparedStudy = {
  config: StudyConfig;
  docs: Doc[];
  train: Doc[];
  test: Doc[];
  plan: Subsample[];
  runs: StudyRun<RunSpec>[];
  pool: { documents: number; sentences: number };
};

/**
 * The study with its corpus's checksum recorded (`data.sha256`); a study that already
 * records one whose corpus has changed since is an error. Studies of a manifest
 * dataset are returned as they are (the manifest pins those files).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { withDataChecksum } from "./prepare.ts";
 * const dir = await Deno.makeTempDir(), path = `${dir}/corpus.jsonl`;
 * await Deno.writeTextFile(path, "abc"); // a stand-in for a corpus: its sha256 is well known
 * const study = await withDataChecksum({ ...DEFAULT_STUDY, data: { path } });
 * assert.equal(study.data?.sha256,
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * await Deno.writeTextFile(path, "abd");
 * await assert.rejects(withDataChecksum(study), /corpus.jsonl has changed since the study/);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function withDataChecksum(config: StudyConfig): Promise<StudyConfig> {
  if (config.data === undefined) return config;
  const { path, sha256 } = config.data;
  let now: string;
  try {
    now = await corpusSha256(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`study ${config.name}: its corpus ${path} is not there`);
    }
    throw e;
  }
  if (sha256 !== undefined && sha256 !== now) {
    throw new Error(
      `study ${config.name}: ${path} has changed since the study recorded it ` +
        `(sha256 ${now}, recorded ${sha256}); its results belong to the old corpus`,
    );
  }
  return { ...config, data: { ...config.data, sha256: now } };
}

/**
 * The study with what reading its corpus skipped recorded (`data.skipped`, file names
 * relative to the corpus, so the record does not depend on where it lies); a study that
 * already records a different list is an error, as its results belong to another reading.
 */
function withSkipped(config: StudyConfig, skipped: SkippedItem[]): StudyConfig {
  const path = config.data!.path;
  const now = skipped.map(({ file, ...rest }) =>
    file === undefined || file === path ? rest : { file: relative(path, file), ...rest }
  );
  const recorded = config.data!.skipped;
  if (recorded !== undefined && JSON.stringify(recorded) !== JSON.stringify(now)) {
    throw new Error(
      `study ${config.name}: reading ${path} now skips other lines than the study recorded ` +
        `(${now.length} now, ${recorded.length} in data.skipped); its results belong to that reading`,
    );
  }
  return { ...config, data: { ...config.data!, skipped: now } };
}

/**
 * Loads, splits and plans a study (documents are given, or loaded by name). A corpus of
 * one's own read with `invalid: "skip"` has its skipped lines in `config.data.skipped`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_STUDY } from "./config.ts";
 * import { prepareStudy } from "./prepare.ts";
 * // the GROBID acknowledgements (1,286 documents), a fifth held out, 40 subsamples x 1 model
 * const { docs, train, test, runs } = await prepareStudy(DEFAULT_STUDY);
 * assert.deepEqual([docs.length, train.length, test.length], [1286, 1029, 257]);
 * assert.equal(runs.length, 40);
 * assert.equal(runs[0].runId, "s01/tiny-bert");
 * ```
 */
export async function prepareStudy(
  config: StudyConfig,
  options: { docs?: Doc[]; dataset?: DatasetOptions } = {},
): Promise<PreparedStudy> {
  if (config.data !== undefined) config = await withDataChecksum(config);
  let docs: Doc[];
  if (options.docs) docs = options.docs;
  else if (config.data !== undefined) {
    const { skipped: _, ...read } = config.data;
    const report: ReadReport | undefined = read.invalid === "skip" ? { skipped: [] } : undefined;
    docs = await readCorpus(read.path, { ...read, report });
    if (report) config = withSkipped(config, report.skipped);
  } else {
    docs = await loadDataset(config.dataset ?? DEFAULT_STUDY.dataset!, {
      ...options.dataset,
      labels: config.labels ?? options.dataset?.labels,
    });
  }
  const sizes = new Map(docSizes(docs).map((s) => [s.id, s]));
  const { train, test } = splitTestSet(docs, {
    testFraction: config.test.fraction,
    testSize: config.test.size,
    strata: config.test.strata,
    seed: config.seed,
    sizes: (d) => sizes.get(d.id)!,
  });
  const poolSentences = train.reduce((n, d) => n + sizes.get(d.id)!.sentences, 0);
  const pool = config.plan.unit === "documents" ? train.length : poolSentences;
  const largest = Math.max(...config.plan.sizes.map(([, max]) => max));
  if (largest > pool) {
    const step = Math.max(1, Math.floor(pool * 0.9 / 4));
    const hint = [0, 1, 2, 3].map((k) => `${Math.max(1, k * step)}-${(k + 1) * step}`).join(",");
    throw new Error(
      `study ${config.name}: the training pool has ${pool} ${config.plan.unit} (after ` +
        `${test.length} test documents), fewer than the largest subsample asked for (${largest}); ` +
        `give sizes within it, e.g. --sizes ${hint} (plan.sizes in a study file)`,
    );
  }
  const plan = planSubsamples(train.map((d) => sizes.get(d.id)!), {
    count: config.plan.count,
    sizes: config.plan.sizes,
    unit: config.plan.unit,
    design: config.plan.design,
    seed: config.seed,
  });
  const replicates = config.plan.replicates ?? 1;
  const runs = Array.from(
    { length: replicates },
    (_, replicate) =>
      plan.flatMap((subsample) =>
        config.models.map((model) => ({
          runId: `${subsample.id}/${model.name}${replicate > 0 ? `/r${replicate}` : ""}`,
          spec: { subsample, model, replicate, seed: config.seed + replicate },
        }))
      ),
  ).flat();
  return {
    config,
    docs,
    train,
    test,
    plan,
    runs,
    pool: { documents: train.length, sentences: poolSentences },
  };
}
