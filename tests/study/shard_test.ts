import assert from "node:assert/strict";
import { parseShard, shardFromEnv, shardOf } from "../../lib/study/shard.ts";

Deno.test("parseShard: valid and invalid", () => {
  assert.deepEqual(parseShard("3/8"), { index: 3, count: 8 });
  for (const bad of ["0/4", "5/4", "a/b", "1/0", "2"]) {
    assert.throws(() => parseShard(bad), /expected i\/n/);
  }
});

Deno.test("shardOf: every item in exactly one shard", () => {
  const items = Array.from({ length: 23 }, (_, i) => i);
  const all = [1, 2, 3, 4, 5].flatMap((index) => shardOf(items, { index, count: 5 }));
  assert.deepEqual(all.sort((x, y) => x - y), items);
});

Deno.test("shardFromEnv: Slurm arrays from 1, from 0, with steps; a given count", () => {
  assert.equal(shardFromEnv({}), undefined);
  assert.equal(shardFromEnv({ HOME: "/root" }, 3), undefined);
  const slurm = (id: string, min: string, count: string, step?: string) => ({
    SLURM_ARRAY_TASK_ID: id,
    SLURM_ARRAY_TASK_MIN: min,
    SLURM_ARRAY_TASK_COUNT: count,
    ...(step ? { SLURM_ARRAY_TASK_STEP: step } : {}),
  });
  assert.deepEqual(shardFromEnv(slurm("1", "1", "3")), {
    shard: { index: 1, count: 3 },
    from: "SLURM_ARRAY_TASK_ID=1 (min 1, step 1, count 3)",
  });
  assert.deepEqual(shardFromEnv(slurm("3", "1", "3"))?.shard, { index: 3, count: 3 });
  assert.deepEqual(shardFromEnv(slurm("0", "0", "4"))?.shard, { index: 1, count: 4 });
  assert.deepEqual(shardFromEnv(slurm("3", "0", "4"))?.shard, { index: 4, count: 4 });
  assert.deepEqual(shardFromEnv(slurm("14", "10", "3", "2"))?.shard, { index: 3, count: 3 });
  // without SLURM_ARRAY_TASK_MIN: 0 means arrays from 0
  assert.deepEqual(
    shardFromEnv({ SLURM_ARRAY_TASK_ID: "0", SLURM_ARRAY_TASK_COUNT: "2" })?.shard,
    { index: 1, count: 2 },
  );
  // --shards N: ids 1..N, or 0..N-1 when the array starts at 0
  assert.deepEqual(shardFromEnv(slurm("2", "1", "1"), 5)?.shard, { index: 2, count: 5 });
  assert.deepEqual(shardFromEnv(slurm("0", "0", "1"), 5)?.shard, { index: 1, count: 5 });
  assert.throws(
    () => shardFromEnv(slurm("6", "1", "6"), 5),
    /SLURM_ARRAY_TASK_ID=6 of --shards 5: gives shard 6\/5/,
  );
  assert.throws(
    () => shardFromEnv({ SLURM_ARRAY_TASK_ID: "2" }),
    /SLURM_ARRAY_TASK_ID=2 without SLURM_ARRAY_TASK_COUNT: give --shard I\/N or --shards N/,
  );
  assert.throws(
    () => shardFromEnv(slurm("x", "1", "3")),
    /SLURM_ARRAY_TASK_ID="x": expected a whole number/,
  );
});

Deno.test("shardFromEnv: Kubernetes Indexed Jobs, 0-based, with --shards or NERSS_SHARDS", () => {
  assert.deepEqual(shardFromEnv({ JOB_COMPLETION_INDEX: "0" }, 4), {
    shard: { index: 1, count: 4 },
    from: "JOB_COMPLETION_INDEX=0 of 4",
  });
  assert.deepEqual(
    shardFromEnv({ JOB_COMPLETION_INDEX: "3", NERSS_SHARDS: "4" })?.shard,
    { index: 4, count: 4 },
  );
  assert.throws(
    () => shardFromEnv({ JOB_COMPLETION_INDEX: "1" }),
    /JOB_COMPLETION_INDEX=1 \(a Kubernetes Indexed Job\) without a shard count: give --shards N or set NERSS_SHARDS/,
  );
  assert.throws(
    () => shardFromEnv({ JOB_COMPLETION_INDEX: "4", NERSS_SHARDS: "4" }),
    /gives shard 5\/4/,
  );
  // Slurm's variables win over Kubernetes'
  assert.deepEqual(
    shardFromEnv({
      JOB_COMPLETION_INDEX: "0",
      SLURM_ARRAY_TASK_ID: "2",
      SLURM_ARRAY_TASK_COUNT: "2",
    })
      ?.shard,
    { index: 2, count: 2 },
  );
});
