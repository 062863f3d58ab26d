import assert from "node:assert/strict";
import { analyzeResults } from "../../lib/study/analysis.ts";
import { readResults, type RunResult } from "../../lib/study/results.ts";
import { ols } from "../../lib/stats/ols.ts";
import { thresholdRegression } from "../../lib/stats/threshold.ts";
import { daviesTest, segmentedRegression } from "../../lib/stats/segmented.ts";
import { loess, smoothSpline } from "../../lib/stats/smooth.ts";
import {
  simulateRuns,
  TRUE_EPS_THRESHOLD,
  TRUE_SENTENCES_THRESHOLD,
} from "./fixtures/simulated_runs.ts";
import { simulateCurve } from "./fixtures/simulated_curve.ts";
import { planAnnotation } from "../../lib/study/planner.ts";
import { fitLearningCurve, sizeForTarget } from "../../lib/stats/learning_curve.ts";

const bert = simulateRuns("bert", 200, 11);
const roberta = simulateRuns("roberta", 200, 12, { base: 0.92 });
// Interleaved, as a study's results file is: the analysis must keep each model's run order.
const runs = bert.flatMap((r, i) => [r, roberta[i]]);
const analysis = analyzeResults(runs, { bootstrap: 200, seed: 7 });

const column = (rs: RunResult[]) => ({
  y: rs.map((r) => r.micro.f1),
  sentences: rs.map((r) => r.sentences),
  eps: rs.map((r) => r.eps),
});

Deno.test("analyzeResults: recovers the simulated thresholds, with CIs covering the truth", () => {
  assert.deepEqual(analysis.models.map((m) => m.model), ["bert", "roberta"]);
  for (const m of analysis.models) {
    assert.equal(m.n, 200);
    const s = m.sentences.threshold!;
    assert.ok(Math.abs(s.threshold - TRUE_SENTENCES_THRESHOLD) < 50, `${m.model}: ${s.threshold}`);
    assert.ok(s.ci![0] <= TRUE_SENTENCES_THRESHOLD && TRUE_SENTENCES_THRESHOLD <= s.ci![1]);
    // The slope below the threshold is the simulated 0.0006 per sentence (plus EPS noise).
    assert.ok(Math.abs(s.coefficients["(x-e)-"] - 0.0006) < 0.0002);
    assert.ok(s.pExists! < 0.01);
    const e = m.eps.threshold!;
    assert.ok(e.ci![0] <= TRUE_EPS_THRESHOLD && TRUE_EPS_THRESHOLD <= e.ci![1], `${m.model}`);
    // Muggeo's breakpoint agrees, and Davies' test sees the change in slope.
    assert.ok(Math.abs(m.sentences.segmented!.psi - TRUE_SENTENCES_THRESHOLD) < 50);
    assert.ok(m.sentences.davies!.p < 0.001);
    // Both predictors raise F1 in the linear fit.
    const [, bs, be] = m.ols!.coefficients;
    assert.ok(bs.estimate > 0 && bs.p < 0.001 && be.estimate > 0 && be.p < 0.001);
    assert.ok(m.ols!.r2 > 0.5 && m.ols!.r2 < 0.95);
  }
});

Deno.test("analyzeResults: every number is lib/stats' on the same runs", () => {
  for (const [m, rs] of [[analysis.models[0], bert], [analysis.models[1], roberta]] as const) {
    const { y, sentences, eps } = column(rs);
    assert.deepEqual(m.ols, ols(y, { sentences, eps }));
    for (const [p, x] of [["sentences", sentences], ["eps", eps]] as const) {
      const a = m[p];
      assert.deepEqual(
        a.threshold,
        thresholdRegression(x, y, { type: "upperhinge", bootstrap: 200, seed: 7 }),
      );
      assert.deepEqual(a.segmented, segmentedRegression(x, y));
      assert.deepEqual(a.davies, daviesTest(x, y));
      assert.deepEqual(a.smooth, smoothSpline(x, y, { grid: 100 }));
      assert.deepEqual(a.range, [Math.min(...x), Math.max(...x)]);
    }
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    assert.ok(Math.abs(m.f1.mean - mean) < 1e-15);
    assert.equal(m.f1.min, Math.min(...y));
    assert.equal(m.f1.max, Math.max(...y));
  }
});

Deno.test("analyzeResults: the summary table has one row per model with the fitted numbers", () => {
  const rows = analysis.summary.objects() as Record<string, number | string>[];
  assert.equal(rows.length, 2);
  analysis.models.forEach((m, i) => {
    const r = rows[i];
    assert.equal(r.model, m.model);
    assert.equal(r.n, 200);
    assert.equal(r.r2, m.ols!.r2);
    assert.equal(r.f, m.ols!.f);
    assert.equal(r.df1, 2);
    assert.equal(r.df2, 197);
    assert.equal(r.p, m.ols!.fP);
    assert.equal(r.sentences_threshold, m.sentences.threshold!.threshold);
    assert.equal(r.sentences_lo, m.sentences.threshold!.ci![0]);
    assert.equal(r.sentences_hi, m.sentences.threshold!.ci![1]);
    assert.equal(r.eps_threshold, m.eps.threshold!.threshold);
    assert.equal(r.eps_p_exists, m.eps.threshold!.pExists);
  });
  assert.deepEqual(analysis.options, {
    bootstrap: 200,
    testReplicates: 200,
    seed: 7,
    type: "upperhinge",
    smoother: "spline",
    level: 0.95,
    minRuns: 10,
    grid: 100,
    targets: null,
    cost: null,
    current: null,
    fraction: 0.5,
  });
});

Deno.test("analyzeResults: a model with fewer than 10 runs gets a note, not a crash", () => {
  const few = simulateRuns("tiny", 9, 3);
  const a = analyzeResults([...simulateRuns("bert", 40, 4), ...few], { bootstrap: 20 });
  const tiny = a.models[1];
  assert.equal(tiny.n, 9);
  assert.equal(tiny.ols, null);
  assert.equal(tiny.sentences.threshold, null);
  assert.equal(tiny.eps.smooth, null);
  assert.match(tiny.notes.join(" "), /only 9 runs \(fewer than 10\)/);
  assert.ok(a.warnings.some((w) => w.startsWith("tiny: only 9 runs")));
  assert.ok(a.models[0].ols !== null && a.models[0].sentences.threshold !== null);
  const row = a.summary.objects()[1] as Record<string, number>;
  assert.equal(row.n, 9);
  assert.ok(Number.isNaN(row.r2) && Number.isNaN(row.sentences_threshold));
  // Mean F1 is still reported.
  assert.equal(tiny.f1.min, Math.min(...few.map((r) => r.micro.f1)));
});

Deno.test("analyzeResults: constant EPS makes the EPS terms NaN with a warning", () => {
  const rs = simulateRuns("bert", 60, 5, { eps: 1.1 }); // 1.1 is inexact in binary
  const a = analyzeResults(rs, { bootstrap: 20 });
  const m = a.models[0];
  const epsTerm = m.ols!.coefficients.find((c) => c.name === "eps")!;
  assert.ok(Number.isNaN(epsTerm.estimate) && Number.isNaN(epsTerm.p));
  // The F test is then the test of sentences alone: one slope, n - 2 residual df.
  assert.equal(m.ols!.dfModel, 1);
  assert.equal(m.ols!.dfResid, 58);
  assert.equal(m.eps.threshold, null);
  assert.equal(m.eps.segmented, null);
  assert.equal(m.eps.smooth, null);
  assert.match(m.notes.join(" "), /eps is constant \(1\.1\)/);
  assert.match(m.notes.join(" "), /rank deficient/);
  assert.ok(m.sentences.threshold !== null);
  assert.ok(Number.isNaN((a.summary.objects()[0] as Record<string, number>).eps_threshold));
});

Deno.test("analyzeResults: the loess smoother and other threshold types are lib/stats' too", () => {
  const rs = simulateRuns("bert", 40, 6);
  const { y, sentences } = column(rs);
  const a = analyzeResults(rs, { bootstrap: 10, smoother: "loess", type: "step", grid: 20 });
  const m = a.models[0];
  assert.deepEqual(m.sentences.smooth, loess(sentences, y, { grid: 20 }));
  assert.deepEqual(
    m.sentences.threshold,
    thresholdRegression(sentences, y, { type: "step", bootstrap: 10, seed: 1 }),
  );
});

Deno.test("analyzeResults: bad runs and options are errors naming them", () => {
  const rs = simulateRuns("bert", 12, 8);
  rs[4] = { ...rs[4], micro: { ...rs[4].micro, f1: NaN } };
  assert.throws(() => analyzeResults(rs), /run 5 \("s0004\/bert"\) has micro\.f1 = NaN/);
  const ok = simulateRuns("bert", 12, 8);
  assert.throws(
    () => analyzeResults(ok, { type: "wiggle" as "step" }),
    /unknown threshold type "wiggle"/,
  );
  assert.throws(() => analyzeResults(ok, { bootstrap: -1 }), /bootstrap must be/);
  assert.deepEqual(analyzeResults([]).models, []);
});

Deno.test("analyzeResults: plain rows give the same analysis as the full rows they come from", async () => {
  const { results } = await readResults(
    new URL("../../notebooks/data/example-results.jsonl", import.meta.url).pathname,
  );
  assert.equal(results.length, 450);
  const rows = results.map((r) => ({
    model: r.model,
    sentences: r.sentences,
    eps: r.eps,
    f1: r.micro.f1,
  }));
  const opts = { bootstrap: 20, seed: 4 };
  const full = analyzeResults(results, opts);
  const plain = analyzeResults(rows, opts);
  assert.deepEqual(plain.models.map((m) => m.model), [
    "BERT (simulated)",
    "RoBERTa (simulated)",
    "GPT-2 (simulated)",
  ]);
  assert.deepEqual(plain.models, full.models);
  assert.deepEqual(plain.summary.objects(), full.summary.objects());
  assert.deepEqual(plain.warnings, full.warnings);
  assert.deepEqual(plain.runs, rows);
  // Rows without a model are one model, "all": the same numbers as that model's runs.
  const bert = results.filter((r) => r.model === "BERT (simulated)");
  const unnamed = analyzeResults(
    bert.map((r) => ({ sentences: r.sentences, eps: r.eps, f1: r.micro.f1 })),
    opts,
  );
  assert.deepEqual(unnamed.models, [{ ...full.models[0], model: "all" }]);
});

Deno.test("analyzeResults: a bad plain row is an error naming its index", () => {
  const rows = simulateRuns("bert", 12, 8).map((r) => ({
    sentences: r.sentences,
    eps: r.eps,
    f1: r.micro.f1,
  }));
  const without = rows.map((r, i) => (i === 3 ? { sentences: r.sentences, f1: r.f1 } : r));
  assert.throws(
    () => analyzeResults(without as typeof rows),
    /analyzeResults: results\[3\] has no eps \(a row needs sentences, eps and f1\)/,
  );
  for (const [field, bad] of [["f1", NaN], ["sentences", Infinity], ["eps", "1.2"]] as const) {
    const broken = rows.map((r, i) => (i === 7 ? { ...r, [field]: bad } : r));
    assert.throws(
      () => analyzeResults(broken),
      new RegExp(`results\\[7\\] has ${field} = ${bad}, not a finite number`),
    );
  }
  const someNamed = rows.map((r, i) => (i === 2 ? { ...r, model: "bert" } : r));
  assert.throws(
    () => analyzeResults(someNamed),
    /results\[0\] has no model but results\[2\] has one: give every row a model, or none/,
  );
});

Deno.test("analyzeResults: runs that scored F1 = 0 are counted in a note; all of them get their own", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    sentences: 20 + 10 * i,
    eps: 1 + (i % 3) / 10,
    f1: i < 3 ? 0 : 0.5 + i / 100,
  }));
  const some = analyzeResults(rows, { bootstrap: 0 });
  assert.ok(
    some.warnings.includes(
      "all: 3 of 12 runs scored F1 = 0 (a model that predicted no entity, or none right).",
    ),
  );
  const none = analyzeResults(rows.map((r) => ({ ...r, f1: 0 })), { bootstrap: 0 });
  assert.match(
    none.warnings.join("\n"),
    /^all: every run scored F1 = 0: the model found no test entity/m,
  );
  assert.ok(
    !analyzeResults(rows.slice(3), { bootstrap: 0 }).warnings.some((w) => /F1 = 0/.test(w)),
  );
});

Deno.test("analyzeResults: runs whose lines carry warnings are counted in a note naming the first", () => {
  const rows = simulateRuns("bert", 12, 5).map((r, i) =>
    i === 4 || i === 9 ? { ...r, warnings: [`evaluate: warning ${i}`, "another"] } : r
  );
  const plain = analyzeResults(simulateRuns("bert", 12, 5), { bootstrap: 0 }).warnings;
  assert.deepEqual(analyzeResults(rows, { bootstrap: 0 }).warnings, [
    ...plain,
    `2 of 12 runs have warnings in their results line; the first, run ${rows[4].runId}: ` +
    "evaluate: warning 4",
  ]);
  assert.ok(!plain.some((w) => /runs have warnings/.test(w)));
});

Deno.test("analyzeResults: a model whose runs all scored 0 learned nothing and gets no fit", () => {
  // The fault: such a study showed "threshold 12, P 0.005".
  const good = simulateRuns("bert", 30, 31);
  const zero = simulateRuns("gpt2", 12, 32).map((r) => ({
    ...r,
    micro: { ...r.micro, precision: 0, recall: 0, f1: 0 },
  }));
  const a = analyzeResults([...good, ...zero], { bootstrap: 20 });
  const m = a.models[1];
  assert.equal(m.learnedNothing, true);
  assert.equal(m.ols, null);
  for (const p of [m.sentences, m.eps]) {
    assert.deepEqual([p.threshold, p.segmented, p.davies, p.smooth], [null, null, null, null]);
  }
  assert.deepEqual(m.f1, { mean: 0, sd: 0, min: 0, max: 0 });
  assert.deepEqual(a.warnings.filter((w) => w.startsWith("gpt2:")), [
    "gpt2: every run scored F1 = 0: the model found no test entity in any run (check the " +
    "labels, epochs, learning rate and subsample sizes). It learned nothing, so no " +
    "regression was fitted.",
  ]);
  const row = a.summary.objects()[1] as Record<string, number>;
  for (const key of ["r2", "p", "sentences_threshold", "sentences_p_exists", "eps_threshold"]) {
    assert.ok(Number.isNaN(row[key]), `${key} ${row[key]}`);
  }
  // The other model is analysed as if alone.
  const alone = analyzeResults(good, { bootstrap: 20 });
  assert.deepEqual(a.models[0], alone.models[0]);
  assert.equal(a.models[0].learnedNothing, false);
});

Deno.test("analyzeResults: a constant F1 other than 0 gets a note and no fit", () => {
  const rows = Array.from({ length: 12 }, (_, i) => ({
    sentences: 50 * (i + 1),
    eps: 1 + (i % 4) / 10,
    f1: 0.75,
  }));
  const m = analyzeResults(rows, { bootstrap: 10 }).models[0];
  assert.equal(m.learnedNothing, false);
  assert.equal(m.ols, null);
  assert.equal(m.sentences.threshold, null);
  assert.deepEqual(m.notes, [
    "F1 is 0.75 in every one of the 12 runs: no regression can show how it changes " +
    "with sentences or EPS, so none was fitted.",
  ]);
});

Deno.test("analyzeResults: two sizes repeated over seeds: NaN thresholds with notes, and the spread per size", () => {
  // 6 seeds at each of 2 sizes; EPS varies. Sentences cannot place a threshold (2 < 3
  // parameters) nor a breakpoint; EPS can.
  const f1 = [0.61, 0.64, 0.6, 0.66, 0.63, 0.62, 0.8, 0.78, 0.83, 0.79, 0.81, 0.82];
  const rows = f1.map((f, i) => ({
    sentences: i < 6 ? 100 : 400,
    eps: 0.9 + 0.07 * ((i * 5) % 12),
    f1: f,
  }));
  const a = analyzeResults(rows, { bootstrap: 20, testReplicates: 19 });
  const m = a.models[0];
  assert.ok(m.ols !== null && Number.isFinite(m.ols.r2));
  const t = m.sentences.threshold!;
  assert.ok(Number.isNaN(t.threshold) && Number.isNaN(t.pExists!) && t.ci!.every(Number.isNaN));
  assert.ok(Number.isNaN(m.sentences.segmented!.psi));
  assert.ok(Number.isNaN(m.sentences.davies!.p));
  assert.ok(
    m.notes.includes(
      "threshold regression of F1 on sentences: x has 2 distinct values, fewer than the 3 " +
        'parameters of "upperhinge" (its coefficients and the threshold): the threshold is ' +
        "not identified.",
    ),
  );
  assert.ok(
    m.notes.some((n) => /^segmented regression of F1 on sentences: x has 2 distinct/.test(n)),
  );
  assert.ok(m.notes.some((n) => /^Davies' test of F1 on sentences: x has 2 distinct/.test(n)));
  const row = a.summary.objects()[0] as Record<string, number>;
  assert.ok(Number.isNaN(row.sentences_threshold) && Number.isNaN(row.sentences_p_exists));
  assert.ok(Number.isFinite(m.eps.threshold!.threshold));
  // The spread at each size, worked by hand.
  const stats = (v: number[]) => {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const sd = Math.sqrt(v.reduce((s, x) => s + (x - mean) ** 2, 0) / (v.length - 1));
    return { mean, sd, min: Math.min(...v), max: Math.max(...v) };
  };
  assert.deepEqual(m.spread, [
    { sentences: 100, n: 6, ...stats(f1.slice(0, 6)) },
    { sentences: 400, n: 6, ...stats(f1.slice(6)) },
  ]);
  assert.ok(Math.abs(m.spread[0].mean - 0.6266666666666667) < 1e-12);
});

Deno.test("analyzeResults: the too-few-runs note names the minRuns option, which works", () => {
  const rs = simulateRuns("bert", 8, 41);
  const few = analyzeResults(rs, { bootstrap: 10 });
  assert.deepEqual(few.warnings, [
    "bert: only 8 runs (fewer than 10): no regressions were fitted. To fit them anyway, " +
    "lower the minimum: analyzeResults(rows, { minRuns: 8 }).",
  ]);
  const fitted = analyzeResults(rs, { bootstrap: 10, minRuns: 8 }).models[0];
  assert.ok(fitted.ols !== null && Number.isFinite(fitted.sentences.threshold!.threshold));
});

Deno.test("analyzeResults: non-degenerate runs: no degeneracy notes, spread only where sizes repeat", () => {
  for (const m of analysis.models) {
    assert.equal(m.learnedNothing, false);
    assert.ok(!m.notes.some((n) => /distinct values|is constant|learned nothing/.test(n)));
    assert.equal(m.sentences.threshold!.notes, undefined);
    // Random sizes from 50..1000 coincide now and then: exactly those are listed.
    const counts = new Map<number, number>();
    const own = m.model === "bert" ? bert : roberta;
    for (const r of own) counts.set(r.sentences, (counts.get(r.sentences) ?? 0) + 1);
    const repeated = [...counts].filter(([, c]) => c > 1).map(([s]) => s).sort((a, b) => a - b);
    assert.deepEqual(m.spread.map((s) => s.sentences), repeated);
    assert.ok(m.spread.every((s) => s.n === counts.get(s.sentences)));
  }
});

Deno.test("analyzeResults: the spread across seeds is the pooled SD within subsamples, worked by hand", () => {
  // s1: 0.80, 0.82, 0.84 (variance 0.0004, 2 df); s2: 0.70, 0.71 (variance 0.00005, 1 df);
  // s3 once: pooled SD sqrt((2 * 0.0004 + 0.00005) / 3) = sqrt(0.00085 / 3).
  const rows = [
    { subsample: "s1", f1: 0.8 },
    { subsample: "s2", f1: 0.7 },
    { subsample: "s3", f1: 0.75 },
    { subsample: "s1", f1: 0.82 },
    { subsample: "s2", f1: 0.71 },
    { subsample: "s1", f1: 0.84 },
  ].map((r) => ({ ...r, model: "m", sentences: 100, eps: 1 }));
  const { seeds } = analyzeResults(rows, { minRuns: 100 }).models[0];
  assert.ok(Math.abs(seeds.sd - Math.sqrt(0.00085 / 3)) < 1e-12, `${seeds.sd}`);
  assert.deepEqual([seeds.df, seeds.subsamples, seeds.runs], [3, 2, 5]);
  assert.deepEqual(seeds.groups.map((g) => [g.subsample, g.n, g.min, g.max]), [
    ["s1", 3, 0.8, 0.84],
    ["s2", 2, 0.7, 0.71],
  ]);
  assert.ok(Math.abs(seeds.groups[0].sd - 0.02) < 1e-12);
  // without repeated subsamples (or without subsample ids) there is no spread to pool
  const once = analyzeResults(rows.map((r, i) => ({ ...r, subsample: `x${i}` })), { minRuns: 100 });
  assert.deepEqual([once.models[0].seeds.subsamples, once.models[0].seeds.df], [0, 0]);
  assert.ok(Number.isNaN(once.models[0].seeds.sd));
  const none = analyzeResults(rows.map(({ subsample: _, ...r }) => r), { minRuns: 100 });
  assert.equal(none.models[0].seeds.subsamples, 0);
  // in the summary table
  const row = analyzeResults(rows, { minRuns: 100 }).summary.objects()[0] as Record<
    string,
    number
  >;
  assert.equal(row.seed_sd, seeds.sd);
  assert.equal(row.seed_subsamples, 2);
});

Deno.test("analyzeResults: the planner per model is planAnnotation's on its runs; its targets table is sizeForTarget's on the same fit", () => {
  const curve = simulateCurve("bert", 40, 3, { replicates: 2 });
  const other = simulateRuns("roberta", 60, 9);
  const opts = { targets: [0.8, 0.85], cost: 0.5, current: 450 };
  const a = analyzeResults([...curve, ...other], { bootstrap: 10, ...opts });
  const x = curve.map((r) => r.sentences), y = curve.map((r) => r.micro.f1);
  const plan = a.models[0].planner!;
  assert.deepEqual(plan, planAnnotation(x, y, opts));
  const fit = fitLearningCurve(x, y, { model: plan.fit!.model });
  assert.deepEqual(plan.fit, fit);
  for (const t of plan.targets) assert.deepEqual(t.size, sizeForTarget(fit, t.target));
  // 0.8 at about 400 sentences (the truth): within the 450 there are, nothing to annotate
  const c80 = plan.targets[0].cost;
  assert.ok(c80.reachable && c80.additional === Math.max(0, c80.size - 450));
  assert.equal(a.models[0].seeds.subsamples, 40);
  assert.equal(a.models[1].planner!.targets.length, 2);
  assert.equal((a.summary.objects()[0] as Record<string, string>).curve, plan.fit!.model);
  // the options are recorded
  assert.deepEqual(
    [a.options.targets, a.options.cost, a.options.current, a.options.fraction],
    [[0.8, 0.85], 0.5, 450, 0.5],
  );
  // no planner where no regression is fitted
  assert.equal(analyzeResults(simulateRuns("bert", 6, 2)).models[0].planner, null);
});

Deno.test("analyzeResults: bad planner options are errors naming them", () => {
  const ok = simulateRuns("bert", 12, 8);
  assert.throws(
    () => analyzeResults(ok, { targets: [1.5] }),
    /^Error: analyzeResults: targets\[0\] is 1.5: an F1 target must be in \(0, 1\)$/,
  );
  assert.throws(() => analyzeResults(ok, { cost: -2 }), /analyzeResults: cost is -2/);
  assert.throws(() => analyzeResults(ok, { current: NaN }), /analyzeResults: current is NaN/);
  assert.throws(() => analyzeResults(ok, { fraction: 0 }), /analyzeResults: fraction is 0/);
});
