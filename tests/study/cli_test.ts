import assert from "node:assert/strict";
import { main } from "../../lib/study/cli.ts";
import { DEFAULT_STUDY, readStudyConfig } from "../../lib/study/config.ts";
import { planFromJson } from "../../lib/sampling/plan.ts";
import { readResults, type RunResult } from "../../lib/study/results.ts";
import { prepareStudy } from "../../lib/study/prepare.ts";
import { runHash, runHashes } from "../../lib/study/provenance.ts";
import { analyzeResults } from "../../lib/study/analysis.ts";
import { simulateRuns } from "./fixtures/simulated_runs.ts";
import { TINY_BERT } from "../train/tiny_classifier.ts";
import type { Doc } from "../../lib/core/types.ts";
import { corpusStats } from "../../lib/corpus/stats.ts";
import { encodeDocs } from "../../lib/encode/align.ts";
import { loadTokenizer } from "../../lib/encode/tokenizer.ts";
import { scorePredictions } from "../../lib/train/evaluate.ts";
import { ortLogits } from "../models/fixtures/onnx_runtime.ts";

const byRunId = (a: RunResult, b: RunResult) => a.runId < b.runId ? -1 : 1;

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

Deno.test("cli plan: random:FAMILY takes the family's shipped tokenizer, or the one after @", async () => {
  const out = await Deno.makeTempDir();
  await quietly(() =>
    main([
      "plan",
      ...["--count", "2", "--sizes", "20-40", "--out", out],
      ...["--model", "g=random:gpt2", "--model", "r=random:roberta@tok/roberta"],
      ...["--model", "m=random:modernbert", "--model", "l=random:llama"],
    ])
  );
  const { models } = JSON.parse(await Deno.readTextFile(`${out}/study.json`));
  const { name: _, ...tiny } = DEFAULT_STUDY.models[0];
  assert.deepEqual(models, [
    { ...tiny, name: "g", family: "gpt2", tokenizer: "gpt2" },
    { ...tiny, name: "r", family: "roberta", tokenizer: "tok/roberta" },
    { ...tiny, name: "m", family: "modernbert", tokenizer: "bert-base-uncased" },
    { ...tiny, name: "l", family: "llama", tokenizer: "gpt2" },
  ]);
  await Deno.remove(out, { recursive: true });
});

/** Simulated runs as the default study's runs: its run ids and its hash. */
async function defaultStudyRuns(n: number, seed: number): Promise<RunResult[]> {
  const hashes = await runHashes(
    await prepareStudy({ ...DEFAULT_STUDY, plan: { ...DEFAULT_STUDY.plan, count: n } }),
  );
  const ids = [...hashes.keys()];
  return simulateRuns("tiny-bert", n, seed).map((r, i) => ({
    ...r,
    runId: ids[i],
    studyHash: hashes.get(ids[i]),
  }));
}

const jsonl = (runs: RunResult[]) => runs.map((r) => JSON.stringify(r) + "\n").join("");

Deno.test("cli analyze: report and figures from a results file; the numbers are lib/stats'", async () => {
  const out = await Deno.makeTempDir();
  await Deno.writeTextFile(`${out}/results.jsonl`, jsonl(await defaultStudyRuns(40, 4)));
  await quietly(() => main(["analyze", "--count", "40", "--out", out]));
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

Deno.test("cli: results are tied to their study: other studies' lines, unknown runs and repeats", async () => {
  const out = await Deno.makeTempDir();
  const runs = await defaultStudyRuns(12, 5);
  const results = `${out}/results.jsonl`;
  // no study.json: lines of another study (other settings) are refused, naming the runs
  await Deno.writeTextFile(results, jsonl(runs));
  await assert.rejects(
    main(["analyze", "--count", "12", "--epochs", "2", "--out", out]),
    /holds results but no study.json, and they are not this study's: .*12 lines of another study .*: s01\/tiny-bert/,
  );
  // ... while the study they belong to is accepted without its study.json
  await quietly(() => main(["analyze", "--count", "12", "--out", out]));
  // with its study.json, slurm (like run) will not write other settings over it
  await quietly(() => main(["plan", "--count", "12", "--out", out]));
  await assert.rejects(
    main(["slurm", "--count", "12", "--epochs", "2", "--shards", "2", "--out", out]),
    /holds results of another study \(study.json differs in training.epochs\)/,
  );
  assert.equal(JSON.parse(await Deno.readTextFile(`${out}/study.json`)).training.epochs, 3);
  await Deno.remove(`${out}/study.json`);
  // a line of a run the study does not have is refused, not analysed
  const stray = { ...runs[0], runId: "s99/tiny-bert" };
  await Deno.writeTextFile(results, jsonl([...runs, stray]));
  await assert.rejects(
    main(["analyze", "--count", "12", "--out", out]),
    /1 line for runs this study does not have: s99\/tiny-bert/,
  );
  // an exact repeat is counted once; different results for one run are refused
  await Deno.writeTextFile(results, jsonl([...runs, runs[3]]));
  const said = await quietly(() => main(["analyze", "--count", "12", "--out", out]));
  assert.match(said, /s04\/tiny-bert appears 2 times with the same numbers: counted once/);
  assert.match(said, /\(12 runs\)/);
  const other = { ...runs[3], micro: { ...runs[3].micro, f1: 0.01 } };
  await Deno.writeTextFile(results, jsonl([...runs, other]));
  await assert.rejects(
    main(["analyze", "--count", "12", "--out", out]),
    /different results for the same run: s04\/tiny-bert/,
  );
  await Deno.remove(out, { recursive: true });
});

Deno.test("cli collect: adds shard runs, names the missing ones and fails until they are there", async () => {
  const out = await Deno.makeTempDir();
  const runs = await defaultStudyRuns(6, 6);
  await Deno.writeTextFile(`${out}/results-shard-1-of-2.jsonl`, jsonl(runs.slice(0, 3)));
  await Deno.writeTextFile(`${out}/results.jsonl`, jsonl(runs.slice(3, 5)));
  const args = ["collect", "--count", "6", "--out", out, `${out}/results-shard-1-of-2.jsonl`];
  await assert.rejects(
    quietly(() => main(args)),
    /1 run missing: s6\/tiny-bert \(run their shards again, or give --allow-missing\)/,
  );
  // nothing was dropped: the 2 lines there and the shard's 3
  assert.equal((await readResults(`${out}/results.jsonl`)).results.length, 5);
  const said = await quietly(() => main([...args, "--allow-missing"]));
  assert.match(said, /0 runs added, 5 of 6 done/);
  assert.match(said, /1 run missing: s6\/tiny-bert/);
  await Deno.remove(out, { recursive: true });
});

Deno.test("cli: bad options are errors that say what was expected", async () => {
  await assert.rejects(
    main(["run", "--model", "x=random:t5"]),
    /--model "x=random:t5": unknown family "t5"; choose one of bert, roberta, distilbert, gpt2/,
  );
  await assert.rejects(
    main(["run", "--model", "x=random:roberta"]),
    /no roberta tokenizer is shipped; name one after @.*x=random:roberta@path\/to\/tokenizer/,
  );
  await assert.rejects(main(["run", "--sizes", "10..20"]), /expected ranges like 20-200,200-400/);
  await assert.rejects(main(["frobnicate"]), /unknown command "frobnicate"/);
  await assert.rejects(
    main(["plan", "--count", "-5"]),
    /^Error: --count: expected a positive integer, got -5$/,
  );
  await assert.rejects(
    main(["plan", "--epochs", "two"]),
    /^Error: --epochs: expected a number, got "two"$/,
  );
  await assert.rejects(main(["plan", "--unit", "docs"]), /^Error: --unit: unknown unit "docs"$/);
  await assert.rejects(
    main(["plan", "--format", "conll"]),
    /--format is for your own corpus: give --data PATH too/,
  );
  await assert.rejects(
    main(["plan", "--data", "x.conll", "--labels", "PER"]),
    /--labels "PER": expected FROM=TO/,
  );
  await assert.rejects(
    main(["plan", "--data", "x.conll", "--dataset", "wikigold"]),
    /give --data or --dataset, not both/,
  );
  await assert.rejects(
    main(["run", "--pack", "1.5"]),
    /^Error: --pack: expected a whole number of runs, at least 1, got 1.5$/,
  );
  await assert.rejects(main(["plan", "--pack", "2"]), /^Error: --pack is for run$/);
  const out = await Deno.makeTempDir();
  await assert.rejects(
    main(["plan", "--data", "no/such.conll", "--out", `${out}/such`]),
    /its corpus .*no\/such.conll is not there/,
  );
  assert.deepEqual(await Array.fromAsync(Deno.readDir(out)), []); // no empty study folder left
  await Deno.remove(out);
});

Deno.test("cli on your own corpus: a doccano file planned, trained twice, reported under the study's name; a changed file refused", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  const fixture = new URL("./fixtures/disclosures.jsonl", import.meta.url);
  await Deno.copyFile(fixture, `${dir}/disclosures.jsonl`);
  const { entityTypes: _t, seed: _s, source: _src, ...tiny } = TINY_BERT;
  await Deno.writeTextFile(
    `${dir}/coi.json`,
    JSON.stringify({
      data: { path: "disclosures.jsonl", labels: { PER: "PERSON" } },
      test: { size: 8 },
      plan: { count: 2, sizes: [[6, 10], [12, 16]] },
      models: [{ name: "mini", source: "random", ...tiny }],
      training: { epochs: 1, batchSize: 4 },
      analysis: { bootstrap: 0 },
    }),
  );
  try {
    Deno.chdir(dir);
    // the default sizes (up to 600 sentences) do not fit: the error says what would
    await assert.rejects(
      main(["plan", "--data", "disclosures.jsonl"]),
      /study disclosures: the training pool has 40 sentences \(after 7 test documents\), fewer than the largest subsample asked for \(600\); give sizes within it, e.g. --sizes 1-9,9-18,18-27,27-36/,
    );
    // --data alone: the format is inferred, the study is named after the file
    const planned = await quietly(() =>
      main(["plan", "--data", "disclosures.jsonl", "--count", "2", "--sizes", "6-10"])
    );
    assert.match(planned, /^disclosures: 36 documents, 7 held out for testing, 2 subsamples/m);
    const plan = JSON.parse(await Deno.readTextFile("out/disclosures/study.json"));
    assert.equal(plan.name, "disclosures");
    assert.equal(plan.data.path, `${dir}/disclosures.jsonl`);

    // the study file, run from another folder: named after the file, its data path
    // relative to it, the labels mapped
    await Deno.mkdir(`${dir}/elsewhere`);
    Deno.chdir(`${dir}/elsewhere`);
    // a shard runs first; the unsharded run takes in what it finished
    await quietly(() => main(["run", "--study", "../coi.json", "--shard", "1/2", "--quiet"]));
    const said = await quietly(() => main(["run", "--study", "../coi.json", "--quiet"]));
    assert.match(said, /coi: 36 documents, 8 held out for testing, 2 subsamples x 1 models/);
    assert.match(said, /1 runs finished in results-shard-1-of-2.jsonl taken in/);
    assert.match(said, /1 runs trained, 1 already done/);
    const study = JSON.parse(await Deno.readTextFile("out/coi/study.json"));
    const bytes = await Deno.readFile(`${dir}/disclosures.jsonl`);
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
    assert.equal(study.data.sha256, hex);
    const { results } = await readResults("out/coi/results.jsonl");
    assert.equal(results.length, 2);
    for (const r of results) assert.deepEqual(Object.keys(r.byType).sort(), ["ORG", "PERSON"]);
    const report = await Deno.readTextFile("out/coi/report.html");
    assert.match(report, /<title>[^<]*coi[^<]*<\/title>/);
    assert.match(said, /^\d runs? at a time \(default for .*; --pack K\)$/m);
    // both runs at once: the results of the runs one at a time
    const packed = await quietly(() =>
      main(["run", "--study", "../coi.json", "--quiet", "--pack", "2", "--out", "packed"])
    );
    assert.match(packed, /^2 runs at a time \(--pack\)$/m);
    const same = (r: RunResult) => ({ ...r, trainMs: 0, finishedAt: "" });
    assert.deepEqual(
      (await readResults("packed/results.jsonl")).results.map(same).sort(byRunId),
      results.map(same).sort(byRunId),
    );

    // the corpus changes: its results are refused, naming the file
    await Deno.writeTextFile(
      `${dir}/disclosures.jsonl`,
      '{"id": 99, "text": "Al Bo thanks Acme.", "label": [[0, 5, "PER"]]}\n',
      { append: true },
    );
    await assert.rejects(
      main(["run", "--study", "../coi.json", "--quiet"]),
      /out\/coi holds results of another study \(its corpus .*disclosures.jsonl has changed since/,
    );
  } finally {
    Deno.chdir(cwd);
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli --skip-invalid: unreadable corpus lines stop the study naming the flag, or are skipped, printed and recorded", async () => {
  const dir = await Deno.makeTempDir();
  try {
    // 30 one-sentence documents, three lines each (token, token, blank)
    const lines = Array.from({ length: 30 }, (_, i) => [`Ann${i}\tB-PER`, "spoke\tO", ""]).flat();
    const bad = [2, 5, 8, 11, 14, 17, 20]; // 1-based line numbers
    for (const n of bad) lines[n - 1] = n === 5 ? "New York\tO" : "\tO";
    const path = `${dir}/c.conll`;
    await Deno.writeTextFile(path, lines.join("\n") + "\n");
    const out = `${dir}/out`;
    const args = ["plan", "--data", path, "--count", "2", "--sizes", "4-8", "--out", out];
    await assert.rejects(
      main(args),
      /c\.conll:2: column 0 is empty \(invalid: "skip", or --skip-invalid for the study/,
    );
    const said = await quietly(() => main([...args, "--skip-invalid"]));
    assert.match(said, /^7 lines of .*c\.conll skipped \(--skip-invalid\)/m);
    assert.match(said, /^ {2}.*c\.conll:2: column 0 is empty$/m);
    assert.match(said, /^ {2}.*c\.conll:5: token "New York" contains white space$/m);
    assert.match(said, /^ {2}\.\.\. and 2 more$/m);
    assert.match(said, /^c: 30 documents/m);
    const study = JSON.parse(await Deno.readTextFile(`${out}/study.json`));
    assert.equal(study.data.invalid, "skip");
    assert.deepEqual(study.data.skipped.map((s: { line: number }) => s.line), bad);
    // the recorded study plans again as it is
    await quietly(() => main(["plan", "--study", `${out}/study.json`, "--out", out]));
    await assert.rejects(
      main(["plan", "--skip-invalid"]),
      /--skip-invalid is for your own corpus: give --data PATH too/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli --replicates: more runs of the same subsamples, in the study; raising it keeps the results done", async () => {
  const out = await Deno.makeTempDir();
  try {
    const said = await quietly(() =>
      main(["plan", "--count", "6", "--replicates", "2", "--out", out])
    );
    assert.match(said, /6 subsamples x 1 models x 2 seeds = 12 runs/);
    const study = JSON.parse(await Deno.readTextFile(`${out}/study.json`));
    assert.equal(study.plan.replicates, 2);
    // the results of the study with one replicate: the same hashes, so they are this
    // study's; collect names the new runs as missing
    await Deno.writeTextFile(`${out}/results.jsonl`, jsonl(await defaultStudyRuns(6, 7)));
    const collected = await quietly(() =>
      main([
        "collect",
        "--count",
        "6",
        "--replicates",
        "2",
        "--out",
        out,
        "--allow-missing",
        `${out}/results.jsonl`,
      ])
    );
    assert.match(collected, /0 runs added, 6 of 12 done/);
    assert.match(
      collected,
      /6 runs missing: s1\/tiny-bert\/r1, s2\/tiny-bert\/r1, .*s6\/tiny-bert\/r1$/m,
    );
    // a study.json with other replicates is the same study (one with another count is not)
    await quietly(() => main(["plan", "--count", "6", "--replicates", "3", "--out", out]));
    await assert.rejects(
      main(["plan", "--count", "7", "--replicates", "3", "--out", out]),
      /differs in plan.count\)/,
    );
    // fewer replicates than the folder's study would leave its runs strangers: refused
    await assert.rejects(
      main(["plan", "--count", "6", "--out", out]),
      /holds a study of 3 replicates \(plan.replicates in its study.json\): give --replicates 3 \(or more\)/,
    );
    // the Slurm array counts every run
    const slurm = await quietly(() =>
      main(["slurm", "--count", "6", "--replicates", "3", "--shards", "4", "--out", out])
    );
    assert.match(slurm, /\(4 array tasks for 18 runs\)/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli analyze --target --cost: the planner's section, figure and numbers, as analyzeResults gives them", async () => {
  const out = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${out}/results.jsonl`, jsonl(await defaultStudyRuns(40, 4)));
    await quietly(() =>
      main(["analyze", "--count", "40", "--target", "0.8,0.85", "--cost", "0.5", "--out", out])
    );
    const html = await Deno.readTextFile(`${out}/report.html`);
    const prepared = await prepareStudy({
      ...DEFAULT_STUDY,
      plan: { ...DEFAULT_STUDY.plan, count: 40 },
    });
    const analysis = analyzeResults((await readResults(`${out}/results.jsonl`)).results, {
      bootstrap: DEFAULT_STUDY.analysis.bootstrap,
      seed: DEFAULT_STUDY.seed,
      targets: [0.8, 0.85],
      cost: 0.5,
      current: prepared.pool.sentences,
    });
    const plan = analysis.models[0].planner!;
    assert.match(html, /<h2>How many more sentences\?<\/h2>/);
    assert.ok(
      html.includes(
        `more than the ${
          prepared.pool.sentences.toLocaleString("en")
        } sentences of the training pool`,
      ),
    );
    assert.match(html, /at 0\.50 per sentence/);
    for (const c of plan.candidates) {
      if (c.fit.converged) assert.ok(html.includes(`<td>${c.fit.aic.toFixed(2)}</td>`));
    }
    const rows = html.match(/<table class="targets">[\s\S]*?<\/table>/)![0].match(/<tr><td>/g);
    assert.equal(rows?.length, 2);
    const svg = await Deno.readTextFile(`${out}/learning-curve-planner.svg`);
    assert.equal(svg.match(/<circle/g)?.length, 40);
    assert.match(svg, />F1 0.85</);
    // the flags in a study file: analysis.targets and analysis.cost
    await Deno.writeTextFile(
      `${out}/s.json`,
      JSON.stringify({ plan: { count: 40 }, analysis: { targets: [0.75], cost: 2 } }),
    );
    await quietly(() => main(["analyze", "--study", `${out}/s.json`, "--out", out]));
    const again = await Deno.readTextFile(`${out}/report.html`);
    assert.match(again, /at 2\.00 per sentence/);
    assert.match(again, /<td>0\.75<\/td>/);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("cli: bad --replicates, --target and --cost are errors naming the flag", async () => {
  const cases: [string[], RegExp][] = [
    [["--replicates", "0"], /^Error: --replicates: expected a positive integer, got 0$/],
    [["--replicates", "two"], /^Error: --replicates: expected a number, got "two"$/],
    [["--replicates", "1.5"], /^Error: --replicates: expected a positive integer, got 1.5$/],
    [["--target", "0.8,1.2"], /^Error: --target: target 2: expected an F1 in \(0, 1\), got 1.2$/],
    [["--target", "0.8,high"], /^Error: --target: expected a number, got "high"$/],
    [["--target", "-0.5"], /^Error: --target: target 1: expected an F1 in \(0, 1\), got -0.5$/],
    [["--cost", "0"], /^Error: --cost: expected a positive number, got 0$/],
    [["--cost", "cheap"], /^Error: --cost: expected a number, got "cheap"$/],
  ];
  for (const [flags, re] of cases) await assert.rejects(main(["plan", ...flags]), re);
  const help = await quietly(() => main(["--help"]));
  for (const flag of ["--replicates K", "--target F1,...", "--cost C"]) {
    assert.ok(help.includes(`\n  ${flag} `), flag);
  }
});

Deno.test("cli export: the chosen model trained on the whole pool; the ONNX folder's own predictions give export.json's test scores", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-export-" });
  try {
    await Deno.copyFile(
      new URL("./fixtures/disclosures.jsonl", import.meta.url),
      `${dir}/disclosures.jsonl`,
    );
    const { entityTypes: _t, seed: _s, source: _src, ...tiny } = TINY_BERT; // 32 wide
    const study = {
      data: { path: "disclosures.jsonl", labels: { PER: "PERSON" } },
      test: { size: 8 },
      plan: { count: 2, sizes: [[6, 10]] },
      // two models of different widths, so that the folder shows which one was exported
      models: [
        { name: "narrow", source: "random", ...tiny, hiddenSize: 16, intermediateSize: 32 },
        { name: "mini", source: "random", ...tiny },
      ],
      training: { epochs: 4, batchSize: 4, learningRate: 5e-3, maxLength: 64 },
      analysis: { bootstrap: 0 },
    };
    await Deno.writeTextFile(`${dir}/coi.json`, JSON.stringify(study));
    const args = ["export", "--study", `${dir}/coi.json`, "--out", `${dir}/out`, "--quiet"];
    const exported = `${dir}/out/export`;
    const said = await quietly(() => main([...args, "--model", "mini"]));
    assert.match(said, /^coi: exporting model mini \(picked by --model of narrow, mini\)/m);
    const json = JSON.parse(await Deno.readTextFile(`${exported}/export.json`));
    assert.match(said, new RegExp(`^mini: test F1 ${json.test.micro.f1.toFixed(4)} `, "m"));
    const config = JSON.parse(await Deno.readTextFile(`${exported}/config.json`));
    assert.equal(config.hidden_size, 32); // mini, not narrow
    assert.equal(json.model, "mini");
    const prepared = await prepareStudy(await readStudyConfig(`${dir}/coi.json`));
    assert.equal(json.studyHash, await runHash(prepared.config, prepared.config.models[1]));

    // trained on every document but the study's 8 test documents, every sentence each epoch
    const all = corpusStats(prepared.docs), test = corpusStats(prepared.test);
    assert.equal(prepared.docs.length, 36);
    assert.deepEqual(
      [json.training.documents, json.training.sentences, json.training.entities],
      [36 - 8, all.sentences - test.sentences, all.entities - test.entities],
    );
    const labels = Object.keys(config.id2label).map((i) => config.id2label[i] as string);
    const tokenizer = await loadTokenizer(exported);
    const encode = (docs: Doc[]) =>
      encodeDocs(docs, tokenizer, { labels, scheme: "IOB1", maxLength: 64 });
    assert.equal(json.training.steps, 4 * Math.ceil(encode(prepared.train).length / 4));

    // the exported graph, run by onnxruntime-web on the test documents and decoded as
    // config.json says, scores what export.json says the trained classifier scored
    const examples = encode(prepared.test);
    const L = labels.length;
    const logits: Float32Array[] = [];
    for (const ex of examples) {
      const got = await ortLogits(`${exported}/onnx/model.onnx`, {
        input_ids: [ex.inputIds],
        attention_mask: [ex.attentionMask],
      });
      assert.deepEqual(got.dims, [1, ex.inputIds.length, L]);
      logits.push(got.data);
    }
    const saved = config.ner_decoding; // as fineTune leaves it
    assert.ok(saved, "config.json has no ner_decoding: the classifier was not fine-tuned");
    assert.deepEqual(saved.labels, labels);
    const decoding = {
      labels,
      words: saved.words,
      transitions: saved.transitions && { labels, logProbs: saved.transitions },
    };
    const scores = scorePredictions(examples, logits, decoding);
    assert.ok(scores.micro.f1 > 0.5, `the model learnt too little to test (F1 ${scores.micro.f1})`);
    assert.deepEqual(scores.micro, json.test.micro);
    assert.deepEqual(scores.byType, json.test.byType);
    assert.equal(scores.predictedEntities, json.test.predictedEntities);
    // the int8 graph is there, a quarter of the size, and runs
    const size = (name: string) => Deno.statSync(`${exported}/onnx/${name}`).size;
    assert.deepEqual(json.files, ["onnx/model.onnx", "onnx/model_quantized.onnx"]);
    assert.ok(size("model_quantized.onnx") < 0.3 * size("model.onnx"));
    const q8 = await ortLogits(`${exported}/onnx/model_quantized.onnx`, {
      input_ids: [examples[0].inputIds],
      attention_mask: [examples[0].attentionMask],
    });
    assert.deepEqual(q8.dims, [1, examples[0].inputIds.length, L]);

    // transformers.js loads the folder, float32 and int8, and its pipeline tags a one-sentence
    // test statement's subtokens as the graph's logits in onnxruntime-web say (argmax, O left out)
    const { env, pipeline } = await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    env.localModelPath = `${dir}/out`;
    const one = examples.find((ex) => examples.filter((e) => e.docId === ex.docId).length === 1)!;
    const text = prepared.test.find((d) => d.id === one.docId)!.text;
    for (const [dtype, file] of [["fp32", "model.onnx"], ["q8", "model_quantized.onnx"]] as const) {
      const { data } = await ortLogits(`${exported}/onnx/${file}`, {
        input_ids: [one.inputIds],
        attention_mask: [one.attentionMask],
      });
      const want = one.inputIds.flatMap((_, t) => {
        const row = [...data.subarray(t * L, (t + 1) * L)];
        const tag = labels[row.indexOf(Math.max(...row))];
        return t === 0 || t === one.inputIds.length - 1 || tag === "O" ? [] : [`${t} ${tag}`];
      });
      assert.ok(want.length > 0, `${dtype}: no entity in "${text}"`);
      const ner = await pipeline("token-classification", "export", { dtype });
      try {
        const found = await ner(text) as { entity: string; index: number }[];
        assert.deepEqual(found.map((f) => `${f.index} ${f.entity}`), want, `${dtype}: "${text}"`);
      } finally {
        await ner.dispose();
      }
    }

    // without --model: the study's first; exported again over the first export, float32 only
    const again = await quietly(() => main([...args, "--no-quantize"]));
    assert.match(again, /exporting model narrow \(the first of narrow, mini; --model NAME/);
    assert.equal(JSON.parse(await Deno.readTextFile(`${exported}/config.json`)).hidden_size, 16);
    assert.deepEqual([...Deno.readDirSync(`${exported}/onnx`)].map((e) => e.name), ["model.onnx"]);
    const second = JSON.parse(await Deno.readTextFile(`${exported}/export.json`));
    assert.deepEqual([second.model, second.files], ["narrow", ["onnx/model.onnx"]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli export: a model the study lacks, two models, a folder of other files and --to outside export are refused before training", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nerss-export-" });
  try {
    const two = ["--model", "a=random:bert", "--model", "b=random:gpt2"];
    await assert.rejects(
      main(["export", ...two, "--model", "c", "--to", `${dir}/x`]),
      /^Error: --model "c": the study has no such model; its models: a, b$/,
    );
    await assert.rejects(
      main(["export", ...two, "--model", "a", "--model", "b", "--to", `${dir}/x`]),
      /^Error: --model: give one model to export, got a, b$/,
    );
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    await assert.rejects(
      main(["export", "--to", dir, "--quiet"]),
      new RegExp(`^Error: exportStudyModel: ${dir} is a folder with other files in it`),
    );
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.txt"]);
    await assert.rejects(main(["plan", "--to", dir]), /^Error: --to is for export$/);
    await assert.rejects(main(["run", "--no-quantize"]), /^Error: --no-quantize is for export$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
