import assert from "node:assert/strict";
import {
  createProgress,
  formatDuration,
  formatProgress,
  type Progress,
  type ProgressFrame,
} from "../../lib/train/progress.ts";

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

Deno.test("createProgress with a parent: one display, run k of N, no finished inner bars left", () => {
  let t = 0;
  const now = () => t;
  const frames: ProgressFrame[] = [];
  const runs = createProgress({
    total: 3,
    label: "runs",
    unit: "runs",
    output: (f) => frames.push(f),
    minIntervalMs: 0,
    now,
  });
  const childFrames: ProgressFrame[] = [];
  const childSeen: number[] = [];
  for (let k = 0; k < 3; k++) {
    const steps = createProgress({
      total: 4,
      label: "fine-tune",
      unit: "steps",
      parent: runs,
      output: (f) => childFrames.push(f), // unused: the parent's display draws it
      onProgress: (i) => childSeen.push(i.done),
      now,
    });
    for (let i = 0; i < 4; i++) {
      t += 250;
      steps.tick(1, { loss: 1 / (i + 1) });
      if (k === 1 && i === 1) {
        // run 2 of 3, step 2 of 4, at t = 1.5 s (run 2 started at 1 s)
        const f = frames.at(-1)!;
        assert.deepEqual(f.bars.map((b) => b.label), ["runs", "fine-tune"]);
        assert.equal(
          f.text,
          "runs [########................] 1/3 runs 0.67/s f1 0.5000 ETA 3s | " +
            "fine-tune 2/4 steps 4.00/s loss 0.5000 ETA 1s",
        );
        assert.ok(
          f.html.startsWith('<div style="font-family:monospace"><progress value="1" max="3"'),
        );
        assert.ok(f.html.includes('padding-left:2em"><progress value="2" max="4"'), f.html);
        assert.ok(f.html.includes("fine-tune 2/4 steps 4.00/s loss 0.5000 ETA 1s</div>"));
      }
    }
    steps.finish();
    // the finished run's bar is gone at once
    assert.deepEqual(frames.at(-1)!.bars.map((b) => b.label), ["runs"]);
    runs.tick(1, { f1: 0.5 + k / 10 });
    assert.match(frames.at(-1)!.text, new RegExp(`^runs \\[#+\\.*\\] ${k + 1}/3 runs `));
  }
  runs.finish();
  runs.finish(); // a second finish draws nothing more
  assert.deepEqual(childFrames, []);
  assert.deepEqual(childSeen, [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]);
  // every frame is the runs display; only the last is final, with the outer bar alone
  assert.ok(frames.every((f) => f.bars[0].label === "runs" && f.bars.length <= 2));
  assert.deepEqual(frames.map((f) => f.final).indexOf(true), frames.length - 1);
  const last = frames.at(-1)!;
  assert.deepEqual(last.bars.map((b) => b.label), ["runs"]);
  assert.equal(last.text, "runs [########################] 3/3 runs 1.00/s f1 0.7000 in 3s");
  assert.equal((last.html.match(/<progress /g) ?? []).length, 1);
});

Deno.test("createProgress: redraws at most every minIntervalMs; notes show and clear", () => {
  let t = 0;
  const frames: ProgressFrame[] = [];
  const p = createProgress({
    total: 10,
    label: "fine-tune",
    output: (f) => frames.push(f),
    minIntervalMs: 1000,
    now: () => t,
  });
  for (let i = 0; i < 10; i++) {
    t += 300;
    p.tick();
  }
  // drawn at 0.3 s (the first tick), then at the first ticks 1 s or more later: 1.5 s, 2.7 s
  assert.deepEqual(frames.map((f) => f.bars[0].done), [1, 5, 9]);
  t += 1000;
  p.note("no entity predicted");
  assert.equal(
    frames.at(-1)!.text,
    "fine-tune [########################] 10/10 2.50/s in 4s (no entity predicted)",
  );
  t += 1000;
  p.note("");
  assert.ok(!frames.at(-1)!.text.includes("no entity"));
  p.finish();
  assert.equal(frames.at(-1)!.final, true);
  assert.equal(frames.at(-1)!.bars[0].done, 10);
});

Deno.test("createProgress: a parent must come from createProgress", () => {
  const fake: Progress = { tick() {}, note() {}, finish() {}, info: () => ({} as never) };
  assert.throws(
    () => createProgress({ total: 1, parent: fake }),
    /createProgress: parent must be a progress made by createProgress/,
  );
});

Deno.test("createProgress to a log (stderr not a terminal): the last tick and the finish give one line", async () => {
  const script = `import { createProgress } from ${
    JSON.stringify(new URL("../../lib/train/progress.ts", import.meta.url).href)
  };
let now = 0;
const p = createProgress({ total: 2, label: "run", output: "terminal", minIntervalMs: 0, now: () => now });
now = 1000; p.tick(1);
now = 2000; p.tick(1);
p.finish();`;
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", script],
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  assert.equal(code, 0);
  assert.deepEqual(new TextDecoder().decode(stderr).trimEnd().split("\n"), [
    "run [############............] 1/2 1.00/s ETA 1s",
    "run [########################] 2/2 1.00/s in 2s",
  ]);
});
