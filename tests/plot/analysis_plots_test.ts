import assert from "node:assert/strict";
import { analysisCurvePlot, thresholdFitLine } from "../../lib/plot/analysis_plots.ts";

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
});

Deno.test("analysisCurvePlot: dots per run, one line per fit, a band per smooth, a rule per threshold", () => {
  const points = [
    ...[100, 300, 600, 900].map((x, i) => ({ model: "bert", x, f1: 0.6 + 0.1 * i })),
    ...[100, 300].map((x, i) => ({ model: "gpt2", x, f1: 0.5 + 0.1 * i })),
  ];
  const fig = analysisCurvePlot(points, {
    models: ["bert", "gpt2", "empty"],
    thresholdFits: [{ model: "bert", x: [100, 500, 900], y: [0.6, 0.85, 0.85] }],
    smooths: [{
      model: "bert",
      x: [100, 500, 900],
      y: [0.62, 0.83, 0.86],
      lower: [0.6, 0.8, 0.84],
      upper: [0.64, 0.86, 0.88],
    }],
    thresholds: [{ model: "bert", threshold: 500, ci: [450, 560] }],
    format: (v) => v.toFixed(0),
    caption: "A <caption>",
  });
  assert.equal(fig.svg.match(/<circle/g)?.length, 6);
  assert.equal(fig.svg.match(/aria-label="line"/g)?.length, 2);
  assert.equal(fig.svg.match(/aria-label="area"/g)?.length, 1);
  assert.equal(fig.svg.match(/aria-label="rule"/g)?.length, 1);
  assert.match(fig.svg, /threshold 500</);
  for (const m of ["bert", "gpt2", "empty"]) assert.match(fig.svg, new RegExp(`>${m}<`));
  assert.match(fig.svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(fig.html, /<figcaption>A &lt;caption&gt;<\/figcaption>/);
  assert.equal(fig.html.match(/<svg/g)?.length, 1);
});
