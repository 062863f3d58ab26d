/**
 * Word tokenization with character offsets, for texts that come without tokens
 * (inline XML, JSONL, brat). A word is one of:
 *
 * - a web address (`http://...`, `https://...`, `www....`) without trailing punctuation;
 * - a run of letters, digits and combining marks, joined by single inner connectors
 *   (`-`, `‐`, `‑`, `–`, `/`, `.`, `'`, `’`, `_`, `&`, `@`, and `,` or `:` between
 *   digits): hyphenated words, decimals (`2.5`, `1,000`) and grant numbers
 *   (`R01-GM123456`, `DE-AC02-05CH11231`, `2670/B/P01/2008/34`) stay whole;
 * - that run with its final period, when the result is an abbreviation or initial
 *   (`Dr.`, `No.`, `e.g.`, `U.S.A.`, `G.D.`; see {@link isAbbreviation});
 * - an ellipsis `...`, or else any single other non-space character (punctuation and
 *   symbols are split off one by one).
 *
 * When entity spans are given and an entity boundary falls inside a word, the word is
 * split there (`NIH-funded` with entity `NIH` gives `NIH`, `-funded`), so words never
 * cross an entity boundary and every entity is a whole number of words.
 *
 * No reference implementation: this is the toolkit's own word definition, used for
 * token counts and as the unit of subword alignment.
 *
 * @module
 */

import type { Range, Span } from "../core/types.ts";
import { isAbbreviation } from "./sentences.ts";

const TOKEN = new RegExp(
  [
    // web addresses
    String.raw`(?:(?:https?|ftp):\/\/|www\.)[^\s]*[^\s.,;:!?)\]"'\u2019\u201d>]`,
    // words with inner connectors
    String
      .raw`[\p{L}\p{N}\p{M}]+(?:(?:[\-\u2010\u2011\u2013\/.'\u2019_&@]|(?<=\p{N})[,:](?=\p{N}))[\p{L}\p{N}\p{M}]+)*`,
    // ellipsis
    String.raw`\.{2,}`,
    // any other single character
    String.raw`\S`,
  ].join("|"),
  "gu",
);
const WORD_START = /^[\p{L}\p{N}\p{M}]/u;

/**
 * Splits `text` (or the part of it in `range`) into words, as character ranges in
 * `text`. Every non-space character of the range is in exactly one word, words are in
 * order and do not overlap, so the words joined with the text between them give the
 * range back. With `spans`, a word is cut at every entity boundary inside it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitWords } from "./words.ts";
 * const text = "Funded by NIH-NIGMS (No. R01-GM123456, $2.5M).";
 * const words = (ranges: { start: number; end: number }[]) =>
 *   ranges.map((w) => text.slice(w.start, w.end));
 * assert.deepEqual(
 *   words(splitWords(text)),
 *   ["Funded", "by", "NIH-NIGMS", "(", "No.", "R01-GM123456", ",", "$", "2.5M", ")", "."],
 * );
 * // an entity boundary inside a word cuts it
 * const cut = splitWords(text, undefined, [{ start: 10, end: 13, label: "ORG" }]);
 * assert.deepEqual(words(cut).slice(2, 4), ["NIH", "-NIGMS"]);
 * ```
 */
export function splitWords(
  text: string,
  range: Range = { start: 0, end: text.length },
  spans: readonly Span[] = [],
): Range[] {
  if (range.start < 0 || range.end > text.length || range.start > range.end) {
    throw new RangeError(
      `splitWords: range [${range.start}, ${range.end}) is outside the text (length ${text.length})`,
    );
  }
  const part = text.slice(range.start, range.end);
  const words: Range[] = [];
  for (const m of part.matchAll(TOKEN)) {
    let end = m.index + m[0].length;
    if (part[end] === "." && part[end + 1] !== "." && WORD_START.test(m[0])) {
      if (isAbbreviation(m[0] + ".")) end++;
    }
    const last = words[words.length - 1];
    const start = m.index + range.start;
    // a period swallowed by an abbreviation is not matched again
    if (last !== undefined && last.end > start) continue;
    words.push({ start, end: end + range.start });
  }
  if (spans.length === 0) return words;
  return cutAtBoundaries(words, spans);
}

function cutAtBoundaries(words: Range[], spans: readonly Span[]): Range[] {
  const cuts = [...new Set(spans.flatMap((s) => [s.start, s.end]))].sort((a, b) => a - b);
  const out: Range[] = [];
  let j = 0;
  for (const w of words) {
    while (j < cuts.length && cuts[j] <= w.start) j++;
    let start = w.start;
    while (j < cuts.length && cuts[j] < w.end) {
      out.push({ start, end: cuts[j] });
      start = cuts[j];
      j++;
    }
    out.push({ start, end: w.end });
  }
  return out;
}
