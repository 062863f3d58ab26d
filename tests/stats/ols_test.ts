import assert from "node:assert/strict";
import { formatOls, ols, type OlsResult, olsTable } from "../../lib/stats/ols.ts";

// Reference numbers: statsmodels 0.13 OLS (Debian python3-statsmodels), printed by
// `/usr/bin/python3 tools/ols_reference.py` (datasets below are the same literals as
// there). For mtcars, R 4.2's summary(lm(mpg ~ wt + hp, mtcars)) agrees: estimates
// 37.227270116447194, -3.8778307424046807, -0.031772946982160988; F 69.21121339177765;
// sigma 2.5934117772265668; logLik -74.326169412820661.

const MTCARS = {
  mpg: [
    21,
    21,
    22.8,
    21.4,
    18.7,
    18.1,
    14.3,
    24.4,
    22.8,
    19.2,
    17.8,
    16.4,
    17.3,
    15.2,
    10.4,
    10.4,
    14.7,
    32.4,
    30.4,
    33.9,
    21.5,
    15.5,
    15.2,
    13.3,
    19.2,
    27.3,
    26,
    30.4,
    15.8,
    19.7,
    15,
    21.4,
  ],
  wt: [
    2.62,
    2.875,
    2.32,
    3.215,
    3.44,
    3.46,
    3.57,
    3.19,
    3.15,
    3.44,
    3.44,
    4.07,
    3.73,
    3.78,
    5.25,
    5.424,
    5.345,
    2.2,
    1.615,
    1.835,
    2.465,
    3.52,
    3.435,
    3.84,
    3.845,
    1.935,
    2.14,
    1.513,
    3.17,
    2.77,
    3.57,
    2.78,
  ],
  hp: [
    110,
    110,
    93,
    110,
    175,
    105,
    245,
    62,
    95,
    123,
    123,
    180,
    180,
    180,
    205,
    215,
    230,
    66,
    52,
    65,
    97,
    150,
    150,
    245,
    175,
    66,
    91,
    113,
    264,
    175,
    335,
    109,
  ],
};

// Simulated: numpy default_rng(2024), y = 1.5 + 0.8 x1 - 0.5 x2 + 2 x3 + noise*(0.3 + 0.2 x1).
const SIM = {
  y: [
    5.959,
    3.111,
    3.087,
    7.528,
    3.332,
    -0.526,
    2.644,
    1.324,
    2.394,
    -1.109,
    4.804,
    3.646,
    -0.68,
    1.495,
    0.875,
    1.546,
    5.252,
    5.057,
    4.887,
    1.468,
    0.18,
    2.964,
    2.181,
    6.817,
    2.043,
    3.174,
    8.57,
    -0.76,
    3.278,
    0.73,
    4.264,
    1.715,
    8.002,
    3.367,
    5.428,
    1.155,
    3.22,
    5.727,
    2.125,
    1.722,
  ],
  x1: [
    6.758,
    2.143,
    3.095,
    7.995,
    9.958,
    1.422,
    0.787,
    1.808,
    3.596,
    1.696,
    5.888,
    6.168,
    1.054,
    5.657,
    0.046,
    4.651,
    9.756,
    7.994,
    5.968,
    3.253,
    2.063,
    4.427,
    2.78,
    8.75,
    2.132,
    2.742,
    8.072,
    2.684,
    2.681,
    0.709,
    4.672,
    2.642,
    8.889,
    2.863,
    7.738,
    4.872,
    4.68,
    9.649,
    8.982,
    0.79,
  ],
  x2: [
    7.422,
    4.121,
    4.225,
    2.223,
    0.804,
    6.269,
    2.669,
    6.557,
    8.696,
    4.77,
    2.747,
    5.788,
    6.523,
    4.476,
    5.035,
    7.671,
    7.531,
    6.42,
    3.267,
    4.893,
    6.206,
    4.576,
    3.78,
    3.469,
    3.736,
    3.657,
    4.098,
    7.291,
    3.399,
    6.774,
    5.835,
    5.279,
    3.345,
    4.087,
    8.947,
    5.198,
    6.076,
    6.326,
    7.111,
    4.525,
  ],
  x3: [
    1,
    1,
    1,
    0,
    0,
    0,
    1,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    1,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    1,
    1,
    1,
    0,
    1,
    1,
    1,
    0,
    0,
    1,
    1,
    1,
    1,
    0,
    1,
    1,
  ],
};

type Ref = {
  params: number[];
  bse: number[];
  tvalues: number[];
  pvalues: number[];
  ci: [number, number][];
  rsquared: number;
  rsquared_adj: number;
  fvalue: number;
  f_pvalue: number;
  df_model: number;
  df_resid: number;
  sigma: number;
  llf: number;
  aic: number;
  bic: number;
  condition_number: number;
  resid_first3: number[];
};

const REF: Record<string, Ref> = {
  mtcarsNonrobust: {
    params: [37.22727011644705, -3.8778307424046674, -0.03177294698216253],
    bse: [1.5987875379993737, 0.6327334943773935, 0.009029709675855783],
    tvalues: [23.284688697931067, -6.1286952198104085, -3.5187119102089266],
    pvalues: [2.5654585119831185e-20, 1.1196471362000564e-06, 0.0014512285315688683],
    ci: [[33.957382452258365, 40.49715778063574], [-5.1719160406755185, -2.5837454441338163], [
      -0.050240776871075254,
      -0.013305117093249798,
    ]],
    rsquared: 0.8267854518827914,
    rsquared_adj: 0.8148396209781563,
    fvalue: 69.21121339177772,
    f_pvalue: 9.109054385221977e-12,
    df_model: 2,
    df_resid: 29,
    sigma: 2.5934117772265655,
    llf: -74.32616941282065,
    aic: 154.6523388256413,
    bic: 159.04954653404047,
    condition_number: 587.710261212971,
    resid_first3: [-2.5723294033089417, -1.5834825639957515, -2.4758187247271053],
  },
  simNonrobust: {
    params: [1.1883989852250485, 0.6587252249531222, -0.33005641508313166, 1.1667879605286353],
    bse: [0.8319156264402111, 0.08145762160410705, 0.12710439876007018, 0.4780517443873928],
    tvalues: [1.428509030789864, 8.08672303439694, -2.5967347967725787, 2.440714785015239],
    pvalues: [
      0.16176473843591757,
      1.3033456131686848e-09,
      0.01354323887177636,
      0.019708007498324978,
    ],
    ci: [[-0.49880410608023684, 2.875602076530334], [0.49352151124369725, 0.8239289386625472], [
      -0.587836083706657,
      -0.07227674645960636,
    ], [0.19725408557832436, 2.136321835478946]],
    rsquared: 0.6675432064805163,
    rsquared_adj: 0.639838473687226,
    fvalue: 24.094915892572182,
    f_pvalue: 9.954874919022567e-09,
    df_model: 3,
    df_resid: 36,
    sigma: 1.4425888696039697,
    llf: -69.30790403690104,
    aic: 146.61580807380207,
    bic: 153.37132589025782,
    condition_number: 27.628274831931357,
    resid_first3: [1.601826696760119, 0.7043273837293613, 0.08754683674263442],
  },
  mtcarsHC3: {
    params: [37.22727011644705, -3.8778307424046674, -0.03177294698216253],
    bse: [2.229805403436328, 0.7685190503578972, 0.009385137908649206],
    tvalues: [16.69529998405983, -5.045848558469399, -3.385453393591696],
    pvalues: [2.0572658542866035e-16, 2.233089777865924e-05, 0.002056963626790811],
    ci: [[32.6668060091514, 41.7877342237427], [-5.449628684740315, -2.3060328000690204], [
      -0.05096770922843521,
      -0.012578184735889848,
    ]],
    rsquared: 0.8267854518827914,
    rsquared_adj: 0.8148396209781563,
    fvalue: 35.7301124387278,
    f_pvalue: 1.499187155956471e-08,
    df_model: 2,
    df_resid: 29,
    sigma: 2.5934117772265655,
    llf: -74.32616941282065,
    aic: 154.6523388256413,
    bic: 159.04954653404047,
    condition_number: 587.710261212971,
    resid_first3: [-2.5723294033089417, -1.5834825639957515, -2.4758187247271053],
  },
  simHC3: {
    params: [1.1883989852250485, 0.6587252249531222, -0.33005641508313166, 1.1667879605286353],
    bse: [1.191899155523454, 0.12948485943420224, 0.21827997773273913, 0.544951606019596],
    tvalues: [0.997063367079182, 5.087276055528744, -1.5120782882214283, 2.141085460874261],
    pvalues: [
      0.32538873109404276,
      1.1503877362575315e-05,
      0.13924365095015356,
      0.03910990575997851,
    ],
    ci: [[-1.228884541865733, 3.60568251231583], [0.39611775831681983, 0.9213326915894247], [
      -0.7727487284570462,
      0.11263589829078285,
    ], [0.061574877535630845, 2.27200104352164]],
    rsquared: 0.6675432064805163,
    rsquared_adj: 0.639838473687226,
    fvalue: 9.347955737415951,
    f_pvalue: 0.00010483688648436044,
    df_model: 3,
    df_resid: 36,
    sigma: 1.4425888696039697,
    llf: -69.30790403690104,
    aic: 146.61580807380207,
    bic: 153.37132589025782,
    condition_number: 27.628274831931357,
    resid_first3: [1.601826696760119, 0.7043273837293613, 0.08754683674263442],
  },
};

function close(got: number, want: number, what: string, rel = 1e-8) {
  assert.ok(
    Math.abs(got - want) <= rel * Math.max(Math.abs(want), 1e-300),
    `${what}: got ${got}, want ${want}`,
  );
}

function compare(fit: OlsResult, ref: Ref) {
  fit.coefficients.forEach((c, j) => {
    close(c.estimate, ref.params[j], `${c.name} estimate`);
    close(c.se, ref.bse[j], `${c.name} se`);
    close(c.t, ref.tvalues[j], `${c.name} t`);
    close(c.p, ref.pvalues[j], `${c.name} p`);
    close(c.ci[0], ref.ci[j][0], `${c.name} ci lo`);
    close(c.ci[1], ref.ci[j][1], `${c.name} ci hi`);
  });
  close(fit.r2, ref.rsquared, "r2");
  close(fit.adjR2, ref.rsquared_adj, "adjR2");
  close(fit.f, ref.fvalue, "F");
  close(fit.fP, ref.f_pvalue, "F p");
  assert.equal(fit.dfModel, ref.df_model);
  assert.equal(fit.dfResid, ref.df_resid);
  close(fit.sigma, ref.sigma, "sigma");
  close(fit.llf, ref.llf, "llf");
  close(fit.aic, ref.aic, "aic");
  close(fit.bic, ref.bic, "bic");
  close(fit.conditionNumber, ref.condition_number, "condition number");
  ref.resid_first3.forEach((r, i) => close(fit.residuals[i], r, `residual ${i}`));
  fit.fitted.slice(0, 3).forEach((f, i) =>
    close(f + fit.residuals[i], f + ref.resid_first3[i], `fitted ${i}`)
  );
}

Deno.test("ols: mtcars mpg ~ wt + hp equals statsmodels / R lm", () => {
  const fit = ols(MTCARS.mpg, { wt: MTCARS.wt, hp: MTCARS.hp });
  assert.deepEqual(fit.coefficients.map((c) => c.name), ["(Intercept)", "wt", "hp"]);
  assert.equal(fit.n, 32);
  compare(fit, REF.mtcarsNonrobust);
  assert.deepEqual(fit.warnings, []);
});

Deno.test("ols: simulated y ~ x1 + x2 + x3 equals statsmodels", () => {
  const fit = ols(SIM.y, { x1: SIM.x1, x2: SIM.x2, x3: SIM.x3 });
  compare(fit, REF.simNonrobust);
});

Deno.test("ols: HC3 equals statsmodels fit(cov_type='HC3', use_t=True)", () => {
  const a = ols(MTCARS.mpg, { wt: MTCARS.wt, hp: MTCARS.hp }, { robust: "HC3" });
  assert.equal(a.covType, "HC3");
  compare(a, REF.mtcarsHC3);
  compare(ols(SIM.y, { x1: SIM.x1, x2: SIM.x2, x3: SIM.x3 }, { robust: "HC3" }), REF.simHC3);
});

Deno.test("ols: large condition number warns (statsmodels: 1.78e+05 for mpg ~ hp + hp^2)", () => {
  const fit = ols(MTCARS.mpg, { hp: MTCARS.hp, hp2: MTCARS.hp.map((h) => h * h) });
  // statsmodels: condition_number 178248.1499336431, params as below.
  close(fit.conditionNumber, 178248.1499336431, "condition number", 1e-6);
  close(fit.coefficients[2].estimate, 0.0004208156294327445, "hp2");
  assert.equal(fit.warnings.length, 1);
  assert.match(fit.warnings[0], /condition number is large, 1\.78e\+5/);
});

Deno.test("ols: a collinear column is NaN with a warning; the rest equals the reduced fit", () => {
  const x3 = SIM.x1.map((v, i) => v + SIM.x2[i]);
  const fit = ols(SIM.y, { x1: SIM.x1, x2: SIM.x2, x12: x3 });
  const reduced = ols(SIM.y, { x1: SIM.x1, x2: SIM.x2 });
  assert.equal(fit.rank, 3);
  assert.ok(Number.isNaN(fit.coefficients[3].estimate) && Number.isNaN(fit.coefficients[3].se));
  for (let j = 0; j < 3; j++) {
    close(fit.coefficients[j].estimate, reduced.coefficients[j].estimate, `coef ${j}`, 1e-9);
    close(fit.coefficients[j].se, reduced.coefficients[j].se, `se ${j}`, 1e-9);
  }
  close(fit.f, reduced.f, "F", 1e-9);
  assert.equal(fit.dfModel, 2);
  assert.equal(fit.dfResid, 37);
  assert.ok(fit.warnings.some((w) => /rank deficient.*"x12"/.test(w)), fit.warnings.join("; "));
});

Deno.test("ols: hand-worked simple regression", () => {
  // x = 1..4, y = 1, 3, 2, 4: Sxy = 2.25 - 0.25 - 0.25 + 2.25 = 4, Sxx = 5, slope 0.8,
  // intercept 2.5 - 0.8 * 2.5 = 0.5; fitted 1.3, 2.1, 2.9, 3.7, residuals -0.3, 0.9, -0.9,
  // 0.3, RSS 1.8, sigma^2 = 0.9, se(slope) = sqrt(0.9 / 5); TSS 5, R^2 = 0.64.
  const fit = ols([1, 3, 2, 4], { x: [1, 2, 3, 4] });
  close(fit.coefficients[0].estimate, 0.5, "intercept", 1e-12);
  close(fit.coefficients[1].estimate, 0.8, "slope", 1e-12);
  close(fit.rss, 1.8, "rss", 1e-12);
  close(fit.coefficients[1].se, Math.sqrt(0.9 / 5), "se", 1e-12);
  close(fit.r2, 0.64, "r2", 1e-12);
});

Deno.test("ols: intercept-only model and bad input", () => {
  const fit = ols([1, 2, 3, 6], {});
  close(fit.coefficients[0].estimate, 3, "mean", 1e-12);
  assert.equal(fit.dfModel, 0);
  assert.ok(Number.isNaN(fit.f));
  assert.throws(() => ols([1, 2, 3], { x: [1, 2] }), /column "x" has 2 values, y has 3/);
  assert.throws(() => ols([1, 2, 3, 4], { x: [1, NaN, 2, 3] }), /column "x" row 1/);
  assert.throws(() => ols([1, 2, Infinity, 4], { x: [1, 2, 3, 4] }), /y\[2\]/);
  assert.throws(() => ols([1, 2], { x: [1, 2] }), /2 observations for 2 coefficients/);
});

Deno.test("olsTable and formatOls carry the same numbers", () => {
  const fit = ols(MTCARS.mpg, { wt: MTCARS.wt, hp: MTCARS.hp });
  const t = olsTable(fit);
  assert.deepEqual(t.array("term"), ["(Intercept)", "wt", "hp"]);
  assert.equal(t.get("estimate", 1), fit.coefficients[1].estimate);
  assert.equal(t.get("ci_hi", 2), fit.coefficients[2].ci[1]);
  const text = formatOls(fit);
  assert.match(text, /wt\s+-3\.8778\s+0\.6327\s+-6\.129\s+1\.12e-6/);
  assert.match(text, /F-statistic: 69\.2112 on 2 and 29 DF, p-value: 9\.11e-12/);
  assert.match(text, /Multiple R-squared: 0\.8268, Adjusted R-squared: 0\.8148/);
});
