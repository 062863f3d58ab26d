/**
 * The study's figures with Observable Plot: learning curves (F1 against sentences or
 * EPS) with a fitted curve, its band and the estimated threshold with its CI, faceted
 * per model; the subsample plan (size against density); an agreement heatmap.
 * Each returns a {@link Figure} that Jupyter displays inline and that saves as SVG.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { type Figure, plotFigure } from "./display.ts";
import { curveRows, intervalMarks, thresholdLabels } from "./curve_marks.ts";

/**
 * One scored run: which model, the predictor value and its F1.
 *
 * @example
 * ```ts
 * const p: CurvePoint = { model: "bert", x: 120, f1: 0.84 };
 * ```
 */
export type CurvePoint = { model: string; x: number; f1: number };

/**
 * A fitted curve for one model (threshold fit or smoother), with an optional band.
 *
 * @example
 * ```ts
 * const c: CurveFit = { model: "bert", x: [0, 500, 1000], y: [0.6, 0.9, 0.9],
 *   lower: [0.55, 0.88, 0.87], upper: [0.65, 0.92, 0.93] };
 * ```
 */
export type CurveFit = {
  model: string;
  x: number[];
  y: number[];
  lower?: number[];
  upper?: number[];
};

/**
 * An estimated threshold for one model, with its confidence interval.
 *
 * @example
 * ```ts
 * const t: ThresholdMark = { model: "bert", threshold: 480, ci: [430, 530] };
 * ```
 */
export type ThresholdMark = { model: string; threshold: number; ci?: [number, number] };

/**
 * Options of {@link learningCurvePlot}.
 *
 * @example
 * ```ts
 * const o: LearningCurveOptions = { xLabel: "Training sentences", fits: [], thresholds: [] };
 * ```
 */
export type LearningCurveOptions = {
  xLabel?: string;
  fits?: CurveFit[];
  thresholds?: ThresholdMark[];
  width?: number;
  height?: number;
};

/**
 * F1 against a predictor, one panel per model: the runs as dots, each fit as a line with
 * its band, the threshold as a vertical rule over its shaded CI.
 *
 * @example
 * ```ts
 * learningCurvePlot([{ model: "bert", x: 100, f1: 0.7 }, { model: "bert", x: 600, f1: 0.9 }],
 *   { xLabel: "Training sentences", thresholds: [{ model: "bert", threshold: 480, ci: [430, 530] }] });
 * ```
 */
export function learningCurvePlot(
  points: CurvePoint[],
  options: LearningCurveOptions = {},
): Figure {
  const fits = curveRows(options.fits ?? []);
  const thresholds = options.thresholds ?? [];
  const models = new Set(points.map((p) => p.model));
  const longest = Math.max(0, ...[...models].map((m) => m.length));
  return plotFigure({
    width: options.width ?? 640,
    height: options.height ?? Math.max(260, 200 * models.size),
    marginRight: 12 + 6 * longest, // room for the facet labels (model names)
    grid: true,
    x: { label: options.xLabel ?? "Training sentences" },
    y: { label: "Entity-level F1", domain: [0, 1] },
    fy: { label: null },
    marks: [
      ...intervalMarks(thresholds, fits),
      Plot.dot(points, {
        x: "x",
        y: "f1",
        fy: "model",
        r: 2,
        fill: "currentColor",
        fillOpacity: 0.5,
      }),
      Plot.line(fits, { x: "x", y: "y", fy: "model", stroke: "steelblue", strokeWidth: 2 }),
      Plot.ruleX(thresholds, { x: "threshold", fy: "model", stroke: "orange", strokeWidth: 2 }),
      thresholdLabels(thresholds, (v) => String(Math.round(v * 100) / 100)),
    ],
  });
}

/**
 * The subsample plan: each subsample's size against its entity density, so a reader
 * sees whether the design lets size and density vary independently.
 *
 * @example
 * ```ts
 * planPlot([{ sentences: 120, eps: 1.3 }, { sentences: 480, eps: 1.1 }]);
 * ```
 */
export function planPlot(
  subsamples: { sentences: number; eps: number; range?: [number, number] }[],
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
  return plotFigure({
    width: options.width ?? 640,
    height: options.height ?? 360,
    grid: true,
    x: { label: "Sentences in subsample" },
    y: { label: "Entities per sentence (EPS)" },
    color: {
      legend: ranges.length > 0,
      label: "Size range",
      domain: ranges.length > 0 ? ranges : undefined,
    },
    marks: [Plot.dot(rows, { x: "sentences", y: "eps", stroke: "range", r: 3 })],
  });
}

/**
 * A heatmap of pairwise values (e.g. entity-level F1 or kappa between annotators).
 *
 * @example
 * ```ts
 * agreementHeatmap([{ a: "ann1", b: "ann2", value: 0.91 }, { a: "ann2", b: "ann1", value: 0.91 }]);
 * ```
 */
export function agreementHeatmap(
  cells: { a: string; b: string; value: number }[],
  options: { label?: string } = {},
): Figure {
  return plotFigure({
    padding: 0.05,
    x: { label: null },
    y: { label: null },
    color: { scheme: "blues", domain: [0, 1], label: options.label ?? "Agreement" }, // no ramp legend: it needs a canvas
    marks: [
      Plot.cell(cells, { x: "a", y: "b", fill: "value" }),
      Plot.text(cells, {
        x: "a",
        y: "b",
        text: (d: { value: number }) => d.value.toFixed(2),
        fill: (d: { value: number }) => (d.value > 0.6 ? "white" : "black"),
      }),
    ],
  });
}
