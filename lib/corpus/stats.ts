/**
 * Corpus statistics: documents, sentences, tokens, entities and entity density (EPS,
 * entities per sentence), for a whole corpus and per document. Sentences and EPS are
 * the two predictors of the sample-size regressions (Majdik et al., JMIR AI 2024), so
 * the counting rules are fixed and simple:
 *
 * - sentences: `doc.meta.sentences` when the reader gave them (CoNLL files, where a
 *   blank line ends a sentence), else {@link splitSentences}`(doc.text, doc.spans)`;
 * - tokens: `doc.meta.tokens` when the reader gave them, else
 *   {@link splitWords}`(doc.text, undefined, doc.spans)`;
 * - entities: `doc.spans.length`; EPS = entities / sentences (0 when both are 0).
 *
 * No reference implementation: these are counts, checked by hand-worked tests.
 *
 * @module
 */

import { table } from "../deps/arquero.ts";
import type { Doc, Range } from "../core/types.ts";
import { CorpusError } from "../core/errors.ts";
import { splitSentences } from "./sentences.ts";
import { splitWords } from "./words.ts";

/**
 * Counts for a corpus: numbers of documents, sentences, tokens and entities, entities
 * per sentence (`eps`), and entities per label.
 */
export type CorpusStats = {
  documents: number;
  sentences: number;
  tokens: number;
  entities: number;
  eps: number;
  byLabel: Record<string, number>;
};

function metaRanges(doc: Doc, key: "sentences" | "tokens"): Range[] | undefined {
  const value = doc.meta?.[key];
  if (value === undefined) return undefined;
  const ok = Array.isArray(value) &&
    value.every((r) =>
      typeof r === "object" && r !== null && Number.isInteger(r.start) && Number.isInteger(r.end) &&
      r.start <= r.end
    );
  if (!ok) {
    throw new CorpusError(
      `meta.${key} must be an array of { start, end } integer ranges`,
      { docId: doc.id },
    );
  }
  return value as Range[];
}

/**
 * The sentences of a document: `doc.meta.sentences` when present (as CoNLL readers
 * give them), else `splitSentences(doc.text, doc.spans)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docSentences } from "./stats.ts";
 * // no split after "Dr.", one after "Li."
 * assert.equal(docSentences({ id: "d", text: "We thank Dr. Li. NIH paid.", spans: [] }).length, 2);
 * ```
 */
export function docSentences(doc: Doc): Range[] {
  return metaRanges(doc, "sentences") ?? splitSentences(doc.text, doc.spans);
}

/**
 * The tokens of a document: `doc.meta.tokens` when present, else
 * `splitWords(doc.text, undefined, doc.spans)`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docTokens } from "./stats.ts";
 * assert.equal(docTokens({ id: "d", text: "NIH-funded work.", spans: [] }).length, 3);
 * ```
 */
export function docTokens(doc: Doc): Range[] {
  return metaRanges(doc, "tokens") ?? splitWords(doc.text, undefined, doc.spans);
}

/** Entities per sentence, 0 for no sentences and no entities. */
function ratio(entities: number, sentences: number): number {
  return entities === 0 ? 0 : entities / sentences;
}

/**
 * Counts documents, sentences, tokens and entities of a corpus; `eps` is the corpus's
 * entities divided by its sentences, `byLabel` the entities per label (keys sorted).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusStats } from "./stats.ts";
 * const stats = corpusStats([{ id: "d1", text: "We thank Dr. Ann Lee. NIH paid.", spans: [
 *   { start: 9, end: 20, label: "PERSON" }, { start: 22, end: 25, label: "ORG" }] }]);
 * assert.deepEqual(stats, { documents: 1, sentences: 2, tokens: 9, entities: 2, eps: 1,
 *   byLabel: { ORG: 1, PERSON: 1 } });
 * ```
 */
export function corpusStats(docs: readonly Doc[]): CorpusStats {
  let sentences = 0, tokens = 0, entities = 0;
  const counts = new Map<string, number>();
  for (const doc of docs) {
    sentences += docSentences(doc).length;
    tokens += docTokens(doc).length;
    entities += doc.spans.length;
    for (const s of doc.spans) counts.set(s.label, (counts.get(s.label) ?? 0) + 1);
  }
  const byLabel: Record<string, number> = {};
  for (const label of [...counts.keys()].sort()) byLabel[label] = counts.get(label)!;
  return {
    documents: docs.length,
    sentences,
    tokens,
    entities,
    eps: ratio(entities, sentences),
    byLabel,
  };
}

/**
 * Per-document sizes as the sampling modules take them: id, sentences and entities.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docSizes } from "./stats.ts";
 * const sizes = docSizes([{ id: "d1", text: "Ann Lee thanks NIH. Bo too.", spans: [
 *   { start: 0, end: 7, label: "PERSON" }, { start: 15, end: 18, label: "ORG" }] }]);
 * assert.deepEqual(sizes, [{ id: "d1", sentences: 2, entities: 2 }]);
 * ```
 */
export function docSizes(
  docs: readonly Doc[],
): { id: string; sentences: number; entities: number }[] {
  return docs.map((doc) => ({
    id: doc.id,
    sentences: docSentences(doc).length,
    entities: doc.spans.length,
  }));
}

const FIXED = ["id", "sentences", "tokens", "entities", "eps"];

/**
 * One row per document, as an arquero table with columns `id`, `sentences`, `tokens`,
 * `entities`, one column per label (sorted; the document's entities of that label)
 * and `eps` (the document's entities per sentence). A label named like a fixed column
 * is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { docStatsTable } from "./stats.ts";
 * const t = docStatsTable([{ id: "d1", text: "Ann Lee thanks NIH.", spans: [
 *   { start: 0, end: 7, label: "PERSON" }, { start: 15, end: 18, label: "ORG" }] }]);
 * assert.deepEqual(t.columnNames(), ["id", "sentences", "tokens", "entities", "ORG", "PERSON", "eps"]);
 * assert.deepEqual(t.objects()[0],
 *   { id: "d1", sentences: 1, tokens: 5, entities: 2, ORG: 1, PERSON: 1, eps: 2 });
 * ```
 */
export function docStatsTable(docs: readonly Doc[]): ReturnType<typeof table> {
  const labels = [...new Set(docs.flatMap((d) => d.spans.map((s) => s.label)))].sort();
  for (const label of labels) {
    if (FIXED.includes(label)) {
      const doc = docs.find((d) => d.spans.some((s) => s.label === label))!;
      throw new CorpusError(
        `label ${JSON.stringify(label)} has the name of a fixed column of the table (${
          FIXED.join(", ")
        })`,
        { docId: doc.id },
      );
    }
  }
  const columns: Record<string, (string | number)[]> = {
    id: [],
    sentences: [],
    tokens: [],
    entities: [],
  };
  for (const label of labels) columns[label] = [];
  columns.eps = [];
  for (const doc of docs) {
    const sentences = docSentences(doc).length;
    columns.id.push(doc.id);
    columns.sentences.push(sentences);
    columns.tokens.push(docTokens(doc).length);
    columns.entities.push(doc.spans.length);
    for (const label of labels) {
      columns[label].push(doc.spans.filter((s) => s.label === label).length);
    }
    columns.eps.push(ratio(doc.spans.length, sentences));
  }
  return table(columns);
}
