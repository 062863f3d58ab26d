/**
 * seqeval 1.2.2's `classification_report`: per-type precision, recall, F1 and support
 * (the number of gold entities), then micro, macro and weighted averages, as text in
 * seqeval's layout (numbers rounded as Python's `format` rounds them: the exact binary
 * value, ties to even) or as a record (seqeval's `output_dict=True`).
 *
 * As in seqeval, strict mode without a scheme detects the scheme from `yTrue`
 * ({@link detectScheme}). Where seqeval fails on input without any entity (`max()` of
 * an empty list), the text report here shows the averages only.
 *
 * @module
 */

import type { Scheme } from "../core/scheme.ts";
import { countEntities, detectScheme, type EntityMode } from "./entities.ts";
import { scoresFromCounts, type ZeroDivision } from "./seqeval.ts";

/**
 * Options of the classification report: `mode`, `scheme`, `digits` (default 2, text
 * only) and `zeroDivision` (default `"warn"`).
 */
export type ReportOptions = {
  mode?: EntityMode;
  scheme?: Scheme;
  digits?: number;
  zeroDivision?: ZeroDivision;
};

/**
 * One row of the report.
 */
export type ReportRow = { precision: number; recall: number; "f1-score": number; support: number };

type Row = [string, number, number, number, number];

function reportRows(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ReportOptions,
): { perType: Row[]; averages: Row[] } {
  const mode = opts.mode ?? "default";
  let scheme = opts.scheme;
  if (mode === "strict" && scheme === undefined) scheme = detectScheme(yTrue);
  const counts = countEntities(yTrue, yPred, { mode, scheme });
  const zd = opts.zeroDivision ?? "warn";
  const per = scoresFromCounts(counts, null, zd);
  const p = per.precision as number[], r = per.recall as number[], f = per.f1 as number[];
  const s = per.support as number[];
  const perType: Row[] = per.labels.map((name, i) => [name, p[i], r[i], f[i], s[i]]);
  const averages: Row[] = (["micro", "macro", "weighted"] as const).map((avg) => {
    const a = scoresFromCounts(counts, avg, zd);
    return [
      `${avg} avg`,
      a.precision as number,
      a.recall as number,
      a.f1 as number,
      a.support as number,
    ];
  });
  return { perType, averages };
}

/**
 * Formats `x` with `digits` decimals as Python's `format(x, ".{digits}f")` does:
 * correctly rounded from the exact binary value, exact ties to even (JavaScript's
 * `toFixed` rounds ties up), `nan` and `inf` spelled as Python spells them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatFixed } from "./report.ts";
 * assert.equal(formatFixed(0.125, 2), "0.12");
 * assert.equal((0.125).toFixed(2), "0.13");
 * assert.equal(formatFixed(2 / 3, 2), "0.67");
 * ```
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  if (!Number.isInteger(digits) || digits < 0 || digits > 99) {
    throw new RangeError(`digits must be an integer from 0 to 99, got ${digits}`);
  }
  const up = x.toFixed(digits);
  if (Math.abs(x) >= 1e21) return up;
  // an exact tie has the digit 5 and then only zeros after the kept digits
  const exact = Math.abs(x).toFixed(100);
  const point = exact.indexOf(".");
  const tail = exact.slice(point + 1 + digits);
  if (!/^50*$/.test(tail)) return up;
  // toFixed rounded the tie away from zero; keep the lower neighbour when it is even
  const kept = exact.slice(0, point + 1 + digits).replace(/\.$/, "");
  const lastDigit = Number(kept[kept.length - 1]);
  if (lastDigit % 2 === 0) return (x < 0 ? "-" : "") + kept;
  return up;
}

function pad(s: string, width: number): string {
  const len = [...s].length;
  return len >= width ? s : " ".repeat(width - len) + s;
}

/**
 * The text report of seqeval 1.2.2's `classification_report` (same layout, same
 * numbers, `digits` decimals).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationReport } from "./report.ts";
 * const yTrue = [["O", "O", "O", "B-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * const yPred = [["O", "O", "B-MISC", "I-MISC", "I-MISC", "I-MISC", "O"], ["B-PER", "I-PER", "O"]];
 * assert.equal(
 *   classificationReport(yTrue, yPred),
 *   [
 *     "              precision    recall  f1-score   support",
 *     "",
 *     "        MISC       0.00      0.00      0.00         1",
 *     "         PER       1.00      1.00      1.00         1",
 *     "",
 *     "   micro avg       0.50      0.50      0.50         2",
 *     "   macro avg       0.50      0.50      0.50         2",
 *     "weighted avg       0.50      0.50      0.50         2",
 *     "",
 *   ].join("\n"),
 * );
 * ```
 */
export function classificationReport(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ReportOptions = {},
): string {
  const digits = opts.digits ?? 2;
  if (!Number.isInteger(digits) || digits < 0 || digits > 99) {
    throw new RangeError(`digits must be an integer from 0 to 99, got ${digits}`);
  }
  const { perType, averages } = reportRows(yTrue, yPred, opts);
  const nameWidth = Math.max(0, ...perType.map((row) => [...row[0]].length));
  const width = Math.max(nameWidth, "weighted avg".length, digits);
  const line = (row: Row) =>
    pad(row[0], width) + " " +
    [row[1], row[2], row[3]].map((v) => " " + pad(formatFixed(v, digits), 9)).join("") +
    " " + pad(String(row[4]), 9);
  const header = pad("", width) + " " +
    ["precision", "recall", "f1-score", "support"].map((h) => " " + pad(h, 9)).join("");
  const lines = [...perType.map(line), "", ...averages.map(line), ""];
  return header + "\n\n" + lines.join("\n");
}

/**
 * The report as a record (seqeval's `classification_report(..., output_dict=True)`):
 * one row per type, then `"micro avg"`, `"macro avg"` and `"weighted avg"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classificationReportDict } from "./report.ts";
 * const yTrue = [["B-A", "B-B", "O", "B-A"]], yPred = [["O", "B-B", "B-C", "B-A"]];
 * const report = classificationReportDict(yTrue, yPred);
 * assert.deepEqual(report.A, { precision: 1, recall: 0.5, "f1-score": 2 / 3, support: 2 });
 * // F1 of A, B and C (2/3, 1, 0) weighted by their gold entities (2, 1, 0): 7/9
 * assert.equal(report["weighted avg"]["f1-score"], 0.7777777777777777);
 * ```
 */
export function classificationReportDict(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: ReportOptions = {},
): Record<string, ReportRow> {
  const { perType, averages } = reportRows(yTrue, yPred, opts);
  const out: Record<string, ReportRow> = {};
  for (const [name, precision, recall, f1, support] of [...perType, ...averages]) {
    out[name] = { precision, recall, "f1-score": f1, support };
  }
  return out;
}
