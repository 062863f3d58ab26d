/**
 * Figures of the study's analysis with Observable Plot: F1 against a predictor
 * (training sentences or EPS), one panel per model, with the runs as dots, the
 * fitted threshold model as a line, the threshold as a rule over its shaded
 * confidence interval, and a smoothed curve with its pointwise band (the paper's
 * Figure 1). Threshold fit and smoother are drawn in different colours, which
 * {@link learningCurvePlot} (one style for all fits) does not do.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { type Figure, plotFigure } from "./display.ts";
import type { CurveFit, CurvePoint, ThresholdMark } from "./study_plots.ts";
import { curveRows, intervalMarks, thresholdLabels } from "./curve_marks.ts";
import type { ThresholdResult } from "../stats/threshold.ts";

/**
 * The fitted threshold model of {@link ThresholdResult} as a polyline over `range`:
 * its corners (the ends of the range and the threshold; for `"step"` the jump is a
 * vertical segment at the threshold). The models are chngpt's: `upperhinge`
 * a + b min(x - e, 0), `hinge` a + b max(x - e, 0), `segmented` a + b1 x + b2 max(x - e, 0),
 * `step` a + b I(x >= e).
 *
 * @example
 * ```ts
 * const line = thresholdFitLine({ type: "upperhinge", threshold: 500,
 *   coefficients: { "(Intercept)": 0.9, "(x-e)-": 0.0006 } }, [100, 1000]);
 * line.x; // [100, 500, 1000]
 * line.y; // [0.66, 0.9, 0.9]
 * ```
 */
export function thresholdFitLine(
  fit: Pick<ThresholdResult, "type" | "threshold" | "coefficients">,
  range: [number, number],
): { x: number[]; y: number[] } {
  const c = fit.coefficients, e = fit.threshold;
  const a = c["(Intercept)"];
  const lo = Math.min(range[0], e), hi = Math.max(range[1], e);
  const at = (x: number): number => {
    switch (fit.type) {
      case "upperhinge":
        return a + c["(x-e)-"] * Math.min(x - e, 0);
      case "hinge":
        return a + c["(x-e)+"] * Math.max(x - e, 0);
      case "segmented":
        return a + c["x"] * x + c["(x-e)+"] * Math.max(x - e, 0);
      case "step":
        return a + c["I(x>=e)"] * (x >= e ? 1 : 0);
    }
  };
  if (fit.type === "step") {
    return { x: [lo, e, e, hi], y: [a, a, at(e), at(hi)] };
  }
  const x = [lo, e, hi].filter((v, i, all) => i === 0 || v !== all[i - 1]);
  return { x, y: x.map(at) };
}

/**
 * Options of {@link analysisCurvePlot}: axis labels, the threshold fits (lines), the
 * smoothed curves (lines with optional bands), the thresholds with their intervals,
 * the panel order (`models`, default the order of first appearance in the points),
 * how threshold labels are written, size and caption.
 *
 * @example
 * ```ts
 * const o: AnalysisCurveOptions = { xLabel: "Entities per sentence (EPS)", format: (v) => v.toFixed(2) };
 * ```
 */
export type AnalysisCurveOptions = {
  xLabel?: string;
  yLabel?: string;
  thresholdFits?: CurveFit[];
  smooths?: CurveFit[];
  thresholds?: ThresholdMark[];
  models?: string[];
  format?: (value: number) => string;
  width?: number;
  height?: number;
  caption?: string;
};

/**
 * F1 against a predictor, one panel (row) per model: runs as grey dots, smoothed
 * curves in blue with their band, threshold fits in orange, each threshold as an
 * orange rule over its shaded interval and labelled with its value.
 *
 * @example
 * ```ts
 * const fig = analysisCurvePlot(
 *   [{ model: "bert", x: 100, f1: 0.7 }, { model: "bert", x: 900, f1: 0.9 }],
 *   { thresholdFits: [{ model: "bert", x: [100, 500, 900], y: [0.7, 0.9, 0.9] }],
 *     thresholds: [{ model: "bert", threshold: 500, ci: [450, 560] }] },
 * );
 * fig.svg; // standalone SVG
 * ```
 */
export function analysisCurvePlot(
  points: CurvePoint[],
  options: AnalysisCurveOptions = {},
): Figure {
  const models = options.models ?? [...new Set(points.map((p) => p.model))];
  const smooth = curveRows(options.smooths ?? []);
  const fitted = curveRows(options.thresholdFits ?? []);
  const thresholds = options.thresholds ?? [];
  const format = options.format ?? ((v: number) => String(Math.round(v * 100) / 100));
  return plotFigure({
    width: options.width ?? 640,
    height: options.height ?? Math.max(260, 200 * Math.max(models.length, 1)),
    marginRight: 70,
    grid: true,
    caption: options.caption,
    x: { label: options.xLabel ?? "Training sentences" },
    y: { label: options.yLabel ?? "Entity-level F1", nice: true },
    fy: { label: null, domain: models },
    marks: [
      ...intervalMarks(thresholds, smooth), // only the smoothers' bands are drawn
      Plot.dot(points, {
        x: "x",
        y: "f1",
        fy: "model",
        r: 2,
        fill: "gray",
        fillOpacity: 0.5,
      }),
      Plot.line(smooth, { x: "x", y: "y", fy: "model", stroke: "steelblue", strokeWidth: 2 }),
      Plot.line(fitted, { x: "x", y: "y", fy: "model", stroke: "#d95f02", strokeWidth: 2 }),
      Plot.ruleX(thresholds, {
        x: "threshold",
        fy: "model",
        stroke: "#d95f02",
        strokeDasharray: "4,3",
      }),
      thresholdLabels(thresholds, format),
    ],
  });
}
