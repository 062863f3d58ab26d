/**
 * Bootstrap confidence interval for micro F1 over documents: documents are drawn with
 * replacement (seeded, {@link createRandom}), their entity counts summed and micro F1
 * computed as seqeval does; the interval is the percentile interval of the replicates
 * (quantiles interpolated linearly, as numpy's default `np.quantile` / R's type 7).
 * Resampling whole documents keeps the dependence between the entities of one
 * document, which resampling entities or sentences would ignore.
 *
 * @module
 */

import { createRandom } from "../core/random.ts";
import { checkLengths, countEntities, type EntityOptions } from "./entities.ts";

/**
 * Entity counts of one document: matches (`tp`), predicted and gold entities.
 */
export type F1Counts = { tp: number; pred: number; gold: number };

/**
 * Options of {@link bootstrapF1}: replicates (default 1000), confidence level
 * (default 0.95), seed (default 0) and the value of a 0/0 precision or recall
 * (default 0, as seqeval's `"warn"` without the warning).
 */
export type BootstrapOptions = {
  iterations?: number;
  level?: number;
  seed?: number;
  zeroDivision?: 0 | 1;
};

/**
 * A bootstrap interval: the micro F1 of all documents, the interval bounds, and the
 * sorted replicate F1 values.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapF1, type BootstrapResult } from "./bootstrap.ts";
 * const r: BootstrapResult = bootstrapF1([{ tp: 3, pred: 4, gold: 5 }, { tp: 1, pred: 1, gold: 2 }]);
 * assert.equal(r.f1, 2 / 3); // 4 matches, 5 predicted, 7 gold
 * assert.ok(r.lower <= r.f1 && r.f1 <= r.upper);
 * assert.deepEqual([r.level, r.iterations, r.seed, r.replicates.length], [0.95, 1000, 0, 1000]);
 * ```
 */
export type BootstrapResult = {
  f1: number;
  lower: number;
  upper: number;
  level: number;
  iterations: number;
  seed: number;
  replicates: Float64Array;
};

/**
 * Micro F1 from summed counts, as seqeval computes it (`zeroDivision` for 0/0
 * precision or recall; F1 0 when both are 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { microF1 } from "./bootstrap.ts";
 * assert.equal(microF1({ tp: 1, pred: 2, gold: 2 }), 0.5);
 * assert.equal(microF1({ tp: 0, pred: 0, gold: 2 }, 1), 0); // precision 1 (0/0), recall 0
 * ```
 */
export function microF1(c: F1Counts, zeroDivision: 0 | 1 = 0): number {
  const p = c.pred === 0 ? zeroDivision : c.tp / c.pred;
  const r = c.gold === 0 ? zeroDivision : c.tp / c.gold;
  const d = p + r;
  return 2 * p * r / (d === 0 ? 1 : d);
}

/**
 * Quantile `q` of sorted values, linear interpolation between order statistics
 * (numpy's default method, R's type 7).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantileSorted } from "./bootstrap.ts";
 * assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
 * ```
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return sorted[n - 1];
  return sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
}

/**
 * Per-document entity counts from tags grouped by document (one array of sentences per
 * document), with seqeval's rules (default or strict mode). Summed, they give
 * seqeval's micro counts for the whole corpus.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { documentCounts } from "./bootstrap.ts";
 * assert.deepEqual(
 *   documentCounts([[["B-PER", "O"]], [["B-ORG"]]], [[["B-PER", "O"]], [["O"]]]),
 *   [{ tp: 1, pred: 1, gold: 1 }, { tp: 0, pred: 0, gold: 1 }],
 * );
 * ```
 */
export function documentCounts(
  yTrue: readonly string[][][],
  yPred: readonly string[][][],
  opts: EntityOptions = {},
): F1Counts[] {
  if (!Array.isArray(yTrue) || !Array.isArray(yPred) || yTrue.length !== yPred.length) {
    throw new Error(
      `yTrue and yPred must hold the same number of documents (${yTrue?.length} vs ${yPred?.length})`,
    );
  }
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return yTrue.map((doc, d) => {
    try {
      checkLengths(doc, yPred[d]);
      const c = countEntities(doc, yPred[d], opts);
      return { tp: sum(c.tp), pred: sum(c.pred), gold: sum(c.gold) };
    } catch (e) {
      throw new Error(`document ${d}: ${(e as Error).message}`);
    }
  });
}

/**
 * Percentile bootstrap confidence interval of micro F1, resampling documents.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bootstrapF1 } from "./bootstrap.ts";
 * const docs = [{ tp: 3, pred: 4, gold: 4 }, { tp: 1, pred: 2, gold: 3 }, { tp: 5, pred: 5, gold: 6 }];
 * const r = bootstrapF1(docs, { iterations: 1000, seed: 1 });
 * // micro F1 of all three documents (9 matches, 11 predicted, 13 gold): 3/4, which
 * // seqeval's floating-point steps give as 0.7500000000000001
 * assert.equal(r.f1, 0.7500000000000001);
 * assert.ok(r.lower <= r.f1 && r.f1 <= r.upper);
 * ```
 */
export function bootstrapF1(
  counts: readonly F1Counts[],
  opts: BootstrapOptions = {},
): BootstrapResult {
  const iterations = opts.iterations ?? 1000;
  const level = opts.level ?? 0.95;
  const seed = opts.seed ?? 0;
  const zd = opts.zeroDivision ?? 0;
  if (!Number.isInteger(iterations) || iterations < 1) {
    throw new Error(`iterations must be a positive integer, got ${iterations}`);
  }
  if (!(level > 0 && level < 1)) throw new Error(`level must be in (0, 1), got ${level}`);
  if (counts.length === 0) throw new Error("bootstrapF1 needs at least one document");
  counts.forEach((c, i) => {
    const ok = [c.tp, c.pred, c.gold].every((x) => Number.isInteger(x) && x >= 0) &&
      c.tp <= c.pred && c.tp <= c.gold;
    if (!ok) throw new Error(`document ${i}: counts ${JSON.stringify(c)} are not valid`);
  });
  const n = counts.length;
  const tp = Float64Array.from(counts, (c) => c.tp);
  const pred = Float64Array.from(counts, (c) => c.pred);
  const gold = Float64Array.from(counts, (c) => c.gold);
  const total = { tp: 0, pred: 0, gold: 0 };
  for (let i = 0; i < n; i++) {
    total.tp += tp[i];
    total.pred += pred[i];
    total.gold += gold[i];
  }
  const rng = createRandom(seed);
  const replicates = new Float64Array(iterations);
  for (let b = 0; b < iterations; b++) {
    let t = 0, p = 0, g = 0;
    for (let k = 0; k < n; k++) {
      const i = rng.int(n);
      t += tp[i];
      p += pred[i];
      g += gold[i];
    }
    replicates[b] = microF1({ tp: t, pred: p, gold: g }, zd);
  }
  replicates.sort();
  const alpha = (1 - level) / 2;
  return {
    f1: microF1(total, zd),
    lower: quantileSorted(replicates, alpha),
    upper: quantileSorted(replicates, 1 - alpha),
    level,
    iterations,
    seed,
    replicates,
  };
}
