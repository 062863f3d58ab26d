/**
 * Pieces the learning-curve figures share (`learningCurvePlot` in study_plots.ts
 * and `analysisCurvePlot` in analysis_plots.ts): fitted curves
 * as plot rows, the shaded backdrop of a panel (each threshold's confidence interval
 * and each fit's pointwise band) and the threshold labels.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import type { CurveFit, ThresholdMark } from "./study_plots.ts";

/**
 * One point of a fitted curve, as a row for Plot's marks.
 *
 * @example
 * ```ts
 * const r: CurveRow = { model: "bert", x: 500, y: 0.9, lower: 0.88, upper: 0.92 };
 * ```
 */
export type CurveRow = {
  model: string;
  x: number;
  y: number;
  lower: number | undefined;
  upper: number | undefined;
};

/**
 * The points of each fit, one row each, fits in order.
 *
 * @example
 * ```ts
 * curveRows([{ model: "bert", x: [0, 500], y: [0.6, 0.9] }]);
 * // [{ model: "bert", x: 0, y: 0.6, lower: undefined, upper: undefined },
 * //  { model: "bert", x: 500, y: 0.9, lower: undefined, upper: undefined }]
 * ```
 */
export function curveRows(fits: CurveFit[]): CurveRow[] {
  return fits.flatMap((f) =>
    f.x.map((x, i) => ({ model: f.model, x, y: f.y[i], lower: f.lower?.[i], upper: f.upper?.[i] }))
  );
}

/**
 * The backdrop of a learning-curve panel, drawn before the dots and lines: each
 * threshold's confidence interval as an orange shaded strip, then the pointwise band
 * of those `rows` that have one in light blue.
 *
 * @example
 * ```ts
 * const marks = intervalMarks(
 *   [{ model: "bert", threshold: 480, ci: [430, 530] }],
 *   curveRows([{ model: "bert", x: [0, 500], y: [0.6, 0.9], lower: [0.5, 0.85], upper: [0.7, 0.95] }]),
 * );
 * marks.length; // 2
 * ```
 */
export function intervalMarks(thresholds: ThresholdMark[], rows: CurveRow[]): Plot.Markish[] {
  const cis = thresholds.filter((t) => t.ci).map((t) => ({
    model: t.model,
    x1: t.ci![0],
    x2: t.ci![1],
  }));
  const bands = rows.filter((d) => d.lower !== undefined && d.upper !== undefined);
  return [
    Plot.rectX(cis, { x1: "x1", x2: "x2", fy: "model", fill: "orange", fillOpacity: 0.15 }),
    Plot.areaY(bands, {
      x: "x",
      y1: "lower",
      y2: "upper",
      fy: "model",
      fill: "steelblue",
      fillOpacity: 0.2,
    }),
  ];
}

/**
 * Each threshold's label, `threshold <value>` at the top of its panel just right of
 * its rule, the value written by `format`.
 *
 * @example
 * ```ts
 * thresholdLabels([{ model: "bert", threshold: 480.4 }], (v) => v.toFixed(0)); // "threshold 480"
 * ```
 */
export function thresholdLabels(
  thresholds: ThresholdMark[],
  format: (value: number) => string,
): Plot.Markish {
  return Plot.text(thresholds, {
    x: "threshold",
    fy: "model",
    frameAnchor: "top",
    dy: 6,
    dx: 4,
    textAnchor: "start",
    text: (t: ThresholdMark) => `threshold ${format(t.threshold)}`,
  });
}
