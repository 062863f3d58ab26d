/**
 * The study's report: one self-contained HTML file (inline CSS, inline SVG figures
 * with `xmlns`, plain HTML tables, no scripts or external resources) built from an
 * {@link Analysis}: the methods in a few sentences, the study configuration, the
 * per-model summary, the OLS tables, the threshold estimates with their intervals,
 * the learning curves (F1 against sentences and against EPS, one panel per model), the
 * annotation planner ("How many more sentences?": the sentences and cost that reach each
 * target F1, the learning-curve models compared by AIC, their backtests, the health
 * checks and a figure of the chosen curve extended toward the targets), the spread of F1
 * across seeds where subsamples were trained more than once, and an excerpt of the
 * results. Also the same summary for Jupyter ({@link analysisDisplay}) and the figures
 * alone ({@link analysisFigures}).
 *
 * Missing numbers (a model with too few runs, a constant predictor, a threshold the
 * data cannot show) are shown as "–", never as "NaN". A model whose runs all scored
 * F1 = 0 is marked "learned nothing" and has no fit. Where a model's runs repeat
 * training sizes (at least half of its runs share their size with another run: several
 * seeds or subsamples per size), a table gives the spread of F1 at each repeated size;
 * where subsamples were trained with several seeds, a table gives the pooled spread across
 * seeds instead.
 *
 * @module
 */
import type {
  Analysis,
  ModelAnalysis,
  PredictorAnalysis,
  ResultRow,
  SizeSpread,
} from "./analysis.ts";
import { type RunResult, writeTextAtomic } from "./results.ts";
import pkg from "../../deno.json" with { type: "json" };
import type { Displayable, Figure } from "../plot/display.ts";
import { formatNumber, htmlDisplay } from "../plot/display.ts";
import {
  type CurveLayer,
  learningCurveFitLayer,
  learningCurvePlot,
  seedSpreadLayer,
  smoothLayer,
  thresholdLayer,
} from "../plot/learning_curve.ts";
import type { AnnotationPlan, TargetPlan } from "./planner.ts";

/**
 * Options of {@link renderReport}: the title, the study configuration to show
 * (any JSON-serialisable object), where the results came from, the time stamp to
 * print (default: now; pass one for reproducible output), and how many result rows
 * to show (default 20).
 */
export type StudyReportOptions = {
  title: string;
  study?: unknown;
  resultsPath?: string;
  generatedAt?: string;
  excerptRows?: number;
};

const PREDICTORS = [
  { key: "sentences", label: "Training sentences", digits: 1 },
  { key: "eps", label: "Entities per sentence (EPS)", digits: 3 },
] as const;

function esc(s: unknown): string {
  return String(s).replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

const DASH = "–";

/** A number with `digits` decimals (trailing zeros kept), or a dash when missing. */
function num(v: number | undefined | null, digits = 4): string {
  if (v === undefined || v === null || Number.isNaN(v)) return DASH;
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "−∞";
  if (v !== 0 && Math.abs(v) < 10 ** -digits) return v.toExponential(2);
  return v.toFixed(digits);
}

/** A p-value as papers write it, in HTML (or in plain text with `lessThan` "<"). */
function pval(p: number | undefined | null, lessThan = "&lt;"): string {
  if (p === undefined || p === null || Number.isNaN(p)) return DASH;
  if (p < 0.001) return `${lessThan}0.001`;
  return p.toFixed(3);
}

/** A p-value with more detail, as in a regression table. */
function pexact(p: number | undefined | null): string {
  if (p === undefined || p === null || Number.isNaN(p)) return DASH;
  if (p < 2.2e-16) return "&lt;2.2e-16";
  return p < 1e-4 ? p.toExponential(2) : p.toFixed(4);
}

function interval(ci: [number, number] | undefined, digits: number): string {
  return ci ? `${num(ci[0], digits)} to ${num(ci[1], digits)}` : DASH;
}

function htmlTable(header: string[], rows: string[][], cls = ""): string {
  const head = header.map((h) => `<th>${h}</th>`).join("");
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("\n");
  return `<table${cls ? ` class="${cls}"` : ""}><thead><tr>${head}</tr></thead>` +
    `<tbody>\n${body}\n</tbody></table>`;
}

const LEARNED_NOTHING = ' <span class="nothing">(learned nothing)</span>';

/** The model's name, marked when every run scored F1 = 0. */
function modelCell(m: ModelAnalysis): string {
  return esc(m.model) + (m.learnedNothing ? LEARNED_NOTHING : "");
}

/** A threshold fit that located a threshold (not NaN for data that cannot show one). */
function located(p: PredictorAnalysis) {
  return p.threshold && Number.isFinite(p.threshold.threshold) ? p.threshold : null;
}

function modelSummaryRows(models: ModelAnalysis[]): string[][] {
  return models.map((m) => {
    const o = m.ols;
    const th = (p: PredictorAnalysis, digits: number) => {
      const t = located(p);
      return t ? `${num(t.threshold, digits)} (${interval(t.ci, digits)})` : DASH;
    };
    return [
      modelCell(m),
      String(m.n),
      `${num(m.f1.mean)} (${num(m.f1.min)}–${num(m.f1.max)})`,
      num(o?.r2),
      o ? `${num(o.f, 1)} (${o.dfModel}, ${o.dfResid})` : DASH,
      pval(o?.fP),
      th(m.sentences, 1),
      pval(m.sentences.threshold?.pExists),
      th(m.eps, 3),
      pval(m.eps.threshold?.pExists),
    ];
  });
}

/** The per-model summary table as HTML (one row per model). */
function summaryHtml(analysis: Analysis): string {
  const level = Math.round(analysis.options.level * 100);
  return htmlTable(
    [
      "Model",
      "Runs",
      "F1 mean (range)",
      "R²",
      "F (df)",
      "P",
      `Sentences threshold (${level}% CI)`,
      "P (threshold)",
      `EPS threshold (${level}% CI)`,
      "P (threshold)",
    ],
    modelSummaryRows(analysis.models),
    "summary",
  );
}

function notesHtml(analysis: Analysis): string {
  if (analysis.warnings.length === 0) return "";
  return `<ul class="notes">${analysis.warnings.map((w) => `<li>${esc(w)}</li>`).join("")}</ul>`;
}

function methodsHtml(analysis: Analysis): string {
  const o = analysis.options;
  const level = Math.round(o.level * 100);
  const model = {
    upperhinge: "F1 = a + b·min(x − e, 0): a slope up to the threshold e and flat beyond it",
    hinge: "F1 = a + b·max(x − e, 0): flat up to the threshold e and a slope beyond it",
    segmented: "F1 = a + b₁x + b₂·max(x − e, 0): two slopes joined at the threshold e",
    step: "F1 = a + b·I(x ≥ e): a jump at the threshold e",
  }[o.type];
  const smoother = o.smoother === "spline"
    ? "penalized cubic regression splines with the smoothing parameter chosen by " +
      "generalized cross-validation (a generalized additive model, as mgcv's " +
      '<code>gam(y ~ s(x, bs = "cr"))</code>)'
    : "local quadratic regressions (LOESS, span 0.75)";
  return `<p>For each model, the micro-averaged entity-level F1 of every run on the fixed ` +
    `test set was regressed on the number of training sentences and on the number of ` +
    `entities per sentence (EPS) of its training subsample by ordinary least squares ` +
    `(F1 ~ sentences + EPS), reporting R², the F test of both slopes and each ` +
    `coefficient with its t test and ${level}% confidence interval.</p>` +
    `<p>Where returns diminish was located for each predictor separately by threshold ` +
    `regression (type "${esc(o.type)}", ${model}). The threshold is the least-squares ` +
    `choice among the observed values between the 5th and 95th percentiles; its ` +
    `${level}% interval is the percentile interval of ${o.bootstrap} bootstrap case ` +
    `resamples (seed ${o.seed}), and "P (threshold)" tests the null hypothesis of no ` +
    `threshold (a straight line) with a parametric bootstrap of the sup-F statistic ` +
    `(${o.testReplicates} replicates). As a check, Muggeo's segmented regression (as R's ` +
    `segmented package) and Davies' test for a change in slope were fitted to each ` +
    `predictor. The curves in the figures are ${smoother} with ${level}% pointwise ` +
    `bands. Models with fewer than ${o.minRuns} runs (the <code>minRuns</code> option of ` +
    `<code>analyzeResults</code>) were not analysed, nor were models whose F1 never ` +
    `varied (one whose runs all scored F1 = 0 is marked "learned nothing"); where the ` +
    `data cannot locate a threshold (a constant F1, fewer distinct values of the ` +
    `predictor than the model's parameters), none is reported.</p>`;
}

function studyHtml(study: unknown): string {
  if (study === undefined) return "";
  let text: string;
  try {
    text = JSON.stringify(study, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2);
  } catch {
    text = String(study);
  }
  return `<h2>Study configuration</h2>\n<pre>${esc(text)}</pre>`;
}

function olsHtml(m: ModelAnalysis): string {
  const o = m.ols;
  if (m.learnedNothing) {
    return `<h3>${esc(m.model)}</h3><p class="nothing">Learned nothing: every run scored ` +
      `F1 = 0, so no regression was fitted.</p>`;
  }
  if (!o) return `<h3>${esc(m.model)}</h3><p>${DASH} (no regression: see the notes)</p>`;
  const level = Math.round(o.level * 100);
  const rows = o.coefficients.map((c) => [
    esc(c.name),
    num(c.estimate, 6),
    num(c.se, 6),
    num(c.t, 2),
    pexact(c.p),
    `${num(c.ci[0], 6)} to ${num(c.ci[1], 6)}`,
  ]);
  return `<h3>${esc(m.model)}</h3>\n` +
    htmlTable(["Term", "Estimate", "SE", "t", "P", `${level}% CI`], rows, "ols") +
    `\n<p class="fit">n = ${o.n}; R² = ${num(o.r2)}, adjusted R² = ${num(o.adjR2)}; ` +
    `F(${o.dfModel}, ${o.dfResid}) = ${num(o.f, 2)}, P = ${pexact(o.fP)}; ` +
    `residual SE = ${num(o.sigma)}.</p>`;
}

function thresholdRows(analysis: Analysis): string[][] {
  const rows: string[][] = [];
  for (const m of analysis.models) {
    for (const { key, digits } of PREDICTORS) {
      const p = m[key];
      const t = located(p),
        s = p.segmented && Number.isFinite(p.segmented.psi) ? p.segmented : null;
      const slope = t
        ? Object.entries(t.coefficients).filter(([name]) => name !== "(Intercept)")
          .map(([name, v]) => `${esc(name)} ${num(v, 6)}`).join("; ")
        : DASH;
      rows.push([
        modelCell(m),
        key === "eps" ? "EPS" : "sentences",
        t ? num(t.threshold, digits) : DASH,
        interval(t?.ci, digits),
        interval(t?.ciSymmetric, digits),
        t ? num(t.coefficients["(Intercept)"]) : DASH,
        slope,
        pval(t?.pExists),
        s ? `${num(s.psi, digits)} (${interval(s.ci, digits)})` : DASH,
        pval(p.davies?.p),
      ]);
    }
  }
  return rows;
}

function thresholdsHtml(analysis: Analysis): string {
  const level = Math.round(analysis.options.level * 100);
  return htmlTable(
    [
      "Model",
      "Predictor",
      "Threshold",
      `${level}% CI (percentile)`,
      `${level}% CI (symmetric)`,
      "Intercept (plateau)",
      "Slope terms",
      "P (threshold)",
      `Segmented breakpoint (${level}% CI)`,
      "Davies P",
    ],
    thresholdRows(analysis),
    "thresholds",
  );
}

/**
 * The models whose runs repeat sizes (at least half of the runs share their size) without
 * replicates of one subsample.
 */
function repeatedSizes(analysis: Analysis): { model: ModelAnalysis; spread: SizeSpread[] }[] {
  // replicates of subsamples repeat sizes too: their spread has its own table
  return analysis.models.filter((m) =>
    m.seeds.subsamples === 0 && 2 * m.spread.reduce((a, s) => a + s.n, 0) >= m.n
  ).map((m) => ({ model: m, spread: m.spread }));
}

/** The spread of F1 at each repeated size, or "" where no model repeats sizes. */
function spreadHtml(analysis: Analysis): string {
  const repeated = repeatedSizes(analysis);
  if (repeated.length === 0) return "";
  const rows = repeated.flatMap(({ model, spread }) =>
    spread.map((s) => [
      modelCell(model),
      String(s.sentences),
      String(s.n),
      num(s.mean),
      num(s.sd),
      `${num(s.min)}–${num(s.max)}`,
    ])
  );
  return `<p>Runs that share a training size (several seeds or subsamples of one size) ` +
    `show how much F1 varies at that size alone.</p>\n` +
    htmlTable(["Model", "Sentences", "Runs", "Mean F1", "SD", "Min–max"], rows, "spread");
}

const CURVE_NAMES = {
  "inverse-power-law": "power law, a − b·n<sup>−c</sup>",
  exponential: "exponential, a − b·e<sup>−cn</sup>",
  logarithmic: "logarithmic, a + b·ln n",
} as const;

/** A size (sentences) as a whole number with thousands separators, ∞ or a dash. */
function size(v: number | undefined): string {
  return v === undefined ? DASH : formatNumber(v, 0);
}

/** A parameter with four significant digits. */
function sig(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString().replace("-", "−") : DASH;
}

/** A cost with two decimals and thousands separators. */
function money(v: number): string {
  return formatNumber(v, 2);
}

function targetRow(m: ModelAnalysis, plan: AnnotationPlan, t: TargetPlan): string[] {
  const withCost = plan.costPerSentence !== null;
  const target = `${num(t.target, 2)}${t.given ? "" : " (default)"}`;
  const curve = plan.fit ? esc(plan.fit.model) : DASH;
  const c = t.cost;
  if (!c.reachable || !t.size.reachable) {
    const note = c.reachable ? "" : c.note;
    return [esc(m.model), curve, target, DASH, DASH, ...(withCost ? [DASH] : []), esc(note)];
  }
  const ci = `${size(t.size.estimate)} (${size(t.size.ci[0])}–${size(t.size.ci[1])})`;
  const more = `${size(c.additional)} (${size(c.additionalCi[0])}–${size(c.additionalCi[1])})`;
  const cost = `${money(c.cost)} (${money(c.costCi[0])}–${money(c.costCi[1])})`;
  const notes = [...new Set([t.size.note, c.note].filter((n) => n !== undefined))];
  return [
    esc(m.model),
    curve,
    target,
    ci,
    more,
    ...(withCost ? [cost] : []),
    esc(notes.join("; ")),
  ];
}

/**
 * The report's findings as plain text for a terminal (`deno task study run` and `analyze`
 * print it): per model its runs and F1, where returns diminish in training sentences, and
 * the sentences (and cost, when given) that reach each target F1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeResults } from "./analysis.ts";
 * import { summaryText } from "./report.ts";
 * // F1 rises by 0.001 per sentence up to 0.8 at 400 sentences, then stays there
 * const rows = Array.from({ length: 30 }, (_, i) => ({
 *   model: "bert",
 *   sentences: 40 * (i + 1),
 *   eps: 1 + (i % 3) / 10,
 *   f1: Math.min(0.8, 0.4 + 0.001 * 40 * (i + 1)),
 * }));
 * const text = summaryText(analyzeResults(rows, { bootstrap: 50, seed: 1 }));
 * assert.match(text, /^bert: 30 runs, F1 0\.7400 \(0\.4400 to 0\.8000\)\n/);
 * assert.match(text, /\n {2}returns diminish after 400 training sentences \(95% CI /);
 * ```
 */
export function summaryText(analysis: Pick<Analysis, "models" | "options">): string {
  const level = Math.round(analysis.options.level * 100);
  return analysis.models.map((m) => {
    const lines = [
      `${m.model}: ${m.n} runs, F1 ${num(m.f1.mean)} (${num(m.f1.min)} to ${num(m.f1.max)})` +
      (m.learnedNothing ? ", learned nothing" : ""),
    ];
    const t = located(m.sentences);
    if (t) {
      lines.push(
        `  returns diminish after ${size(t.threshold)} training sentences ` +
          `(${level}% CI ${t.ci ? `${size(t.ci[0])} to ${size(t.ci[1])}` : DASH}; ` +
          `P ${pval(t.pExists, "<")} against no threshold)`,
      );
    }
    const withCost = m.planner?.costPerSentence != null;
    for (const { target, given, size: n, cost } of m.planner?.targets ?? []) {
      lines.push(
        `  F1 ${num(target, 2)}${given ? "" : " (default target)"}: ` +
          (!n.reachable
            ? n.note
            : !cost.reachable
            ? cost.note
            : `about ${size(n.estimate)} sentences (${size(n.ci[0])} to ${size(n.ci[1])}), ` +
              (cost.additional === 0
                ? `within the ${size(cost.current)} of the training pool`
                : `${size(cost.additional)} beyond the ${size(cost.current)} of the training pool` +
                  (withCost ? `, costing ${money(cost.cost)}` : ""))),
      );
    }
    return lines.join("\n");
  }).join("\n");
}

function comparisonRows(m: ModelAnalysis, plan: AnnotationPlan): string[][] {
  return plan.candidates.map((c) => {
    const f = c.fit, b = c.backtest;
    const chosen = plan.fit === f;
    const params = f.converged
      ? f.names.map((name, i) => {
        const v = f.parameters[name as "a" | "b" | "c"];
        return `${name} ${sig(v)} (${sig(f.standardErrors[i])})`;
      }).join("; ")
      : esc(f.reason);
    const back = b && Number.isFinite(b.mae)
      ? [
        `${b.trainRuns} / ${b.heldOutRuns}`,
        num(b.mae),
        `${b.groups.filter((g) => g.covered).length} of ${b.groups.length}`,
      ]
      : [b ? `${b.trainRuns} / ${b.heldOutRuns}` : DASH, DASH, DASH];
    return [
      esc(m.model),
      `${CURVE_NAMES[f.model]}${chosen ? " <strong>(chosen)</strong>" : ""}`,
      params,
      f.converged ? num(f.rss, 6) : DASH,
      f.converged ? num(f.aic, 2) : DASH,
      f.converged ? num(c.deltaAic, 2) : DASH,
      ...back,
    ];
  });
}

/** The planner's section ("How many more sentences?"), or "" when no model has a plan. */
function plannerHtml(analysis: Analysis, figure: Figure): string {
  const planned = analysis.models.flatMap((m) => (m.planner ? [{ m, plan: m.planner }] : []));
  if (planned.length === 0) return "";
  const o = analysis.options;
  const level = Math.round(o.level * 100);
  const first = planned[0].plan;
  const withCost = first.costPerSentence !== null;
  const current = o.current !== null
    ? `the ${size(o.current)} sentences of the training pool the study drew from`
    : "the largest training size of each model's runs (no corpus size was given)";
  const intro = `<p>Looking forward: how many sentences reach a target F1, and how many ` +
    `more than ${current} must be annotated${
      withCost ? ` at ${money(first.costPerSentence!)} per sentence` : ""
    }. Three learning curves were fitted to F1 against training sentences by weighted ` +
    `nonlinear least squares (each run weighted by its size over the largest, after ` +
    `Figueroa et al. 2012, as larger subsamples vary less) and compared by AIC; the curve ` +
    `with the lowest AIC answers. A target's size is where that curve reaches it, with the ` +
    `sizes where its ${level}% confidence band does; sizes past ${first.maxExtrapolation} ` +
    `times the largest size sampled are refused, as extrapolation that far cannot be ` +
    `trusted. ${
      o.targets === null
        ? `No targets were given, so each model's target is the F1 its curve reaches at ` +
          `the largest size sampled plus 0.05 (<code>--target</code> sets others).`
        : ""
    }</p>`;
  const targetHeader = [
    "Model",
    "Curve",
    "Target F1",
    `Sentences (${level}% CI)`,
    "More sentences (CI)",
    ...(withCost ? ["Cost (CI)"] : []),
    "Note",
  ];
  const targets = htmlTable(
    targetHeader,
    planned.flatMap(({ m, plan }) => plan.targets.map((t) => targetRow(m, plan, t))),
    "targets",
  );
  const comparison = htmlTable(
    [
      "Model",
      "Curve",
      "Parameters (SE)",
      "Weighted RSS",
      "AIC",
      "ΔAIC",
      "Backtest runs fitted / held out",
      "Backtest mean abs. error",
      `Held-out size groups within their ${level}% interval`,
    ],
    planned.flatMap(({ m, plan }) => comparisonRows(m, plan)),
    "curves",
  );
  const backtest = `<p>The backtest fits each curve on the runs up to ` +
    `${Math.round(first.fraction * 100)}% of the largest size sampled and predicts the ` +
    `larger ones, grouped by size: the mean absolute error of the predicted mean F1, and ` +
    `how many groups' observed mean F1 fell within the ${level}% interval for a group of ` +
    `that many new runs. It shows how far an extrapolation can be trusted on these data.</p>`;
  const notes = planned.flatMap(({ m, plan }) => [
    ...plan.notes.map((n) => `${m.model}: ${n}`),
    ...plan.candidates.flatMap((c) =>
      c.fit === plan.fit && c.backtest
        ? c.backtest.notes.map((n) => `${m.model}: backtest: ${n}`)
        : []
    ),
  ]);
  return [
    intro,
    targets,
    "<h3>Learning-curve models compared by AIC, and their backtests</h3>",
    comparison,
    backtest,
    notes.length ? `<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : "",
    figure.html,
  ].join("\n");
}

/** The spread of F1 across seeds, per model, or "" where no subsample was trained twice. */
function seedsHtml(analysis: Analysis): string {
  const models = analysis.models.filter((m) => m.seeds.subsamples > 0);
  if (models.length === 0) return "";
  const rows = models.map((m) => [
    modelCell(m),
    String(m.seeds.subsamples),
    String(m.seeds.runs),
    num(m.seeds.sd),
    String(m.seeds.df),
    num(Math.max(...m.seeds.groups.map((g) => g.max - g.min))),
  ]);
  return `<p>Subsamples trained more than once, with other training seeds: the pooled ` +
    `within-subsample standard deviation of F1 says how much the seed alone moves it ` +
    `(Reimers and Gurevych 2017 found about a point of F1 for NER). The learning-curve ` +
    `figures draw each such subsample's range as a dark vertical rule.</p>\n` +
    htmlTable(
      [
        "Model",
        "Subsamples with 2+ seeds",
        "Their runs",
        "Pooled SD of F1",
        "df",
        "Widest range",
      ],
      rows,
      "seeds",
    );
}

function excerptHtml(analysis: Analysis, rows: number): string {
  const runs = analysis.runs.slice(0, rows);
  const body = runs.map((r) => [
    esc(r.runId),
    esc(r.model),
    esc(r.subsample),
    String(r.documents),
    String(r.sentences),
    String(r.entities),
    num(r.eps, 3),
    num(r.micro.precision),
    num(r.micro.recall),
    num(r.micro.f1),
  ]);
  const note = analysis.runs.length > runs.length
    ? `<p>The first ${runs.length} of ${analysis.runs.length} runs.</p>`
    : `<p>All ${analysis.runs.length} runs.</p>`;
  return htmlTable(
    [
      "Run",
      "Model",
      "Subsample",
      "Documents",
      "Sentences",
      "Entities",
      "EPS",
      "Precision",
      "Recall",
      "F1",
    ],
    body,
    "results",
  ) + note;
}

/** The seed spread of each model as a layer (nothing where no subsample repeats). */
function seedLayer(analysis: Analysis<RunResult | ResultRow>): CurveLayer {
  const layer = seedSpreadLayer(
    analysis.models.flatMap((m) =>
      m.seeds.groups.map((g) => ({ model: m.model, x: g.sentences, min: g.min, max: g.max }))
    ),
  );
  for (const note of layer.notes) {
    const m = analysis.models.find((m) => m.model === note.model)!;
    note.text += `, pooled SD across seeds ${num(m.seeds.sd)}`;
  }
  return layer;
}

/**
 * The learning curves of an analysis (of results or of plain rows): F1 against training
 * sentences and against EPS, one panel per model, with the runs as dots, the threshold
 * fit, the threshold with its interval, the smoothed curve with its band and (against
 * sentences) the range of F1 across the seeds of each subsample trained more than once;
 * and the planner's figure: F1 against sentences with the learning curve each model's
 * plan chose, its confidence band extended to the extrapolation limit, and the targets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeResults } from "./analysis.ts";
 * import { analysisFigures } from "./report.ts";
 * // plain rows: F1 levels off at 0.9 from 400 sentences on
 * const rows = Array.from({ length: 12 }, (_, i) => ({
 *   model: "bert",
 *   sentences: 50 * (i + 1),
 *   eps: 1 + (i % 3) / 10,
 *   f1: Math.min(0.9, 0.5 + 0.05 * (i + 1)),
 * }));
 * const { sentences, eps, planner } = analysisFigures(analyzeResults(rows, { bootstrap: 50 }));
 * assert.match(sentences.svg, /^<svg xmlns=/); // a standalone .svg file's text
 * assert.match(sentences.text, /^learning curves, F1 against training sentences:\nbert: 12 runs/);
 * assert.match(eps.text, /^learning curves, F1 against entities per sentence \(EPS\):/);
 * // and the curve each model's plan chose (here the exponential, by AIC)
 * assert.match(planner.text, /\nbert: 12 runs, F1 0\.550–0\.900; exponential fit: /);
 * ```
 */
export function analysisFigures(
  analysis: Analysis<RunResult | ResultRow>,
): { sentences: Figure; eps: Figure; planner: Figure } {
  const models = analysis.models.map((m) => m.model);
  const points = (key: "sentences" | "eps") =>
    analysis.runs.map((r) => ({
      model: r.model ?? "all",
      x: r[key],
      f1: "micro" in r ? r.micro.f1 : r.f1,
    }));
  const seeds = seedLayer(analysis);
  const figure = (key: "sentences" | "eps", label: string) =>
    learningCurvePlot(
      points(key),
      {
        xLabel: label,
        models,
        layers: [
          ...(key === "sentences" ? [seeds] : []),
          smoothLayer(
            analysis.models.flatMap((m) =>
              m[key].smooth ? [{ model: m.model, fit: m[key].smooth! }] : []
            ),
            { level: analysis.options.level, name: `${analysis.options.smoother} smooth` },
          ),
          thresholdLayer(
            analysis.models.flatMap((m) =>
              m[key].threshold
                ? [{ model: m.model, fit: m[key].threshold!, range: m[key].range }]
                : []
            ),
            { level: analysis.options.level },
          ),
        ],
      },
    );
  const planned = analysis.models.flatMap((m) =>
    m.planner?.fit ? [{ model: m.model, plan: m.planner, fit: m.planner.fit }] : []
  );
  const planner = learningCurvePlot(points("sentences"), {
    xLabel: PREDICTORS[0].label,
    models,
    panelHeight: 240, // room between the targets' labels
    layers: [
      seeds,
      learningCurveFitLayer(
        planned.map(({ model, plan, fit }) => ({
          model,
          fit,
          to: plan.maxExtrapolation * fit.maxX,
          targets: plan.targets.map((t) => t.target),
        })),
        { level: analysis.options.level },
      ),
    ],
  });
  return {
    sentences: figure("sentences", PREDICTORS[0].label),
    eps: figure("eps", PREDICTORS[1].label),
    planner,
  };
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 1100px;
  margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.88em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.55em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.85em; }
figure { margin: 1em 0; } figcaption { font-size: 0.85em; color: #555; }
.meta, .fit { color: #555; font-size: 0.9em; } .notes li { color: #8a4b00; }
.nothing { color: #8a4b00; font-weight: bold; }
`;

/** Where the runs were trained (each result's `device`) and their total training time. */
function trainedOnHtml(runs: RunResult[]): string {
  const devices = new Map<string, number>();
  let ms = 0;
  for (const r of runs) {
    const d = typeof r.device === "string" ? r.device : "an unrecorded device";
    devices.set(d, (devices.get(d) ?? 0) + 1);
    ms += r.trainMs;
  }
  if (runs.length === 0) return "";
  const list = [...devices].map(([d, n]) => `${esc(d)} (${n} run${n === 1 ? "" : "s"})`);
  return ` Trained on ${list.join(", ")}; training and scoring took ` +
    `${(ms / 60000).toFixed(1)} min in all.`;
}

/**
 * Renders the analysis as one self-contained HTML page (see the module documentation).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeResults } from "./analysis.ts";
 * import { renderReport } from "./report.ts";
 * import type { RunResult } from "./results.ts";
 * // twelve runs as readResults gives them: F1 levels off at 0.9 from 400 sentences on
 * const results = Array.from({ length: 12 }, (_, i): RunResult => {
 *   const sentences = 50 * (i + 1), eps = 1 + (i % 3) / 10;
 *   const f1 = Math.min(0.9, 0.5 + 0.05 * (i + 1));
 *   return {
 *     runId: `s${i + 1}/bert`, model: "bert", subsample: `s${i + 1}`, seed: 1,
 *     documents: 10 * (i + 1), sentences, entities: sentences * eps, eps,
 *     micro: { precision: f1, recall: f1, f1, support: 300 }, byType: {},
 *     trainMs: 60_000, steps: 100, finishedAt: "2026-01-01T00:00:00Z",
 *   };
 * });
 * const html = renderReport(analyzeResults(results, { bootstrap: 50 }), {
 *   title: "Sample size study", resultsPath: "out/results.jsonl",
 *   generatedAt: "2026-01-01T00:00:00Z", // for a reproducible page (default: now)
 * });
 * assert.match(html, /<h1>Sample size study<\/h1>/);
 * assert.match(html, /: 12 runs of 1 model\. Trained on an unrecorded device \(12 runs\); /);
 * assert.match(html, /training and scoring took 12\.0 min in all/); // 12 x 60,000 ms
 * ```
 */
export function renderReport(analysis: Analysis, opts: StudyReportOptions): string {
  const generatedAt = opts.generatedAt ?? new Date().toISOString();
  const figures = analysisFigures(analysis);
  const models = analysis.models;
  const meta = `Generated ${esc(generatedAt)} by nerss ${esc(pkg.version)} on Deno ` +
    `${esc(Deno.version.deno)}` +
    (opts.resultsPath ? ` from <code>${esc(opts.resultsPath)}</code>` : "") +
    `: ${analysis.runs.length} runs of ${models.length} model${models.length === 1 ? "" : "s"}.` +
    trainedOnHtml(analysis.runs);
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<title>${esc(opts.title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    `<h1>${esc(opts.title)}</h1>`,
    `<p class="meta">${meta}</p>`,
    "<h2>Methods</h2>",
    methodsHtml(analysis),
    studyHtml(opts.study),
    "<h2>Summary</h2>",
    summaryHtml(analysis),
    notesHtml(analysis),
    "<h2>Learning curves</h2>",
    figures.sentences.html,
    figures.eps.html,
    "<h2>Multiple linear regression: F1 ~ sentences + EPS</h2>",
    ...models.map(olsHtml),
    "<h2>Threshold estimates</h2>",
    thresholdsHtml(analysis),
    ...(models.some((m) => m.planner)
      ? ["<h2>How many more sentences?</h2>", plannerHtml(analysis, figures.planner)]
      : []),
    ...(models.some((m) => m.seeds.subsamples > 0)
      ? ["<h2>F1 across seeds</h2>", seedsHtml(analysis)]
      : []),
    ...(repeatedSizes(analysis).length > 0
      ? ["<h2>F1 across runs of the same size</h2>", spreadHtml(analysis)]
      : []),
    "<h2>Results (excerpt)</h2>",
    excerptHtml(analysis, opts.excerptRows ?? 20),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

/**
 * Writes a rendered report atomically (temporary file, then rename).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeReport } from "./report.ts";
 * const dir = await Deno.makeTempDir();
 * const html = "<!DOCTYPE html><title>Study</title>"; // renderReport's page
 * await writeReport(`${dir}/report.html`, html);
 * assert.equal(await Deno.readTextFile(`${dir}/report.html`), html);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeReport(path: string, html: string): Promise<void> {
  await writeTextAtomic(path, html);
}

/**
 * The analysis for Jupyter: the summary table, any notes and both learning-curve
 * figures as HTML, with a plain-text summary.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JUPYTER_DISPLAY } from "../plot/display.ts";
 * import { analyzeResults } from "./analysis.ts";
 * import { analysisDisplay } from "./report.ts";
 * import type { RunResult } from "./results.ts";
 * // the fields of each run the analysis reads: F1 levels off at 0.9 from 400 sentences on
 * const results = Array.from({ length: 12 }, (_, i) => ({
 *   runId: `s${i + 1}/bert`, model: "bert", sentences: 50 * (i + 1), eps: 1 + (i % 3) / 10,
 *   micro: { f1: Math.min(0.9, 0.5 + 0.05 * (i + 1)) },
 * }) as RunResult);
 * const shown = analysisDisplay(analyzeResults(results, { bootstrap: 50 })); // a cell's last line
 * const bundle = shown[JUPYTER_DISPLAY]();
 * const text = bundle["text/plain"];
 * assert.match(text, /^bert: n = 12, R² = 0\.8999, /); // numpy's lstsq: 0.89989
 * assert.match(text, /, sentences threshold = 400\.0, /);
 * assert.match(bundle["text/html"], /^<div class="nerss-analysis">/);
 * ```
 */
export function analysisDisplay(analysis: Analysis): Displayable {
  const figures = analysisFigures(analysis);
  const html = `<div class="nerss-analysis">${summaryHtml(analysis)}${notesHtml(analysis)}` +
    `${figures.sentences.html}${figures.eps.html}${spreadHtml(analysis)}</div>`;
  const text = analysis.models.map((m) =>
    m.learnedNothing
      ? `${m.model}: n = ${m.n}, learned nothing (every run scored F1 = 0)`
      : `${m.model}: n = ${m.n}, R² = ${num(m.ols?.r2)}, sentences threshold = ${
        num(m.sentences.threshold?.threshold, 1)
      }, EPS threshold = ${num(m.eps.threshold?.threshold, 3)}`
  ).join("\n");
  return htmlDisplay(html, text || "[analysis: no runs]");
}
