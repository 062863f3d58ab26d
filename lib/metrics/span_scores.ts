/**
 * Span-level scoring in the style of SemEval-2013 Task 9.1 (MUC categories), with the
 * rules and formulas of the nervaluate package (`compute_metrics` in nervaluate 0.2):
 * every predicted span is compared with the gold spans of its document and counted,
 * under each of four matching schemes, as correct (COR), incorrect (INC), partial
 * (PAR) or spurious (SPU); gold spans no prediction touched are missed (MIS).
 *
 * | case                                  | strict | exact | partial | type |
 * |---------------------------------------|--------|-------|---------|------|
 * | same boundaries, same label           | COR    | COR   | COR     | COR  |
 * | same boundaries, other label          | INC    | COR   | COR     | INC  |
 * | overlap, same label                   | INC    | INC   | PAR     | COR  |
 * | overlap, other label                  | INC    | INC   | PAR     | INC  |
 * | prediction overlapping no gold span   | SPU    | SPU   | SPU     | SPU  |
 * | gold span overlapped by no prediction | MIS    | MIS   | MIS     | MIS  |
 *
 * POS = COR + INC + PAR + MIS, ACT = COR + INC + PAR + SPU; precision = COR / ACT and
 * recall = COR / POS for strict and exact, (COR + PAR / 2) / ACT and / POS for partial
 * and type (nervaluate's `ent_type`); F1 their harmonic mean (0 when undefined).
 * As in nervaluate, predictions are visited in order of their end and gold spans in
 * order of their start; a gold span is overlapped at most once, but one prediction
 * may partially overlap several gold spans and then counts once for each. Per-label
 * counts are filed under the gold label (under the predicted one for COR and SPU).
 *
 * @module
 */

import type { Doc, Span } from "../core/types.ts";
import { compareCodePoints } from "./entities.ts";
import { pairDocs } from "./doc_pairs.ts";

/**
 * The four matching schemes: `strict` (boundaries and label), `exact` (boundaries
 * only), `partial` (overlap, partial counts half), `type` (overlap and label;
 * nervaluate's `ent_type`).
 */
export type SpanMatching = "strict" | "exact" | "partial" | "type";

/**
 * Counts and scores under one matching scheme.
 */
export type SpanCounts = {
  correct: number;
  incorrect: number;
  partial: number;
  missed: number;
  spurious: number;
  possible: number;
  actual: number;
  precision: number;
  recall: number;
  f1: number;
};

/**
 * Results of {@link spanScores}: over all labels, and per label.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spanScores, type SpanScores } from "./span_scores.ts";
 * const doc = { id: "d", text: "Ann", spans: [{ start: 0, end: 3, label: "PER" }] };
 * const s: SpanScores = spanScores([doc], [doc]);
 * assert.equal(s.overall.partial.f1, 1);
 * assert.equal(s.byLabel["PER"].strict.recall, 1);
 * ```
 */
export type SpanScores = {
  overall: Record<SpanMatching, SpanCounts>;
  byLabel: Record<string, Record<SpanMatching, SpanCounts>>;
};

const MATCHINGS: readonly SpanMatching[] = ["strict", "exact", "partial", "type"];
type Kind = "correct" | "incorrect" | "partial" | "missed" | "spurious";
type Tally = Record<SpanMatching, Record<Kind, number>>;

function newTally(): Tally {
  const t = {} as Tally;
  for (const m of MATCHINGS) {
    t[m] = { correct: 0, incorrect: 0, partial: 0, missed: 0, spurious: 0 };
  }
  return t;
}

function finish(t: Tally): Record<SpanMatching, SpanCounts> {
  const out = {} as Record<SpanMatching, SpanCounts>;
  for (const m of MATCHINGS) {
    const { correct, incorrect, partial, missed, spurious } = t[m];
    const possible = correct + incorrect + partial + missed;
    const actual = correct + incorrect + partial + spurious;
    const hit = m === "partial" || m === "type" ? correct + 0.5 * partial : correct;
    const precision = actual > 0 ? hit / actual : 0;
    const recall = possible > 0 ? hit / possible : 0;
    const f1 = precision + recall > 0 ? 2 * (precision * recall) / (precision + recall) : 0;
    out[m] = {
      correct,
      incorrect,
      partial,
      missed,
      spurious,
      possible,
      actual,
      precision,
      recall,
      f1,
    };
  }
  return out;
}

const key = (s: Span) => `${s.start}:${s.end}:${s.label}`;

function scoreDoc(
  gold: readonly Span[],
  pred: readonly Span[],
  keep: Set<string>,
  overall: Tally,
  byLabel: Map<string, Tally>,
) {
  const add = (label: string, kinds: [Kind, Kind, Kind, Kind]) => {
    const lt = byLabel.get(label)!;
    MATCHINGS.forEach((m, i) => {
      overall[m][kinds[i]]++;
      lt[m][kinds[i]]++;
    });
  };
  const trues = gold.filter((s) => keep.has(s.label)).sort((a, b) => a.start - b.start);
  const preds = pred.filter((s) => keep.has(s.label)).sort((a, b) => a.end - b.end);
  const trueKeys = new Set(trues.map(key));
  const overlapped = new Set<string>();
  for (const p of preds) {
    if (trueKeys.has(key(p))) {
      overlapped.add(key(p));
      add(p.label, ["correct", "correct", "correct", "correct"]);
      continue;
    }
    let found = false;
    for (const t of trues) {
      if (p.end <= t.start) break;
      if (t.start === p.start && t.end === p.end) {
        // same boundaries, other label (the same label was an exact match above)
        add(t.label, ["incorrect", "correct", "correct", "incorrect"]);
        overlapped.add(key(t));
        found = true;
        break;
      }
      const overlap = t.start < p.end && p.start < t.end;
      if (overlap && !overlapped.has(key(t))) {
        overlapped.add(key(t));
        if (t.label === p.label) add(t.label, ["incorrect", "incorrect", "partial", "correct"]);
        else add(t.label, ["incorrect", "incorrect", "partial", "incorrect"]);
        found = true;
      }
    }
    if (!found) add(p.label, ["spurious", "spurious", "spurious", "spurious"]);
  }
  for (const t of trues) {
    if (!overlapped.has(key(t))) add(t.label, ["missed", "missed", "missed", "missed"]);
  }
}

/**
 * Scores predicted spans against gold spans under the four SemEval-2013 / nervaluate
 * matching schemes, over all documents (lined up by id; ids and texts must agree). With
 * `labels`, spans of other labels are left out of both sides (as nervaluate's `tags`);
 * by default every label of either side counts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spanScores } from "./span_scores.ts";
 * const text = "Ann Lee met Bob";
 * const gold = [{ id: "d", text, spans: [{ start: 0, end: 7, label: "PER" }, { start: 12, end: 15, label: "PER" }] }];
 * const pred = [{ id: "d", text, spans: [{ start: 0, end: 3, label: "PER" }] }];
 * const s = spanScores(gold, pred);
 * assert.equal(s.overall.strict.f1, 0); // one INC, one MIS
 * assert.equal(s.overall.partial.precision, 0.5); // one PAR counts half
 * ```
 */
export function spanScores(
  gold: readonly Doc[],
  pred: readonly Doc[],
  opts: { labels?: readonly string[] } = {},
): SpanScores {
  const pairs = pairDocs([gold, pred], ["gold", "pred"]);
  const labels = opts.labels !== undefined
    ? [...new Set(opts.labels)]
    : [...new Set(pairs.flatMap(([g, p]) => [...g.spans, ...p.spans].map((s) => s.label)))];
  labels.sort(compareCodePoints);
  const keep = new Set(labels);
  const overall = newTally();
  const byLabel = new Map(labels.map((l) => [l, newTally()]));
  for (const [g, p] of pairs) scoreDoc(g.spans, p.spans, keep, overall, byLabel);
  const out: SpanScores = { overall: finish(overall), byLabel: {} };
  for (const l of labels) out.byLabel[l] = finish(byLabel.get(l)!);
  return out;
}
