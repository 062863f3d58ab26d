/**
 * Lines up two or more annotations of the same documents (gold and predicted, or
 * several annotators) by document id, and checks that they agree on ids and texts and
 * that every span is a valid character range of its text. Errors name the document
 * and span; nothing is dropped.
 *
 * @module
 */

import type { Doc, Span } from "../core/types.ts";

function checkSpan(doc: Doc, span: Span, k: number, side: string): void {
  const ok = span !== null && typeof span === "object" && Number.isInteger(span.start) &&
    Number.isInteger(span.end) && span.start >= 0 && span.end <= doc.text.length &&
    span.start < span.end && typeof span.label === "string" && span.label.length > 0;
  if (!ok) {
    throw new Error(
      `${side}: document ${JSON.stringify(doc.id)}, span ${k} ${
        JSON.stringify(span)
      } is not a non-empty labelled range of the text (length ${doc.text.length})`,
    );
  }
}

/**
 * Lines up annotation sets by document id. Returns, for each document id of the first
 * set (in its order), the document from every set. Throws when a set has a duplicate
 * id, lacks a document of the first set or has an extra one, when texts differ, or
 * when a span is not a non-empty, labelled character range of its text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pairDocs } from "./doc_pairs.ts";
 * const a = [{ id: "d1", text: "Ann", spans: [{ start: 0, end: 3, label: "PER" }] }];
 * const b = [{ id: "d1", text: "Ann", spans: [] }];
 * assert.deepEqual(pairDocs([a, b], ["gold", "pred"]), [[a[0], b[0]]]);
 * assert.throws(() => pairDocs([a, []], ["gold", "pred"]), /pred lacks document "d1" of gold/);
 * ```
 */
export function pairDocs(
  sets: readonly (readonly Doc[])[],
  names: readonly string[] = sets.map((_, i) => `annotation set ${i}`),
): Doc[][] {
  if (sets.length === 0) return [];
  const maps = sets.map((set, i) => {
    if (!Array.isArray(set)) throw new TypeError(`${names[i]} is not an array of documents`);
    const m = new Map<string, Doc>();
    for (const doc of set) {
      if (m.has(doc.id)) {
        throw new Error(`${names[i]}: document id ${JSON.stringify(doc.id)} occurs twice`);
      }
      const spans: readonly Span[] = doc.spans;
      if (typeof doc.text !== "string" || !Array.isArray(spans)) {
        throw new Error(`${names[i]}: document ${JSON.stringify(doc.id)} lacks text or spans`);
      }
      spans.forEach((s, k) => checkSpan(doc, s, k, names[i]));
      m.set(doc.id, doc);
    }
    return m;
  });
  const first = sets[0];
  for (let i = 1; i < sets.length; i++) {
    for (const doc of sets[i]) {
      if (!maps[0].has(doc.id)) {
        throw new Error(
          `${names[i]} has document ${JSON.stringify(doc.id)}, which ${names[0]} lacks`,
        );
      }
    }
  }
  return first.map((doc) =>
    maps.map((m, i) => {
      const other = m.get(doc.id);
      if (other === undefined) {
        throw new Error(`${names[i]} lacks document ${JSON.stringify(doc.id)} of ${names[0]}`);
      }
      if (other.text !== doc.text) {
        throw new Error(
          `document ${JSON.stringify(doc.id)}: the text in ${names[i]} differs from ${names[0]}`,
        );
      }
      return other;
    })
  );
}
