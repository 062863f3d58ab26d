/**
 * The types every part of the toolkit shares: an annotated document, its entity spans
 * and character ranges, all in character offsets (end exclusive).
 *
 * @module
 */

/**
 * An entity mention: `text.slice(start, end)` is the mention, `label` its type.
 */
export type Span = { start: number; end: number; label: string };

/**
 * An annotated document: its text and the entity spans in it.
 */
export type Doc = { id: string; text: string; spans: Span[]; meta?: Record<string, unknown> };

/**
 * A character range of a text (end exclusive): a sentence or a word.
 */
export type Range = { start: number; end: number };
