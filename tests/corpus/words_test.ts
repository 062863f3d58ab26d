// Expected words worked out by hand; the first text is statement 1 of the GROBID
// funding-acknowledgement corpus (kermitt2/grobid, all-acknowledgements.tei.xml, CC BY 4.0).
import assert from "node:assert/strict";
import fc from "fast-check";
import { splitWords } from "../../lib/corpus/words.ts";
import type { Range, Span } from "../../lib/core/types.ts";

function words(text: string, range?: Range, spans?: Span[]): string[] {
  return splitWords(text, range, spans).map((r) => text.slice(r.start, r.end));
}

Deno.test("splitWords: a real statement (GROBID statement 1)", () => {
  const text = "We are grateful to Dr. G.D. Niswender (Animal Reproduction and Biotechnology " +
    "Laboratory, Colorado State University, Fort Collins, CO, U.S.A.) for providing antisera " +
    "to estradiol-17β (GDN 244) and testosterone (GDN 250).";
  assert.deepEqual(words(text), [
    "We",
    "are",
    "grateful",
    "to",
    "Dr.",
    "G.D.",
    "Niswender",
    "(",
    "Animal",
    "Reproduction",
    "and",
    "Biotechnology",
    "Laboratory",
    ",",
    "Colorado",
    "State",
    "University",
    ",",
    "Fort",
    "Collins",
    ",",
    "CO",
    ",",
    "U.S.A.",
    ")",
    "for",
    "providing",
    "antisera",
    "to",
    "estradiol-17β",
    "(",
    "GDN",
    "244",
    ")",
    "and",
    "testosterone",
    "(",
    "GDN",
    "250",
    ")",
    ".",
  ]);
});

Deno.test("splitWords: grant numbers, decimals, hyphenated words stay whole", () => {
  const text = "Supported by NIH grant R01-GM123456, DOE contract DE-AC02-05CH11231 and the " +
    "National Key R&D Program of China (No. 2018YFA0701800; 2670/B/P01/2008/34), " +
    "a well-known $2.5M award of 1,000 e.g. cells.";
  assert.deepEqual(words(text), [
    "Supported",
    "by",
    "NIH",
    "grant",
    "R01-GM123456",
    ",",
    "DOE",
    "contract",
    "DE-AC02-05CH11231",
    "and",
    "the",
    "National",
    "Key",
    "R&D",
    "Program",
    "of",
    "China",
    "(",
    "No.",
    "2018YFA0701800",
    ";",
    "2670/B/P01/2008/34",
    ")",
    ",",
    "a",
    "well-known",
    "$",
    "2.5M",
    "award",
    "of",
    "1,000",
    "e.g.",
    "cells",
    ".",
  ]);
});

Deno.test("splitWords: punctuation runs, web addresses, quotes, symbols", () => {
  assert.deepEqual(words('See http://sfb649.wiwi.hu-berlin.de. "Yes"... ok?! 5% 👍'), [
    "See",
    "http://sfb649.wiwi.hu-berlin.de",
    ".",
    '"',
    "Yes",
    '"',
    "...",
    "ok",
    "?",
    "!",
    "5",
    "%",
    "👍",
  ]);
  assert.deepEqual(words("Mevalotin®, x-"), ["Mevalotin", "®", ",", "x", "-"]);
});

Deno.test("splitWords: offsets of a range are absolute", () => {
  const text = "First one. Second, here.";
  assert.deepEqual(splitWords(text, { start: 11, end: 24 }), [
    { start: 11, end: 17 },
    { start: 17, end: 18 },
    { start: 19, end: 23 },
    { start: 23, end: 24 },
  ]);
  assert.deepEqual(splitWords(text, { start: 3, end: 3 }), []);
  assert.throws(() => splitWords(text, { start: 5, end: 99 }), /outside the text/);
});

Deno.test("splitWords: an entity boundary inside a word splits the word, not the entity", () => {
  const text = "NIH-funded work by the NIHR's staff";
  const spans = [
    { start: 0, end: 3, label: "ORG" }, // NIH
    { start: 23, end: 27, label: "ORG" }, // NIHR
  ];
  assert.deepEqual(words(text, undefined, spans), [
    "NIH",
    "-funded",
    "work",
    "by",
    "the",
    "NIHR",
    "'s",
    "staff",
  ]);
  // an entity that ends inside an abbreviation's period
  const t2 = "Pfizer Inc. paid.";
  assert.deepEqual(words(t2, undefined, [{ start: 0, end: 10, label: "ORG" }]), [
    "Pfizer",
    "Inc",
    ".",
    "paid",
    ".",
  ]);
});

Deno.test("splitWords property: words cover the text, never cross an entity boundary", () => {
  const piece = fc.constantFrom(
    "NIH",
    "-",
    "R01-GM123456",
    " ",
    "  ",
    "\n",
    ".",
    ",",
    "Dr.",
    "2.5",
    "J.",
    "(",
    ")",
    "é",
    "👍",
    "http://a.b/c",
    "'s",
    "e.g.",
    "...",
    "&",
    "x",
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 30 }).map((a) => a.join("")),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
      fc.tuple(fc.nat(), fc.nat()),
      (text, raw, [ra, rb]) => {
        const n = text.length;
        const spans = raw.map(([a, b]) => {
          const s = n ? a % n : 0;
          return { start: s, end: Math.min(n, s + 1 + (b % 9)), label: "X" };
        }).filter((s) => s.end > s.start);
        const rs = n ? ra % (n + 1) : 0;
        const range = { start: rs, end: rs + (n ? rb % (n - rs + 1) : 0) };
        const got = splitWords(text, range, spans);
        let rebuilt = "";
        let at = range.start;
        for (const w of got) {
          assert.ok(w.start >= at && w.end > w.start && w.end <= range.end);
          assert.match(text.slice(at, w.start), /^\s*$/);
          assert.doesNotMatch(text.slice(w.start, w.end), /\s/);
          rebuilt += text.slice(at, w.end);
          at = w.end;
          for (const s of spans) {
            for (const b of [s.start, s.end]) assert.ok(!(w.start < b && b < w.end), "crosses");
          }
        }
        assert.match(text.slice(at, range.end), /^\s*$/);
        rebuilt += text.slice(at, range.end);
        assert.equal(rebuilt, text.slice(range.start, range.end));
      },
    ),
    { numRuns: 300 },
  );
});
