/**
 * Sentence splitting for short scientific statements (acknowledgements, funding and
 * conflict-of-interest disclosures). A rule-based splitter: a sentence ends at `.`,
 * `!` or `?` (with any closing quotes or brackets after it) followed by white space
 * and a character that is not a lower-case letter, or at a blank line; it does not
 * end after a title or common abbreviation (`Dr.`, `Prof.`, `et al.`, `e.g.`,
 * `Inc.`, `No.`, `Fig.`, ...; see {@link ABBREVIATIONS}), after an initial or a
 * dotted abbreviation (`J.`, `G.D.`, `U.S.A.`, `Ph.D.`), nor inside an entity span.
 * Decimals (`2.5`) never split because no white space follows their point.
 *
 * Known limits, by design: a sentence that really ends with an abbreviation or a
 * single capital letter ("... by Pfizer Inc. The ...", "... vitamin D. We ...") is
 * not split there, and a sentence that starts with a lower-case letter joins the one
 * before it.
 *
 * There is no reference implementation to match: the counts it gives are the
 * toolkit's definition of "sentences" for documents whose reader did not provide
 * sentence boundaries (CoNLL files do).
 *
 * @module
 */

import type { Range, Span } from "../core/types.ts";

/**
 * Abbreviations (with their final period) after which a sentence never ends. Initials
 * and dotted abbreviations (`J.`, `G.D.`, `e.g.`, `U.S.A.`, `Ph.D.`) are recognised by
 * their shape (see {@link isAbbreviation}) and need not be listed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ABBREVIATIONS } from "./sentences.ts";
 * assert.ok(ABBREVIATIONS.has("Dr."));
 * ```
 */
export const ABBREVIATIONS: ReadonlySet<string> = new Set([
  "Dr.",
  "Drs.",
  "Mr.",
  "Messrs.",
  "Ms.",
  "Mrs.",
  "Prof.",
  "Profs.",
  "Jr.",
  "Sr.",
  "St.",
  "Mt.",
  "al.",
  "Inc.",
  "Ltd.",
  "Co.",
  "Corp.",
  "No.",
  "Nos.",
  "no.",
  "nos.",
  "Fig.",
  "Figs.",
  "fig.",
  "figs.",
  "Eq.",
  "Eqs.",
  "eq.",
  "eqs.",
  "Ref.",
  "Refs.",
  "ref.",
  "refs.",
  "Dept.",
  "Univ.",
  "Eng.",
  "Proc.",
  "vs.",
  "cf.",
  "ca.",
  "approx.",
]);

// Initials and dotted abbreviations: "J.", "G.D.", "U.S.A.", "Ye.B.", "e.g.", "Ph.D.".
const DOTTED = /^(?:\p{Lu}|(?:\p{L}{1,2}\.)+\p{L}{1,2})\.$/u;

/**
 * Whether a word (with its final period) is an abbreviation after which no sentence
 * ends: one of {@link ABBREVIATIONS}, a single capital initial (`J.`), or a dotted
 * abbreviation of one- or two-letter parts (`G.D.`, `U.S.A.`, `e.g.`, `Ph.D.`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAbbreviation } from "./sentences.ts";
 * assert.equal(isAbbreviation("Prof."), true);
 * assert.equal(isAbbreviation("G.D."), true);
 * assert.equal(isAbbreviation("study."), false);
 * ```
 */
export function isAbbreviation(word: string): boolean {
  return ABBREVIATIONS.has(word) || DOTTED.test(word);
}

const TERMINATOR = /[.!?]+["'\u2019\u201d)\]]*(?=\s|$)/g;
const BLANK_LINE = /\n[^\S\n]*\n\s*/g;
const OPENERS = /^["'(\[\u2018\u201c]+/;
const LOWER = /\p{Ll}/u;
const SPACE = /\s/;

/**
 * Splits a text into sentences, returned as character ranges trimmed of white space
 * (`text.slice(start, end)` starts and ends with a non-space character). Together the
 * ranges cover every non-space character of the text, in order, without overlap.
 * When `spans` are given, no sentence boundary falls inside an entity span.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitSentences } from "./sentences.ts";
 * const text = "We thank Dr. G.D. Niswender (U.S.A.) for antisera. Funded by NIH.";
 * assert.deepEqual(splitSentences(text).map((r) => text.slice(r.start, r.end)), [
 *   "We thank Dr. G.D. Niswender (U.S.A.) for antisera.",
 *   "Funded by NIH.",
 * ]);
 * ```
 */
export function splitSentences(text: string, spans: readonly Span[] = []): Range[] {
  // Candidate boundaries: [end of a sentence, start of the gap's next character).
  const cuts: [number, number][] = [];
  for (const m of text.matchAll(TERMINATOR)) {
    const end = m.index + m[0].length;
    const next = skipSpace(text, end);
    if (next >= text.length || LOWER.test(text[next])) continue;
    if (m[0][0] === "." && (m[0].length === 1 || m[0][1] !== ".")) {
      if (isAbbreviation(wordBefore(text, m.index) + ".")) continue;
    }
    cuts.push([end, next]);
  }
  for (const m of text.matchAll(BLANK_LINE)) {
    const end = m.index + m[0].length;
    if (end < text.length) cuts.push([m.index, end]);
  }
  cuts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);

  const sorted = [...spans].sort((a, b) => a.start - b.start);
  let j = 0;
  let maxEnd = -1;
  const out: Range[] = [];
  let start = 0;
  for (const [end, next] of cuts) {
    if (end < start) continue; // inside a gap already cut
    while (j < sorted.length && sorted[j].start < end) {
      maxEnd = Math.max(maxEnd, sorted[j].end);
      j++;
    }
    if (maxEnd > next) continue; // an entity spans the boundary
    pushTrimmed(text, start, end, out);
    start = next;
  }
  pushTrimmed(text, start, text.length, out);
  return out;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && SPACE.test(text[i])) i++;
  return i;
}

/** The run of non-space characters ending at `end`, without leading openers. */
function wordBefore(text: string, end: number): string {
  let i = end;
  while (i > 0 && !SPACE.test(text[i - 1])) i--;
  return text.slice(i, end).replace(OPENERS, "");
}

function pushTrimmed(text: string, start: number, end: number, out: Range[]): void {
  while (start < end && SPACE.test(text[start])) start++;
  while (end > start && SPACE.test(text[end - 1])) end--;
  if (end > start) out.push({ start, end });
}
