import assert from "node:assert/strict";
import {
  annotationCost,
  bootstrapLearningCurve,
  evaluateLearningCurve,
  fitLearningCurve,
  type LearningCurveFit,
  type LearningCurveModel,
  marginalGain,
  predictLearningCurve,
  sizeForTarget,
} from "../../lib/stats/learning_curve.ts";
import { createRandom } from "../../lib/core/random.ts";
import { fB, sB } from "./fixtures/learning_curve.ts";

// Reference numbers: SciPy 1.10 curve_fit (Debian python3-scipy), printed by
// `/usr/bin/python3 tools/learning_curve_reference.py`. Dataset B is the fixture; dataset C
// (below) is the same literal as there. "curveFit" is curve_fit's own answer; "parameters"
// and what follows are at the optimum Gauss-Newton steps reach from it (see the script).
const SC = [
  25,
  25,
  25,
  25,
  50,
  50,
  50,
  50,
  75,
  75,
  75,
  75,
  100,
  100,
  100,
  100,
  150,
  150,
  150,
  150,
  200,
  200,
  200,
  200,
  300,
  300,
  300,
  300,
  400,
  400,
  400,
  400,
  500,
  500,
  500,
  500,
  600,
  600,
  600,
  600,
];
const FC = [
  0.607,
  0.6479,
  0.6306,
  0.5995,
  0.7138,
  0.6501,
  0.7114,
  0.6768,
  0.747,
  0.7412,
  0.705,
  0.7439,
  0.7592,
  0.7295,
  0.809,
  0.773,
  0.7387,
  0.7445,
  0.7836,
  0.7835,
  0.7676,
  0.8259,
  0.7923,
  0.7635,
  0.7966,
  0.8025,
  0.7613,
  0.7829,
  0.7647,
  0.8102,
  0.8374,
  0.7805,
  0.8364,
  0.7913,
  0.8219,
  0.8113,
  0.7962,
  0.8161,
  0.7958,
  0.8414,
];

type Reference = {
  case: string;
  model: string;
  weights: string;
  curveFit: { parameters: number[]; standardErrors: number[] };
  parameters: number[];
  standardErrors: number[];
  rss: number;
  aic: number;
  df: number;
  t: number;
  predictions: { n: number; estimate: number; se: number; ci: number[]; pi: number[] }[];
  sizes: { target: number; estimate: number; ci: number[] }[];
};

const REFERENCE: Reference[] = [
  {
    "case": "B ipl",
    "model": "inverse-power-law",
    "weights": "size",
    "curveFit": {
      "parameters": [
        0.9682979690641285,
        108.39884235625458,
        1.1808391623944379,
      ],
      "standardErrors": [
        0.0054380400679441745,
        84.17116253660986,
        0.1410064172711685,
      ],
    },
    "parameters": [
      0.9682979679520752,
      108.39886138272911,
      1.1808391943894705,
    ],
    "standardErrors": [
      0.005438039776524638,
      84.1711769584204,
      0.14100641662263547,
    ],
    "rss": 0.00847293387381216,
    "aic": -432.10660424913726,
    "df": 77,
    "t": 1.9912543951146038,
    "predictions": [
      {
        "n": 500,
        "estimate": 0.897832692359219,
        "se": 0.004160078825191439,
        "ci": [
          0.8895489171145334,
          0.9061164676039046,
        ],
        "pi": [
          0.8521872424330349,
          0.9434781422854032,
        ],
      },
      {
        "n": 2309,
        "estimate": 0.9567272072191622,
        "se": 0.00222560401225771,
        "ci": [
          0.9522954634479693,
          0.961158950990355,
        ],
        "pi": [
          0.9353741798189364,
          0.9780802346193879,
        ],
      },
      {
        "n": 4000,
        "estimate": 0.9622505344419356,
        "se": 0.003255224820418043,
        "ci": [
          0.9557685537111921,
          0.9687325151726792,
        ],
        "pi": [
          0.9451076978905902,
          0.979393370993281,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.95,
        "estimate": 1566.2642602968428,
        "ci": [
          1359.3831386880856,
          1904.4256302946224,
        ],
      },
      {
        "target": 0.96,
        "estimate": 3059.8596989774483,
        "ci": [
          2163.9198979052417,
          Infinity,
        ],
      },
    ],
  },
  {
    "case": "B exp",
    "model": "exponential",
    "weights": "size",
    "curveFit": {
      "parameters": [
        0.9529333015478084,
        0.3969118151852662,
        0.0037059805940819037,
      ],
      "standardErrors": [
        0.0018492040579722146,
        0.05392356014710087,
        0.0003577481310755763,
      ],
    },
    "parameters": [
      0.9529333017749131,
      0.3969118036367211,
      0.003705980508788291,
    ],
    "standardErrors": [
      0.0018492040762387635,
      0.053923558169683576,
      0.00035774812442881764,
    ],
    "rss": 0.007017768519055258,
    "aic": -447.1811274585558,
    "df": 77,
    "t": 1.9912543951146038,
    "predictions": [
      {
        "n": 500,
        "estimate": 0.8907103553979677,
        "se": 0.004302176739875781,
        "ci": [
          0.8821436270561303,
          0.8992770837398052,
        ],
        "pi": [
          0.8489702929036018,
          0.9324504178923336,
        ],
      },
      {
        "n": 2309,
        "estimate": 0.9528570256191469,
        "se": 0.0018206230950855633,
        "ci": [
          0.9492317018792106,
          0.9564823493590832,
        ],
        "pi": [
          0.933504479166749,
          0.9722095720715448,
        ],
      },
      {
        "n": 4000,
        "estimate": 0.9529331569822772,
        "se": 0.0018491036376234464,
        "ci": [
          0.9492511212368371,
          0.9566151927277173,
        ],
        "pi": [
          0.9380280274944284,
          0.967838286470126,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.94,
        "estimate": 923.887368788586,
        "ci": [
          829.0545634568754,
          1018.968373733543,
        ],
      },
      {
        "target": 0.95,
        "estimate": 1324.2340085374747,
        "ci": [
          1118.6009747635553,
          Infinity,
        ],
      },
    ],
  },
  {
    "case": "B log",
    "model": "logarithmic",
    "weights": "size",
    "curveFit": {
      "parameters": [
        0.6411705462598254,
        0.04156114659724311,
      ],
      "standardErrors": [
        0.03160650911449301,
        0.0043446388637074064,
      ],
    },
    "parameters": [
      0.6411705462598254,
      0.04156114659724311,
    ],
    "standardErrors": [
      0.031606509114494676,
      0.004344638863707637,
    ],
    "rss": 0.014996143241448377,
    "aic": -388.43330681225484,
    "df": 78,
    "t": 1.990847068555052,
    "predictions": [
      {
        "n": 500,
        "estimate": 0.8994567844827643,
        "se": 0.0050094218780898135,
        "ci": [
          0.8894837916216137,
          0.909429777343915,
        ],
        "pi": [
          0.8393034501524375,
          0.9596101188130912,
        ],
      },
      {
        "n": 2309,
        "estimate": 0.9630437474389907,
        "se": 0.002999315197047353,
        "ci": [
          0.9570725695712763,
          0.9690149253067051,
        ],
        "pi": [
          0.9348007810169101,
          0.9912867138610713,
        ],
      },
      {
        "n": 4000,
        "estimate": 0.9858807592369172,
        "se": 0.004978153003036292,
        "ci": [
          0.9759700179240038,
          0.9957915005498306,
        ],
        "pi": [
          0.9626839238077595,
          1.0090775946660748,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.95,
        "estimate": 1687.0303362627699,
        "ci": [
          1521.9140703853961,
          1899.484393118873,
        ],
      },
    ],
  },
  {
    "case": "C ipl",
    "model": "inverse-power-law",
    "weights": "size",
    "curveFit": {
      "parameters": [
        0.8440851269191261,
        1.5764280980478789,
        0.6100249875435806,
      ],
      "standardErrors": [
        0.027540633778271425,
        1.170023313416092,
        0.23144000319019062,
      ],
    },
    "parameters": [
      0.8440851266827215,
      1.5764281083126976,
      0.6100249896022256,
    ],
    "standardErrors": [
      0.02754063130620309,
      1.1700234242144962,
      0.23144000241286103,
    ],
    "rss": 0.007900212041101352,
    "aic": -166.474714731953,
    "df": 37,
    "t": 2.0261924630291093,
    "predictions": [
      {
        "n": 100,
        "estimate": 0.7491068706975165,
        "se": 0.008290544025379808,
        "ci": [
          0.7323086328788809,
          0.765905108516152,
        ],
        "pi": [
          0.6746639809144576,
          0.8235497604805754,
        ],
      },
      {
        "n": 600,
        "estimate": 0.8122481014035237,
        "se": 0.005131504125517033,
        "ci": [
          0.8018506864203983,
          0.8226455163866491,
        ],
        "pi": [
          0.7808681702493897,
          0.8436280325576576,
        ],
      },
      {
        "n": 1000,
        "estimate": 0.8207720709942133,
        "se": 0.008082996275933332,
        "ci": [
          0.8043943648612248,
          0.8371497771272018,
        ],
        "pi": [
          0.7925907728920562,
          0.8489533690963705,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.8,
        "estimate": 351.90357308376116,
        "ci": [
          255.24507219010385,
          511.2225263474777,
        ],
      },
      {
        "target": 0.83,
        "estimate": 2284.214324962237,
        "ci": [
          772.5749444392674,
          Infinity,
        ],
      },
    ],
  },
  {
    "case": "C ipl unweighted",
    "model": "inverse-power-law",
    "weights": "unit",
    "curveFit": {
      "parameters": [
        0.8381954039217688,
        1.83746744196854,
        0.6604906070519977,
      ],
      "standardErrors": [
        0.020634099798456675,
        0.8088215608288922,
        0.1539419155861962,
      ],
    },
    "parameters": [
      0.838195403923835,
      1.8374674418839134,
      0.6604906070356975,
    ],
    "standardErrors": [
      0.020634099799344052,
      0.8088215607804295,
      0.1539419155853669,
    ],
    "rss": 0.022348555658001684,
    "aic": -178.07983886073657,
    "df": 37,
    "t": 2.0261924630291093,
    "predictions": [
      {
        "n": 100,
        "estimate": 0.7504471590611225,
        "se": 0.005984389719705711,
        "ci": [
          0.7383216337152259,
          0.7625726844070191,
        ],
        "pi": [
          0.6991949846517016,
          0.8016993334705433,
        ],
      },
      {
        "n": 600,
        "estimate": 0.8113248359273681,
        "se": 0.0071352613744835565,
        "ci": [
          0.7968674231086469,
          0.8257822487460894,
        ],
        "pi": [
          0.759471448360203,
          0.8631782234945333,
        ],
      },
      {
        "n": 1000,
        "estimate": 0.8190198538330342,
        "se": 0.009391770601722341,
        "ci": [
          0.799990319025326,
          0.8380493886407424,
        ],
        "pi": [
          0.7657105656012684,
          0.8723291420648001,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.8,
        "estimate": 352.29590730732303,
        "ci": [
          254.6282038490661,
          1002.5348120914156,
        ],
      },
      {
        "target": 0.83,
        "estimate": 3621.965525073322,
        "ci": [
          706.8143115613549,
          Infinity,
        ],
      },
    ],
  },
  {
    "case": "C exp",
    "model": "exponential",
    "weights": "size",
    "curveFit": {
      "parameters": [
        0.8079531926069619,
        0.20351465392854673,
        0.011442456338516975,
      ],
      "standardErrors": [
        0.005172682702583971,
        0.04596179573317811,
        0.0030510243543702764,
      ],
    },
    "parameters": [
      0.807953191968407,
      0.20351466230398293,
      0.011442457028233533,
    ],
    "standardErrors": [
      0.005172682543230627,
      0.04596179838292673,
      0.0030510244848911214,
    ],
    "rss": 0.008815686415069158,
    "aic": -162.08899145031796,
    "df": 37,
    "t": 2.0261924630291093,
    "predictions": [
      {
        "n": 100,
        "estimate": 0.7431410896496968,
        "se": 0.00928368881195572,
        "ci": [
          0.7243305493498045,
          0.7619516299495892,
        ],
        "pi": [
          0.6642558808039786,
          0.8220262984954151,
        ],
      },
      {
        "n": 600,
        "estimate": 0.80774088798854,
        "se": 0.004979035709933916,
        "ci": [
          0.7976524033599192,
          0.8178293726171609,
        ],
        "pi": [
          0.7748782828958458,
          0.8406034930812343,
        ],
      },
      {
        "n": 1000,
        "estimate": 0.807951008234302,
        "se": 0.005169152666941001,
        "ci": [
          0.7974773100602993,
          0.8184247064083047,
        ],
        "pi": [
          0.7815577831894921,
          0.8343442332791119,
        ],
      },
    ],
    "sizes": [
      {
        "target": 0.8,
        "estimate": 283.3451496804079,
        "ci": [
          189.5662770795979,
          Infinity,
        ],
      },
    ],
  },
];

function close(actual: number, expected: number, rel: number, what: string) {
  if (expected === Infinity) return assert.equal(actual, Infinity, what);
  const err = Math.abs(actual - expected) / Math.max(Math.abs(expected), 1e-300);
  assert.ok(err <= rel, `${what}: ${actual} vs ${expected} (relative ${err.toExponential(2)})`);
}

function fitCase(r: Reference): LearningCurveFit {
  const [x, y] = r.case.startsWith("B") ? [sB, fB] : [SC, FC];
  return fitLearningCurve(x, y, {
    model: r.model as LearningCurveModel,
    weights: r.weights === "unit" ? x.map(() => 1) : undefined,
  });
}

for (const r of REFERENCE) {
  Deno.test(`fitLearningCurve: ${r.case} equals SciPy's curve_fit`, () => {
    const fit = fitCase(r);
    assert.ok(fit.converged, fit.reason);
    const p = [fit.parameters.a, fit.parameters.b, fit.parameters.c].slice(0, r.parameters.length);
    p.forEach((v, i) => {
      close(v, r.curveFit.parameters[i], 1e-6, `${fit.names[i]} vs curve_fit`);
      close(v, r.parameters[i], 1e-9, `${fit.names[i]} at the optimum`);
      close(fit.standardErrors[i], r.curveFit.standardErrors[i], 1e-6, `se ${fit.names[i]}`);
      close(fit.standardErrors[i], r.standardErrors[i], 1e-8, `se ${fit.names[i]} at the optimum`);
    });
    close(fit.rss, r.rss, 1e-12, "rss");
    close(fit.aic, r.aic, 1e-12, "aic");
    assert.equal(fit.df, r.df);
    assert.equal(fit.weighting, r.weights === "unit" ? "given" : "size");
  });

  Deno.test(`predictLearningCurve and sizeForTarget: ${r.case} equal the reference`, () => {
    const fit = fitCase(r);
    for (const e of r.predictions) {
      const p = predictLearningCurve(fit, e.n, { maxExtrapolation: Infinity });
      close(p.estimate, e.estimate, 1e-10, `estimate at ${e.n}`);
      close(p.se, e.se, 1e-7, `se at ${e.n}`);
      [0, 1].forEach((k) => {
        close(p.ci[k], e.ci[k], 1e-9, `ci at ${e.n}`);
        close(p.pi[k], e.pi[k], 1e-9, `pi at ${e.n}`);
      });
    }
    for (const e of r.sizes) {
      const s = sizeForTarget(fit, e.target, { maxExtrapolation: Infinity });
      assert.ok(s.reachable, `target ${e.target}`);
      close(s.estimate, e.estimate, 1e-8, `size for ${e.target}`);
      close(s.ci[0], e.ci[0], 1e-7, `size for ${e.target}: lower end`);
      close(s.ci[1], e.ci[1], 1e-7, `size for ${e.target}: upper end`);
      if (e.ci[1] === Infinity) assert.match(s.note!, /the band's lower edge never reaches/);
    }
  });
}

// A curve without noise at sizes 50..1000 (every model's truth recovered exactly).
const XN = [50, 75, 100, 150, 200, 300, 400, 600, 800, 1000];
const TRUTH: Record<LearningCurveModel, { p: number[]; f: (n: number) => number }> = {
  "inverse-power-law": { p: [0.92, 1.5, 0.6], f: (n) => 0.92 - 1.5 * n ** -0.6 },
  exponential: { p: [0.9, 0.5, 0.004], f: (n) => 0.9 - 0.5 * Math.exp(-0.004 * n) },
  logarithmic: { p: [0.3, 0.08], f: (n) => 0.3 + 0.08 * Math.log(n) },
};

for (
  const [model, truth] of Object.entries(TRUTH) as [
    LearningCurveModel,
    typeof TRUTH[LearningCurveModel],
  ][]
) {
  Deno.test(`fitLearningCurve: a ${model} curve without noise gives back its parameters`, () => {
    const fit = fitLearningCurve(XN, XN.map(truth.f), { model });
    assert.ok(fit.converged, fit.reason);
    const p = [fit.parameters.a, fit.parameters.b, fit.parameters.c];
    truth.p.forEach((v, i) => close(p[i], v, 1e-9, fit.names[i]));
    assert.ok(fit.rss < 1e-25, `rss ${fit.rss}`);
  });
}

Deno.test("sizeForTarget: equals the closed form and the curve inverted by bisection", () => {
  const fit = fitLearningCurve(XN, XN.map(TRUTH["inverse-power-law"].f));
  for (const target of [0.8, 0.85, 0.87]) {
    const s = sizeForTarget(fit, target, { maxExtrapolation: Infinity });
    assert.ok(s.reachable);
    close(s.estimate, (1.5 / (0.92 - target)) ** (1 / 0.6), 1e-9, `closed form at ${target}`);
    let lo = 1, hi = 1e7; // f rises: bisect f(n) = target
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2;
      if (TRUTH["inverse-power-law"].f(mid) < target) lo = mid;
      else hi = mid;
    }
    close(s.estimate, lo, 1e-9, `bisection at ${target}`);
    // Without noise the band has no width: the interval is the estimate.
    close(s.ci[0], s.estimate, 1e-6, "lower end");
    close(s.ci[1], s.estimate, 1e-6, "upper end");
  }
  const exp = fitLearningCurve(XN, XN.map(TRUTH.exponential.f), { model: "exponential" });
  const s = sizeForTarget(exp, 0.85);
  assert.ok(s.reachable);
  close(s.estimate, Math.log(0.5 / 0.05) / 0.004, 1e-9, "exponential closed form");
  const log = fitLearningCurve(XN, XN.map(TRUTH.logarithmic.f), { model: "logarithmic" });
  const l = sizeForTarget(log, 0.8);
  assert.ok(l.reachable);
  close(l.estimate, Math.exp(0.5 / 0.08), 1e-9, "logarithmic closed form");
});

Deno.test("sizeForTarget: a target at or above the asymptote is not reachable, and says why", () => {
  const fit = fitCase(REFERENCE[0]); // dataset B, power law: asymptote 0.9683 (SE 0.00544)
  for (const target of [0.97, fit.parameters.a]) {
    const s = sizeForTarget(fit, target);
    assert.ok(!s.reachable && s.reason === "asymptote");
    assert.equal(s.asymptote, fit.parameters.a);
    close(
      s.asymptoteCi[0],
      0.9682979679520752 - 1.9912543951146038 * 0.005438039776524638,
      1e-9,
      "CI",
    );
    assert.ok(!("estimate" in s));
  }
  const s = sizeForTarget(fit, 0.97);
  assert.equal(
    s.reachable ? "" : s.note,
    "not reachable: the fitted asymptote is 0.968 (95% CI 0.957–0.979), at or below the target 0.97",
  );
});

Deno.test("predictLearningCurve and sizeForTarget: extrapolation past 2 x the largest size is refused", () => {
  const fit = fitCase(REFERENCE[0]); // largest size 2309
  const near = predictLearningCurve(fit, 2 * 2309);
  assert.ok(Number.isFinite(near.estimate) && near.note === undefined);
  const far = predictLearningCurve(fit, 2 * 2309 + 1);
  assert.ok(Number.isNaN(far.estimate) && Number.isNaN(far.ci[0]) && Number.isNaN(far.pi[1]));
  assert.equal(
    far.note,
    "4,619 is 2 times the largest size sampled (2,309): extrapolation past 2 times is refused " +
      "(maxExtrapolation)",
  );
  assert.ok(Number.isFinite(predictLearningCurve(fit, 6000, { maxExtrapolation: 3 }).estimate));
  // 0.964 is reached at about 5,300 sentences, 2.3 x 2,309.
  const s = sizeForTarget(fit, 0.964);
  assert.ok(!s.reachable && s.reason === "extrapolation");
  assert.ok(s.estimate! > 2 * 2309 && s.estimate! < 3 * 2309);
  assert.match(s.note, /^the fitted curve reaches 0.964 at about 5,\d{3}, 2.\d+ times the largest/);
  assert.ok(sizeForTarget(fit, 0.964, { maxExtrapolation: 3 }).reachable);
});

Deno.test("predictLearningCurve: the delta-method se equals one from a finite-difference gradient", () => {
  for (const r of [REFERENCE[0], REFERENCE[1], REFERENCE[3]]) {
    const fit = fitCase(r);
    const p0 = [fit.parameters.a, fit.parameters.b, fit.parameters.c];
    const f = (p: number[], n: number) =>
      fit.model === "exponential" ? p[0] - p[1] * Math.exp(-p[2] * n) : p[0] - p[1] * n ** -p[2];
    for (const n of [100, 1000, 3000]) {
      const g = p0.map((v, i) => {
        const h = 1e-6 * Math.abs(v);
        const up = [...p0], down = [...p0];
        up[i] += h, down[i] -= h;
        return (f(up, n) - f(down, n)) / (2 * h);
      });
      let v = 0;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) v += g[i] * fit.covariance[i][j] * g[j];
      }
      const pred = predictLearningCurve(fit, n, { maxExtrapolation: Infinity });
      close(pred.se, Math.sqrt(v), 1e-6, `${r.case} se at ${n}`);
      close(pred.ci[1] - pred.estimate, r.t * Math.sqrt(v), 1e-6, `${r.case} half-width at ${n}`);
      assert.deepEqual(evaluateLearningCurve(fit, n).value, pred.estimate);
    }
  }
});

Deno.test("fitLearningCurve: the AIC is R's for least squares, worked by hand", () => {
  // ln x = 0, 1, 2, 3 and y = 0, 1, 1, 2: the line 0.1 + 0.6 t, residuals -0.1, 0.3, -0.3,
  // 0.1, RSS 0.2, s^2 = 0.1, se(b) = sqrt(0.1 / 5); AIC = 4 (ln(2 pi 0.2 / 4) + 1) + 2 * 3.
  const x = [1, Math.E, Math.E ** 2, Math.E ** 3], y = [0, 1, 1, 2];
  const fit = fitLearningCurve(x, y, { model: "logarithmic", weights: [1, 1, 1, 1] });
  close(fit.parameters.a, 0.1, 1e-12, "a");
  close(fit.parameters.b, 0.6, 1e-12, "b");
  close(fit.rss, 0.2, 1e-12, "rss");
  close(fit.standardErrors[1], Math.sqrt(0.02), 1e-12, "se(b)");
  close(fit.aic, 4 * Math.log(0.1 * Math.PI) + 10, 1e-12, "aic");
  // Weights scaled by 4: the same parameters and AIC (RSS x 4, sum of ln w + 4 ln 4).
  const scaled = fitLearningCurve(x, y, { model: "logarithmic", weights: [4, 4, 4, 4] });
  close(scaled.rss, 0.8, 1e-12, "scaled rss");
  close(scaled.aic, fit.aic, 1e-12, "scaled aic");
  close(scaled.standardErrors[1], fit.standardErrors[1], 1e-12, "scaled se");
  // A weight of 2 estimates as the run counted twice.
  const twice = fitLearningCurve([...x, x[1]], [...y, y[1]], {
    model: "logarithmic",
    weights: [1, 1, 1, 1, 1],
  });
  const weighted = fitLearningCurve(x, y, { model: "logarithmic", weights: [1, 2, 1, 1] });
  close(weighted.parameters.a, twice.parameters.a, 1e-12, "a: weight 2 = twice");
  close(weighted.parameters.b, twice.parameters.b, 1e-12, "b: weight 2 = twice");
  close(weighted.rss, twice.rss, 1e-12, "rss: weight 2 = twice");
  // Comparing models on dataset B (exponential truth): the exponential has the lowest AIC.
  const aic = (["inverse-power-law", "exponential", "logarithmic"] as const).map((model) =>
    fitLearningCurve(sB, fB, { model }).aic
  );
  assert.ok(aic[1] < aic[0] && aic[1] < aic[2], `${aic}`);
});

Deno.test("fitLearningCurve: data without a learning curve report converged false, not NaN", () => {
  const x = [100, 200, 300, 400, 500, 600];
  const flat = fitLearningCurve(x, x.map(() => 0.8));
  assert.equal(flat.converged, false);
  assert.match(flat.reason, /^F1 is the same in every run/);
  assert.deepEqual([flat.parameters.a, flat.parameters.b], [0.8, 0]);
  const falling = fitLearningCurve(x, [0.9, 0.85, 0.8, 0.78, 0.7, 0.66]);
  assert.equal(falling.converged, false);
  assert.match(falling.reason, /the runs fall with size, so there is no asymptote to estimate$/);
  const straight = fitLearningCurve(x, [0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
  assert.equal(straight.converged, false);
  assert.match(straight.reason, /the runs do not flatten/);
  const few = fitLearningCurve([100, 100, 200, 200], [0.5, 0.52, 0.6, 0.62]);
  assert.equal(few.converged, false);
  assert.match(
    few.reason,
    /^4 runs at 2 distinct sizes: the inverse-power-law curve has 3 parameters/,
  );
  // What follows a failed fit says so instead of computing with it.
  assert.match(
    predictLearningCurve(falling, 300).note!,
    /^the fit did not converge: the fit drifts/,
  );
  const s = sizeForTarget(falling, 0.8);
  assert.ok(!s.reachable && s.reason === "no-fit");
  // The logarithmic model fits a falling curve, and notes it.
  const log = fitLearningCurve(x, [0.9, 0.85, 0.8, 0.78, 0.7, 0.66], { model: "logarithmic" });
  assert.ok(log.converged && log.parameters.b < 0);
  assert.deepEqual(log.notes, [
    `the fitted curve does not rise (b = ${Number(log.parameters.b.toPrecision(3))})`,
  ]);
  const r = sizeForTarget(log, 0.95);
  assert.ok(!r.reachable && r.reason === "not-rising");
});

Deno.test("fitLearningCurve: bad input is refused, naming the run", () => {
  assert.throws(
    () => fitLearningCurve([1, 2], [0.5]),
    /^Error: fitLearningCurve: x has 2 values, y has 1$/,
  );
  assert.throws(
    () => fitLearningCurve([100, 0, 300, 400], [0.5, 0.6, 0.7, 0.8]),
    /x\[1\] is 0: sizes must be positive/,
  );
  assert.throws(
    () => fitLearningCurve([100, 200, 300, 400], [0.5, NaN, 0.7, 0.8]),
    /y\[1\] is NaN/,
  );
  assert.throws(
    () => fitLearningCurve([100, 200, 300, 400], [0.5, 0.6, 0.7, 0.8], { weights: [1, 1, -1, 1] }),
    /weights\[2\] is -1: weights must be positive/,
  );
  assert.throws(
    () => fitLearningCurve([100, 200], [0.5, 0.6], { weights: [1] }),
    /1 weights for 2 runs/,
  );
});

Deno.test("predictLearningCurve: intervals cover the true curve at about their level (seeded simulation)", () => {
  // 400 studies of the power law 0.9 - 2 n^-0.5 at 8 sizes x 3 runs, noise sd 0.02 sqrt(100 / n)
  // (the variance the default weights assume). Coverage of the 95% CI of the mean at 500
  // and of the 95% PI of a new run at 500; binomial sd of the rate over 400 studies ~0.011.
  const rng = createRandom(2024);
  const sizes = [25, 50, 75, 100, 150, 200, 300, 400].flatMap((n) => [n, n, n]);
  const f = (n: number) => 0.9 - 2 * n ** -0.5;
  const sd = (n: number) => 0.02 * Math.sqrt(100 / n);
  let ci = 0, pi = 0, runs = 0;
  for (let s = 0; s < 400; s++) {
    const fit = fitLearningCurve(sizes, sizes.map((n) => f(n) + sd(n) * rng.normal()));
    if (!fit.converged) continue;
    runs++;
    const p = predictLearningCurve(fit, 500);
    if (p.ci[0] <= f(500) && f(500) <= p.ci[1]) ci++;
    const y = f(500) + sd(500) * rng.normal();
    if (p.pi[0] <= y && y <= p.pi[1]) pi++;
  }
  assert.ok(runs >= 390, `${runs} fits converged`);
  assert.ok(ci / runs > 0.91 && ci / runs < 0.985, `CI coverage ${ci / runs}`);
  assert.ok(pi / runs > 0.91 && pi / runs < 0.985, `PI coverage ${pi / runs}`);
});

Deno.test("marginalGain: the curve's difference, with the delta-method interval of the difference", () => {
  const fit = fitCase(REFERENCE[0]);
  const g = marginalGain(fit, 1000, 500);
  const at = (n: number) => predictLearningCurve(fit, n).estimate;
  close(g.gain, at(1500) - at(1000), 1e-12, "gain");
  close(g.perUnit, g.gain / 500, 1e-12, "per unit");
  // se of f(1500) - f(1000) from the two gradients taken by finite differences.
  const { a, b, c } = fit.parameters;
  const diff = (p: number[]) => (p[0] - p[1] * 1500 ** -p[2]) - (p[0] - p[1] * 1000 ** -p[2]);
  const p0 = [a, b, c];
  const grad = p0.map((v, i) => {
    const h = 1e-6 * Math.abs(v), up = [...p0], down = [...p0];
    up[i] += h, down[i] -= h;
    return (diff(up) - diff(down)) / (2 * h);
  });
  let v = 0;
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) v += grad[i] * fit.covariance[i][j] * grad[j];
  }
  close(g.ci[1] - g.gain, REFERENCE[0].t * Math.sqrt(v), 1e-6, "half-width");
  assert.throws(() => marginalGain(fit, 1000, 0), /step must be positive/);
});

Deno.test("annotationCost: the units still to annotate and their cost, the interval carried through", () => {
  const fit = fitCase(REFERENCE[0]); // 0.95 at 1566 sentences (band 1359-1904)
  const c = annotationCost({ fit, target: 0.95, current: 1000, costPerUnit: 0.5 });
  assert.ok(c.reachable);
  const s = REFERENCE[0].sizes[0];
  close(c.additional, s.estimate - 1000, 1e-8, "additional");
  close(c.cost, (s.estimate - 1000) * 0.5, 1e-8, "cost");
  close(c.costCi[0], (s.ci[0] - 1000) * 0.5, 1e-7, "cost lower end");
  close(c.costCi[1], ((s.ci[1] as number) - 1000) * 0.5, 1e-7, "cost upper end");
  assert.equal(c.unit, "sentences");
  // Already there: nothing more to annotate, and a note; the interval's ends floor at 0.
  const done = annotationCost({
    fit,
    target: 0.95,
    current: 1700,
    costPerUnit: 2,
    unit: "documents",
  });
  assert.ok(done.reachable && done.additional === 0 && done.cost === 0 && done.costCi[0] === 0);
  close(done.costCi[1], ((s.ci[1] as number) - 1700) * 2, 1e-7, "upper end from 1700");
  assert.equal(
    done.note,
    "the fitted curve reaches 0.95 at 1,566 documents, within the current 1,700",
  );
  const no = annotationCost({ fit, target: 0.99, current: 1000, costPerUnit: 1 });
  assert.ok(!no.reachable);
  assert.match(no.note, /^not reachable: the fitted asymptote is 0.968/);
});

Deno.test("bootstrapLearningCurve: seeded, reproducible, and the percentile interval holds the estimate", () => {
  const fit = fitCase(REFERENCE[3]); // dataset C, four runs per size
  const one = predictLearningCurve(fit, 800, { bootstrap: 100, seed: 5 });
  const two = predictLearningCurve(fit, 800, {
    bootstrap: bootstrapLearningCurve(fit, { replicates: 100, seed: 5 }),
  });
  assert.deepEqual(one.bootstrap, two.bootstrap);
  assert.notDeepEqual(
    predictLearningCurve(fit, 800, { bootstrap: 100, seed: 6 }).bootstrap,
    one.bootstrap,
  );
  const [lo, hi] = one.bootstrap!;
  assert.ok(lo < one.estimate && one.estimate < hi, `${lo} ${one.estimate} ${hi}`);
  // Comparable in width to the delta-method interval (within a factor 2 either way).
  const ratio = (hi - lo) / (one.ci[1] - one.ci[0]);
  assert.ok(ratio > 0.5 && ratio < 2, `bootstrap / delta width ${ratio}`);
  // A curve without noise: every resample gives it back, the interval has no width.
  const exact = fitLearningCurve(XN, XN.map(TRUTH["inverse-power-law"].f));
  const b = predictLearningCurve(exact, 1500, { bootstrap: 50 });
  assert.ok(b.bootstrap![1] - b.bootstrap![0] < 1e-9);
});
