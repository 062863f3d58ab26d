/**
 * Learning curves (the paper's Figure 1): F1 against a predictor (training sentences or
 * EPS), one panel per model, the runs as dots, with layers built from fit results drawn
 * over them: a smoother with its pointwise band ({@link smoothLayer}), a threshold
 * regression with its threshold and bootstrap interval ({@link thresholdLayer}), a
 * segmented regression with its breakpoint ({@link segmentedLayer}), a fitted learning
 * curve with its confidence band, extended past the runs and to target F1 values
 * ({@link learningCurveFitLayer}), the spread of F1 across the seeds of each subsample
 * ({@link seedSpreadLayer}), or any curve ({@link curveLayer}). Each layer also says what it
 * draws, so the caption and the plain-text summary describe exactly the layers that have
 * something to draw.
 *
 * @module
 */
import * as Plot from "../deps/plot.ts";
import { type Figure, formatNumber, plotFigure } from "./display.ts";
import type { ThresholdResult } from "../stats/threshold.ts";
import type { SegmentedFit } from "../stats/segmented.ts";
import {
  type LearningCurveFit,
  predictLearningCurve,
  sizeForTarget,
} from "../stats/learning_curve.ts";
import { tQuantileOf } from "../stats/distributions.ts";

/**
 * One scored run: which model, the predictor value and its F1.
 */
export type CurvePoint = { model: string; x: number; f1: number };

/**
 * A curve for one model (a fit's line or a smoother), with an optional pointwise band.
 */
export type CurveFit = {
  model: string;
  x: number[];
  y: number[];
  lower?: number[];
  upper?: number[];
};

/**
 * A part of a learning-curve figure: its Plot marks (faceted by `model`), what it shows
 * for the caption (empty when it draws nothing), one note per model for the plain-text
 * summary, and the y values it draws (so the F1 axis covers them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type CurveLayer, curveLayer } from "./learning_curve.ts";
 * const layer: CurveLayer = curveLayer([{ model: "bert", x: [0, 1], y: [0.5, 0.9] }],
 *   { caption: "a line" });
 * assert.equal(layer.caption, "a line (blue line)");
 * ```
 */
export type CurveLayer = {
  marks: Plot.Markish[];
  caption: string;
  notes: { model: string; text: string }[];
  y: number[];
};

const SMOOTH = "steelblue", FIT = "#d95f02", SEGMENTED = "#7570b3", POWER = "#1b9e77";
const COLOUR_NAMES: Record<string, string> = {
  [SMOOTH]: "blue",
  [FIT]: "orange",
  [SEGMENTED]: "purple",
  [POWER]: "green",
};

function curveRows(fits: readonly CurveFit[]) {
  return fits.flatMap((f) =>
    f.x.map((x, i) => ({ model: f.model, x, y: f.y[i], lower: f.lower?.[i], upper: f.upper?.[i] }))
  );
}

/**
 * Decimals for values on an axis spanning `span` units: 0 from 100 up, 1 from 10, else 2.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { axisDecimals } from "./learning_curve.ts";
 * assert.equal(axisDecimals(980), 0);
 * assert.equal(axisDecimals(4.4), 2);
 * ```
 */
export function axisDecimals(span: number): number {
  return span >= 100 ? 0 : span >= 10 ? 1 : 2;
}

/**
 * Options of {@link curveLayer}: line colour (default steelblue), dashed or not, what the
 * layer is called in the caption (default "fitted curve"), and the opacity of the bands.
 */
export type CurveLayerOptions = {
  stroke?: string;
  dashed?: boolean;
  caption?: string;
  bandOpacity?: number;
};

/**
 * Curves as a layer: a line per curve, and its pointwise band shaded where it has one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveLayer } from "./learning_curve.ts";
 * const layer = curveLayer([{ model: "bert", x: [100, 900], y: [0.6, 0.9] }], { stroke: "black" });
 * assert.equal(layer.caption, "fitted curve (black line)");
 * ```
 */
export function curveLayer(
  curves: readonly CurveFit[],
  options: CurveLayerOptions = {},
): CurveLayer {
  const rows = curveRows(curves);
  const stroke = options.stroke ?? SMOOTH;
  const bands = rows.filter((d) => d.lower !== undefined && d.upper !== undefined);
  const name = COLOUR_NAMES[stroke] ?? (stroke.startsWith("#") ? "" : stroke);
  const colour = name ? ` (${name}${options.dashed ? " dashed" : ""} line)` : "";
  return {
    marks: [
      Plot.areaY(bands, {
        x: "x",
        y1: "lower",
        y2: "upper",
        fy: "model",
        fill: stroke,
        fillOpacity: options.bandOpacity ?? 0.2,
        clip: true,
      }),
      Plot.line(rows, {
        x: "x",
        y: "y",
        fy: "model",
        z: "model",
        stroke,
        strokeWidth: 2,
        strokeDasharray: options.dashed ? "5,3" : undefined,
        clip: true,
      }),
    ],
    caption: rows.length > 0 ? `${options.caption ?? "fitted curve"}${colour}` : "",
    notes: [],
    y: rows.flatMap((d) => [d.y, d.lower ?? d.y, d.upper ?? d.y]),
  };
}

/**
 * Options of {@link smoothLayer}: the level of the bands (for the caption, default 0.95)
 * and the smoother's name (default "smooth").
 */
export type SmoothLayerOptions = { level?: number; name?: string };

/**
 * Smoothed curves (`smoothSpline` or `loess` results) as a layer: a blue line per model with
 * its pointwise band.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { smoothSpline } from "../stats/smooth.ts";
 * import { smoothLayer } from "./learning_curve.ts";
 * const x = [100, 200, 300, 400, 500, 600, 700, 800], y = [0.5, 0.62, 0.7, 0.76, 0.8, 0.82, 0.83, 0.83];
 * const layer = smoothLayer([{ model: "bert", fit: smoothSpline(x, y, { k: 5 }) }]);
 * assert.equal(layer.caption, "smooth (blue) with its 95% pointwise band");
 * ```
 */
export function smoothLayer(
  smooths: readonly {
    model: string;
    fit: { x: number[]; fit: number[]; lower?: number[]; upper?: number[] };
  }[],
  options: SmoothLayerOptions = {},
): CurveLayer {
  const level = Math.round((options.level ?? 0.95) * 100);
  const layer = curveLayer(
    smooths.map(({ model, fit }) => ({
      model,
      x: fit.x,
      y: fit.fit,
      lower: fit.lower,
      upper: fit.upper,
    })),
    { stroke: SMOOTH },
  );
  const banded = smooths.some(({ fit }) => fit.lower && fit.upper);
  layer.caption = smooths.length === 0
    ? ""
    : `${options.name ?? "smooth"} (blue)${banded ? ` with its ${level}% pointwise band` : ""}`;
  return layer;
}

/**
 * The fitted threshold model of a {@link ThresholdResult} as a polyline over `range`:
 * its corners (the ends of the range and the threshold; for `"step"` the jump is a
 * vertical segment at the threshold). The models are chngpt's: `upperhinge`
 * a + b min(x - e, 0), `hinge` a + b max(x - e, 0), `segmented` a + b1 x + b2 max(x - e, 0),
 * `step` a + b I(x >= e).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdFitLine } from "./learning_curve.ts";
 * const line = thresholdFitLine({ type: "upperhinge", threshold: 500,
 *   coefficients: { "(Intercept)": 0.9, "(x-e)-": 0.0005 } }, [100, 1000]);
 * assert.deepEqual(line, { x: [100, 500, 1000], y: [0.7, 0.9, 0.9] });
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
 * The broken line of a {@link SegmentedFit} over `range`: the ends and the breakpoint ψ,
 * y = b0 + b1 x + b2 max(x - ψ, 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentedFitLine } from "./learning_curve.ts";
 * const line = segmentedFitLine({ psi: 3, coefficients: { "(Intercept)": 1, x: 2, "U1.x": -1.5 } },
 *   [0, 10]);
 * assert.deepEqual(line, { x: [0, 3, 10], y: [1, 7, 10.5] });
 * ```
 */
export function segmentedFitLine(
  fit: Pick<SegmentedFit, "psi" | "coefficients">,
  range: [number, number],
): { x: number[]; y: number[] } {
  const c = fit.coefficients;
  const lo = Math.min(range[0], fit.psi), hi = Math.max(range[1], fit.psi);
  const x = [lo, fit.psi, hi].filter((v, i, all) => i === 0 || v !== all[i - 1]);
  return {
    x,
    y: x.map((v) => c["(Intercept)"] + c.x * v + c["U1.x"] * Math.max(v - fit.psi, 0)),
  };
}

type Breakpoint = { model: string; at: number; ci?: [number, number]; range: [number, number] };

/** A breakpoint's marks: its interval shaded, a dashed rule, and a label at the panel's top. */
function breakpointMarks(
  points: Breakpoint[],
  stroke: string,
  name: string,
  format: (v: number) => string,
): Plot.Markish[] {
  const label = (b: Breakpoint) =>
    `${name} ${format(b.at)}` + (b.ci ? ` (${format(b.ci[0])}–${format(b.ci[1])})` : "");
  // Labels of breakpoints in the right part of their range go to the rule's left.
  const right = (b: Breakpoint) =>
    b.range[1] > b.range[0] && (b.at - b.range[0]) / (b.range[1] - b.range[0]) > 0.6;
  const labelMark = (side: Breakpoint[], anchor: "start" | "end") =>
    Plot.text(side, {
      x: "at",
      fy: "model",
      frameAnchor: "top",
      lineAnchor: "top",
      dy: 3,
      dx: anchor === "start" ? 4 : -4,
      textAnchor: anchor,
      fill: stroke,
      fontWeight: "bold",
      text: label,
    });
  const cis = points.filter((b) => b.ci).map((b) => ({
    model: b.model,
    x1: b.ci![0],
    x2: b.ci![1],
  }));
  return [
    Plot.rectX(cis, { x1: "x1", x2: "x2", fy: "model", fill: stroke, fillOpacity: 0.12 }),
    Plot.ruleX(points, { x: "at", fy: "model", stroke, strokeDasharray: "4,3", strokeWidth: 1.5 }),
    labelMark(points.filter((b) => !right(b)), "start"),
    labelMark(points.filter(right), "end"),
  ];
}

/**
 * Options of {@link thresholdLayer} and {@link segmentedLayer}: how values are written in
 * the labels (default: decimals for the span of the model's range, {@link axisDecimals}),
 * and the interval's level for the caption (default: the fit's own, else 0.95).
 */
export type BreakpointLayerOptions = { format?: (value: number) => string; level?: number };

function defaultFormat(range: [number, number]): (v: number) => string {
  const d = axisDecimals(range[1] - range[0]);
  return (v) => formatNumber(v, d);
}

/**
 * Threshold regressions ({@link ThresholdResult}s of `thresholdRegression`) as a layer:
 * the fitted threshold model as an orange line over the model's predictor range, the
 * threshold as a dashed rule over its shaded bootstrap interval, labelled with both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { thresholdRegression } from "../stats/threshold.ts";
 * import { thresholdLayer } from "./learning_curve.ts";
 * const x = [100, 200, 300, 400, 500, 600, 700, 800], y = [0.5, 0.6, 0.7, 0.8, 0.82, 0.8, 0.81, 0.8];
 * const fit = thresholdRegression(x, y, { type: "upperhinge" });
 * const layer = thresholdLayer([{ model: "bert", fit, range: [100, 800] }]);
 * assert.equal(layer.notes[0].text, "upperhinge threshold 400");
 * ```
 */
export function thresholdLayer(
  given: readonly { model: string; fit: ThresholdResult; range: [number, number] }[],
  options: BreakpointLayerOptions = {},
): CurveLayer {
  // A NaN threshold (data that cannot show one) draws nothing and says so.
  const fits = given.filter((f) => Number.isFinite(f.fit.threshold));
  const none = given.filter((f) => !Number.isFinite(f.fit.threshold)).map(({ model, fit }) => ({
    model,
    text: `${fit.type} threshold: none (the data cannot show one)`,
  }));
  const lines = curveLayer(
    fits.map(({ model, fit, range }) => ({ model, ...thresholdFitLine(fit, range) })),
    { stroke: FIT },
  );
  const points = fits.map(({ model, fit, range }) => ({
    model,
    at: fit.threshold,
    ci: fit.ci,
    range,
  }));
  const formats = new Map(
    fits.map(({ model, range }) => [model, options.format ?? defaultFormat(range)]),
  );
  const format = (model: string) => formats.get(model)!;
  const types = [...new Set(fits.map((f) => f.fit.type))].join("/");
  const withCi = fits.some((f) => f.fit.ci);
  const level = Math.round((options.level ?? fits[0]?.fit.level ?? 0.95) * 100);
  return {
    marks: [
      ...lines.marks,
      ...points.flatMap((b) => breakpointMarks([b], FIT, "threshold", format(b.model))),
    ],
    caption: fits.length === 0 ? "" : `${types} threshold fit (orange line) with the threshold ` +
      `(dashed)${withCi ? ` and its ${level}% bootstrap interval (shaded)` : ""}`,
    notes: [
      ...fits.map(({ model, fit }) => {
        const f = format(model);
        return {
          model,
          text: `${fit.type} threshold ${f(fit.threshold)}` +
            (fit.ci ? ` (${level}% CI ${f(fit.ci[0])}–${f(fit.ci[1])})` : ""),
        };
      }),
      ...none,
    ],
    y: lines.y,
  };
}

/**
 * Segmented regressions ({@link SegmentedFit}s of `segmentedRegression`) as a layer: the
 * broken line in purple, the breakpoint ψ as a dashed rule over its shaded interval,
 * labelled with both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { segmentedRegression } from "../stats/segmented.ts";
 * import { segmentedLayer } from "./learning_curve.ts";
 * const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], y = [1, 2, 3, 4, 5, 5.1, 5, 5.2, 5.1, 5];
 * const fit = segmentedRegression(x, y);
 * const layer = segmentedLayer([{ model: "bert", fit, range: [1, 10] }]);
 * assert.match(layer.caption, /^segmented fit/);
 * ```
 */
export function segmentedLayer(
  given: readonly { model: string; fit: SegmentedFit; range: [number, number] }[],
  options: BreakpointLayerOptions = {},
): CurveLayer {
  // A NaN breakpoint (data that cannot show one) draws nothing and says so.
  const fits = given.filter((f) => Number.isFinite(f.fit.psi));
  const none = given.filter((f) => !Number.isFinite(f.fit.psi)).map(({ model }) => ({
    model,
    text: "segmented ψ: none (the data cannot show one)",
  }));
  const lines = curveLayer(
    fits.map(({ model, fit, range }) => ({ model, ...segmentedFitLine(fit, range) })),
    { stroke: SEGMENTED },
  );
  const formats = new Map(
    fits.map(({ model, range }) => [model, options.format ?? defaultFormat(range)]),
  );
  const level = Math.round((options.level ?? 0.95) * 100);
  return {
    marks: [
      ...lines.marks,
      ...fits.flatMap(({ model, fit, range }) =>
        breakpointMarks(
          [{ model, at: fit.psi, ci: fit.ci, range }],
          SEGMENTED,
          "ψ",
          formats.get(model)!,
        )
      ),
    ],
    caption: fits.length === 0
      ? ""
      : `segmented fit (purple line) with the breakpoint ψ (dashed) and its ${level}% interval (shaded)`,
    notes: [
      ...fits.map(({ model, fit }) => {
        const f = formats.get(model)!;
        return {
          model,
          text: `segmented ψ ${f(fit.psi)} (${level}% CI ${f(fit.ci[0])}–${f(fit.ci[1])})`,
        };
      }),
      ...none,
    ],
    y: lines.y,
  };
}

/**
 * Options of {@link learningCurveFitLayer}: the level of the band (default 0.95), the size
 * to draw the curve to (default the largest size sampled; past it the curve is dashed), the
 * target F1 values to draw as grey rules and to name the size of in the notes, and how many
 * sizes the curve is evaluated at (default 80). A model's own `to` and `targets` (given
 * with its fit) take the place of these.
 */
export type LearningCurveFitLayerOptions = {
  level?: number;
  to?: number;
  targets?: number[];
  points?: number;
};

const MODEL_NAMES: Record<LearningCurveFit["model"], string> = {
  "inverse-power-law": "power-law",
  exponential: "exponential",
  logarithmic: "logarithmic",
};

/**
 * Fitted learning curves (`fitLearningCurve` results) as a layer: the curve in green with
 * its confidence band of the mean from the smallest size sampled to `to`, dashed past the
 * largest size sampled, target F1 values as grey rules in the panels of the models they
 * are for, a green diamond where the curve reaches a target (within `to`, as
 * `sizeForTarget` gives it), and per model a note with the asymptote and the size reaching each target
 * (`sizeForTarget`, or why there is none). A fit that did not converge draws nothing and
 * says why.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fitLearningCurve } from "../stats/learning_curve.ts";
 * import { learningCurveFitLayer } from "./learning_curve.ts";
 * const x = [50, 100, 150, 200, 300, 400], y = [0.62, 0.695, 0.74, 0.755, 0.787, 0.799];
 * const layer = learningCurveFitLayer([{ model: "bert", fit: fitLearningCurve(x, y) }], {
 *   to: 600,
 *   targets: [0.8],
 * });
 * assert.equal(
 *   layer.notes[0].text,
 *   "power-law fit: asymptote 0.910 (95% CI 0.793–1.027); F1 0.8 at 398 (95% CI 353–496)",
 * );
 * ```
 */
export function learningCurveFitLayer(
  given: readonly { model: string; fit: LearningCurveFit; to?: number; targets?: number[] }[],
  options: LearningCurveFitLayerOptions = {},
): CurveLayer {
  const level = options.level ?? 0.95;
  const pct = Math.round(level * 100);
  const targetsOf = (g: { targets?: number[] }) => g.targets ?? options.targets ?? [];
  const count = options.points ?? 80;
  const fits = given.filter((g) => g.fit.converged);
  const curves = fits.map(({ model, fit, to }) => {
    const lo = Math.min(...fit.x), hi = Math.max(to ?? options.to ?? fit.maxX, fit.maxX);
    const sizes = [
      ...new Set([
        ...Array.from({ length: count }, (_, i) => lo + ((hi - lo) * i) / (count - 1)),
        fit.maxX,
      ]),
    ].sort((u, v) => u - v);
    const p = sizes.map((n) => predictLearningCurve(fit, n, { level, maxExtrapolation: Infinity }));
    const part = (keep: (n: number) => boolean) => {
      const i = sizes.flatMap((n, j) => (keep(n) ? [j] : []));
      return {
        model,
        x: i.map((j) => sizes[j]),
        y: i.map((j) => p[j].estimate),
        lower: i.map((j) => p[j].ci[0]),
        upper: i.map((j) => p[j].ci[1]),
      };
    };
    return { inside: part((n) => n <= fit.maxX), beyond: part((n) => n >= fit.maxX) };
  });
  const inside = curveLayer(curves.map((c) => c.inside), { stroke: POWER });
  const beyond = curveLayer(curves.map((c) => c.beyond).filter((c) => c.x.length > 1), {
    stroke: POWER,
    dashed: true,
  });
  const extended = beyond.y.length > 0;
  const f = (v: number) => formatNumber(v, 3);
  const size = (v: number) => formatNumber(v, 0);
  const notes = given.map((g) => {
    const { model, fit } = g;
    if (!fit.converged) {
      return { model, text: `${MODEL_NAMES[fit.model]} fit: none (${fit.reason})` };
    }
    const parts = [];
    if (fit.model !== "logarithmic") {
      const half = tQuantileOf(1 - (1 - level) / 2, fit.df) * fit.standardErrors[0];
      const a = fit.parameters.a;
      parts.push(`asymptote ${f(a)} (${pct}% CI ${f(a - half)}–${f(a + half)})`);
    }
    for (const target of targetsOf(g)) {
      const s = sizeForTarget(fit, target, { level });
      parts.push(
        s.reachable
          ? `F1 ${target} at ${size(s.estimate)} (${pct}% CI ${size(s.ci[0])}–${size(s.ci[1])})`
          : `F1 ${target}: ${s.note}`,
      );
    }
    return { model, text: `${MODEL_NAMES[fit.model]} fit: ${parts.join("; ")}` };
  });
  const kinds = [...new Set(fits.map((g) => MODEL_NAMES[g.fit.model]))].join("/");
  const drawn = fits.length > 0;
  const targets = fits.flatMap((g) => targetsOf(g).map((target) => ({ model: g.model, target })));
  // where each curve reaches its targets (within its extent)
  const reached = fits.flatMap((g) =>
    targetsOf(g).flatMap((target) => {
      const s = sizeForTarget(g.fit, target, { level });
      const to = Math.max(g.to ?? options.to ?? g.fit.maxX, g.fit.maxX);
      return s.reachable && s.estimate <= to ? [{ model: g.model, x: s.estimate, target }] : [];
    })
  );
  return {
    marks: [
      ...inside.marks,
      ...beyond.marks,
      ...(targets.length > 0
        ? [
          Plot.ruleY(targets, { y: "target", fy: "model", stroke: "#888", strokeDasharray: "2,3" }),
          Plot.text(targets, {
            y: "target",
            fy: "model",
            frameAnchor: "right",
            textAnchor: "end",
            dx: -4,
            dy: -6,
            fill: "#666",
            text: (t: { target: number }) => `F1 ${t.target}`,
          }),
          Plot.dot(reached, {
            x: "x",
            y: "target",
            fy: "model",
            symbol: "diamond",
            r: 4,
            fill: POWER,
            stroke: "white",
          }),
        ]
        : []),
    ],
    caption: drawn
      ? `${kinds} learning-curve fit (green line) with its ${pct}% confidence band` +
        (extended ? ", dashed past the largest size sampled" : "") +
        (targets.length > 0
          ? "; target F1 (grey rules)" +
            (reached.length > 0 ? ", reached where the curve is marked (green diamonds)" : "")
          : "")
      : "",
    notes,
    y: [...inside.y, ...beyond.y, ...targets.map((t) => t.target)],
  };
}

/**
 * The subsamples of {@link seedSpreadLayer}: a model, the subsample's size and the lowest
 * and highest F1 of its runs with different seeds.
 */
export type SpreadGroup = { model: string; x: number; min: number; max: number };

/**
 * The spread of F1 across the seeds of each subsample (a study's replicates) as a layer:
 * a dark vertical rule from the lowest to the highest F1 of each subsample, and per model
 * a note with how many subsamples and the widest range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { seedSpreadLayer } from "./learning_curve.ts";
 * const layer = seedSpreadLayer([{ model: "bert", x: 240, min: 0.78, max: 0.8 },
 *   { model: "bert", x: 480, min: 0.84, max: 0.85 }]);
 * assert.equal(layer.notes[0].text, "2 subsamples trained with several seeds: F1 range up to 0.020");
 * assert.match(layer.caption, /lowest to highest F1 of each subsample's seeds/);
 * ```
 */
export function seedSpreadLayer(groups: readonly SpreadGroup[]): CurveLayer {
  const models = [...new Set(groups.map((g) => g.model))];
  return {
    marks: [
      Plot.ruleX(groups, {
        x: "x",
        y1: "min",
        y2: "max",
        fy: "model",
        stroke: "#333",
        strokeWidth: 1.5,
        strokeOpacity: 0.8,
      }),
    ],
    caption: groups.length > 0
      ? "the lowest to highest F1 of each subsample's seeds (dark vertical rules)"
      : "",
    notes: models.map((model) => {
      const mine = groups.filter((g) => g.model === model);
      const widest = Math.max(...mine.map((g) => g.max - g.min));
      return {
        model,
        text: `${mine.length} subsample${mine.length === 1 ? "" : "s"} trained with several ` +
          `seeds: F1 range up to ${formatNumber(widest, 3)}`,
      };
    }),
    y: groups.flatMap((g) => [g.min, g.max]),
  };
}

/** "Training sentences" -> "training sentences", but "EPS" stays. */
function lowerFirst(s: string): string {
  return /^[A-Z][a-z]/.test(s) ? s[0].toLowerCase() + s.slice(1) : s;
}

/**
 * Options of {@link learningCurvePlot}: axis labels, the layers drawn over the runs, the
 * panel order (`models`, default the order of first appearance in the points), size, and
 * the caption (default: what the runs and each non-empty layer show).
 */
export type LearningCurveOptions = {
  xLabel?: string;
  yLabel?: string;
  layers?: CurveLayer[];
  models?: string[];
  width?: number;
  panelHeight?: number;
  caption?: string;
};

/**
 * F1 against a predictor, one panel (row) per model titled with its name: the runs as
 * grey dots and the layers over them. The F1 axis runs from 0 to the next tenth above
 * what is drawn (at most 1, at least 0.1, so an all-zero F1 still has an axis).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { curveLayer, learningCurvePlot } from "./learning_curve.ts";
 * const fig = learningCurvePlot(
 *   [{ model: "bert", x: 100, f1: 0.7 }, { model: "bert", x: 900, f1: 0.9 }],
 *   { layers: [curveLayer([{ model: "bert", x: [100, 900], y: [0.7, 0.9] }])] },
 * );
 * assert.match(fig.text, /^learning curves, F1 against training sentences:\nbert: 2 runs/);
 * ```
 */
export function learningCurvePlot(
  points: readonly CurvePoint[],
  options: LearningCurveOptions = {},
): Figure {
  const models = options.models ?? [...new Set(points.map((p) => p.model))];
  const layers = options.layers ?? [];
  const xLabel = options.xLabel ?? "Training sentences";
  const drawn = [...points.map((p) => p.f1), ...layers.flatMap((l) => l.y)].filter(Number.isFinite);
  const top = Math.min(1, Math.max(0.1, Math.ceil(Math.max(0, ...drawn) * 10 - 1e-9) / 10));
  const panel = options.panelHeight ?? 190;
  const marginTop = 26, marginBottom = 40, gap = 34;
  const height = marginTop + marginBottom + models.length * panel + (models.length - 1) * gap;
  const shown = layers.map((l) => l.caption).filter((c) => c);
  const caption = options.caption ??
    `F1 against ${lowerFirst(xLabel)}, one panel per model: runs (grey dots)` +
      (shown.length > 0 ? `, ${shown.join("; ")}` : "") + ".";
  const summary = models.map((m) => {
    const f1 = points.filter((p) => p.model === m).map((p) => p.f1);
    const range = f1.length > 0
      ? `, F1 ${formatNumber(Math.min(...f1), 3)}–${formatNumber(Math.max(...f1), 3)}`
      : "";
    const notes = layers.flatMap((l) => l.notes.filter((n) => n.model === m).map((n) => n.text));
    return `${m}: ${f1.length} run${f1.length === 1 ? "" : "s"}${range}` +
      (notes.length > 0 ? `; ${notes.join("; ")}` : "");
  });
  return plotFigure({
    width: options.width ?? 640,
    height,
    marginTop,
    marginBottom,
    marginRight: 16,
    marginLeft: 52,
    caption,
    grid: true,
    x: { label: xLabel, inset: 8 },
    y: {
      label: options.yLabel ?? "Entity-level F1",
      labelAnchor: "center",
      domain: [0, top],
      insetTop: 18,
      insetBottom: 4,
    },
    fy: { domain: models, axis: null, padding: gap / (panel + gap) },
    marks: [
      Plot.frame({ stroke: "#ddd" }),
      Plot.text(models, {
        fy: (m: string) => m,
        frameAnchor: "top-left",
        lineAnchor: "bottom",
        dy: -6,
        fontWeight: "bold",
        fontSize: 12,
        text: (m: string) => m,
      }),
      Plot.dot(points, {
        x: "x",
        y: "f1",
        fy: "model",
        r: 2.5,
        fill: "#555",
        fillOpacity: 0.55,
      }),
      ...layers.flatMap((l) => l.marks),
    ],
  }, {
    text: `learning curves, F1 against ${lowerFirst(xLabel)}:\n${summary.join("\n")}`,
  });
}
