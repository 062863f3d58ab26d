/**
 * The types every part of the toolkit shares: an annotated document, its entity spans
 * and character ranges, all in character offsets (end exclusive).
 *
 * @module
 */

/**
 * An entity mention: `text.slice(start, end)` is the mention, `label` its type.
 *
 * @example
 * ```ts
 * const span: Span = { start: 0, end: 5, label: "PERSON" };
 * ```
 */
export type Span = { start: number; end: number; label: string };

/**
 * An annotated document: its text and the entity spans in it.
 *
 * @example
 * ```ts
 * const doc: Doc = { id: "d1", text: "Alice thanks NIH.", spans: [
 *   { start: 0, end: 5, label: "PERSON" }, { start: 13, end: 16, label: "ORG" }] };
 * ```
 */
export type Doc = { id: string; text: string; spans: Span[]; meta?: Record<string, unknown> };

/**
 * A character range of a text (end exclusive): a sentence or a word.
 *
 * @example
 * ```ts
 * const word: Range = { start: 0, end: 5 };
 * ```
 */
export type Range = { start: number; end: number };
