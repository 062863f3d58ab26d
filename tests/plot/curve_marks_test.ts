import assert from "node:assert/strict";
import { curveRows, intervalMarks, thresholdLabels } from "../../lib/plot/curve_marks.ts";
import { plotFigure } from "../../lib/plot/display.ts";

Deno.test("curveRows: one row per point of each fit, in order, band where given", () => {
  const rows = curveRows([
    { model: "bert", x: [0, 500], y: [0.6, 0.9] },
    { model: "gpt2", x: [10], y: [0.5], lower: [0.4], upper: [0.7] },
  ]);
  assert.deepEqual(rows, [
    { model: "bert", x: 0, y: 0.6, lower: undefined, upper: undefined },
    { model: "bert", x: 500, y: 0.9, lower: undefined, upper: undefined },
    { model: "gpt2", x: 10, y: 0.5, lower: 0.4, upper: 0.7 },
  ]);
  assert.deepEqual(curveRows([]), []);
});

Deno.test("intervalMarks: a strip per threshold with a CI, an area per fit with a band", () => {
  const rows = curveRows([
    { model: "a", x: [0, 10], y: [1, 2], lower: [0.5, 1.5], upper: [1.5, 2.5] },
    { model: "b", x: [0, 10], y: [1, 2] }, // no band: no area
  ]);
  const thresholds = [
    { model: "a", threshold: 5, ci: [4, 6] as [number, number] },
    { model: "b", threshold: 3 }, // no CI: no strip
  ];
  const fig = plotFigure({ marks: intervalMarks(thresholds, rows) });
  // One rect, from x = 4 to 6 on the x scale 0..10 -> 40..600 px (56 px per unit).
  assert.match(
    fig.svg,
    /aria-label="rect"><g [^>]*fill-opacity="0.15" fill="orange"><rect [^>]*width="112" [^>]*x="264" \/><\/g><\/g>/,
  );
  // One area, for model "a" only.
  assert.match(
    fig.svg,
    /aria-label="area"><g [^>]*fill-opacity="0.2" fill="steelblue"><path d="[^"]*" \/><\/g><\/g>/,
  );
  assert.doesNotMatch(fig.svg, />b</); // model "b" has nothing in the backdrop
});

Deno.test("thresholdLabels: `threshold <value>` with the given format, one per threshold", () => {
  const fig = plotFigure({
    marks: [
      thresholdLabels(
        [{ model: "a", threshold: 480.44 }, { model: "b", threshold: 2 }],
        (v) => v.toFixed(1),
      ),
    ],
  });
  assert.match(fig.svg, />threshold 480\.4</);
  assert.match(fig.svg, />threshold 2\.0</);
  assert.equal(fig.svg.match(/em">threshold /g)?.length, 2);
});
