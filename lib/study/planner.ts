/**
 * The annotation planner: how many more sentences a model needs to reach a target F1, and
 * what they cost, from one model's runs of a study. The three learning-curve models of
 * `fitLearningCurve` (inverse power law, exponential, logarithmic) are fitted to the runs
 * and compared by AIC (Akaike: the lowest wins; differences under 2 are a tie, Burnham and
 * Anderson 2002); the chosen curve gives each target's size with its interval
 * (`sizeForTarget`), the sentences to annotate beyond the current corpus and their cost
 * (`annotationCost`). The runs are checked for the shape the curves assume
 * (`learningCurveHealth`), and each curve is backtested: fitted on the runs up to a
 * fraction of the largest size and scored on the larger ones (`backtestLearningCurve`),
 * after Figueroa et al. (BMC Med Inform Decis Mak 2012;12:8) and Mahmood et al. (CVPR 2022).
 *
 * Without targets the planner asks for one per model: the chosen curve's F1 at the largest
 * size sampled plus 0.05, rounded to two decimals (five points more than the runs reach
 * now, whatever the model's level, so a study of a weak model still gets an answer).
 *
 * @module
 */
import {
  type AnnotationCost,
  annotationCost,
  evaluateLearningCurve,
  fitLearningCurve,
  type LearningCurveFit,
  type LearningCurveModel,
  type SizeForTarget,
  sizeForTarget,
} from "../stats/learning_curve.ts";
import { type CurveHealth, learningCurveHealth } from "../stats/curve_health.ts";
import { tQuantileOf } from "../stats/distributions.ts";
import {
  backtestLearningCurve,
  type LearningCurveBacktest,
} from "../stats/learning_curve_backtest.ts";

/**
 * One fitted curve model of a plan: the fit, its AIC minus the lowest converged AIC (NaN
 * when it did not converge) and its backtest (null when none could be made, with a note).
 */
export type CurveCandidate = {
  model: LearningCurveModel;
  fit: LearningCurveFit;
  deltaAic: number;
  backtest: LearningCurveBacktest | null;
};

/**
 * One target of a plan: the F1, whether it was asked for (`given`) or is the default, the
 * size reaching it ({@link SizeForTarget}) and the sentences and cost from the current
 * corpus ({@link AnnotationCost}, cost 0 when no cost was given).
 */
export type TargetPlan = {
  target: number;
  given: boolean;
  size: SizeForTarget;
  cost: AnnotationCost;
};

/**
 * Options of {@link planAnnotation}: the F1 targets (default: see the module notes), the
 * cost of one sentence, the current corpus size in sentences (default: the largest size
 * sampled), the level of every interval (default 0.95), the fraction of the largest size
 * the backtest fits on (default 0.5) and the extrapolation limit as a factor of the largest
 * size sampled (default 2).
 */
export type AnnotationPlanOptions = {
  targets?: number[];
  cost?: number;
  current?: number;
  level?: number;
  fraction?: number;
  maxExtrapolation?: number;
};

/**
 * The result of {@link planAnnotation}: the three curve models (`candidates`, in the order
 * power law, exponential, logarithmic), the chosen fit (lowest AIC among those that
 * converged; null when none did), its asymptote `a` with the t interval at `level` (null
 * for the logarithmic curve, which has none, or without a fit), the health checks, one
 * {@link TargetPlan} per target,
 * the settings used, and notes in words (the choice, the health checks that failed, what
 * makes the chosen curve implausible, backtests that could not be made).
 */
export type AnnotationPlan = {
  candidates: CurveCandidate[];
  fit: LearningCurveFit | null;
  asymptote: { estimate: number; ci: [number, number] } | null;
  health: CurveHealth | null;
  targets: TargetPlan[];
  current: number;
  costPerSentence: number | null;
  level: number;
  fraction: number;
  maxExtrapolation: number;
  notes: string[];
};

const MODELS: LearningCurveModel[] = ["inverse-power-law", "exponential", "logarithmic"];

/**
 * How far above the F1 the runs reach at their largest size the default target lies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planAnnotation } from "./planner.ts";
 * const x = [50, 100, 150, 200, 300, 400], y = [0.62, 0.695, 0.74, 0.755, 0.787, 0.799];
 * // no targets given: the curve's F1 at 400 sentences (about 0.80) + 0.05, to two decimals
 * const [t] = planAnnotation(x, y).targets;
 * assert.equal(t.target, 0.85);
 * assert.equal(t.given, false);
 * ```
 */
export const DEFAULT_TARGET_STEP = 0.05;

const f3 = (v: number) => Number(v.toPrecision(3)).toString();

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Checks the planner's options as the study's analysis takes them; errors start with
 * `name` and say what was expected.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkPlanOptions } from "./planner.ts";
 * assert.throws(() => checkPlanOptions("analyzeResults", { targets: [1.2] }),
 *   /^Error: analyzeResults: targets\[0\] is 1.2: an F1 target must be in \(0, 1\)$/);
 * ```
 */
export function checkPlanOptions(name: string, o: AnnotationPlanOptions): void {
  if (o.targets !== undefined) {
    if (!Array.isArray(o.targets)) throw new Error(`${name}: targets must be an array of F1`);
    o.targets.forEach((t, i) => {
      if (typeof t !== "number" || !(t > 0 && t < 1)) {
        throw new Error(`${name}: targets[${i}] is ${t}: an F1 target must be in (0, 1)`);
      }
    });
  }
  if (o.cost !== undefined && !(typeof o.cost === "number" && o.cost > 0 && o.cost < Infinity)) {
    throw new Error(`${name}: cost is ${o.cost}: the cost of a sentence must be positive`);
  }
  if (
    o.current !== undefined && !(typeof o.current === "number" && o.current >= 0 &&
      o.current < Infinity)
  ) {
    throw new Error(`${name}: current is ${o.current}: a corpus size must be >= 0`);
  }
  if (o.fraction !== undefined && !(o.fraction > 0 && o.fraction < 1)) {
    throw new Error(`${name}: fraction is ${o.fraction}: it must be in (0, 1)`);
  }
  if (o.maxExtrapolation !== undefined && !(o.maxExtrapolation >= 1)) {
    throw new Error(`${name}: maxExtrapolation is ${o.maxExtrapolation}: it must be >= 1`);
  }
}

/**
 * Plans annotation from one model's runs (x: training sentences, y: F1): see the module
 * notes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { annotationCost } from "../stats/learning_curve.ts";
 * import { planAnnotation } from "./planner.ts";
 * const x = [50, 100, 150, 200, 300, 400], y = [0.62, 0.695, 0.74, 0.755, 0.787, 0.799];
 * const plan = planAnnotation(x, y, { targets: [0.8], cost: 0.5, current: 300 });
 * assert.equal(plan.candidates.length, 3);
 * // the chosen curve is the candidate with the lowest AIC
 * const best = plan.candidates.find((c) => c.deltaAic === 0)!;
 * assert.equal(plan.fit, best.fit);
 * // and the cost of each target is that curve's own answer
 * const [t] = plan.targets;
 * assert.deepEqual(t.cost, annotationCost({ fit: plan.fit!, target: 0.8, current: 300,
 *   costPerUnit: 0.5 }));
 * ```
 */
export function planAnnotation(
  x: number[],
  y: number[],
  options: AnnotationPlanOptions = {},
): AnnotationPlan {
  checkPlanOptions("planAnnotation", options);
  const level = options.level ?? 0.95;
  const fraction = options.fraction ?? 0.5;
  const maxExtrapolation = options.maxExtrapolation ?? 2;
  const current = options.current ?? Math.max(...x);
  const notes: string[] = [];
  const fits = MODELS.map((model) => fitLearningCurve(x, y, { model }));
  const converged = fits.filter((f) => f.converged && Number.isFinite(f.aic));
  const best = converged.length > 0 ? Math.min(...converged.map((f) => f.aic)) : NaN;
  const fit = converged.find((f) => f.aic === best) ?? null;
  const candidates = fits.map((f): CurveCandidate => {
    let backtest: LearningCurveBacktest | null = null;
    try {
      backtest = backtestLearningCurve(x, y, { model: f.model, fraction, level });
    } catch (e) {
      notes.push(`no backtest of the ${f.model} curve: ${message(e)}`);
    }
    return {
      model: f.model,
      fit: f,
      deltaAic: f.converged ? f.aic - best : NaN,
      backtest,
    };
  });
  let health: CurveHealth | null = null;
  try {
    health = learningCurveHealth(x, y);
    notes.push(...health.notes.filter((n) => !n.startsWith("too few")));
  } catch (e) {
    notes.push(`no health checks: ${message(e)}`);
  }
  if (!fit) {
    notes.push(
      `no learning curve could be fitted: ${fits.map((f) => `${f.model}: ${f.reason}`).join("; ")}`,
    );
  } else {
    const others = converged.filter((f) => f !== fit).map((f) => f.aic - best);
    const next = others.length > 0 ? Math.min(...others) : NaN;
    notes.push(
      `the ${fit.model} curve has the lowest AIC` +
        (Number.isFinite(next)
          ? next < 2
            ? ` but another is within ${f3(next)} of it (under 2: about as good a fit), so ` +
              `compare their answers`
            : ` (the next is ${f3(next)} higher)`
          : " (the only curve that converged)"),
      ...fit.notes.map((n) => `${fit.model} curve: ${n}`),
    );
  }
  let targets = (options.targets ?? []).map((target) => ({ target, given: true }));
  if (options.targets === undefined && fit) {
    const target = Math.round(
      (evaluateLearningCurve(fit, fit.maxX).value + DEFAULT_TARGET_STEP) *
        100,
    ) / 100;
    if (target > 0 && target < 1) targets = [{ target, given: false }];
  }
  const answer = fit ?? fits[0];
  let asymptote: AnnotationPlan["asymptote"] = null;
  if (fit && fit.model !== "logarithmic") {
    const half = tQuantileOf(1 - (1 - level) / 2, fit.df) * fit.standardErrors[0];
    const a = fit.parameters.a;
    asymptote = { estimate: a, ci: [a - half, a + half] };
  }
  return {
    candidates,
    fit,
    asymptote,
    health,
    targets: targets.map(({ target, given }) => ({
      target,
      given,
      size: sizeForTarget(answer, target, { level, maxExtrapolation }),
      cost: annotationCost({
        fit: answer,
        target,
        current,
        costPerUnit: options.cost ?? 0,
        unit: "sentences",
        level,
        maxExtrapolation,
      }),
    })),
    current,
    costPerSentence: options.cost ?? null,
    level,
    fraction,
    maxExtrapolation,
    notes,
  };
}
