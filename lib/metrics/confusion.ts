/**
 * Confusion matrix of entity types, for error analysis: rows are gold types, columns
 * predicted types, and a row and a column `"(none)"` hold the missed gold entities
 * (predicted as nothing) and the spurious predictions (no gold entity). Gold and
 * predicted entities are paired one to one: by default only entities with the same
 * boundaries pair (so off-by-one boundaries count as one missed and one spurious
 * entity); with `match: "overlap"` overlapping entities pair too, greedily by the
 * largest overlap. Works on `Doc` spans (character offsets) or on tag sequences
 * (entities read with seqeval's rules, {@link extractEntities}).
 *
 * No reference implementation: the toolkit's own error analysis.
 *
 * @module
 */

import type { Doc } from "../core/types.ts";
import {
  checkLengths,
  compareCodePoints,
  type EntityOptions,
  extractEntities,
} from "./entities.ts";
import { pairDocs } from "./doc_pairs.ts";

/**
 * The label of the row and column for "no entity".
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NONE } from "./confusion.ts";
 * assert.equal(NONE, "(none)");
 * ```
 */
export const NONE = "(none)";

/**
 * A confusion matrix: `labels` (the types, sorted, then {@link NONE}) index both rows
 * (gold) and columns (predicted); `counts[i][j]` entities of gold type `labels[i]`
 * were predicted as `labels[j]`.
 */
export type ConfusionMatrix = { labels: string[]; counts: number[][] };

/**
 * How gold and predicted entities pair: `"exact"` (same boundaries) or `"overlap"`
 * (any overlap, largest first).
 */
export type ConfusionMatch = "exact" | "overlap";

type Item = { start: number; end: number; label: string };

/** Pairs the entities of one document and adds them to `cells`. */
function tally(gold: Item[], pred: Item[], match: ConfusionMatch, cells: Map<string, number>) {
  const pairs: [number, number, number][] = []; // overlap, gold index, pred index
  for (let i = 0; i < gold.length; i++) {
    for (let j = 0; j < pred.length; j++) {
      const g = gold[i], p = pred[j];
      if (match === "exact") {
        if (g.start === p.start && g.end === p.end) pairs.push([g.end - g.start, i, j]);
      } else {
        const ov = Math.min(g.end, p.end) - Math.max(g.start, p.start);
        if (ov > 0) pairs.push([ov, i, j]);
      }
    }
  }
  pairs.sort((a, b) =>
    b[0] - a[0] || gold[a[1]].start - gold[b[1]].start || pred[a[2]].start - pred[b[2]].start ||
    a[1] - b[1] || a[2] - b[2]
  );
  const gUsed = new Array<boolean>(gold.length).fill(false);
  const pUsed = new Array<boolean>(pred.length).fill(false);
  const bump = (g: string, p: string) => {
    const k = JSON.stringify([g, p]);
    cells.set(k, (cells.get(k) ?? 0) + 1);
  };
  for (const [, i, j] of pairs) {
    if (gUsed[i] || pUsed[j]) continue;
    gUsed[i] = pUsed[j] = true;
    bump(gold[i].label, pred[j].label);
  }
  gold.forEach((g, i) => gUsed[i] || bump(g.label, NONE));
  pred.forEach((p, j) => pUsed[j] || bump(NONE, p.label));
}

function build(cells: Map<string, number>, extra: Iterable<string>): ConfusionMatrix {
  const types = new Set<string>(extra);
  for (const k of cells.keys()) {
    const [g, p] = JSON.parse(k) as [string, string];
    types.add(g);
    types.add(p);
  }
  types.delete(NONE);
  const labels = [...types].sort(compareCodePoints);
  labels.push(NONE);
  const index = new Map(labels.map((l, i) => [l, i]));
  const counts = labels.map(() => new Array<number>(labels.length).fill(0));
  for (const [k, n] of cells) {
    const [g, p] = JSON.parse(k) as [string, string];
    counts[index.get(g)!][index.get(p)!] += n;
  }
  return { labels, counts };
}

/**
 * Confusion matrix of the entity types of predicted against gold `Doc` spans
 * (documents lined up by id; ids and texts must agree).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrix } from "./confusion.ts";
 * const text = "Ann at NIH";
 * const gold = [{ id: "d", text, spans: [{ start: 0, end: 3, label: "PER" }, { start: 7, end: 10, label: "ORG" }] }];
 * const pred = [{ id: "d", text, spans: [{ start: 0, end: 3, label: "ORG" }] }];
 * assert.deepEqual(confusionMatrix(gold, pred), {
 *   labels: ["ORG", "PER", "(none)"],
 *   counts: [[0, 0, 1], [1, 0, 0], [0, 0, 0]], // ORG missed, PER predicted as ORG
 * });
 * ```
 */
export function confusionMatrix(
  gold: readonly Doc[],
  pred: readonly Doc[],
  opts: { match?: ConfusionMatch } = {},
): ConfusionMatrix {
  const match = opts.match ?? "exact";
  if (match !== "exact" && match !== "overlap") {
    throw new Error(`match must be "exact" or "overlap", got ${JSON.stringify(match)}`);
  }
  const cells = new Map<string, number>();
  for (const [g, p] of pairDocs([gold, pred], ["gold", "pred"])) {
    tally(g.spans.slice(), p.spans.slice(), match, cells);
  }
  return build(cells, []);
}

/**
 * Confusion matrix of the entity types read from tag sequences (seqeval's rules, in
 * default or strict mode), sentence by sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { confusionMatrixFromTags } from "./confusion.ts";
 * assert.deepEqual(confusionMatrixFromTags([["B-PER", "O", "B-ORG"]], [["B-ORG", "O", "O"]]), {
 *   labels: ["ORG", "PER", "(none)"],
 *   counts: [[0, 0, 1], [1, 0, 0], [0, 0, 0]],
 * });
 * ```
 */
export function confusionMatrixFromTags(
  yTrue: readonly string[][],
  yPred: readonly string[][],
  opts: EntityOptions & { match?: ConfusionMatch } = {},
): ConfusionMatrix {
  checkLengths(yTrue, yPred);
  const match = opts.match ?? "exact";
  if (match !== "exact" && match !== "overlap") {
    throw new Error(`match must be "exact" or "overlap", got ${JSON.stringify(match)}`);
  }
  const eo = { mode: opts.mode, scheme: opts.scheme };
  const group = (tags: readonly string[][]) => {
    const by: Item[][] = tags.map(() => []);
    for (const e of extractEntities(tags, eo)) {
      by[e.sentence].push({ start: e.start, end: e.end, label: e.type });
    }
    return by;
  };
  const g = group(yTrue), p = group(yPred);
  const cells = new Map<string, number>();
  for (let s = 0; s < g.length; s++) tally(g[s], p[s], match, cells);
  return build(cells, []);
}
