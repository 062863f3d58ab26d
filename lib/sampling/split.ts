/**
 * The held-out test set: a split of the documents into train and test, stratified by
 * entity density (EPS) and fixed by a seed, so that every model of a study is scored
 * on the same documents and the test set spans the corpus's range of densities.
 *
 * Method: documents are put in `strata` quantile strata of per-document EPS (see
 * {@linkcode epsStrata}); the test size m is shared out over the strata in proportion
 * to their sizes (largest remainders, ties to the lower stratum); each stratum's
 * share is drawn by {@linkcode createRandom}`(seed).sampleWithoutReplacement`, strata
 * in order of increasing EPS. Train and test keep the input order.
 *
 * @module
 */
import { createRandom } from "../core/random.ts";
import { epsStrata, toDocSizes } from "./doc_size.ts";
import type { Doc } from "../core/types.ts";
import { docSizes } from "../corpus/stats.ts";

/**
 * Options of {@linkcode splitTestSet}: exactly one of `testFraction` (in (0, 1); the
 * test size is `Math.round(n * testFraction)`) and `testSize`; `seed`; `strata`
 * (default 5, at most the number of documents); `sizes` gives a document's sentence
 * and entity counts (default: a `Doc` is measured as corpus statistics count it, any
 * other document must carry `sentences` / `entities` fields).
 */
export type SplitOptions<T> = {
  testFraction?: number;
  testSize?: number;
  seed: number;
  strata?: number;
  sizes?: (doc: T) => { sentences: number; entities: number };
};

/**
 * Splits documents into a training pool and a held-out test set, stratified by EPS,
 * and gives back the documents it was given: `Doc`s (measured by
 * {@linkcode docSizes}), `DocSize`s, or any documents with an `id` plus a `sizes`
 * function.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitTestSet } from "./split.ts";
 * const docs = Array.from({ length: 10 }, (_, i) => ({
 *   id: `d${i}`,
 *   text: "One sentence. Another one.",
 *   spans: Array.from({ length: i % 4 }, () => ({ start: 0, end: 3, label: "X" })),
 * }));
 * const { train, test } = splitTestSet(docs, { testSize: 3, seed: 42 });
 * assert.deepEqual([train.length, test.length], [7, 3]);
 * assert.ok(test.every((d) => docs.includes(d))); // the documents themselves
 * ```
 */
export function splitTestSet<T extends { id: string }>(
  docs: readonly T[],
  opts: SplitOptions<T>,
): { train: T[]; test: T[] } {
  const sizes = opts.sizes
    ? toDocSizes(docs, opts.sizes, "splitTestSet")
    : toDocSizes(docs.map((d) => (isDoc(d) ? docSizes([d])[0] : d)), undefined, "splitTestSet");
  const n = docs.length;
  if ((opts.testFraction === undefined) === (opts.testSize === undefined)) {
    throw new Error("splitTestSet: give exactly one of testFraction and testSize");
  }
  let m: number;
  if (opts.testFraction !== undefined) {
    const f = opts.testFraction;
    if (!(f > 0 && f < 1)) {
      throw new Error(`splitTestSet: testFraction must be in (0, 1), got ${f}`);
    }
    m = Math.round(n * f);
  } else {
    m = opts.testSize as number;
    if (!Number.isInteger(m)) {
      throw new Error(`splitTestSet: testSize must be an integer, got ${m}`);
    }
  }
  if (m < 1 || m >= n) {
    throw new Error(`splitTestSet: a test set of ${m} of ${n} documents leaves no train or test`);
  }
  if (!Number.isSafeInteger(opts.seed)) {
    throw new Error(`splitTestSet: seed must be a safe integer, got ${opts.seed}`);
  }
  const k = Math.min(opts.strata ?? 5, n);
  const stratum = epsStrata(sizes, k);
  const members: number[][] = Array.from({ length: k }, () => []);
  stratum.forEach((s, i) => members[s].push(i));

  // Largest-remainder allocation of m over the strata.
  const quota = members.map((mem) => (m * mem.length) / n);
  const alloc = quota.map(Math.floor);
  let left = m - alloc.reduce((a, b) => a + b, 0);
  const byRemainder = quota.map((_q, s) => s).sort((a, b) =>
    (quota[b] - alloc[b]) - (quota[a] - alloc[a]) || a - b
  );
  for (const s of byRemainder) {
    if (left === 0) break;
    alloc[s]++;
    left--;
  }

  const rng = createRandom(opts.seed);
  const inTest = new Uint8Array(n);
  members.forEach((mem, s) => {
    for (const j of rng.sampleWithoutReplacement(mem.length, alloc[s])) inTest[mem[j]] = 1;
  });
  const train: T[] = [], test: T[] = [];
  docs.forEach((d, i) => (inTest[i] ? test : train).push(d));
  return { train, test };
}

function isDoc(d: object): d is Doc {
  return "text" in d && "spans" in d;
}
