import assert from "node:assert/strict";
import { agreementHeatmap, planPlot } from "../../lib/plot/study_plots.ts";

Deno.test("planPlot: a dot per subsample; its text gives ranges and the correlation", () => {
  // sentences 10, 20, 30 and EPS 1, 2, 1.5: r = 0.5 (worked by hand: sxy = 5, sxx = 200, syy = 0.5).
  const plan = planPlot([{ sentences: 10, eps: 1 }, { sentences: 20, eps: 2 }, {
    sentences: 30,
    eps: 1.5,
  }]);
  assert.equal(plan.svg.match(/<circle/g)?.length, 3);
  assert.equal(
    plan.text,
    "subsample plan: 3 subsamples, 10–30 sentences, EPS 1.00–2.00, r(sentences, EPS) = 0.50",
  );
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

Deno.test("agreementHeatmap: a cell per pair, values, row labels with room, the matrix as text", () => {
  const names = ["GROBID (gold)", "careful (simulated)"];
  const heat = agreementHeatmap([
    { a: names[0], b: names[0], value: 1 },
    { a: names[0], b: names[1], value: 0.8 },
    { a: names[1], b: names[0], value: 0.8 },
    { a: names[1], b: names[1], value: 1 },
  ], { label: "Entity F1" });
  assert.equal(heat.svg.match(/<rect/g)?.length, 4);
  assert.match(heat.svg, />0\.80</);
  // The longest row label (19 characters) fits left of the cells: margin >= 19 * 6 px.
  const margin = Number(
    heat.svg.match(/aria-label="y-axis tick label"><text transform="translate\(([\d.]+)/)?.[1],
  );
  assert.ok(margin >= 19 * 6, `row labels end at x = ${margin}`);
  assert.match(heat.html, /<figcaption>Entity F1 between each pair of annotators/);
  assert.equal(
    heat.text,
    [
      "Entity F1",
      "                     GROBID (gold)  careful (simulated)",
      "GROBID (gold)                 1.00                 0.80",
      "careful (simulated)           0.80                 1.00",
    ].join("\n"),
  );
});
