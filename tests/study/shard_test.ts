import assert from "node:assert/strict";
import { parseShard, shardOf } from "../../lib/study/shard.ts";
import { slurmScript } from "../../lib/study/slurm.ts";

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

Deno.test("slurmScript: array of N tasks, each running its shard", () => {
  const s = slurmScript({ studyPath: "my study.json", shards: 16, outDir: "out" });
  assert.match(s, /^#SBATCH --array=1-16$/m);
  assert.match(s, /--shard "\$SLURM_ARRAY_TASK_ID\/16"/);
  assert.match(s, /--study 'my study.json'/);
  assert.match(s, /^#SBATCH --gres=gpu:1$/m);
});
