import assert from "node:assert/strict";
import * as Plot from "@observablehq/plot";
import * as aq from "arquero";
import { JUPYTER_DISPLAY as display, plotFigure, tableDisplay } from "../../lib/plot/display.ts";

Deno.test("plotFigure: SVG with xmlns, one circle per datum, both MIME types", () => {
  const data = [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1 }];
  const fig = plotFigure({ marks: [Plot.dot(data, { x: "x", y: "y" })] });
  assert.match(fig.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(fig.svg.match(/<circle/g)?.length, 3);
  const bundle = fig[display]();
  assert.equal(bundle["image/svg+xml"], fig.svg);
  assert.equal(bundle["text/html"], fig.svg);
});

Deno.test("plotFigure: a legend makes a <figure>; its svgs all get xmlns", () => {
  const data = [{ x: 1, y: 2, c: "a" }, { x: 2, y: 3, c: "b" }];
  const fig = plotFigure({
    color: { legend: true },
    marks: [Plot.dot(data, { x: "x", y: "y", fill: "c" })],
  });
  assert.match(fig.html, /^<figure/);
  assert.equal(fig.html.match(/<svg(?![^>]*xmlns=)/g), null);
  assert.equal(fig.svg.match(/<circle/g)?.length, 2);
});

Deno.test("tableDisplay: arquero table as HTML with a row-limit note", () => {
  const t = aq.table({ model: ["a", "b", "c"], f1: [0.9, 0.8, 0.7] });
  const html = tableDisplay(t, { limit: 2 })[display]()["text/html"];
  assert.equal(html.match(/<tr/g)?.length, 3); // header + 2 rows
  assert.match(html, /2 of 3 rows/);
});
