/**
 * Subsample plans: which training documents each of many training runs uses, drawn
 * at random in several size ranges (the paper: 2,500 subsamples from 490 documents),
 * with each subsample's size in sentences and its entity density (EPS) recorded for
 * the regressions. A plan is fixed by its seed: the same documents, options and seed
 * give the same plan on every machine (all draws through {@linkcode createRandom}).
 *
 * **Ranges.** `count` subsamples are spread evenly over `sizes` in order: subsample
 * i (0-based) belongs to range floor(i * R / count), R = number of ranges.
 *
 * **Filling a subsample** (`unit` "sentences", the default, or "documents", where each
 * document counts 1): its target size is drawn uniformly among the integers of its
 * range [lo, hi]; documents are then visited in a fresh uniformly random order and
 * each is added unless it would take the total past hi (then it is skipped and the
 * next one is tried); the subsample is complete as soon as the total reaches the
 * target, or when no remaining document can be added. So the total never exceeds hi
 * and is below the target only when the documents run out; if it is then below lo,
 * planning fails with an error naming the subsample (the corpus is too small or its
 * documents too large for that range).
 *
 * **Designs.** `"random"` (default): the visiting order is a random permutation of
 * all documents, as in the paper; size varies, but each subsample's EPS is close to
 * the corpus's EPS, so the effect of EPS can hardly be estimated. `"eps-stratified"`:
 * documents are put in `strata` (default 5) quantile strata of per-document EPS
 * (see {@linkcode epsStrata}); the subsamples of each size range are assigned a
 * target stratum in turn (the j-th subsample of a range gets stratum j mod strata),
 * so size and target stratum are balanced and independent; a subsample visits the
 * documents of its target stratum first (in random order), then those of the nearest
 * strata (distance 1 before 2; at equal distance a coin flip picks the side), only
 * needing these when its own stratum cannot fill it. EPS then varies across
 * subsamples at every size, nearly uncorrelated with size.
 *
 * **Documents in, documents out.** Given `Doc`s (measured as corpus statistics count
 * them), each subsample also carries its documents, `docs`, in `docIds` order.
 *
 * @module
 */
import { table } from "../deps/arquero.ts";
import { createRandom, type Random } from "../core/random.ts";
import { type DocSize, eps, epsStrata, toDocSizes } from "./doc_size.ts";
import type { Doc } from "../core/types.ts";
import { docSizes } from "../corpus/stats.ts";

/**
 * One planned subsample: `range` and `target` in the plan's unit; `docIds` in the
 * order drawn; `sentences` / `entities` totals and `eps` = entities / sentences;
 * `stratum` the target EPS stratum (eps-stratified design only); `docs` the documents
 * of `docIds` when the plan was drawn from `Doc`s. `docs` is not enumerable, so a plan
 * prints, compares and serialises ({@linkcode planToJson}) by its ids alone.
 */
export type Subsample = {
  id: string;
  range: [number, number];
  target: number;
  docIds: string[];
  documents: number;
  sentences: number;
  entities: number;
  eps: number;
  stratum?: number;
  docs?: Doc[];
};

/**
 * Options of {@linkcode planSubsamples}.
 */
export type PlanOptions = {
  count: number;
  sizes: [number, number][];
  seed: number;
  unit?: "sentences" | "documents";
  design?: "random" | "eps-stratified";
  strata?: number;
};

/**
 * Draws a plan of `count` training subsamples from the documents (or their counts,
 * `DocSize`s; see the module documentation for the exact procedure). Documents give
 * the same plan as their counts, and each subsample carries its documents (`docs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planSubsamples } from "./plan.ts";
 * const docs = Array.from({ length: 100 }, (_, i) => ({
 *   id: `d${i}`,
 *   text: "One sentence. ".repeat(1 + (i % 5)),
 *   spans: Array.from({ length: i % 7 }, () => ({ start: 0, end: 3, label: "X" })),
 * }));
 * const plan = planSubsamples(docs, { count: 10, sizes: [[20, 40], [60, 80]], seed: 7 });
 * assert.ok(plan[0].sentences >= 20 && plan[0].sentences <= 40);
 * assert.deepEqual(plan[0].docs.map((d) => d.id), plan[0].docIds);
 * ```
 */
export function planSubsamples(
  docs: readonly Doc[],
  opts: PlanOptions,
): (Subsample & { docs: Doc[] })[];
export function planSubsamples(docs: readonly (DocSize | Doc)[], opts: PlanOptions): Subsample[];
export function planSubsamples(docs: readonly (DocSize | Doc)[], opts: PlanOptions): Subsample[] {
  // Documents are measured as corpus statistics count them (sentences, entities).
  const measured = docs.map((d) => ("text" in d ? docSizes([d])[0] : d));
  const given = docs.every((d) => "text" in d) ? docs as readonly Doc[] : undefined;
  const sizes = toDocSizes(measured, undefined, "planSubsamples");
  const { count, seed } = opts;
  const unit = opts.unit ?? "sentences";
  const design = opts.design ?? "random";
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`planSubsamples: count must be a positive integer, got ${count}`);
  }
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`planSubsamples: seed must be a safe integer, got ${seed}`);
  }
  if (unit !== "sentences" && unit !== "documents") {
    throw new Error(`planSubsamples: unit must be "sentences" or "documents", got "${unit}"`);
  }
  if (design !== "random" && design !== "eps-stratified") {
    throw new Error(`planSubsamples: design must be "random" or "eps-stratified", got "${design}"`);
  }
  if (!Array.isArray(opts.sizes) || opts.sizes.length === 0) {
    throw new Error("planSubsamples: sizes must list at least one [min, max] range");
  }
  opts.sizes.forEach((r, i) => {
    if (
      !Array.isArray(r) || r.length !== 2 || !Number.isInteger(r[0]) || !Number.isInteger(r[1]) ||
      r[0] < 1 || r[0] > r[1]
    ) {
      throw new Error(`planSubsamples: sizes[${i}] must be [min, max] integers, 1 <= min <= max`);
    }
  });
  const n = sizes.length;
  if (n === 0) throw new Error("planSubsamples: no documents");
  const unitSize = sizes.map((d) => (unit === "sentences" ? d.sentences : 1));
  const positive = unitSize.filter((v) => v > 0);
  const minSize = positive.length ? Math.min(...positive) : Infinity;
  const k = design === "eps-stratified" ? Math.min(opts.strata ?? 5, n) : 1;
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`planSubsamples: strata must be a positive integer, got ${opts.strata}`);
  }
  const strata = design === "eps-stratified" ? epsStrata(sizes, k) : new Array<number>(n).fill(0);
  const pools: Int32Array[] = Array.from({ length: k }, (_, s) => {
    const ids: number[] = [];
    strata.forEach((st, i) => st === s && ids.push(i));
    return Int32Array.from(ids);
  });

  const rng = createRandom(seed);
  const R = opts.sizes.length;
  const width = String(count).length;
  const plan: Subsample[] = [];
  const inRange = new Array<number>(R).fill(0);
  for (let i = 0; i < count; i++) {
    const r = Math.floor((i * R) / count);
    const [lo, hi] = opts.sizes[r];
    const id = `s${String(i + 1).padStart(width, "0")}`;
    const target = lo + rng.int(hi - lo + 1);
    const j = inRange[r]++;
    const stratum = design === "eps-stratified" ? j % k : 0;
    const order = design === "eps-stratified" ? stratumOrder(stratum, k, rng) : [0];
    let total = 0;
    const chosen: number[] = [];
    visit: for (const s of order) {
      const pool = pools[s];
      // Lazy Fisher-Yates: a uniform random order of the pool, drawn as needed (any
      // starting arrangement of the pool gives a uniform order).
      for (let a = 0; a < pool.length; a++) {
        const b = a + rng.int(pool.length - a);
        const d = pool[b];
        pool[b] = pool[a];
        pool[a] = d;
        if (total + unitSize[d] <= hi) {
          chosen.push(d);
          total += unitSize[d];
          if (total >= target) break visit;
        }
        if (hi - total < minSize) break visit;
      }
    }
    if (total < lo) {
      const corpus = unitSize.reduce((a, b) => a + b, 0);
      throw new Error(
        `planSubsamples: subsample ${id} (range [${lo}, ${hi}] ${unit}, target ${target}) ` +
          `reached only ${total} ${unit}: the ${n} documents (${corpus} ${unit}) cannot fill it`,
      );
    }
    let sentences = 0, entities = 0;
    for (const d of chosen) {
      sentences += sizes[d].sentences;
      entities += sizes[d].entities;
    }
    const sub: Subsample = {
      id,
      range: [lo, hi],
      target,
      docIds: chosen.map((d) => sizes[d].id),
      documents: chosen.length,
      sentences,
      entities,
      eps: eps({ sentences, entities }),
    };
    if (design === "eps-stratified") sub.stratum = stratum;
    if (given) {
      const value = chosen.map((d) => given[d]);
      Object.defineProperty(sub, "docs", { value, writable: true, configurable: true });
    }
    plan.push(sub);
  }
  return plan;
}

/** Strata by distance from `s`: s, then s-1 / s+1 in random order, then s-2 / s+2, ... */
function stratumOrder(s: number, k: number, rng: Random): number[] {
  const out = [s];
  for (let d = 1; d < k; d++) {
    const pair = [s - d, s + d].filter((v) => v >= 0 && v < k);
    if (pair.length === 2 && rng.int(2) === 1) pair.reverse();
    out.push(...pair);
  }
  return out;
}

/**
 * A plan as an arquero table: one row per subsample with columns `id`, `range_lo`,
 * `range_hi`, `target`, `documents`, `sentences`, `entities`, `eps`, `stratum` (when
 * the plan has strata) and `docIds` (an array per row).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planSubsamples, planTable } from "./plan.ts";
 * const docs = [{ id: "a", sentences: 3, entities: 2 }, { id: "b", sentences: 2, entities: 1 }];
 * const t = planTable(planSubsamples(docs, { count: 2, sizes: [[2, 5]], seed: 1 }));
 * assert.deepEqual(t.columnNames(), [
 *   "id", "range_lo", "range_hi", "target", "documents", "sentences", "entities", "eps", "docIds",
 * ]);
 * assert.deepEqual(t.array("id"), ["s1", "s2"]);
 * ```
 */
export function planTable(plan: readonly Subsample[]): ReturnType<typeof table> {
  const cols: Record<string, unknown[]> = {
    id: plan.map((s) => s.id),
    range_lo: plan.map((s) => s.range[0]),
    range_hi: plan.map((s) => s.range[1]),
    target: plan.map((s) => s.target),
    documents: plan.map((s) => s.documents),
    sentences: plan.map((s) => s.sentences),
    entities: plan.map((s) => s.entities),
    eps: plan.map((s) => s.eps),
  };
  if (plan.length > 0 && plan.every((s) => s.stratum !== undefined)) {
    cols.stratum = plan.map((s) => s.stratum);
  }
  cols.docIds = plan.map((s) => s.docIds);
  return table(cols);
}

const FORMAT = "nerss-subsample-plan";

/**
 * Serialises a plan as JSON Lines (plan.jsonl): one subsample per line, a JSON object
 * with `id`, `range`, `target`, `docIds`, `documents`, `sentences`, `entities`, `eps`
 * (and `stratum`), ready for any JSON Lines reader (pandas, arquero, jq).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planSubsamples, planToJson } from "./plan.ts";
 * const docs = [{ id: "a", sentences: 3, entities: 2 }, { id: "b", sentences: 2, entities: 1 }];
 * const text = planToJson(planSubsamples(docs, { count: 2, sizes: [[2, 5]], seed: 1 }));
 * assert.equal(text.trim().split("\n").length, 2);
 * assert.equal(JSON.parse(text.split("\n")[1]).id, "s2");
 * ```
 */
export function planToJson(plan: readonly Subsample[]): string {
  return plan.map((s) => JSON.stringify(s) + "\n").join("");
}

/**
 * Reads a plan written by {@linkcode planToJson} (JSON Lines; the earlier single JSON
 * document `{"format": "nerss-subsample-plan", "version": 1, "subsamples": [...]}` is
 * read too), checking every field: ids unique, ranges [lo, hi] integers, counts
 * non-negative integers, `documents` equal to the number of (distinct) `docIds`, and
 * `eps` equal to entities / sentences. Errors name the line (or the subsample's
 * position) and the id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { planFromJson, planSubsamples, planToJson } from "./plan.ts";
 * const docs = [{ id: "a", sentences: 3, entities: 2 }, { id: "b", sentences: 2, entities: 1 }];
 * const plan = planSubsamples(docs, { count: 2, sizes: [[2, 5]], seed: 1 });
 * assert.deepEqual(planFromJson(planToJson(plan)), plan);
 * ```
 */
export function planFromJson(text: string): Subsample[] {
  const firstLine = text.trimStart().split("\n", 1)[0];
  if (/^\{\s*"format"\s*:/.test(firstLine)) return planFromDocument(text);
  const entries: { where: string; raw: unknown }[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    try {
      entries.push({ where: `planFromJson: line ${i + 1}`, raw: JSON.parse(line) });
    } catch (e) {
      throw new Error(`planFromJson: line ${i + 1}: not valid JSON (${(e as Error).message})`);
    }
  });
  return checkSubsamples(entries);
}

/** The earlier format: one JSON document holding `subsamples`. */
function planFromDocument(text: string): Subsample[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new Error(`planFromJson: not valid JSON (${(e as Error).message})`);
  }
  const root = data as { format?: unknown; version?: unknown; subsamples?: unknown };
  if (typeof data !== "object" || data === null || root.format !== FORMAT) {
    throw new Error(`planFromJson: not a subsample plan (format must be "${FORMAT}")`);
  }
  if (root.version !== 1) throw new Error(`planFromJson: unsupported version ${root.version}`);
  if (!Array.isArray(root.subsamples)) throw new Error("planFromJson: subsamples must be an array");
  return checkSubsamples(
    root.subsamples.map((raw, i) => ({ where: `planFromJson: subsamples[${i}]`, raw })),
  );
}

function checkSubsamples(entries: { where: string; raw: unknown }[]): Subsample[] {
  const ids = new Set<string>();
  return entries.map(({ where: at, raw }) => {
    const s = raw as Record<string, unknown>;
    const where = `${at}${typeof s?.id === "string" ? ` (id "${s.id}")` : ""}`;
    if (typeof raw !== "object" || raw === null) throw new Error(`${where}: not an object`);
    if (typeof s.id !== "string" || s.id === "") {
      throw new Error(`${where}: id must be a non-empty string`);
    }
    if (ids.has(s.id)) throw new Error(`${where}: duplicate id`);
    ids.add(s.id);
    const isCount = (v: unknown) => typeof v === "number" && Number.isInteger(v) && v >= 0;
    const range = s.range;
    if (
      !Array.isArray(range) || range.length !== 2 || !isCount(range[0]) || !isCount(range[1]) ||
      range[0] > range[1]
    ) {
      throw new Error(`${where}: range must be [lo, hi] integers with lo <= hi`);
    }
    for (const key of ["target", "documents", "sentences", "entities"]) {
      if (!isCount(s[key])) throw new Error(`${where}: ${key} must be a non-negative integer`);
    }
    const docIds = s.docIds;
    if (!Array.isArray(docIds) || !docIds.every((d) => typeof d === "string" && d !== "")) {
      throw new Error(`${where}: docIds must be an array of non-empty strings`);
    }
    if (new Set(docIds).size !== docIds.length) {
      throw new Error(`${where}: docIds repeat a document`);
    }
    if (s.documents !== docIds.length) {
      throw new Error(
        `${where}: documents is ${s.documents} but docIds has ${docIds.length} entries`,
      );
    }
    const sentences = s.sentences as number, entities = s.entities as number;
    const want = eps({ sentences, entities });
    if (typeof s.eps !== "number" || Math.abs(s.eps - want) > 1e-12 * Math.max(1, want)) {
      throw new Error(`${where}: eps is ${s.eps} but entities / sentences = ${want}`);
    }
    const out: Subsample = {
      id: s.id,
      range: [range[0], range[1]],
      target: s.target as number,
      docIds: docIds as string[],
      documents: s.documents as number,
      sentences,
      entities,
      eps: s.eps,
    };
    if (s.stratum !== undefined) {
      if (!isCount(s.stratum)) throw new Error(`${where}: stratum must be a non-negative integer`);
      out.stratum = s.stratum as number;
    }
    const extra = Object.keys(s).filter((key) => !(key in out));
    if (extra.length) throw new Error(`${where}: unknown field(s) ${extra.join(", ")}`);
    return out;
  });
}
