import assert from "node:assert/strict";
import { backtestLearningCurve } from "../../lib/stats/learning_curve_backtest.ts";
import { fitLearningCurve, predictLearningCurve } from "../../lib/stats/learning_curve.ts";
import { fB, sB } from "./fixtures/learning_curve.ts";

Deno.test("backtestLearningCurve: a curve without noise is predicted exactly, inside its intervals", () => {
  const x = [50, 75, 100, 150, 200, 300, 400, 600, 800, 1000];
  for (const model of ["inverse-power-law", "exponential"] as const) {
    const f = model === "exponential"
      ? (n: number) => 0.9 - 0.5 * Math.exp(-0.004 * n)
      : (n: number) => 0.92 - 1.5 * n ** -0.6;
    const back = backtestLearningCurve(x, x.map(f), { model });
    assert.equal(back.cutoff, 500);
    assert.deepEqual([back.trainRuns, back.heldOutRuns], [7, 3]);
    assert.deepEqual(back.groups.map((g) => g.x), [600, 800, 1000]);
    assert.ok(back.mae < 1e-9, `${model}: mae ${back.mae}`);
    assert.equal(back.coverage, 1);
  }
});

Deno.test("backtestLearningCurve: each held-out size is predicted as the curve fitted on the rest predicts it", () => {
  // Four runs at each of 10 sizes; fit on those up to 300 (half of 600), predict 400-600.
  const sizes = [25, 50, 75, 100, 150, 200, 300, 400, 500, 600];
  const x = sizes.flatMap((n) => [n, n, n, n]);
  const y = x.map((n, i) =>
    0.9 - 1.2 * n ** -0.45 + [0.02, -0.01, 0.015, -0.025][i % 4] * (i % 3 - 1)
  );
  const back = backtestLearningCurve(x, y);
  const train = x.map((_, i) => i).filter((i) => x[i] <= 300);
  const fit = fitLearningCurve(train.map((i) => x[i]), train.map((i) => y[i]));
  assert.deepEqual(back.fit.parameters, fit.parameters);
  assert.deepEqual(back.groups.map((g) => [g.x, g.runs]), [[400, 4], [500, 4], [600, 4]]);
  for (const g of back.groups) {
    const p = predictLearningCurve(fit, g.x, { maxExtrapolation: Infinity });
    const observed = y.filter((_, i) => x[i] === g.x).reduce((s, v) => s + v, 0) / 4;
    assert.ok(Math.abs(g.observed - observed) < 1e-15);
    assert.ok(Math.abs(g.predicted - p.estimate) < 1e-15);
    assert.ok(Math.abs(g.error - (p.estimate - observed)) < 1e-15);
    // The mean of 4 runs: the curve's variance plus a quarter of one run's.
    const ci = p.ci[1] - p.estimate, pi = p.pi[1] - p.estimate;
    const half = Math.sqrt(ci * ci + (pi * pi - ci * ci) / 4);
    assert.ok(Math.abs(g.interval[1] - g.predicted - half) < 1e-12);
    assert.equal(g.covered, Math.abs(g.error) <= half);
  }
  const mae = back.groups.reduce((s, g) => s + Math.abs(g.error), 0) / 3;
  assert.equal(back.mae, mae);
  assert.match(
    back.notes[0],
    /^fitted on 28 runs up to 300, predicting 12 runs in 3 size groups \(400–600\): mean absolute error [\d.e-]+ F1, \d of 3 within their 95% intervals$/,
  );
});

Deno.test("backtestLearningCurve: dataset B (an exponential curve) shows the power law overshooting", () => {
  // Mahmood et al.'s warning on our own fixture: fitted on runs up to 1,155 sentences, the
  // power law keeps rising where the runs have flattened; the exponential (the truth) holds.
  const power = backtestLearningCurve(sB, fB);
  const exp = backtestLearningCurve(sB, fB, { model: "exponential" });
  assert.deepEqual([power.trainRuns, power.heldOutRuns, power.groups.length], [40, 40, 8]);
  assert.ok(power.groups.every((g) => g.error > 0), "the power law overshoots every held-out size");
  assert.ok(power.mae > 3 * exp.mae, `${power.mae} vs ${exp.mae}`);
  assert.ok(power.coverage < 0.5 && exp.coverage === 1, `${power.coverage} vs ${exp.coverage}`);
});

Deno.test("backtestLearningCurve: a fit that fails says so, and bad options are refused", () => {
  const back = backtestLearningCurve([100, 200, 900, 1000], [0.5, 0.6, 0.8, 0.81]);
  assert.deepEqual([back.mae, back.coverage, back.groups], [NaN, NaN, []]);
  assert.match(
    back.notes[0],
    /^the fit on the 2 runs up to 500 failed: 2 runs at 2 distinct sizes/,
  );
  assert.throws(
    () => backtestLearningCurve([1, 2], [0.5, 0.6], { fraction: 1 }),
    /fraction must be in \(0, 1\)/,
  );
  assert.throws(() => backtestLearningCurve([1, 2], [0.5]), /x has 2 values, y has 1/);
});
