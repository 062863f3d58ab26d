/**
 * Shards: a deterministic share of a study's runs for one machine, so a job array
 * (Slurm `--array`, or any scheduler) spreads a study over many GPUs. Shard `i/n`
 * (1-based) takes the runs at positions `i-1, i-1+n, ...` of the study's fixed run
 * order, so every run belongs to exactly one shard.
 *
 * @module
 */

/**
 * One shard of `count`, numbered from 1.
 *
 * @example
 * ```ts
 * const s: Shard = { index: 2, count: 8 };
 * ```
 */
export type Shard = { index: number; count: number };

/**
 * Parses `"i/n"` (1 <= i <= n), with an error that quotes the text.
 *
 * @example
 * ```ts
 * parseShard("3/8"); // { index: 3, count: 8 }
 * ```
 */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN, count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new Error(`shard "${text}": expected i/n with 1 <= i <= n, e.g. 1/4`);
  }
  return { index, count };
}

/**
 * The items of one shard, keeping their order.
 *
 * @example
 * ```ts
 * shardOf(["a", "b", "c", "d", "e"], { index: 2, count: 2 }); // ["b", "d"]
 * ```
 */
export function shardOf<T>(items: readonly T[], shard?: Shard): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}
