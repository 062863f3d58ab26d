/**
 * The study's analysis, as in Majdik et al. (JMIR AI 2024): per model, the
 * multiple linear regression of entity-level micro F1 on the number of training
 * sentences and on EPS (entities per sentence), single-predictor threshold
 * regressions of F1 on each predictor (where returns diminish, with bootstrap
 * intervals and a test that a threshold exists), Muggeo's segmented regression with
 * Davies' test for each predictor, and a smoothed curve per predictor (the paper's
 * Figure 1 "fit with a generalized additive model"). Looking forward, the annotation
 * planner (planner.ts): learning curves fitted to F1 against sentences, compared by AIC,
 * checked and backtested, and the sentences (and cost) that reach target F1 values. Where
 * a subsample was trained with several seeds (`plan.replicates`), the spread across seeds:
 * the pooled within-subsample standard deviation of F1 (Reimers and Gurevych, EMNLP 2017:
 * the seed alone moves NER F1 by about a point).
 *
 * The results are a study's runs ({@link RunResult}) or plain rows ({@link ResultRow}:
 * model, sentences, EPS, F1). {@link analyzeResults} is a pure function of them: every
 * number is what lib/stats gives on the runs of a model, in the order of the results,
 * so it has that module's references: `ols` (statsmodels 0.13 / R `lm`),
 * `thresholdRegression` (chngpt-style grid search), `segmentedRegression` and
 * `daviesTest` (R's segmented 1.6), `smoothSpline` (mgcv `gam(y ~ s(x, bs = "cr"))`)
 * and `loess` (R's `loess`, exact surface).
 *
 * @module
 */
import { type ColumnTable, table } from "../deps/arquero.ts";
import type { RunResult } from "./results.ts";
import { ols, type OlsResult } from "../stats/ols.ts";
import {
  thresholdRegression,
  type ThresholdResult,
  type ThresholdType,
} from "../stats/threshold.ts";
import {
  type DaviesResult,
  daviesTest,
  type SegmentedFit,
  segmentedRegression,
} from "../stats/segmented.ts";
import { loess, type LoessFit, smoothSpline, type SmoothSplineFit } from "../stats/smooth.ts";
import { type AnnotationPlan, checkPlanOptions, planAnnotation } from "./planner.ts";

/**
 * A result as a plain row: training sentences, EPS and entity-level F1 of one run, and
 * its model (rows without a model are one model, named "all") and subsample (rows of one
 * subsample are replicates: the same data, other seeds).
 */
export type ResultRow = {
  model?: string;
  subsample?: string;
  sentences: number;
  eps: number;
  f1: number;
};

/**
 * Options of {@link analyzeResults}.
 *
 * - `bootstrap`: bootstrap replicates of each threshold regression (default 1000).
 * - `testReplicates`: parametric-bootstrap replicates of the test that a threshold
 *   exists (`pExists`; default = `bootstrap`).
 * - `seed`: seed of every threshold regression's bootstrap (default 1; the test uses `seed + 1`).
 * - `type`: threshold model (default `"upperhinge"`: a slope, then flat).
 * - `smoother`: `"spline"` (default; penalized regression spline, mgcv-style) or `"loess"`.
 * - `level`: confidence level of every interval (default 0.95).
 * - `minRuns`: fewer runs of a model than this get a note instead of regressions (default 10).
 * - `grid`: number of points of each smoothed curve (default 100).
 * - `targets`: F1 targets of the annotation planner, each in (0, 1) (default: per model,
 *   the fitted F1 at the largest size sampled + 0.05; see planner.ts).
 * - `cost`: the cost of annotating one sentence (default: none, no costs reported).
 * - `current`: the corpus the planner counts more sentences from, in sentences (the
 *   study's training pool; default: each model's largest training size).
 * - `fraction`: the planner's backtest fits on the runs up to this fraction of the
 *   largest size and predicts the rest (default 0.5).
 */
export type AnalysisOptions = {
  bootstrap?: number;
  testReplicates?: number;
  seed?: number;
  type?: ThresholdType;
  smoother?: "spline" | "loess";
  level?: number;
  minRuns?: number;
  grid?: number;
  targets?: number[];
  cost?: number;
  current?: number;
  fraction?: number;
};

/**
 * {@link AnalysisOptions} with every default filled in (recorded in the analysis);
 * `targets` null for the planner's default, `cost` and `current` null when not given.
 */
export type ResolvedAnalysisOptions =
  & Required<Omit<AnalysisOptions, "targets" | "cost" | "current">>
  & { targets: number[] | null; cost: number | null; current: number | null };

/**
 * The two predictors of the study: training sentences and entities per sentence.
 */
export type Predictor = "sentences" | "eps";

/**
 * The single-predictor analyses of F1 on one predictor for one model. A part that
 * could not be fitted is `null`, with the reason in `notes`.
 */
export type PredictorAnalysis = {
  predictor: Predictor;
  range: [number, number];
  threshold: ThresholdResult | null;
  segmented: SegmentedFit | null;
  davies: DaviesResult | null;
  smooth: SmoothSplineFit | LoessFit | null;
  notes: string[];
};

/**
 * The spread of F1 across the runs of one model at one training size (sentences):
 * several seeds, or repeated subsamples of the same size. `sd` is the sample standard
 * deviation (n - 1).
 */
export type SizeSpread = {
  sentences: number;
  n: number;
  mean: number;
  sd: number;
  min: number;
  max: number;
};

/**
 * F1 across the replicates of one subsample (runs of the same data with other seeds):
 * how many, their mean, sample standard deviation (n - 1), minimum and maximum.
 */
export type ReplicateGroup = SizeSpread & { subsample: string };

/**
 * The spread of F1 across seeds for one model: the pooled within-subsample standard
 * deviation, sqrt(sum (n_i - 1) s_i^2 / sum (n_i - 1)) over the subsamples trained more
 * than once (NaN when none was), its degrees of freedom `df` = sum (n_i - 1), how many
 * such subsamples and runs there are, and the subsamples themselves (in order of first
 * appearance).
 */
export type SeedSpread = {
  sd: number;
  df: number;
  subsamples: number;
  runs: number;
  groups: ReplicateGroup[];
};

/**
 * The analysis of one model's runs: summary of F1, the two-predictor OLS
 * (`f1 ~ sentences + eps`) and the analyses per predictor. `notes` holds every
 * warning and reason for a missing part (including OLS's own warnings and the
 * notes of fits that the data cannot support). `learnedNothing` is true when every
 * run scored F1 = 0 (then nothing is fitted). `spread` gives F1 at each size
 * (sentences) that two or more runs share, ascending; `seeds` the spread across the
 * replicates of a subsample; `planner` the annotation plan (null where the regressions
 * are not fitted, or the sizes do not vary), with its own notes.
 */
export type ModelAnalysis = {
  model: string;
  n: number;
  f1: { mean: number; sd: number; min: number; max: number };
  ols: OlsResult | null;
  sentences: PredictorAnalysis;
  eps: PredictorAnalysis;
  learnedNothing: boolean;
  spread: SizeSpread[];
  seeds: SeedSpread;
  planner: AnnotationPlan | null;
  notes: string[];
};

/**
 * The result of {@link analyzeResults}: the runs analysed (as given), one analysis per model
 * (in order of first appearance), the summary table (one row per model: `model`,
 * `n`, `f1_mean`, `r2`, `f`, `df1`, `df2`, `p`, `sentences_threshold`,
 * `sentences_lo`, `sentences_hi`, `sentences_p_exists`, the same four for `eps`, the
 * seed spread `seed_sd` and `seed_subsamples`, and the planner's `curve` (the model
 * chosen by AIC, "" for none); NaN where a number is not available), the options used,
 * all notes prefixed with their model, and a note counting the runs whose lines carry
 * warnings (the first named).
 */
export type Analysis<R extends RunResult | ResultRow = RunResult> = {
  runs: R[];
  models: ModelAnalysis[];
  summary: ColumnTable;
  options: ResolvedAnalysisOptions;
  warnings: string[];
};

const THRESHOLD_TYPES: ThresholdType[] = ["upperhinge", "hinge", "segmented", "step"];

function resolveOptions(opts: AnalysisOptions): ResolvedAnalysisOptions {
  const bootstrap = opts.bootstrap ?? 1000;
  const o: ResolvedAnalysisOptions = {
    bootstrap,
    testReplicates: opts.testReplicates ?? bootstrap,
    seed: opts.seed ?? 1,
    type: opts.type ?? "upperhinge",
    smoother: opts.smoother ?? "spline",
    level: opts.level ?? 0.95,
    minRuns: opts.minRuns ?? 10,
    grid: opts.grid ?? 100,
    targets: opts.targets ? [...opts.targets] : null,
    cost: opts.cost ?? null,
    current: opts.current ?? null,
    fraction: opts.fraction ?? 0.5,
  };
  checkPlanOptions("analyzeResults", opts);
  if (!THRESHOLD_TYPES.includes(o.type)) {
    throw new Error(
      `analyzeResults: unknown threshold type "${o.type}" (${THRESHOLD_TYPES.join(", ")})`,
    );
  }
  if (o.smoother !== "spline" && o.smoother !== "loess") {
    throw new Error(`analyzeResults: unknown smoother "${o.smoother}" (spline, loess)`);
  }
  for (const key of ["bootstrap", "testReplicates", "minRuns"] as const) {
    if (!Number.isInteger(o[key]) || o[key] < 0) {
      throw new Error(`analyzeResults: ${key} must be a non-negative integer, got ${o[key]}`);
    }
  }
  if (!Number.isSafeInteger(o.seed)) {
    throw new Error(`analyzeResults: seed must be a safe integer, got ${o.seed}`);
  }
  if (!(o.level > 0 && o.level < 1)) {
    throw new Error(`analyzeResults: level must be in (0, 1), got ${o.level}`);
  }
  if (!Number.isInteger(o.grid) || o.grid < 2) {
    throw new Error(`analyzeResults: grid must be an integer >= 2, got ${o.grid}`);
  }
  return o;
}

/** What the analysis reads of one run (`subsample`: undefined for a row that names none). */
type Point = { model: string; subsample?: string; sentences: number; eps: number; f1: number };

/** The model of rows that name none. */
const ONE_MODEL = "all";

/**
 * Reads and checks the numbers the analysis uses; bad input names the run: a full
 * result by its position and id, a plain row by its index. `named` is the index of
 * the first row with a model (-1 if none).
 */
function toPoint(r: RunResult | ResultRow, index: number, named: number): Point {
  if (typeof r !== "object" || r === null) {
    throw new Error(`analyzeResults: results[${index}] is not a result`);
  }
  const full = "micro" in r;
  const where = full ? `run ${index + 1} ("${(r as RunResult).runId}")` : `results[${index}]`;
  let model = r.model;
  if (full && (typeof model !== "string" || model === "")) {
    throw new Error(`analyzeResults: ${where} has no model name`);
  }
  if (!full && model === undefined) {
    if (named >= 0) {
      throw new Error(
        `analyzeResults: ${where} has no model but results[${named}] has one: ` +
          `give every row a model, or none`,
      );
    }
    model = ONE_MODEL;
  }
  if (typeof model !== "string" || model === "") {
    throw new Error(`analyzeResults: ${where} has model = ${String(model)}, not a model name`);
  }
  const values: [string, unknown][] = full
    ? [["micro.f1", (r as RunResult).micro?.f1], ["sentences", r.sentences], ["eps", r.eps]]
    : [["f1", (r as ResultRow).f1], ["sentences", r.sentences], ["eps", r.eps]];
  for (const [name, v] of values) {
    if (!full && !(name in r)) {
      throw new Error(
        `analyzeResults: ${where} has no ${name} (a row needs sentences, eps and f1)`,
      );
    }
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`analyzeResults: ${where} has ${name} = ${String(v)}, not a finite number`);
    }
  }
  const [f1, sentences, eps] = values.map(([, v]) => v as number);
  const subsample = r.subsample;
  if (subsample !== undefined && (typeof subsample !== "string" || subsample === "")) {
    throw new Error(`analyzeResults: ${where} has subsample = ${String(subsample)}, not an id`);
  }
  return { model, subsample, sentences, eps, f1 };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function analyzePredictor(
  predictor: Predictor,
  x: number[],
  y: number[],
  o: ResolvedAnalysisOptions,
  enough: boolean,
): PredictorAnalysis {
  const out: PredictorAnalysis = {
    predictor,
    range: [Math.min(...x), Math.max(...x)],
    threshold: null,
    segmented: null,
    davies: null,
    smooth: null,
    notes: [],
  };
  if (!enough) return out;
  if (out.range[0] === out.range[1]) {
    out.notes.push(
      `${predictor} is constant (${x[0]}) across the runs: no threshold, segmented ` +
        `regression or smooth of F1 on ${predictor}, and its OLS terms are NaN.`,
    );
    return out;
  }
  const attempt = <T>(what: string, fit: () => T): T | null => {
    try {
      return fit();
    } catch (e) {
      out.notes.push(`${what} of F1 on ${predictor} failed: ${message(e)}`);
      return null;
    }
  };
  out.threshold = attempt("threshold regression", () =>
    thresholdRegression(x, y, {
      type: o.type,
      bootstrap: o.bootstrap,
      testReplicates: o.testReplicates,
      seed: o.seed,
      level: o.level,
    }));
  out.segmented = attempt(
    "segmented regression",
    () => segmentedRegression(x, y, { level: o.level }),
  );
  out.davies = attempt("Davies' test", () => daviesTest(x, y));
  out.smooth = attempt(
    o.smoother === "spline" ? "spline smoothing" : "loess",
    () =>
      o.smoother === "spline"
        ? smoothSpline(x, y, { grid: o.grid, level: o.level })
        : loess(x, y, { grid: o.grid, level: o.level }),
  );
  const fitted = [
    ["threshold regression", out.threshold],
    ["segmented regression", out.segmented],
    ["Davies' test", out.davies],
  ] as const;
  for (const [what, fit] of fitted) {
    for (const note of fit?.notes ?? []) {
      out.notes.push(`${what} of F1 on ${predictor}: ${note}`);
    }
  }
  if (out.threshold?.bootstrapFailed) {
    out.notes.push(
      `${out.threshold.bootstrapFailed} of ${o.bootstrap} bootstrap replicates of the ` +
        `threshold on ${predictor} had no usable threshold and were left out of its interval.`,
    );
  }
  if (out.segmented && !out.segmented.converged) {
    out.notes.push(
      `segmented regression on ${predictor}: maximum number of iterations reached ` +
        `(the breakpoint may not have converged).`,
    );
  }
  return out;
}

function analyzeModel(model: string, runs: Point[], o: ResolvedAnalysisOptions): ModelAnalysis {
  const y = runs.map((r) => r.f1);
  const sentences = runs.map((r) => r.sentences);
  const eps = runs.map((r) => r.eps);
  const n = runs.length;
  const mean = y.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : NaN;
  const notes: string[] = [];
  const zeros = y.filter((f) => f === 0).length;
  const learnedNothing = n > 0 && zeros === n;
  const constant = n > 1 && y.every((f) => f === y[0]);
  if (learnedNothing) {
    notes.push(
      `every run scored F1 = 0: the model found no test entity in any run (check the ` +
        `labels, epochs, learning rate and subsample sizes). It learned nothing, so no ` +
        `regression was fitted.`,
    );
  } else if (zeros > 0) {
    notes.push(
      `${zeros} of ${n} runs scored F1 = 0 (a model that predicted no entity, or none right).`,
    );
  }
  if (constant && !learnedNothing) {
    notes.push(
      `F1 is ${y[0]} in every one of the ${n} runs: no regression can show how it changes ` +
        `with sentences or EPS, so none was fitted.`,
    );
  }
  const enough = n >= o.minRuns && !learnedNothing && !constant;
  let fit: OlsResult | null = null;
  if (n < o.minRuns && !learnedNothing && !constant) {
    notes.push(
      `only ${n} run${n === 1 ? "" : "s"} (fewer than ${o.minRuns}): ` +
        `no regressions were fitted. To fit them anyway, lower the minimum: ` +
        `analyzeResults(rows, { minRuns: ${Math.max(n, 1)} }).`,
    );
  } else if (enough) {
    try {
      fit = ols(y, { sentences, eps }, { level: o.level });
      notes.push(...fit.warnings.map((w) => `OLS: ${w}`));
    } catch (e) {
      notes.push(`OLS of F1 on sentences and EPS failed: ${message(e)}`);
    }
  }
  const s = analyzePredictor("sentences", sentences, y, o, enough);
  const e = analyzePredictor("eps", eps, y, o, enough);
  notes.push(...s.notes, ...e.notes);
  let planner: AnnotationPlan | null = null;
  if (enough && s.range[0] < s.range[1]) {
    try {
      planner = planAnnotation(sentences, y, {
        targets: o.targets ?? undefined,
        cost: o.cost ?? undefined,
        current: o.current ?? undefined,
        level: o.level,
        fraction: o.fraction,
      });
    } catch (e) {
      notes.push(`the annotation planner failed: ${message(e)}`);
    }
  }
  return {
    model,
    n,
    f1: { mean, sd, min: Math.min(...y), max: Math.max(...y) },
    ols: fit,
    sentences: s,
    eps: e,
    learnedNothing,
    spread: sizeSpread(runs),
    seeds: seedSpread(runs),
    planner,
    notes,
  };
}

/** F1 across the replicates of each subsample, and the pooled SD within subsamples. */
function seedSpread(runs: Point[]): SeedSpread {
  const bySubsample = new Map<string, Point[]>();
  for (const r of runs) {
    if (r.subsample === undefined) continue;
    const list = bySubsample.get(r.subsample);
    if (list) list.push(r);
    else bySubsample.set(r.subsample, [r]);
  }
  const groups = [...bySubsample].filter(([, rs]) => rs.length > 1).map(([subsample, rs]) => {
    const f1 = rs.map((r) => r.f1), n = f1.length;
    const mean = f1.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(f1.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    return {
      subsample,
      sentences: rs[0].sentences,
      n,
      mean,
      sd,
      min: Math.min(...f1),
      max: Math.max(...f1),
    };
  });
  const df = groups.reduce((a, g) => a + g.n - 1, 0);
  const ss = groups.reduce((a, g) => a + (g.n - 1) * g.sd ** 2, 0);
  return {
    sd: df > 0 ? Math.sqrt(ss / df) : NaN,
    df,
    subsamples: groups.length,
    runs: groups.reduce((a, g) => a + g.n, 0),
    groups,
  };
}

/** F1 at each number of sentences that two or more runs share, ascending. */
function sizeSpread(runs: Point[]): SizeSpread[] {
  const bySize = new Map<number, number[]>();
  for (const r of runs) {
    const list = bySize.get(r.sentences);
    if (list) list.push(r.f1);
    else bySize.set(r.sentences, [r.f1]);
  }
  return [...bySize].filter(([, f1]) => f1.length > 1).sort(([a], [b]) => a - b)
    .map(([sentences, f1]) => {
      const n = f1.length;
      const mean = f1.reduce((a, b) => a + b, 0) / n;
      const sd = Math.sqrt(f1.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
      return { sentences, n, mean, sd, min: Math.min(...f1), max: Math.max(...f1) };
    });
}

function summaryTable(models: ModelAnalysis[]): ColumnTable {
  const col = (f: (m: ModelAnalysis) => number | undefined) => models.map((m) => f(m) ?? NaN);
  const columns: Record<string, (string | number)[]> = {
    model: models.map((m) => m.model),
    n: col((m) => m.n),
    f1_mean: col((m) => m.f1.mean),
    r2: col((m) => m.ols?.r2),
    f: col((m) => m.ols?.f),
    df1: col((m) => m.ols?.dfModel),
    df2: col((m) => m.ols?.dfResid),
    p: col((m) => m.ols?.fP),
  };
  for (const p of ["sentences", "eps"] as const) {
    columns[`${p}_threshold`] = col((m) => m[p].threshold?.threshold);
    columns[`${p}_lo`] = col((m) => m[p].threshold?.ci?.[0]);
    columns[`${p}_hi`] = col((m) => m[p].threshold?.ci?.[1]);
    columns[`${p}_p_exists`] = col((m) => m[p].threshold?.pExists);
  }
  columns.seed_sd = col((m) => m.seeds.sd);
  columns.seed_subsamples = col((m) => m.seeds.subsamples);
  columns.curve = models.map((m) => m.planner?.fit?.model ?? "");
  return table(columns);
}

/**
 * Analyses a study's results per model (see the module documentation): its runs as
 * written ({@link RunResult}) or plain rows ({@link ResultRow}), which give the same
 * analysis. The runs of each model are analysed in the order they appear in
 * `results`. Models with fewer than `minRuns` (default 10) runs get a note instead of
 * regressions, as do models whose F1 never varies (a model whose runs all scored 0
 * "learned nothing"); data that cannot locate a threshold or breakpoint (e.g. fewer
 * distinct sizes than the model's parameters) gives NaN with the fit's note; a
 * constant predictor (variance 0, e.g. EPS in a study of one density)
 * makes its OLS terms NaN and skips its single-predictor analyses, with a note. A run
 * without a finite `micro.f1` (or `f1`), `sentences` or `eps` is an error naming it;
 * so are plain rows of which only some name a model.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeResults } from "./analysis.ts";
 * // plain rows without a model (one model, "all"): F1 rises by 0.001 per sentence up to
 * // 0.8 at 400 sentences, then stays there; EPS takes turns at 1.0, 1.1 and 1.2
 * const rows = Array.from({ length: 30 }, (_, i) => ({
 *   sentences: 40 * (i + 1),
 *   eps: 1 + (i % 3) / 10,
 *   f1: Math.min(0.8, 0.4 + 0.001 * 40 * (i + 1)),
 * }));
 * const a = analyzeResults(rows, { bootstrap: 50, seed: 1 });
 * const [all] = a.models;
 * assert.equal(all.model, "all");
 * assert.ok(Math.abs(all.f1.mean - 0.74) < 1e-12); // (6.2 + 20 * 0.8) / 30
 * assert.ok(Math.abs(all.ols!.r2 - 0.58044) < 1e-5); // R² of F1 ~ sentences + eps
 * const { threshold, ci } = all.sentences.threshold!; // where returns diminish
 * assert.equal(threshold, 400);
 * assert.ok(ci![0] <= 400 && 400 <= ci![1]); // inside its bootstrap interval
 * assert.equal(a.summary.get("sentences_threshold", 0), 400); // one row per model
 * ```
 */
export function analyzeResults<R extends RunResult | ResultRow = RunResult>(
  results: readonly R[],
  opts: AnalysisOptions = {},
): Analysis<R> {
  const o = resolveOptions(opts);
  const named = results.findIndex((r) => typeof r === "object" && r?.model !== undefined);
  const points = results.map((r, i) => toPoint(r, i, named));
  const byModel = new Map<string, Point[]>();
  for (const r of points) {
    const list = byModel.get(r.model);
    if (list) list.push(r);
    else byModel.set(r.model, [r]);
  }
  const models = [...byModel].map(([model, runs]) => analyzeModel(model, runs, o));
  return {
    runs: results.slice(),
    models,
    summary: summaryTable(models),
    options: o,
    warnings: [
      ...models.flatMap((m) => m.notes.map((note) => `${m.model}: ${note}`)),
      ...runWarnings(results),
    ],
  };
}

/** A note counting the runs whose line carries warnings (lib/study/train_run.ts), with the
 * first of them. */
function runWarnings(results: readonly (RunResult | ResultRow)[]): string[] {
  const warned = results.filter((r) => {
    const w = (r as RunResult).warnings;
    return Array.isArray(w) && w.length > 0;
  }) as RunResult[];
  if (warned.length === 0) return [];
  const [first] = warned, [message] = first.warnings as string[];
  return [
    `${warned.length} of ${results.length} runs have warnings in their results line; ` +
    `the first, run ${first.runId}: ${message}`,
  ];
}
