/**
 * The size of a document as sampling sees it: its id, number of sentences and number
 * of entities, and from them its entity density (EPS, entities per sentence). The
 * sampling modules take these counts as input, so they do not depend on how
 * sentences are split; lib/corpus/stats.ts computes them from documents.
 *
 * @module
 */

/**
 * Per-document counts: `sentences` and `entities` are non-negative integers.
 */
export type DocSize = { id: string; sentences: number; entities: number };

/**
 * Entities per sentence of a document or sample: `entities / sentences`, and 0 when
 * both are 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eps } from "./doc_size.ts";
 * assert.equal(eps({ sentences: 4, entities: 6 }), 1.5);
 * assert.equal(eps({ sentences: 0, entities: 0 }), 0);
 * ```
 */
export function eps(size: { sentences: number; entities: number }): number {
  return size.sentences === 0 ? 0 : size.entities / size.sentences;
}

/**
 * Validates per-document counts (unique non-empty ids; non-negative integer counts;
 * no entities in a document without sentences) and returns them as `DocSize`s. The
 * counts come from `sizes(doc)` when given, else from the documents' own `sentences`
 * and `entities` fields. Errors name the document id and position. `where` prefixes
 * the messages.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toDocSizes } from "./doc_size.ts";
 * const docs = [{ id: "a", text: "One. Two.", spans: [] }];
 * assert.deepEqual(toDocSizes(docs, () => ({ sentences: 2, entities: 0 })), [
 *   { id: "a", sentences: 2, entities: 0 },
 * ]);
 * assert.throws(() => toDocSizes([...docs, ...docs], () => ({ sentences: 2, entities: 0 })),
 *   /toDocSizes: document id "a" appears twice \(at 1\)/);
 * ```
 */
export function toDocSizes<T extends { id: string }>(
  docs: readonly T[],
  sizes?: (doc: T) => { sentences: number; entities: number },
  where = "toDocSizes",
): DocSize[] {
  const seen = new Set<string>();
  return docs.map((doc, i) => {
    const id = doc.id;
    if (typeof id !== "string" || id === "") {
      throw new Error(`${where}: document ${i} has no id`);
    }
    if (seen.has(id)) throw new Error(`${where}: document id "${id}" appears twice (at ${i})`);
    seen.add(id);
    const s = sizes ? sizes(doc) : (doc as unknown as { sentences?: unknown; entities?: unknown });
    const sentences = s.sentences, entities = s.entities;
    for (const [name, v] of [["sentences", sentences], ["entities", entities]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v < 0) {
        throw new Error(
          `${where}: document "${id}" (${i}): ${name} must be a non-negative integer, got ${v}` +
            (sizes ? "" : " (pass a sizes function for documents without counts)"),
        );
      }
    }
    if ((sentences as number) === 0 && (entities as number) > 0) {
      throw new Error(
        `${where}: document "${id}" (${i}) has ${entities} entities but no sentences`,
      );
    }
    return { id, sentences: sentences as number, entities: entities as number };
  });
}

/**
 * Quantile strata of per-document EPS: documents ranked by EPS (ties in input order),
 * the rank r of n going to stratum floor(r * k / n), so strata differ in size by at
 * most one. Returns the stratum of each document, in input order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { epsStrata } from "./doc_size.ts";
 * const docs = [{ id: "a", sentences: 1, entities: 3 }, { id: "b", sentences: 2, entities: 0 }];
 * assert.deepEqual(epsStrata(docs, 2), [1, 0]); // b has the lower EPS (0 < 3)
 * ```
 */
export function epsStrata(docs: readonly DocSize[], k: number): number[] {
  if (!Number.isInteger(k) || k < 1) {
    throw new Error(`epsStrata: k must be a positive integer, got ${k}`);
  }
  const n = docs.length;
  const e = docs.map(eps);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => e[a] - e[b] || a - b);
  const out = new Array<number>(n);
  order.forEach((doc, rank) => (out[doc] = Math.floor((rank * k) / n)));
  return out;
}
