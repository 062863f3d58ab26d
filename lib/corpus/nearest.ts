/**
 * "Did you mean": the known name nearest to a misspelt one, by edit distance (Levenshtein,
 * a swap of neighbours counting as one edit), for errors about unknown fields and labels.
 *
 * @module
 */

/** Edit distance with adjacent transpositions (optimal string alignment). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        next[j] = Math.min(next[j], before[j - 2] + 1);
      }
    }
    [before, row] = [row, next];
  }
  return row[b.length];
}

/**
 * The name nearest to `name` (case ignored) when it is close enough to be a typo: at most 2
 * edits, or a third of the name's length; else `undefined`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nearestName } from "./nearest.ts";
 * assert.equal(nearestName("fractoin", ["fraction", "size", "strata"]), "fraction");
 * assert.equal(nearestName("individul", ["funder", "individual"]), "individual");
 * assert.equal(nearestName("PRE", ["ORG", "PER"]), "PER");
 * assert.equal(nearestName("colour", ["size", "seed"]), undefined);
 * ```
 */
export function nearestName(name: string, names: Iterable<string>): string | undefined {
  let best: string | undefined, bestDistance = Infinity;
  for (const n of names) {
    const d = editDistance(name.toLowerCase(), n.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}
