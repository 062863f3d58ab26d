/**
 * Figures and Jupyter display: Observable Plot figures rendered without a browser, HTML
 * and table displays, the study's plots (agreement heatmap, sampling plan, learning
 * curves with their fitted layers), and the Observable Plot namespace itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Plot, plotFigure } from "./mod.ts";
 * const fig = plotFigure({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * assert.match(fig.svg, /^<svg/);
 * ```
 *
 * @module
 */
export * as Plot from "../deps/plot.ts";
export {
  type Displayable,
  domDocument,
  type Figure,
  formatNumber,
  htmlDisplay,
  inspectDisplay,
  JUPYTER_DISPLAY,
  type MimeBundle,
  plotFigure,
  type TableDisplay,
  tableDisplay,
  type TableLike,
  type TableOptions,
} from "./display.ts";
export { agreementHeatmap, planPlot } from "./study_plots.ts";
export {
  axisDecimals,
  type BreakpointLayerOptions,
  type CurveFit,
  type CurveLayer,
  curveLayer,
  type CurveLayerOptions,
  type CurvePoint,
  learningCurveFitLayer,
  type LearningCurveFitLayerOptions,
  type LearningCurveOptions,
  learningCurvePlot,
  seedSpreadLayer,
  segmentedFitLine,
  segmentedLayer,
  smoothLayer,
  type SmoothLayerOptions,
  type SpreadGroup,
  thresholdFitLine,
  thresholdLayer,
} from "./learning_curve.ts";
