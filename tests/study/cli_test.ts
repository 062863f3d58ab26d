import assert from "node:assert/strict";
import { main } from "../../lib/study/cli.ts";
import { DEFAULT_STUDY } from "../../lib/study/config.ts";
import { planFromJson } from "../../lib/sampling/plan.ts";
import { readResults } from "../../lib/study/results.ts";
import { analyzeResults } from "../../lib/study/analysis.ts";
import { simulateRuns } from "./fixtures/simulated_runs.ts";

async function quietly(f: () => Promise<void>): Promise<string> {
  const log = console.log, lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(" "));
  try {
    await f();
  } finally {
    console.log = log;
  }
  return lines.join("\n");
}

Deno.test("cli plan: writes the study with the options applied, the plan and the test documents", async () => {
  const out = await Deno.makeTempDir();
  const said = await quietly(() =>
    main(["plan", "--count", "4", "--sizes", "20-40,40-60", "--seed", "9", "--out", out])
  );
  assert.match(said, /1286 documents, 257 held out for testing, 4 subsamples x 1 models = 4 runs/);
  const study = JSON.parse(await Deno.readTextFile(`${out}/study.json`));
  assert.deepEqual(study, {
    ...DEFAULT_STUDY,
    plan: { ...DEFAULT_STUDY.plan, count: 4, sizes: [[20, 40], [40, 60]] },
    seed: 9,
  });
  const plan = planFromJson(await Deno.readTextFile(`${out}/plan.jsonl`));
  assert.equal(plan.length, 4);
  assert.ok(plan[0].sentences >= 20 && plan[0].sentences <= 40 && plan[3].sentences >= 40);
  const test = JSON.parse(await Deno.readTextFile(`${out}/test-documents.json`));
  assert.equal(test.length, 257);
  for (const s of plan) for (const id of s.docIds) assert.ok(!test.includes(id));
  // Once the folder holds results, only the same study may run there.
  await Deno.writeTextFile(`${out}/results.jsonl`, "{}\n");
  await assert.rejects(
    main(["plan", "--count", "5", "--sizes", "20-40,40-60", "--seed", "9", "--out", out]),
    /holds results of another study \(study.json differs in plan.count\)/,
  );
  await quietly(() =>
    main(["plan", "--count", "4", "--sizes", "20-40,40-60", "--seed", "9", "--out", out])
  );
  // a shard's results count too
  await Deno.remove(`${out}/results.jsonl`);
  await Deno.writeTextFile(`${out}/results-shard-2-of-3.jsonl`, "{}\n");
  await assert.rejects(
    main(["plan", "--count", "4", "--sizes", "20-40,40-60", "--seed", "8", "--out", out]),
    /differs in seed\); give another --out, or remove results-shard-2-of-3.jsonl there/,
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("cli analyze: report and figures from a results file; the numbers are lib/stats'", async () => {
  const out = await Deno.makeTempDir();
  const runs = simulateRuns("bert", 40, 4);
  await Deno.writeTextFile(
    `${out}/results.jsonl`,
    runs.map((r) => JSON.stringify(r) + "\n").join(""),
  );
  await quietly(() => main(["analyze", "--out", out]));
  const html = await Deno.readTextFile(`${out}/report.html`);
  const ols = analyzeResults((await readResults(`${out}/results.jsonl`)).results, {
    bootstrap: DEFAULT_STUDY.analysis.bootstrap,
    seed: DEFAULT_STUDY.seed,
  }).models[0].ols!;
  assert.ok(html.includes(ols.r2.toFixed(4)), `R² ${ols.r2.toFixed(4)} is in the report`);
  for (const f of ["learning-curve-sentences.svg", "learning-curve-eps.svg"]) {
    const svg = await Deno.readTextFile(`${out}/${f}`);
    assert.equal(svg.match(/<circle/g)?.length, 40, f);
  }
  await Deno.remove(out, { recursive: true });
});

Deno.test("cli: bad options are errors that say what was expected", async () => {
  await assert.rejects(
    main(["run", "--model", "x=random:llama"]),
    /unknown family in random:llama/,
  );
  await assert.rejects(main(["run", "--sizes", "10..20"]), /expected ranges like 20-200,200-400/);
  await assert.rejects(main(["frobnicate"]), /unknown command "frobnicate"/);
});
