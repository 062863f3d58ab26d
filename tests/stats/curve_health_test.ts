import assert from "node:assert/strict";
import { groupRuns, learningCurveHealth } from "../../lib/stats/curve_health.ts";
import { fB, sB } from "./fixtures/learning_curve.ts";
import { createRandom } from "../../lib/core/random.ts";

// Four runs at each of six sizes, with a spread of about +-0.01 F1 around the curve.
const SIZES = [100, 200, 300, 400, 500, 600].flatMap((n) => [n, n, n, n]);
const SPREAD = [-0.01, 0.005, 0.01, -0.005];
const runs = (f: (n: number) => number) => SIZES.map((n, i) => f(n) + SPREAD[i % 4]);

Deno.test("groupRuns: per size when sizes repeat, else equal-count bins of consecutive sizes", () => {
  const perSize = groupRuns(SIZES, runs((n) => n / 1000));
  assert.deepEqual(
    perSize.map((g) => [g.x, g.runs]),
    [100, 200, 300, 400, 500, 600].map((n) => [n, 4]),
  );
  // Means by hand: the spread sums to 0, so each group's mean is n / 1000.
  perSize.forEach((g) => assert.ok(Math.abs(g.mean - g.x / 1000) < 1e-12));
  // sd of -0.01, 0.005, 0.01, -0.005 (sum of squares 2.5e-4, over 3).
  assert.ok(Math.abs(perSize[0].sd - Math.sqrt(2.5e-4 / 3)) < 1e-12);
  // Dataset B: 80 distinct sizes, 10 bins of 8 consecutive ones.
  const bins = groupRuns(sB, fB);
  assert.deepEqual(bins.map((g) => g.runs), Array(10).fill(8));
  assert.equal(bins[0].x, (140 + 267 + 269 + 288 + 292 + 336 + 342 + 344) / 8);
  assert.deepEqual(bins[9].indices, [72, 73, 74, 75, 76, 77, 78, 79]);
  assert.deepEqual(groupRuns(sB, fB, { bins: 4 }).map((g) => g.runs), [20, 20, 20, 20]);
});

Deno.test("learningCurveHealth: a rising, flattening curve passes every check", () => {
  for (const [x, y] of [[SIZES, runs((n) => 0.9 - 2 * n ** -0.5)], [sB, fB]]) {
    const h = learningCurveHealth(x, y);
    assert.deepEqual([h.healthy, h.rising, h.monotone, h.concave, h.notes], [
      true,
      true,
      true,
      true,
      [],
    ]);
  }
});

Deno.test("learningCurveHealth: a dip beyond the noise breaks monotonicity, one within it does not", () => {
  // Means 0.7, 0.75, 0.8, 0.74, 0.82, 0.83: the drop of 0.06 at 400 is ~8 standard errors
  // (pooled sd 0.0091, se of a difference 0.0065).
  const means: Record<number, number> = {
    100: 0.7,
    200: 0.75,
    300: 0.8,
    400: 0.74,
    500: 0.82,
    600: 0.83,
  };
  const dip = learningCurveHealth(SIZES, runs((n) => means[n]));
  assert.equal(dip.monotone, false);
  assert.equal(dip.healthy, false);
  assert.equal(
    dip.notes[0],
    // z for 0.05 / 5 steps, one-sided: the normal 0.99 quantile, 2.326.
    "mean F1 falls from 0.8 at 300 to 0.74 at 400 (by more than 2.33 standard errors, the " +
      "one-sided 0.05 level over 5 steps): the runs do not rise monotonically, as the curve " +
      "models assume",
  );
  // A drop of 0.01 is ~1.5 standard errors: noise, not a dip.
  const noise = learningCurveHealth(SIZES, runs((n) => (n === 400 ? 0.79 : means[n])));
  assert.deepEqual([noise.monotone, noise.notes], [true, []]);
});

Deno.test("learningCurveHealth: a curve still steepening fails the flattening check", () => {
  const h = learningCurveHealth(SIZES, runs((n) => 0.5 + 0.3 * (n / 600) ** 2));
  assert.equal(h.concave, false);
  assert.equal(h.rising, true);
  // Slopes by least squares over the runs at 100-300 and at 400-600: (0.3 / 600^2) 2 x at
  // the middle of each half, x = 200 and 500: 0.0333 and 0.0833 per 100.
  assert.equal(
    h.notes[0],
    "F1 rises faster above the median size 300 than below it (0.0833 against 0.0333 per 100): " +
      "the curve has not begun to flatten, so its asymptote and sizes past the runs are guesses",
  );
});

Deno.test("learningCurveHealth: F1 that does not rise is named, and too few runs skip the checks", () => {
  const flat = learningCurveHealth(SIZES, runs(() => 0.8));
  assert.equal(flat.rising, false);
  assert.match(
    flat.notes[0],
    /^F1 does not rise with size: 0.0000 per doubling \(standard error 0.0019\), so no learning/,
  );
  const few = learningCurveHealth([100, 200], [0.5, 0.6]);
  assert.deepEqual([few.rising, few.concave], [null, null]);
  assert.equal(few.healthy, true);
  assert.deepEqual(few.notes, [
    "too few runs or sizes to check that F1 rises",
    "too few runs or sizes in each half to check that the curve flattens",
  ]);
  assert.throws(() => learningCurveHealth([1, 2], [0.5]), /x has 2 values, y has 1/);
  assert.throws(() => learningCurveHealth([1, -2], [0.5, 0.6]), /run 1 has size -2/);
});

Deno.test("learningCurveHealth: healthy noisy curves are flagged at most about alpha of the time (seeded)", () => {
  // 300 studies of a power law that has flattened, 10 sizes x 5 runs, noise sd 0.02: each
  // check is a 5% test (monotonicity corrected over its 9 steps), so each flags ~5% or less.
  const rng = createRandom(19);
  const x = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000].flatMap((n) => [n, n, n, n, n]);
  let monotone = 0, concave = 0, rising = 0;
  for (let s = 0; s < 300; s++) {
    const h = learningCurveHealth(x, x.map((n) => 0.9 - 2 * n ** -0.5 + 0.02 * rng.normal()));
    if (h.monotone === false) monotone++;
    if (h.concave === false) concave++;
    if (h.rising === false) rising++;
  }
  assert.ok(monotone / 300 <= 0.08, `monotone flagged ${monotone} / 300`);
  assert.ok(concave / 300 <= 0.08, `concave flagged ${concave} / 300`);
  assert.equal(rising, 0);
});
