/**
 * The study's other figures with Observable Plot: the subsample plan (size against
 * density, coloured by size range) and an agreement heatmap (pairs of annotators).
 * Each returns a {@link Figure} that Jupyter displays inline and that saves as SVG;
 * the learning curves are in learning_curve.ts.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { type Figure, formatNumber, plotFigure } from "./display.ts";

/** Pearson's correlation of two equally long series (NaN when either is constant). */
function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/**
 * The subsample plan: each subsample's size against its entity density, so a reader
 * sees whether the design lets size and density vary independently. Its plain text
 * gives the ranges and the correlation of size and EPS.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planPlot } from "./study_plots.ts";
 * const fig = planPlot([{ sentences: 120, eps: 1.3 }, { sentences: 480, eps: 1.1 }]);
 * assert.match(fig.text, /^subsample plan: 2 subsamples, 120–480 sentences, EPS 1.10–1.30/);
 * ```
 */
export function planPlot(
  subsamples: readonly { sentences: number; eps: number; range?: [number, number] }[],
  options: { width?: number; height?: number } = {},
): Figure {
  const rows = subsamples.map((s) => ({
    ...s,
    range: s.range ? `${s.range[0]}-${s.range[1]}` : "all",
  }));
  const ranges = [
    ...new Set(
      subsamples.flatMap((s) => (s.range ? [s.range] : []))
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .map((r) => `${r[0]}-${r[1]}`),
    ),
  ];
  const sentences = subsamples.map((s) => s.sentences), eps = subsamples.map((s) => s.eps);
  const r = correlation(sentences, eps);
  const text = subsamples.length === 0
    ? "subsample plan: no subsamples"
    : `subsample plan: ${subsamples.length} subsamples, ` +
      `${Math.min(...sentences)}–${Math.max(...sentences)} sentences, ` +
      `EPS ${formatNumber(Math.min(...eps), 2)}–${formatNumber(Math.max(...eps), 2)}` +
      (Number.isFinite(r) ? `, r(sentences, EPS) = ${formatNumber(r, 2)}` : "");
  return plotFigure({
    width: options.width ?? 640,
    height: options.height ?? 360,
    grid: true,
    x: { label: "Sentences in subsample", inset: 6 },
    y: { label: "Entities per sentence (EPS)", inset: 6 },
    color: {
      legend: ranges.length > 0,
      label: "Size range",
      domain: ranges.length > 0 ? ranges : undefined,
    },
    marks: [Plot.dot(rows, { x: "sentences", y: "eps", stroke: "range", r: 3, strokeWidth: 1.5 })],
  }, { text });
}

/** Approximate width in pixels of a label in Plot's default 10 px sans-serif. */
function labelWidth(s: string): number {
  return Math.ceil(s.length * 6.2);
}

/**
 * A heatmap of pairwise values (e.g. entity-level F1 or kappa between annotators), each
 * cell labelled with its value; the label names the measure in the caption. Row labels
 * get the room they need. Its plain text is the matrix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agreementHeatmap } from "./study_plots.ts";
 * const fig = agreementHeatmap([{ a: "ann1", b: "ann2", value: 0.91 }, { a: "ann2", b: "ann1", value: 0.91 }],
 *   { label: "Entity F1" });
 * assert.equal(fig.text, "Entity F1\n      ann1  ann2\nann1     –  0.91\nann2  0.91     –");
 * ```
 */
export function agreementHeatmap(
  cells: readonly { a: string; b: string; value: number }[],
  options: { label?: string; width?: number } = {},
): Figure {
  const names = [...new Set(cells.flatMap((c) => [c.a, c.b]))];
  const label = options.label ?? "Agreement";
  const value = new Map(cells.map((c) => [`${c.b}\u0000${c.a}`, c.value]));
  const w = Math.max(...names.map((n) => n.length));
  const matrix = [
    " ".repeat(w) + names.map((n) => "  " + n.padStart(4)).join(""),
    ...names.map((row) =>
      row.padEnd(w) + names.map((col, j) => {
        const v = value.get(`${row}\u0000${col}`);
        return "  " +
          (v === undefined ? "–" : formatNumber(v, 2)).padStart(Math.max(4, names[j].length));
      }).join("")
    ),
  ];
  const marginLeft = 12 + Math.max(...names.map(labelWidth));
  const cell = Math.max(60, ...names.map(labelWidth).map((x) => x + 10));
  return plotFigure({
    width: options.width ?? Math.min(720, marginLeft + 20 + cell * names.length),
    height: 30 + 40 + 44 * names.length,
    marginLeft,
    marginBottom: 36,
    padding: 0.05,
    caption: `${label} between each pair of annotators (the diagonal: an annotator with itself).`,
    x: { label: null, domain: names, axis: "bottom", tickSize: 0 },
    y: { label: null, domain: names, tickSize: 0 },
    color: { scheme: "blues", domain: [0, 1], label }, // no ramp legend: it needs a canvas
    marks: [
      Plot.cell(cells, { x: "a", y: "b", fill: "value" }),
      Plot.text(cells, {
        x: "a",
        y: "b",
        fontSize: 12,
        text: (d: { value: number }) => formatNumber(d.value, 2),
        fill: (d: { value: number }) => (d.value > 0.6 ? "white" : "black"),
      }),
    ],
  }, { text: [label, ...matrix].join("\n") });
}
