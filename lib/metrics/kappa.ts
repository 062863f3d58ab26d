/**
 * Chance-corrected agreement between raters who label the same items: Cohen's kappa
 * for two raters (Cohen 1960; the same value as scikit-learn's `cohen_kappa_score`
 * and statsmodels' `cohens_kappa`), Fleiss' kappa for any fixed number of raters per
 * item (Fleiss 1971; statsmodels' `fleiss_kappa` with `method="fleiss"`), with
 * Fleiss' per-category kappas. An undefined kappa (all ratings in one category, so
 * that chance agreement is 1) is NaN.
 *
 * @module
 */

/**
 * Cohen's kappa of two raters' labels for the same items (`a[i]` and `b[i]` label
 * item i): (p_o - p_e) / (1 - p_e), with p_o the observed agreement and p_e the
 * agreement expected from the two raters' label frequencies.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cohenKappa } from "./kappa.ts";
 * // Wikipedia's example: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no; p_o = 0.7, p_e = 0.5
 * const a = [...Array(25).fill("yes"), ...Array(25).fill("no")];
 * const b = [...Array(20).fill("yes"), ...Array(5).fill("no"), ...Array(10).fill("yes"), ...Array(15).fill("no")];
 * assert.ok(Math.abs(cohenKappa(a, b) - 0.4) < 1e-12); // 0.3999999999999999 in floating point
 * ```
 */
export function cohenKappa(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) {
    throw new Error(`cohenKappa: ${a.length} labels from rater a but ${b.length} from rater b`);
  }
  const n = a.length;
  if (n === 0) return NaN;
  const ca = new Map<string, number>(), cb = new Map<string, number>();
  let agree = 0;
  for (let i = 0; i < n; i++) {
    ca.set(a[i], (ca.get(a[i]) ?? 0) + 1);
    cb.set(b[i], (cb.get(b[i]) ?? 0) + 1);
    if (a[i] === b[i]) agree++;
  }
  let pe = 0;
  for (const [label, x] of ca) pe += (x / n) * ((cb.get(label) ?? 0) / n);
  const po = agree / n;
  return pe === 1 ? NaN : (po - pe) / (1 - pe);
}

/**
 * Fleiss' kappa and per-category kappas.
 */
export type FleissKappa = { kappa: number; byCategory: number[]; pBar: number; pe: number };

/**
 * Fleiss' kappa from a subjects × categories table of counts (`table[i][j]` raters put
 * subject i in category j; every row must sum to the same number of raters, at least
 * 2). `byCategory[j]` is Fleiss' kappa for category j against all others.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fleissKappa } from "./kappa.ts";
 * // two subjects, three raters, two categories
 * assert.equal(fleissKappa([[3, 0], [0, 3]]).kappa, 1);
 * ```
 */
export function fleissKappa(table: readonly (readonly number[])[]): FleissKappa {
  const N = table.length;
  if (N === 0) throw new Error("fleissKappa: the table has no subjects");
  const k = table[0].length;
  const m = table[0].reduce((x, y) => x + y, 0);
  if (m < 2) throw new Error(`fleissKappa: need at least 2 ratings per subject, got ${m}`);
  const colSum = new Array<number>(k).fill(0);
  const disagree = new Array<number>(k).fill(0); // sum_i n_ij (m - n_ij)
  let pBarSum = 0;
  table.forEach((row, i) => {
    if (row.length !== k) {
      throw new Error(`fleissKappa: row ${i} has ${row.length} categories, row 0 has ${k}`);
    }
    let sum = 0, sq = 0;
    row.forEach((x, j) => {
      if (!Number.isInteger(x) || x < 0) {
        throw new Error(`fleissKappa: row ${i}, column ${j}: ${x} is not a count`);
      }
      sum += x;
      sq += x * x;
      colSum[j] += x;
      disagree[j] += x * (m - x);
    });
    if (sum !== m) {
      throw new Error(`fleissKappa: row ${i} has ${sum} ratings, row 0 has ${m}`);
    }
    pBarSum += (sq - m) / (m * (m - 1));
  });
  const pBar = pBarSum / N;
  const p = colSum.map((c) => c / (N * m));
  const pe = p.reduce((s, x) => s + x * x, 0);
  const kappa = pe === 1 ? NaN : (pBar - pe) / (1 - pe);
  const byCategory = p.map((pj, j) =>
    pj === 0 || pj === 1 ? NaN : 1 - disagree[j] / (N * m * (m - 1) * pj * (1 - pj))
  );
  return { kappa, byCategory, pBar, pe };
}
