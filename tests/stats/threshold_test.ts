import assert from "node:assert/strict";
import {
  bootstrapNormalInterval,
  thresholdRegression,
  type ThresholdType,
} from "../../lib/stats/threshold.ts";
import { fromColumns, leastSquares } from "../../lib/stats/linalg.ts";
import { createRandom } from "../../lib/core/random.ts";

const TYPES: ThresholdType[] = ["hinge", "upperhinge", "segmented", "step"];

/** Brute force: refit by QR at every candidate (chngpt's candidate positions). */
function bruteForce(x: number[], y: number[], type: ThresholdType, lower: number, upper: number) {
  const n = x.length;
  const sorted = [...x].sort((a, b) => a - b);
  // R: round() is half-to-even; these n avoid .5 cases except where noted.
  const rnd = (
    v: number,
  ) => (Math.abs(v - Math.floor(v) - 0.5) < 1e-12 ? 2 * Math.round(v / 2) : Math.round(v));
  const cands = [...new Set(sorted.slice(rnd(n * lower), rnd(n * upper)))];
  const rss = cands.map((e) => {
    const f = x.map((v) =>
      type === "step"
        ? (v >= e ? 1 : 0)
        : type === "upperhinge"
        ? Math.min(v - e, 0)
        : Math.max(v - e, 0)
    );
    const one = x.map(() => 1);
    const cols = type === "segmented" ? [one, x, f] : [one, f];
    const fit = leastSquares(fromColumns(cols), y);
    if (fit.rank < cols.length) {
      // Degenerate threshold column: the model without it.
      const base = type === "segmented" ? [one, x] : [one];
      return leastSquares(fromColumns(base), y).rss;
    }
    return fit.rss;
  });
  let best = 0;
  for (let i = 1; i < rss.length; i++) if (rss[i] < rss[best]) best = i;
  return { cands, rss, best: cands[best] };
}

Deno.test("grid search equals refitting at every candidate (all types, ties, defaults)", () => {
  const rng = createRandom(2024);
  for (const type of TYPES) {
    for (const n of [23, 60, 151]) {
      // x with ties (rounded), y with a kink plus noise.
      const x = Array.from({ length: n }, () => Math.round(rng.next() * 40) / 2);
      const y = x.map((v) =>
        1 + 0.3 * Math.min(v - 9, 0) + (v > 12 ? 0.5 : 0) + 0.4 * rng.normal()
      );
      const fit = thresholdRegression(x, y, { type });
      const bf = bruteForce(x, y, type, 0.05, 0.95);
      assert.deepEqual(fit.profile.threshold, bf.cands, `${type} n=${n} candidates`);
      fit.profile.rss.forEach((r, i) =>
        assert.ok(
          Math.abs(r - bf.rss[i]) <= 1e-9 * bf.rss[i],
          `${type} n=${n} rss ${i}: ${r} vs ${bf.rss[i]}`,
        )
      );
      assert.equal(fit.threshold, bf.best, `${type} n=${n}`);
      assert.ok(Math.abs(fit.rss - Math.min(...bf.rss)) <= 1e-10 * fit.rss);
    }
  }
});

Deno.test("hand-worked exact fits, one per model type", () => {
  const x = [1, 2, 3, 4, 5, 6];
  const all = { lower: 0, upper: 1 };
  const cases: [ThresholdType, number[], number, Record<string, number>][] = [
    ["hinge", [0, 0, 0, 1, 2, 3], 3, { "(Intercept)": 0, "(x-e)+": 1 }],
    ["upperhinge", [1, 2, 3, 3, 3, 3], 3, { "(Intercept)": 3, "(x-e)-": 1 }],
    ["segmented", [1, 2, 3, 3.5, 4, 4.5], 3, { "(Intercept)": 0, x: 1, "(x-e)+": -0.5 }],
    ["step", [1, 1, 1, 4, 4, 4], 4, { "(Intercept)": 1, "I(x>=e)": 3 }],
  ];
  for (const [type, y, e, coefs] of cases) {
    const fit = thresholdRegression(x, y, { type, ...all });
    assert.equal(fit.threshold, e, type);
    assert.ok(fit.rss < 1e-20, `${type} rss ${fit.rss}`);
    for (const [k, v] of Object.entries(coefs)) {
      assert.ok(Math.abs(fit.coefficients[k] - v) < 1e-12, `${type} ${k}: ${fit.coefficients[k]}`);
    }
  }
});

Deno.test("hand-worked step profile: group means and RSS at every candidate", () => {
  // y = 1,2,1,5,4,6 at x = 1..6. With I(x >= e): e=1 puts all in one group (RSS = TSS
  // = 83 - 19^2/6 = 137/6); e=2: {1},{2,1,5,4,6} -> 17.2; e=3: 0.5 + 14 = 14.5; e=4: 2/3 + 2 = 8/3;
  // e=5: 10.75 + 2 = 12.75; e=6: 13.2 + 0 = 13.2.
  const fit = thresholdRegression([1, 2, 3, 4, 5, 6], [1, 2, 1, 5, 4, 6], {
    type: "step",
    lower: 0,
    upper: 1,
  });
  const want = [137 / 6, 17.2, 14.5, 8 / 3, 12.75, 13.2];
  assert.deepEqual(fit.profile.threshold, [1, 2, 3, 4, 5, 6]);
  fit.profile.rss.forEach((r, i) => assert.ok(Math.abs(r - want[i]) < 1e-12, `${i}: ${r}`));
  assert.equal(fit.threshold, 4);
  assert.ok(Math.abs(fit.coefficients["(Intercept)"] - 4 / 3) < 1e-12);
  assert.ok(Math.abs(fit.coefficients["I(x>=e)"] - (5 - 4 / 3)) < 1e-12);
});

Deno.test("candidates follow chngpt: sorted positions round(n*lower)+1 .. round(n*upper)", () => {
  // n = 20: positions 2..19 (round(1)+1 = 2, round(19) = 19) -> x values 2..19.
  const x = Array.from({ length: 20 }, (_, i) => i + 1);
  const y = x.map((v) => Math.sin(v));
  const fit = thresholdRegression(x, y, { type: "hinge" });
  assert.deepEqual(fit.profile.threshold, x.slice(1, 19));
  // n = 30, lower 0.05: 1.5 rounds half to even -> 2, so positions 3..round(28.5)=28.
  const x30 = Array.from({ length: 30 }, (_, i) => i + 1);
  const f30 = thresholdRegression(x30, x30.map(Math.cos), { type: "hinge" });
  assert.deepEqual(f30.profile.threshold, x30.slice(2, 28));
});

function simulate(seed: number, n: number, type: ThresholdType, e: number) {
  const rng = createRandom(seed);
  const x = Array.from({ length: n }, () => 1000 * rng.next());
  const y = x.map((v) => {
    const mean = type === "upperhinge"
      ? 0.9 + 0.0004 * Math.min(v - e, 0)
      : type === "hinge"
      ? 0.5 + 0.0004 * Math.max(v - e, 0)
      : type === "segmented"
      ? 0.3 + 0.0006 * v - 0.0005 * Math.max(v - e, 0)
      : 0.5 + (v >= e ? 0.1 : 0);
    return mean + 0.03 * rng.normal();
  });
  return { x, y };
}

Deno.test("recovers a known threshold; bootstrap intervals cover it; pExists small", () => {
  for (const type of TYPES) {
    const { x, y } = simulate(7, 400, type, 450);
    const fit = thresholdRegression(x, y, { type, bootstrap: 200, seed: 3, testReplicates: 99 });
    assert.ok(Math.abs(fit.threshold - 450) < 60, `${type} estimate ${fit.threshold}`);
    assert.ok(fit.ci![0] <= 450 && 450 <= fit.ci![1], `${type} ci ${fit.ci}`);
    assert.ok(fit.ciSymmetric![0] <= 450 && 450 <= fit.ciSymmetric![1], `${type} symm`);
    assert.equal(fit.bootstrap!.length + fit.bootstrapFailed!, 200);
    // The symmetric interval is centred on the estimate.
    assert.ok(Math.abs((fit.ciSymmetric![0] + fit.ciSymmetric![1]) / 2 - fit.threshold) < 1e-9);
    assert.equal(fit.pExists, 1 / 100, `${type} pExists ${fit.pExists}`);
    assert.ok(fit.supF! > 10);
    for (const [name, ci] of Object.entries(fit.coefficientCis!)) {
      const est = fit.coefficients[name];
      assert.ok(ci.percentile[0] < est && est < ci.percentile[1], `${type} ${name}`);
    }
  }
});

Deno.test("pExists is not small without a threshold (straight line / constant truth)", () => {
  for (const type of TYPES) {
    const rng = createRandom(99);
    const x = Array.from({ length: 300 }, () => rng.next() * 100);
    const y = x.map((v) => (type === "step" ? 1 : 1 + 0.02 * v) + 0.5 * rng.normal());
    const fit = thresholdRegression(x, y, { type, testReplicates: 199, seed: 5 });
    assert.ok(fit.pExists! > 0.05, `${type} pExists ${fit.pExists}`);
    assert.equal(fit.bootstrap, undefined);
  }
});

Deno.test("percentile intervals cover the true threshold in most of 40 simulated data sets", () => {
  let covered = 0;
  for (let s = 0; s < 40; s++) {
    const { x, y } = simulate(1000 + s, 150, "upperhinge", 450);
    const fit = thresholdRegression(x, y, { type: "upperhinge", bootstrap: 150, seed: s });
    if (fit.ci![0] <= 450 && 450 <= fit.ci![1]) covered++;
  }
  // Nominal 95%; with 40 sets, fewer than 32 covered would be implausible (binomial p < 1e-4).
  assert.ok(covered >= 32, `covered ${covered} of 40`);
});

Deno.test("bootstrap is reproducible by seed and changes with it", () => {
  const { x, y } = simulate(11, 200, "segmented", 500);
  const a = thresholdRegression(x, y, { type: "segmented", bootstrap: 50, seed: 8 });
  const b = thresholdRegression(x, y, { type: "segmented", bootstrap: 50, seed: 8 });
  const c = thresholdRegression(x, y, { type: "segmented", bootstrap: 50, seed: 9 });
  assert.deepEqual(a.bootstrap, b.bootstrap);
  assert.deepEqual(a.ci, b.ci);
  assert.notDeepEqual(a.bootstrap, c.bootstrap);
  // Input order does not matter.
  const perm = createRandom(1).shuffle(Array.from({ length: x.length }, (_, i) => i));
  const d = thresholdRegression(perm.map((i) => x[i]), perm.map((i) => y[i]), {
    type: "segmented",
  });
  assert.equal(d.threshold, a.threshold);
  assert.ok(Math.abs(d.rss - a.rss) < 1e-12 * a.rss);
});

Deno.test("bootstrapNormalInterval: estimate ± z * sd", () => {
  // replicates 9, 10, 11, 10: mean 10, sd = sqrt(2/3).
  const [lo, hi] = bootstrapNormalInterval(10, [9, 10, 11, 10]);
  const half = 1.959963984540054 * Math.sqrt(2 / 3);
  assert.ok(Math.abs(lo - (10 - half)) < 1e-12 && Math.abs(hi - (10 + half)) < 1e-12);
});

Deno.test("bad input is rejected with a clear message", () => {
  assert.throws(() => thresholdRegression([1, 2, 3], [1, 2]), /x has 3 values, y has 2/);
  assert.throws(() => thresholdRegression([1, NaN, 3, 4, 5], [1, 2, 3, 4, 5]), /x\[1\]/);
  assert.throws(
    () => thresholdRegression([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], { lower: 0.6, upper: 0.5 }),
    /lower < upper/,
  );
  assert.throws(
    () =>
      thresholdRegression([1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6], {
        type: "quad" as unknown as ThresholdType,
      }),
    /unknown type "quad"/,
  );
  assert.throws(() => thresholdRegression([1, 2, 3], [1, 2, 3]), /too few/);
});

Deno.test("constant y: no threshold, NaN test and intervals, a note (the issue's data)", () => {
  // The fault: this gave a threshold with P = 1/201 (0/0 statistics never exceeded).
  const x = [12, 17, 16, 44, 34, 36], y = [0, 0, 0, 0, 0, 0];
  for (const type of TYPES) {
    const fit = thresholdRegression(x, y, { type, bootstrap: 200 });
    assert.ok(Number.isNaN(fit.threshold), `${type} threshold ${fit.threshold}`);
    assert.ok(Number.isNaN(fit.pExists!), `${type} pExists ${fit.pExists}`);
    assert.notEqual(fit.pExists, 1 / 201);
    assert.ok(Number.isNaN(fit.supF!));
    assert.ok(fit.ci!.every(Number.isNaN) && fit.ciSymmetric!.every(Number.isNaN));
    assert.equal(fit.bootstrap, undefined);
    assert.deepEqual(fit.notes, [
      "y is constant (0): every threshold fits it equally well, so none is estimated and " +
      "none can be tested.",
    ]);
    // What a constant does show: its level, and no slope, with a perfect fit.
    const names = Object.keys(fit.coefficients);
    assert.equal(fit.coefficients["(Intercept)"], 0);
    for (const name of names.slice(1)) assert.equal(fit.coefficients[name], 0, name);
    assert.equal(fit.rss, 0);
  }
  // A constant other than 0, without a bootstrap: no ci key, pExists only when tested.
  const plain = thresholdRegression([1, 2, 3, 4, 5, 6, 7], Array(7).fill(0.8), {
    type: "upperhinge",
  });
  assert.ok(Number.isNaN(plain.threshold));
  assert.equal(plain.coefficients["(Intercept)"], 0.8);
  assert.equal(plain.ci, undefined);
  assert.equal(plain.pExists, undefined);
  assert.match(plain.notes!.join(" "), /y is constant \(0\.8\)/);
});

Deno.test("fewer distinct x values than parameters: NaN threshold and coefficients, a note", () => {
  // Parameters: the coefficients and the threshold (hinge, upperhinge, step 3; segmented 4).
  const y = [0.1, 0.3, 0.2, 0.5, 0.4, 0.6, 0.55, 0.7];
  const twoSizes = [100, 100, 100, 100, 200, 200, 200, 200];
  const threeSizes = [100, 100, 100, 200, 200, 200, 300, 300];
  const fourSizes = [100, 100, 200, 200, 300, 300, 400, 400];
  const cases: [ThresholdType, number[], number[]][] = [
    ["hinge", twoSizes, threeSizes],
    ["upperhinge", twoSizes, threeSizes],
    ["step", twoSizes, threeSizes],
    ["segmented", threeSizes, fourSizes],
  ];
  for (const [type, few, enough] of cases) {
    const fit = thresholdRegression(few, y, { type, bootstrap: 20, testReplicates: 19 });
    const distinct = new Set(few).size, parameters = type === "segmented" ? 4 : 3;
    assert.ok(Number.isNaN(fit.threshold), `${type}: ${fit.threshold}`);
    assert.ok(Number.isNaN(fit.pExists!) && Number.isNaN(fit.rss));
    assert.ok(Object.values(fit.coefficients).every(Number.isNaN), type);
    assert.deepEqual(fit.notes, [
      `x has ${distinct} distinct values, fewer than the ${parameters} parameters of ` +
      `"${type}" (its coefficients and the threshold): the threshold is not identified.`,
    ]);
    // One more distinct size is enough: a threshold at an observed size, no note.
    const ok = thresholdRegression(enough, y, { type, lower: 0, upper: 1 });
    assert.ok(enough.includes(ok.threshold), `${type}: ${ok.threshold}`);
    assert.equal(ok.notes, undefined);
  }
});

Deno.test("constant x: NaN threshold and a note naming the value", () => {
  const fit = thresholdRegression([5, 5, 5, 5, 5, 5], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6], {
    testReplicates: 9,
  });
  assert.ok(Number.isNaN(fit.threshold) && Number.isNaN(fit.pExists!));
  assert.deepEqual(fit.notes, ["x is constant (5): no threshold can be placed in it."]);
  // Constant x and y: both reasons.
  const both = thresholdRegression([5, 5, 5, 5, 5], [1, 1, 1, 1, 1]);
  assert.equal(both.notes!.length, 2);
});

Deno.test("y exactly on the null line: the threshold fit stands, its test is NaN with a note", () => {
  const x = [1, 2, 3, 4, 5, 6, 7, 8], y = x.map((v) => 0.1 + 0.05 * v);
  const fit = thresholdRegression(x, y, { type: "segmented", testReplicates: 99 });
  assert.ok(Number.isFinite(fit.threshold));
  assert.ok(Number.isNaN(fit.pExists!) && Number.isNaN(fit.supF!));
  assert.match(fit.notes!.join(" "), /no residual variance/);
});

Deno.test("degenerate bootstrap resamples are failed replicates, left out of the interval", () => {
  // Two nonzero F1 among ten sizes: resamples without them are constant, resamples
  // with fewer than 3 distinct sizes cannot place a hinge.
  const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y = [0, 0, 0, 0, 0, 0, 0, 0, 0.5, 0.6];
  const B = 300;
  const fit = thresholdRegression(x, y, { type: "hinge", bootstrap: B, seed: 4 });
  assert.equal(fit.notes, undefined);
  // Replay the resamples (x is sorted and distinct, so resample weights are per index).
  const rng = createRandom(4);
  let degenerate = 0;
  for (let b = 0; b < B; b++) {
    const w = new Array(10).fill(0);
    for (let k = 0; k < 10; k++) w[rng.int(10)]++;
    const drawn = x.filter((_, i) => w[i] > 0);
    const ys = new Set(y.filter((_, i) => w[i] > 0));
    if (ys.size === 1 || drawn.length < 3) degenerate++;
  }
  assert.ok(degenerate > 20, `${degenerate}`);
  assert.equal(fit.bootstrapFailed, degenerate);
  assert.equal(fit.bootstrap!.length, B - degenerate);
  assert.ok(fit.bootstrap!.every(Number.isFinite));
});

Deno.test("non-degenerate data has no notes and unchanged numbers", () => {
  const { x, y } = simulate(7, 120, "upperhinge", 450);
  const fit = thresholdRegression(x, y, { type: "upperhinge", bootstrap: 50, testReplicates: 49 });
  assert.equal(fit.notes, undefined);
  assert.ok(Number.isFinite(fit.threshold) && fit.pExists! > 0 && fit.pExists! <= 1);
  const bf = bruteForce(x, y, "upperhinge", 0.05, 0.95);
  assert.equal(fit.threshold, bf.best);
});
