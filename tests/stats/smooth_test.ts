/**
 * Tests for lib/stats/smooth.ts against R 4.2.2 with mgcv 1.8-41.
 *
 * The expected numbers were printed by `Rscript tools/smooth_reference.R` and pasted
 * here: for each dataset, mgcv's `gam(y ~ s(x, bs = "cr", k = 10))` (sp, summary EDF,
 * total EDF, GCV score, scale, fitted values at rows `idx`, `predict(se.fit = TRUE)` at
 * `at`), `loess(y ~ x, degree = 2 or 1, control = loess.control(surface = "direct",
 * statistics = "exact"))` (fitted, predicted, se, and [enp, s, df]), loess with
 * span 0.3, `lowess(x, y)` and `lowess(x, y, f = 0.3, iter = 0)` at rows `idx`.
 */
import assert from "node:assert/strict";
import { loess, lowess, smoothSpline } from "../../lib/stats/smooth.ts";
import { fB, sB } from "./fixtures/learning_curve.ts";
import { lcg } from "./fixtures/lcg.ts";

// S: 100 points of a sine wave with noise from an integer formula (no random numbers).
const xS = Array.from({ length: 100 }, (_, i) => (i + 1) / 100);
const yS = xS.map((x, i) => Math.sin(2 * Math.PI * x) + 0.3 * lcg(i + 1));

const R = {
  B: {
    sp: 3.09198484742272,
    edf: 6.73306063408661,
    edfTotal: 7.73306063408661,
    gcv: 0.000185299732963622,
    sig2: 0.000167388057082525,
    fitted: [
      0.743511500061108,
      0.866796893155401,
      0.951643405603505,
      0.948473083660143,
      0.956516529081473,
    ],
    pred: [
      0.743511500061108,
      0.888456985987574,
      0.920355838469855,
      0.951405163614865,
      0.956516529081472,
    ],
    se: [
      0.00945382970957921,
      0.00362778322482707,
      0.00343612283904,
      0.00461530641696048,
      0.00548063092383113,
    ],
    loess2Fitted: [
      0.761101048571174,
      0.85879233181257,
      0.951438216032482,
      0.950030966515025,
      0.954972229504826,
    ],
    loess2Pred: [
      0.761101048571174,
      0.879367391180117,
      0.917900208449474,
      0.951794636786825,
      0.954972229504825,
    ],
    loess2Se: [
      0.00668070558265932,
      0.00257076394120515,
      0.00266153631618183,
      0.00322352974874366,
      0.00445712176880482,
    ],
    loess2Stats: [4.39197628559265, 0.0136602630864952, 75.1615032106501],
    loess1Fitted: [
      0.815472246178219,
      0.860207214049674,
      0.944422351604315,
      0.95053543165888,
      0.952926761995721,
    ],
    loess1Pred: [
      0.815472246178219,
      0.871902177432878,
      0.899313830546405,
      0.949734139931368,
      0.952926761995721,
    ],
    loess1Se: [
      0.00614407242009733,
      0.00370164007254722,
      0.00296593125648348,
      0.00334523795508294,
      0.00520026340477761,
    ],
    loess1Stats: [2.77279753763949, 0.0200128390316872, 76.8242296762216],
    loessSpan03: [
      0.728118470515204,
      0.867173224917757,
      0.947966062869531,
      0.9475480930559,
      0.957143588692121,
    ],
    lowess: [
      0.816758245404138,
      0.863026349569838,
      0.945152863043048,
      0.950081810759046,
      0.953365796355851,
    ],
    lowessF03: [
      0.756676168498178,
      0.860979341474974,
      0.95010795466424,
      0.948614024729195,
      0.956130628449278,
    ],
  },
  S: {
    sp: 4.48402673926472,
    edf: 7.13744931119759,
    edfTotal: 8.1374493111976,
    gcv: 0.00733786965925018,
    sig2: 0.00674075423520695,
    fitted: [
      0.0256094283723059,
      0.550563857143917,
      0.563509878330856,
      -0.407375206723667,
      0.0130831988521652,
    ],
    pred: [
      0.0256094283723059,
      1.0273285749318,
      -0.0265968496355218,
      -0.990519454936351,
      0.0130831988521652,
    ],
    se: [
      0.0416441659404844,
      0.022352339238637,
      0.0207303695530275,
      0.020778391617277,
      0.0416441659404844,
    ],
    loess2Fitted: [
      0.0230789856502419,
      0.576922978108075,
      0.561071560517295,
      -0.405349914550587,
      0.000823542042858732,
    ],
    loess2Pred: [
      0.0230789856502419,
      0.929430353259746,
      -0.00816842645345983,
      -0.921617407683828,
      0.00082354204285913,
    ],
    loess2Se: [
      0.0367486712107751,
      0.0176035115456946,
      0.0193405260152677,
      0.0179999381390096,
      0.036748671210775,
    ],
    loess2Stats: [4.41131960517986, 0.098543658536137, 95.1452214982004],
    loess1Fitted: [
      0.713016667713892,
      0.693935332294831,
      0.391450613014007,
      -0.281510486306184,
      -0.668609348244403,
    ],
    loess1Pred: [
      0.713016667713892,
      0.593643770914796,
      0.00380797744771561,
      -0.578733752576095,
      -0.668609348244403,
    ],
    loess1Se: [
      0.0876240184135292,
      0.0459217702397246,
      0.0466147864285188,
      0.0444204560160022,
      0.0876240184135292,
    ],
    loess1Stats: [2.77261917264302, 0.336863615309259, 96.7946086200276],
    loessSpan03: [
      -0.0082737516656994,
      0.559343174549706,
      0.545198967193141,
      -0.413335504171029,
      0.0419958219172516,
    ],
    lowess: [
      0.618583034069278,
      0.657971954619902,
      0.421172474621424,
      -0.308171154072768,
      -0.572277987868409,
    ],
    lowessF03: [
      0.0710652464846314,
      0.511458368348521,
      0.533283567354424,
      -0.387078492676602,
      -0.0316639939007891,
    ],
  },
};
const DATA = {
  B: { x: sB, y: fB, at: [140, 500, 688.5, 1500, 2309], idx: [1, 10, 40, 57, 80] },
  S: { x: xS, y: yS, at: [0.01, 0.25, 0.5, 0.733, 1], idx: [1, 10, 40, 57, 100] },
};

function close(actual: number, expected: number, tol: number, what: string) {
  const err = Math.abs(actual - expected);
  assert.ok(err <= tol, `${what}: got ${actual}, R ${expected} (error ${err})`);
}
function closeAll(actual: number[], expected: number[], tol: number, what: string) {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => close(a, expected[i], tol, `${what}[${i}]`));
}

for (const name of ["B", "S"] as const) {
  const d = DATA[name], ref = R[name];
  const pick = (v: number[]) => d.idx.map((i) => v[i - 1]);

  Deno.test(`smoothSpline matches mgcv gam(y ~ s(x, bs = "cr")) on ${name}`, () => {
    const s = smoothSpline(d.x, d.y, { grid: d.at });
    // mgcv's own optimiser stops at ~1e-6 relative in sp; fitted values agree to 1e-6.
    close(Math.log(s.lambda), Math.log(ref.sp), 1e-4, "log sp");
    close(s.edf, ref.edf, 1e-4, "edf");
    close(s.edfTotal, ref.edfTotal, 1e-4, "total edf");
    close(s.gcv / ref.gcv, 1, 1e-8, "gcv score ratio");
    close(s.sigma2 / ref.sig2, 1, 1e-5, "scale ratio");
    closeAll(pick(s.fitted), ref.fitted, 1e-6, "fitted");
    closeAll(s.fit, ref.pred, 1e-6, "predicted");
    closeAll(s.se, ref.se, 1e-7, "se.fit");
    // The band is fit +- qnorm(0.975) se.
    s.fit.forEach((f, i) => close(s.upper[i] - f, 1.959963984540054 * s.se[i], 1e-12, "band"));
    // With mgcv's sp fixed, the fit is mgcv's to rounding.
    const fixed = smoothSpline(d.x, d.y, { grid: d.at, lambda: ref.sp });
    closeAll(fixed.fit, ref.pred, 1e-9, "predicted at mgcv's sp");
    close(fixed.edf, ref.edf, 1e-9, "edf at mgcv's sp");
  });

  Deno.test(`loess matches R's loess(surface = "direct", statistics = "exact") on ${name}`, () => {
    for (const degree of [2, 1] as const) {
      const key = `loess${degree}` as const;
      const r = loess(d.x, d.y, { degree, grid: d.at });
      closeAll(pick(r.fitted), ref[`${key}Fitted`], 1e-10, `${key} fitted`);
      closeAll(r.fit, ref[`${key}Pred`], 1e-10, `${key} predicted`);
      closeAll(r.se, ref[`${key}Se`], 1e-10, `${key} se`);
      const [enp, s, df] = ref[`${key}Stats`];
      close(r.enp, enp, 1e-9, `${key} enp`);
      close(r.sigma, s, 1e-12, `${key} s`);
      close(r.df, df, 1e-8, `${key} df`);
    }
    closeAll(pick(loess(d.x, d.y, { span: 0.3 }).fitted), ref.loessSpan03, 1e-10, "span 0.3");
  });

  Deno.test(`lowess matches R's lowess on ${name}`, () => {
    closeAll(pick(lowess(d.x, d.y).y), ref.lowess, 1e-12, "lowess");
    closeAll(pick(lowess(d.x, d.y, { f: 0.3, iter: 0 }).y), ref.lowessF03, 1e-12, "f = 0.3");
  });
}

Deno.test("smoothers reproduce a straight line", () => {
  const x = Array.from({ length: 40 }, (_, i) => 3 + i * 0.7 + 0.01 * (i % 3));
  const y = x.map((v) => 0.5 - 2 * v);
  const s = smoothSpline(x, y, { grid: [3, 10, 30] });
  closeAll(s.fit, [0.5 - 6, 0.5 - 20, 0.5 - 60], 1e-8, "spline");
  closeAll(loess(x, y, { grid: [3, 10, 30] }).fit, [0.5 - 6, 0.5 - 20, 0.5 - 60], 1e-9, "loess");
  closeAll(lowess(x, y).y, y, 1e-9, "lowess");
  // Unsorted input: lowess returns the points sorted by x.
  const r = lowess([3, 1, 2, 5, 4], [6, 2, 4, 10, 8], { f: 1 });
  assert.deepEqual(r.x, [1, 2, 3, 4, 5]);
  closeAll(r.y, [2, 4, 6, 8, 10], 1e-12, "lowess sorted");
});

Deno.test("smoothSpline's 95% band covers the true curve at most grid points", () => {
  // Truth sin(2 pi x) plus bounded noise; pointwise 95% bands should cover most points.
  const truth = (x: number) => Math.sin(2 * Math.PI * x);
  let covered = 0, total = 0, halfWidth = 0;
  for (const seed of [1, 2, 3, 4, 5]) {
    const x = Array.from({ length: 150 }, (_, i) => (i + 0.5) / 150);
    const y = x.map((v, i) => truth(v) + 0.5 * lcg(i * 7 + seed * 1000));
    const s = smoothSpline(x, y, { grid: 50 });
    s.x.forEach((g, i) => {
      total++;
      halfWidth += (s.upper[i] - s.lower[i]) / 2;
      if (s.lower[i] <= truth(g) && truth(g) <= s.upper[i]) covered++;
    });
  }
  assert.ok(covered / total >= 0.8, `coverage ${covered}/${total}`);
  // Not trivially wide: the noise sd is 0.5 / sqrt(12) = 0.144, the band much narrower.
  assert.ok(halfWidth / total < 0.1, `mean half-width ${halfWidth / total}`);
});

Deno.test("smoothers reject bad input with a clear message", () => {
  assert.throws(() => smoothSpline([1, 2, 3], [1, 2]), /x has 3 values, y has 2/);
  assert.throws(
    () => smoothSpline([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]),
    /5 unique values, fewer than k = 10/,
  );
  assert.throws(() => loess([1, 2, NaN], [1, 2, 3]), /point 2 is not finite/);
  assert.throws(() => loess([1, 2, 3, 4], [1, 2, 3, 4], { span: 0.5 }), /need > 2/);
  assert.throws(() => smoothSpline(xS, yS, { grid: 1 }), /grid must be an integer >= 2/);
});
