import assert from "node:assert/strict";
import * as Plot from "../../lib/deps/plot.ts";
import * as aq from "../../lib/deps/arquero.ts";
import {
  formatNumber,
  htmlDisplay,
  inspectDisplay,
  JUPYTER_DISPLAY as display,
  plotFigure,
  tableDisplay,
} from "../../lib/plot/display.ts";

Deno.test("plotFigure: SVG with xmlns, one circle per datum, both MIME types, a text summary", () => {
  const data = [{ x: 1, y: 2 }, { x: 2, y: 3 }, { x: 3, y: 1 }];
  const fig = plotFigure({
    caption: "Three points.",
    x: { label: "size" },
    marks: [Plot.dot(data, { x: "x", y: "y" }), Plot.ruleY([0])],
  });
  assert.match(fig.svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.equal(fig.svg.match(/<circle/g)?.length, 3);
  const bundle = fig[display]();
  assert.equal(bundle["image/svg+xml"], fig.svg);
  assert.match(bundle["text/html"], /^<figure/); // the caption makes a <figure>
  assert.equal(bundle["text/plain"], "figure: Three points.; x: size; dot ×3, rule ×1");
  assert.equal(plotFigure({ marks: [] }, { text: "nothing" })[display]()["text/plain"], "nothing");
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

Deno.test("formatNumber: separators, fixed decimals, exponents for tiny values, dashes", () => {
  assert.equal(formatNumber(1286), "1,286");
  assert.equal(formatNumber(-3), "-3");
  assert.equal(formatNumber(1.583333, 3), "1.583");
  assert.equal(formatNumber(0.5, 3), "0.500");
  assert.equal(formatNumber(2775.131936, 0), "2,775");
  assert.equal(formatNumber(2, 2), "2.00");
  assert.equal(formatNumber(0.0004, 3), "4.00e-4");
  assert.equal(formatNumber(0, 3), "0.000");
  assert.equal(formatNumber(NaN), "–");
  assert.equal(formatNumber(-Infinity), "−∞");
});

Deno.test("tableDisplay: rows or arquero, numbers formatted per column and right-aligned", () => {
  const rows = [
    { set: "training subsample", documents: 92, eps: 1.5833333, ms: 2775.131936, p: 3e-12 },
    { set: "test", documents: 1286, eps: 0.52, ms: 12.5, p: 0.04 },
  ];
  const t = tableDisplay(rows);
  // eps: four significant digits at 1.58 -> 3 decimals; ms: at 2775 -> 0 decimals.
  assert.equal(
    t.text,
    [
      "set                 documents    eps     ms         p",
      "training subsample         92  1.583  2,775  3.00e-12",
      "test                    1,286  0.520     13     0.040",
    ].join("\n"),
  );
  assert.match(
    t.html,
    /<th style="text-align: left">set<\/th><th style="text-align: right">documents/,
  );
  assert.match(t.html, /<td style="text-align: right">1\.583<\/td>/);
  assert.doesNotMatch(t.html, /1\.58333/);
  assert.deepEqual(t[display](), { "text/html": t.html, "text/plain": t.text });
  // Options: decimals and formatters per column, a subset of columns.
  const opts = tableDisplay(rows, {
    columns: ["set", "eps"],
    digits: { eps: 1 },
    format: { set: (v) => String(v).toUpperCase() },
  });
  assert.equal(
    opts.text,
    "set                 eps\nTRAINING SUBSAMPLE  1.6\nTEST                0.5",
  );
  // Numbers written as text are right-aligned too; other text is not.
  const written = tableDisplay([{ t: "455", ci: "[341, 658]" }, { t: "1.44", ci: "[1.26, 1.72]" }]);
  assert.equal(written.text, "   t  ci\n 455  [341, 658]\n1.44  [1.26, 1.72]");
  // An arquero table, with a row limit and its note; HTML is escaped.
  const aqTable = aq.table({ model: ["<a>", "b", "c"], f1: [0.9, 0.8, 0.75] });
  const limited = tableDisplay(aqTable, { limit: 2 });
  assert.equal(limited.html.match(/<tr/g)?.length, 3); // header + 2 rows
  assert.match(limited.html, /&lt;a&gt;/);
  assert.match(limited.html, /<p>2 of 3 rows<\/p>/);
  assert.equal(limited.text, "model     f1\n<a>    0.900\nb      0.800\n(2 of 3 rows)");
});

Deno.test("htmlDisplay and inspectDisplay: plain text without tags or colour codes", () => {
  const h = htmlDisplay("<p>Over 70,921 tokens: F1 <b>0.806</b> &amp; more</p><p>second</p>")
    [display]();
  assert.equal(h["text/plain"], "Over 70,921 tokens: F1 0.806 & more\nsecond");
  assert.equal(htmlDisplay("<b>x</b>", "given")[display]()["text/plain"], "given");
  const i = inspectDisplay({ a: 1, b: "x<y", c: [1.5, 2] })[display]();
  assert.equal(i["text/plain"], '{ a: 1, b: "x<y", c: [ 1.5, 2 ] }');
  assert.equal(i["text/html"], "<pre>{ a: 1, b: &quot;x&lt;y&quot;, c: [ 1.5, 2 ] }</pre>");
  assert.ok(!i["text/plain"].includes("\u001b"), "no ANSI escape");
});
