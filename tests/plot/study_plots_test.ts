import assert from "node:assert/strict";
import { agreementHeatmap, learningCurvePlot, planPlot } from "../../lib/plot/study_plots.ts";

Deno.test("learningCurvePlot: a panel per model, a dot per run, threshold rule and CI", () => {
  const points = [
    ...[100, 300, 600].map((x, i) => ({ model: "bert", x, f1: 0.6 + 0.1 * i })),
    ...[100, 300].map((x, i) => ({ model: "gpt2", x, f1: 0.5 + 0.1 * i })),
  ];
  const fig = learningCurvePlot(points, {
    fits: [{
      model: "bert",
      x: [100, 600],
      y: [0.6, 0.8],
      lower: [0.55, 0.75],
      upper: [0.65, 0.85],
    }],
    thresholds: [{ model: "bert", threshold: 450, ci: [400, 500] }],
  });
  assert.equal(fig.svg.match(/<circle/g)?.length, 5);
  assert.match(fig.svg, /threshold 450/);
  assert.match(fig.svg, />bert</);
  assert.match(fig.svg, />gpt2</);
  assert.equal(fig.svg.match(/aria-label="rule"/g)?.length, 1);
  assert.equal(fig.svg.match(/aria-label="area"/g)?.length, 1);
});

Deno.test("planPlot and agreementHeatmap draw one mark per datum", () => {
  const plan = planPlot([{ sentences: 10, eps: 1 }, { sentences: 20, eps: 2 }, {
    sentences: 30,
    eps: 1.5,
  }]);
  assert.equal(plan.svg.match(/<circle/g)?.length, 3);
  const heat = agreementHeatmap([
    { a: "x", b: "x", value: 1 },
    { a: "x", b: "y", value: 0.8 },
    { a: "y", b: "x", value: 0.8 },
    { a: "y", b: "y", value: 1 },
  ]);
  assert.equal(heat.svg.match(/<rect/g)?.length, 4);
  assert.match(heat.svg, />0\.80</);
});

Deno.test("planPlot: size ranges in the legend in numeric order", () => {
  const plan = planPlot([
    { sentences: 300, eps: 1, range: [250, 500] },
    { sentences: 50, eps: 2, range: [25, 100] },
    { sentences: 120, eps: 1.5, range: [100, 250] },
  ]);
  const order = ["25-100", "100-250", "250-500"].map((r) => plan.html.indexOf(`>${r}<`));
  assert.ok(order.every((i) => i > 0), plan.html.slice(0, 500));
  assert.deepEqual([...order].sort((a, b) => a - b), order);
});
