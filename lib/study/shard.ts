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
 */
export type Shard = { index: number; count: number };

/**
 * Parses `"i/n"` (1 <= i <= n), with an error that quotes the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseShard } from "./shard.ts";
 * assert.deepEqual(parseShard("3/8"), { index: 3, count: 8 });
 * assert.throws(() => parseShard("0/8"), /^Error: shard "0\/8": expected i\/n with 1 <= i <= n/);
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
 * import assert from "node:assert/strict";
 * import { shardOf } from "./shard.ts";
 * // every second item, from the second on
 * assert.deepEqual(shardOf(["a", "b", "c", "d", "e"], { index: 2, count: 2 }), ["b", "d"]);
 * ```
 */
export function shardOf<T>(items: readonly T[], shard?: Shard): T[] {
  if (!shard) return [...items];
  return items.filter((_, i) => i % shard.count === shard.index - 1);
}

/**
 * The shard a scheduler's job array gives this process, from its environment, with the
 * variables it came from (for a line in the log); `undefined` outside a job array.
 *
 * - Slurm: `SLURM_ARRAY_TASK_ID` counted from `SLURM_ARRAY_TASK_MIN` (arrays may start
 *   at 0, 1 or any number) in steps of `SLURM_ARRAY_TASK_STEP`, of
 *   `SLURM_ARRAY_TASK_COUNT` tasks. With a given `count` (`--shards N`), task ids are
 *   taken as 1..N, or 0..N-1 when the array starts at 0.
 * - Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` (0-based) of `count`, else of
 *   `NERSS_SHARDS` (the Job's `completions`); an error when neither is given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { shardFromEnv } from "./shard.ts";
 * const env = { SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_MIN: "0", SLURM_ARRAY_TASK_COUNT: "4" };
 * assert.deepEqual(shardFromEnv(env)?.shard, { index: 1, count: 4 });
 * assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: "2" }, 3)?.shard, { index: 3, count: 3 });
 * assert.equal(shardFromEnv({}), undefined);
 * ```
 */
export function shardFromEnv(
  env: Record<string, string | undefined>,
  count?: number,
): { shard: Shard; from: string } | undefined {
  const whole = (name: string): number | undefined => {
    const text = env[name];
    if (text === undefined || text.trim() === "") return undefined;
    if (!/^\s*\d+\s*$/.test(text)) {
      throw new Error(`${name}=${JSON.stringify(text)}: expected a whole number`);
    }
    return Number(text);
  };
  const check = (index: number, n: number, from: string) => {
    if (!Number.isInteger(n) || n < 1 || !Number.isInteger(index) || index < 1 || index > n) {
      throw new Error(`${from}: gives shard ${index}/${n}, expected 1 <= i <= n`);
    }
    return { shard: { index, count: n }, from };
  };
  const id = whole("SLURM_ARRAY_TASK_ID");
  if (id !== undefined) {
    const min = whole("SLURM_ARRAY_TASK_MIN") ?? (id === 0 ? 0 : 1);
    if (count !== undefined) {
      return check(
        min === 0 ? id + 1 : id,
        count,
        `SLURM_ARRAY_TASK_ID=${id} of --shards ${count}`,
      );
    }
    const n = whole("SLURM_ARRAY_TASK_COUNT");
    if (n === undefined) {
      throw new Error(
        `SLURM_ARRAY_TASK_ID=${id} without SLURM_ARRAY_TASK_COUNT: give --shard I/N or --shards N`,
      );
    }
    const step = whole("SLURM_ARRAY_TASK_STEP") ?? 1;
    return check(
      (id - min) / Math.max(step, 1) + 1,
      n,
      `SLURM_ARRAY_TASK_ID=${id} (min ${min}, step ${step}, count ${n})`,
    );
  }
  const k8s = whole("JOB_COMPLETION_INDEX");
  if (k8s !== undefined) {
    const n = count ?? whole("NERSS_SHARDS");
    if (n === undefined) {
      throw new Error(
        `JOB_COMPLETION_INDEX=${k8s} (a Kubernetes Indexed Job) without a shard count: ` +
          "give --shards N or set NERSS_SHARDS to the Job's completions",
      );
    }
    return check(k8s + 1, n, `JOB_COMPLETION_INDEX=${k8s} of ${n}`);
  }
  return undefined;
}
