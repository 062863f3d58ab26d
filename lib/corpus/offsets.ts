/**
 * Offsets in code points (as Python tools count: brat, doccano, spaCy) and in UTF-16
 * units (as JavaScript strings and `Span` count). They differ only in texts
 * with characters outside the Basic Multilingual Plane (e.g. emoji), which take two
 * UTF-16 units; for other texts both converters return `null` (the identity).
 *
 * @module
 */
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * A converter from code-point offsets of `text` to UTF-16 offsets, or `null` when
 * the two agree (no surrogates in `text`). Offsets outside 0..(code points) give NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { codePointToUtf16 } from "./offsets.ts";
 * const conv = codePointToUtf16("😀 Bob")!;
 * assert.equal(conv(2), 3); // "Bob" starts at code point 2, UTF-16 unit 3
 * assert.equal(codePointToUtf16("Bob"), null);
 * ```
 */
export function codePointToUtf16(text: string): ((cp: number) => number) | null {
  if (!SURROGATE.test(text)) return null;
  const map: number[] = [];
  let u = 0;
  for (const ch of text) {
    map.push(u);
    u += ch.length;
  }
  map.push(u);
  return (cp) => (cp >= 0 && cp < map.length ? map[cp] : NaN);
}

/**
 * A converter from UTF-16 offsets of `text` to code-point offsets, or `null` when
 * the two agree (no surrogates in `text`). An offset inside a surrogate pair, or
 * outside 0..text.length, gives NaN.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utf16ToCodePoint } from "./offsets.ts";
 * const conv = utf16ToCodePoint("😀 Bob")!;
 * assert.equal(conv(3), 2);
 * assert.ok(Number.isNaN(conv(1))); // between the two halves of 😀
 * ```
 */
export function utf16ToCodePoint(text: string): ((u: number) => number) | null {
  if (!SURROGATE.test(text)) return null;
  const map = new Array<number>(text.length + 1).fill(NaN);
  let cp = 0;
  let u = 0;
  for (const ch of text) {
    map[u] = cp++;
    u += ch.length;
  }
  map[u] = cp;
  return (x) => (x >= 0 && x <= text.length ? map[x] : NaN);
}
