import assert from "node:assert/strict";
import {
  axisDecimals,
  curveLayer,
  learningCurveFitLayer,
  learningCurvePlot,
  seedSpreadLayer,
  segmentedFitLine,
  segmentedLayer,
  smoothLayer,
  thresholdFitLine,
  thresholdLayer,
} from "../../lib/plot/learning_curve.ts";
import { thresholdRegression, type ThresholdResult } from "../../lib/stats/threshold.ts";
import { type SegmentedFit, segmentedRegression } from "../../lib/stats/segmented.ts";
import {
  fitLearningCurve,
  predictLearningCurve,
  sizeForTarget,
} from "../../lib/stats/learning_curve.ts";
import { fB, sB } from "../stats/fixtures/learning_curve.ts";

Deno.test("thresholdFitLine: the corners of each chngpt model, worked by hand", () => {
  // upperhinge: 0.9 + 0.0006 min(x - 500, 0): at 100 -> 0.9 - 0.24 = 0.66; flat from 500.
  const up = thresholdFitLine({
    type: "upperhinge",
    threshold: 500,
    coefficients: { "(Intercept)": 0.9, "(x-e)-": 0.0006 },
  }, [100, 1000]);
  assert.deepEqual(up.x, [100, 500, 1000]);
  assert.ok(Math.abs(up.y[0] - 0.66) < 1e-12);
  assert.deepEqual(up.y.slice(1), [0.9, 0.9]);
  // hinge: 2 + 3 max(x - 4, 0): flat 2 up to 4, then 2 + 3 * 6 = 20 at 10.
  const hinge = thresholdFitLine({
    type: "hinge",
    threshold: 4,
    coefficients: { "(Intercept)": 2, "(x-e)+": 3 },
  }, [0, 10]);
  assert.deepEqual(hinge, { x: [0, 4, 10], y: [2, 2, 20] });
  // segmented: 1 + 2x - 1.5 max(x - 3, 0): 1, 7 at 3, 1 + 20 - 10.5 = 10.5 at 10.
  const seg = thresholdFitLine({
    type: "segmented",
    threshold: 3,
    coefficients: { "(Intercept)": 1, x: 2, "(x-e)+": -1.5 },
  }, [0, 10]);
  assert.deepEqual(seg, { x: [0, 3, 10], y: [1, 7, 10.5] });
  // step: 0.5 + 0.25 I(x >= 2): a vertical jump at 2.
  const step = thresholdFitLine({
    type: "step",
    threshold: 2,
    coefficients: { "(Intercept)": 0.5, "I(x>=e)": 0.25 },
  }, [1, 3]);
  assert.deepEqual(step, { x: [1, 2, 2, 3], y: [0.5, 0.5, 0.75, 0.75] });
  // A threshold at the end of the range gives no repeated corner.
  const end = thresholdFitLine({
    type: "hinge",
    threshold: 0,
    coefficients: { "(Intercept)": 1, "(x-e)+": 1 },
  }, [0, 2]);
  assert.deepEqual(end, { x: [0, 2], y: [1, 3] });
  // segmented (R's segmented): 0.2 + 0.001 x - 0.001 max(x - 400, 0): 0.3 at 100, 0.6 from 400.
  const broken = segmentedFitLine({
    psi: 400,
    coefficients: { "(Intercept)": 0.2, x: 0.001, "U1.x": -0.001 },
  }, [100, 900]);
  assert.deepEqual(broken.x, [100, 400, 900]);
  broken.y.forEach((y, i) => assert.ok(Math.abs(y - [0.3, 0.6, 0.6][i]) < 1e-12));
});

const points = [
  ...[100, 300, 600, 900].map((x, i) => ({ model: "bert", x, f1: 0.6 + 0.1 * i })),
  ...[100, 300].map((x, i) => ({ model: "gpt2", x, f1: 0.5 + 0.1 * i })),
];

/** A threshold result with only the fields the layer reads. */
function threshold(e: number, ci?: [number, number]): ThresholdResult {
  return {
    type: "upperhinge",
    threshold: e,
    coefficients: { "(Intercept)": 0.85, "(x-e)-": 0.0006 },
    rss: 0,
    n: 4,
    profile: { threshold: [], rss: [] },
    ci,
    level: 0.95,
  };
}

Deno.test("learningCurvePlot: a titled panel per model, a dot per run, the layers over them", () => {
  const fig = learningCurvePlot(points, {
    models: ["bert", "gpt2", "empty"],
    layers: [
      smoothLayer([{
        model: "bert",
        fit: {
          x: [100, 500, 900],
          fit: [0.62, 0.83, 0.86],
          lower: [0.6, 0.8, 0.84],
          upper: [0.64, 0.86, 0.88],
        },
      }]),
      thresholdLayer([{
        model: "bert",
        fit: threshold(410.03, [380.4, 522.88]),
        range: [100, 900],
      }]),
    ],
  });
  assert.equal(fig.svg.match(/<circle/g)?.length, 6);
  assert.equal(fig.svg.match(/aria-label="line"/g)?.length, 2); // smooth and threshold fit
  assert.equal(fig.svg.match(/aria-label="area"/g)?.length, 1);
  assert.equal(fig.svg.match(/aria-label="rule"/g)?.length, 1);
  // Sentences are written as whole numbers, in the label and in the text.
  assert.match(fig.svg, />threshold 410 \(380–523\)</);
  assert.match(
    fig.text,
    /bert: 4 runs, F1 0\.600–0\.900; .*upperhinge threshold 410 \(95% CI 380–523\)/,
  );
  assert.match(fig.text, /\ngpt2: 2 runs, F1 0\.500–0\.600\nempty: 0 runs$/);
  // Panel titles are bold text inside the figure, not an axis on the right.
  for (const m of ["bert", "gpt2", "empty"]) assert.match(fig.svg, new RegExp(`>${m}</text>`));
  assert.doesNotMatch(fig.svg, /aria-label="fy-axis/);
  assert.match(
    fig.html,
    /<figcaption>F1 against training sentences, one panel per model: runs \(grey dots\), smooth \(blue\) with its 95% pointwise band; upperhinge threshold fit \(orange line\) with the threshold \(dashed\) and its 95% bootstrap interval \(shaded\)\.<\/figcaption>/,
  );
  assert.equal(fig.html.match(/<svg/g)?.length, 1);
});

Deno.test("learningCurvePlot: EPS thresholds with two decimals; labels near the right end point left", () => {
  const eps = [0.5, 1, 2, 3, 4.4].map((x) => ({ model: "m", x, f1: 0.7 }));
  const fig = learningCurvePlot(eps, {
    xLabel: "EPS",
    layers: [
      thresholdLayer([{ model: "m", fit: threshold(3.9, [3.456, 4.1]), range: [0.5, 4.4] }]),
    ],
  });
  assert.match(fig.svg, /text-anchor="end"[^>]*>[^<]*<text[^>]*>threshold 3\.90 \(3\.46–4\.10\)</);
  assert.equal(axisDecimals(980), 0);
  assert.equal(axisDecimals(45), 1);
  assert.equal(axisDecimals(4.4), 2);
});

Deno.test("learningCurvePlot: dots are inset from the panel's edges", () => {
  const fig = learningCurvePlot(points.filter((p) => p.model === "bert"), { width: 640 });
  const cx = [...fig.svg.matchAll(/<circle [^>]*cx="([\d.]+)"/g)].map((m) => Number(m[1]));
  assert.equal(cx.length, 4);
  // The frame starts at marginLeft (40) and ends at width - marginRight (624); the x
  // scale is inset by 8 px, so no dot (radius 2.5) touches the frame.
  assert.ok(Math.min(...cx) >= 40 + 8 - 1e-9, `${cx}`);
  assert.ok(Math.max(...cx) <= 624 - 8 + 1e-9, `${cx}`);
  assert.match(fig.svg, /r="2\.5"/);
});

Deno.test("learningCurvePlot: all-zero F1 has an axis from 0 to 0.1 and a caption of what is drawn", () => {
  const zero = [100, 200, 300].map((x) => ({ model: "tiny", x, f1: 0 }));
  const fig = learningCurvePlot(zero, { layers: [smoothLayer([]), thresholdLayer([])] });
  const ticks = [...fig.svg.matchAll(/aria-label="y-axis tick label"[\s\S]*?<\/g>/g)][0][0];
  const labels = [...ticks.matchAll(/>([^<>]+)<\/text>/g)].map((m) => m[1]);
  assert.deepEqual(labels, ["0.00", "0.02", "0.04", "0.06", "0.08", "0.10"]);
  assert.match(
    fig.html,
    /<figcaption>F1 against training sentences, one panel per model: runs \(grey dots\)\.<\/figcaption>/,
  );
});

Deno.test("curveLayer and segmentedLayer: lines, dashes and breakpoints as given", () => {
  const seg: SegmentedFit = {
    psi: 400.4,
    psiSe: 20,
    ci: [360.2, 440.9],
    slopes: [{ estimate: 0.001, se: 0, t: 0, ci: [0, 0] }, {
      estimate: 0,
      se: 0,
      t: 0,
      ci: [0, 0],
    }],
    coefficients: { "(Intercept)": 0.2, x: 0.001, "U1.x": -0.001 },
    rss: 0,
    r2: 1,
    sigma: 0,
    n: 4,
    dfResid: 0,
    iterations: 1,
    converged: true,
    psiStart: 400,
    fitted: [],
  };
  const fig = learningCurvePlot(points, {
    layers: [
      segmentedLayer([{ model: "bert", fit: seg, range: [100, 900] }]),
      curveLayer([{ model: "gpt2", x: [100, 300], y: [0.5, 0.6] }], {
        stroke: "black",
        dashed: true,
        caption: "the true curve",
      }),
    ],
  });
  assert.match(fig.svg, />ψ 400 \(360–441\)</);
  assert.match(fig.svg, /stroke-dasharray="5,3"/);
  assert.match(fig.html, /segmented fit \(purple line\).*; the true curve \(black dashed line\)\./);
  assert.match(fig.text, /bert: .*segmented ψ 400 \(95% CI 360–441\)/);
});

Deno.test("thresholdLayer and segmentedLayer: a NaN threshold or breakpoint draws nothing and says so", () => {
  // gpt2 learned nothing: constant F1, so its fits have NaN thresholds.
  const zero = [12, 17, 16, 44, 34, 36];
  const flatFit = thresholdRegression(zero, zero.map(() => 0), { bootstrap: 20 });
  const flatSeg = segmentedRegression(zero, zero.map(() => 0));
  assert.ok(Number.isNaN(flatFit.threshold) && Number.isNaN(flatSeg.psi));
  const runs = [...points, ...zero.map((x) => ({ model: "zero", x, f1: 0 }))];
  const fig = learningCurvePlot(runs, {
    models: ["bert", "zero"],
    layers: [
      thresholdLayer([
        { model: "bert", fit: threshold(410.03, [380.4, 522.88]), range: [100, 900] },
        { model: "zero", fit: flatFit, range: [12, 44] },
      ]),
      segmentedLayer([{ model: "zero", fit: flatSeg, range: [12, 44] }]),
    ],
  });
  assert.doesNotMatch(fig.svg, /NaN/);
  assert.equal(fig.svg.match(/aria-label="rule"/g)?.length, 1); // bert's threshold only
  assert.equal(fig.svg.match(/aria-label="line"/g)?.length, 1); // bert's threshold fit
  assert.match(fig.text, /zero: .*hinge threshold: none \(the data cannot show one\)/);
  assert.match(fig.text, /zero: .*segmented ψ: none \(the data cannot show one\)/);
  assert.match(fig.text, /bert: .*upperhinge threshold 410 \(95% CI 380–523\)/);
  // The segmented layer draws nothing at all, so the caption does not mention it.
  assert.doesNotMatch(fig.html, /segmented fit/);
});

Deno.test("learningCurveFitLayer: the fitted curve with its band, dashed past the runs, targets named", () => {
  // Dataset B (largest size 2,309), power law and exponential, drawn to 3,000.
  const runs = sB.map((x, i) => ({ model: "bert", x, f1: fB[i] }));
  const power = fitLearningCurve(sB, fB);
  const exp = fitLearningCurve(sB, fB, { model: "exponential" });
  const layer = learningCurveFitLayer(
    [{ model: "bert", fit: power }, { model: "roberta", fit: exp }],
    { to: 3000, targets: [0.95] },
  );
  // The line passes through the predictions: at the largest size sampled, for both parts.
  const at = predictLearningCurve(power, 2309);
  assert.equal(layer.y.filter((v) => v === at.estimate).length, 2);
  assert.ok(layer.y.includes(at.ci[0]) && layer.y.includes(at.ci[1]));
  // Notes: the asymptote with its t interval, the size for the target as sizeForTarget says.
  const s = sizeForTarget(power, 0.95);
  assert.ok(s.reachable);
  assert.equal(
    layer.notes[0].text,
    `power-law fit: asymptote 0.968 (95% CI 0.957–0.979); F1 0.95 at ${
      Math.round(s.estimate).toLocaleString("en")
    } (95% CI ${Math.round(s.ci[0]).toLocaleString("en")}–${
      Math.round(s.ci[1]).toLocaleString("en")
    })`,
  );
  assert.match(
    layer.notes[1].text,
    /^exponential fit: asymptote 0.953 .*; F1 0.95 at 1,324 \(95% CI 1,119–∞\)$/,
  );
  const fig = learningCurvePlot([...runs, ...runs.map((r) => ({ ...r, model: "roberta" }))], {
    layers: [layer],
  });
  assert.doesNotMatch(fig.svg, /NaN/);
  assert.equal(fig.svg.match(/aria-label="area"/g)?.length, 2); // inside and past the runs
  assert.match(fig.svg, /stroke-dasharray="5,3"/);
  assert.match(fig.svg, />F1 0.95</);
  assert.match(
    fig.html,
    /power-law\/exponential learning-curve fit \(green line\) with its 95% confidence band, dashed past the largest size sampled; target F1 \(grey rules\), reached where the curve is marked \(green diamonds\)\./,
  );
  // a diamond per model where its curve reaches 0.95 (both within 3,000)
  const dots = fig.svg.slice(fig.svg.lastIndexOf('aria-label="dot"'));
  assert.equal(dots.match(/<path/g)?.length, 2);
});

Deno.test("learningCurveFitLayer: a fit that failed draws nothing and says why", () => {
  const flat = fitLearningCurve([100, 200, 300, 400], [0.8, 0.8, 0.8, 0.8]);
  const layer = learningCurveFitLayer([{ model: "zero", fit: flat }], { targets: [0.9] });
  assert.deepEqual([layer.marks.length > 0, layer.caption, layer.y], [true, "", []]);
  assert.equal(
    layer.notes[0].text,
    "power-law fit: none (F1 is the same in every run: the curve is flat and its shape is not identified)",
  );
  const fig = learningCurvePlot([{ model: "zero", x: 100, f1: 0.8 }], { layers: [layer] });
  assert.equal(fig.svg.match(/aria-label="line"/g), null);
  assert.equal(fig.svg.match(/aria-label="rule"/g), null);
});

/** The lines a mark draws over all panels: from its attribute to the next mark. */
function linesOfMark(svg: string, attribute: string): number {
  const from = svg.indexOf(attribute);
  const to = svg.indexOf("aria-label=", from);
  return svg.slice(from, to < 0 ? undefined : to).match(/<line/g)?.length ?? 0;
}

Deno.test("learningCurveFitLayer: a model's own targets and extent; rules only in its panel", () => {
  const power = fitLearningCurve(sB, fB);
  const layer = learningCurveFitLayer(
    [
      { model: "bert", fit: power, to: 4000, targets: [0.9] },
      { model: "roberta", fit: power },
    ],
    { targets: [0.95] },
  );
  // bert to 4,000 (its own), roberta to the largest size sampled (no `to` anywhere)
  const at4000 = predictLearningCurve(power, 4000, { maxExtrapolation: Infinity });
  assert.ok(layer.y.includes(at4000.estimate));
  assert.match(layer.notes[0].text, /; F1 0.9 at [\d,]+ \(95% CI [\d,]+–[\d,]+\)$/);
  assert.doesNotMatch(layer.notes[0].text, /F1 0.95/);
  assert.match(layer.notes[1].text, /; F1 0.95 at /);
  const runs = sB.flatMap((x, i) => [
    { model: "bert", x, f1: fB[i] },
    { model: "roberta", x, f1: fB[i] },
  ]);
  const fig = learningCurvePlot(runs, { layers: [layer] });
  // one rule and one label per target, each in its own panel
  assert.equal(linesOfMark(fig.svg, 'stroke-dasharray="2,3"'), 2);
  assert.equal(fig.svg.match(/>F1 0.9</g)?.length, 1);
  assert.equal(fig.svg.match(/>F1 0.95</g)?.length, 1);
});

Deno.test("seedSpreadLayer: a rule from the lowest to the highest F1 of each subsample, and a note per model", () => {
  const groups = [
    { model: "bert", x: 100, min: 0.6, max: 0.64 },
    { model: "bert", x: 300, min: 0.75, max: 0.76 },
    { model: "gpt2", x: 200, min: 0.5, max: 0.58 },
  ];
  const layer = seedSpreadLayer(groups);
  assert.deepEqual(layer.y, [0.6, 0.64, 0.75, 0.76, 0.5, 0.58]);
  assert.deepEqual(layer.notes, [
    { model: "bert", text: "2 subsamples trained with several seeds: F1 range up to 0.040" },
    { model: "gpt2", text: "1 subsample trained with several seeds: F1 range up to 0.080" },
  ]);
  const fig = learningCurvePlot(
    groups.flatMap((
      g,
    ) => [{ model: g.model, x: g.x, f1: g.min }, { model: g.model, x: g.x, f1: g.max }]),
    { layers: [layer] },
  );
  assert.equal(linesOfMark(fig.svg, 'stroke="#333"'), 3);
  assert.match(
    fig.html,
    /the lowest to highest F1 of each subsample's seeds \(dark vertical rules\)/,
  );
  const empty = seedSpreadLayer([]);
  assert.deepEqual([empty.caption, empty.notes, empty.y], ["", [], []]);
});
