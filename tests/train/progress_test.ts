import assert from "node:assert/strict";
import { createProgress, formatDuration, formatProgress } from "../../lib/train/progress.ts";

Deno.test("formatDuration: seconds, minutes, hours", () => {
  assert.equal(formatDuration(12_400), "12s");
  assert.equal(formatDuration(185_000), "3m05s");
  assert.equal(formatDuration(3_720_000), "1h02m");
  assert.equal(formatDuration(NaN), "?");
});

Deno.test("formatProgress: bar, count, rate, values and ETA", () => {
  const line = formatProgress(
    {
      label: "train",
      done: 5,
      total: 10,
      elapsedMs: 2000,
      rate: 2.5,
      etaMs: 2000,
      values: { loss: 0.5 },
    },
    { width: 10, unit: "steps" },
  );
  assert.equal(line, "train [#####.....] 5/10 steps 2.50/s loss 0.5000 ETA 2s");
});

Deno.test("createProgress: rate and ETA from a fake clock; callback sees every tick", () => {
  let t = 0;
  const seen: number[] = [];
  const p = createProgress({
    total: 4,
    output: "none",
    now: () => t,
    onProgress: (i) => seen.push(i.done),
  });
  t = 1000;
  p.tick(1, { loss: 2 });
  const i = p.info();
  assert.equal(i.rate, 1); // 1 unit in 1 s
  assert.equal(i.etaMs, 3000); // 3 left at 1/s
  assert.deepEqual(i.values, { loss: 2 });
  p.tick(3);
  assert.deepEqual(seen, [1, 4]);
  assert.equal(p.info().values.loss, 2);
});
