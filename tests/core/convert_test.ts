import assert from "node:assert/strict";
import fc from "fast-check";
import { spansToTags, tagsToChunks, tagsToSpans } from "../../lib/core/convert.ts";
import { type Scheme, SCHEMES } from "../../lib/core/scheme.ts";
import type { Range, Span } from "../../lib/core/types.ts";
import { CorpusError } from "../../lib/core/errors.ts";
import { ENCODED } from "./fixtures/adjacent_entities.ts";

/** n one-character tokens separated by single spaces: token i is [2i, 2i+1). */
function toks(n: number): Range[] {
  return Array.from({ length: n }, (_, i) => ({ start: 2 * i, end: 2 * i + 1 }));
}
/** Chunks as [first, last, type] triples, for compact expectations. */
function chunks(tags: string[], scheme: Scheme, mode?: "default" | "strict") {
  return tagsToChunks(tags, scheme, mode).map((c) => [c.first, c.last, c.type]);
}

// ENCODED (fixtures/adjacent_entities.ts): X on tokens 0-1, X on token 2 (adjacent,
// same type), Y on tokens 4-5, hand-worked in every scheme; SPANS the same as spans.
const SPANS: Span[] = [
  { start: 0, end: 3, label: "X" },
  { start: 4, end: 5, label: "X" },
  { start: 8, end: 11, label: "Y" },
];

for (const scheme of SCHEMES) {
  Deno.test(`spansToTags/tagsToSpans: hand-worked ${scheme}`, () => {
    assert.deepEqual(spansToTags(toks(6), SPANS, scheme), ENCODED[scheme]);
    assert.deepEqual(tagsToSpans(toks(6), ENCODED[scheme], scheme), SPANS);
    assert.deepEqual(tagsToSpans(toks(6), ENCODED[scheme], scheme, { mode: "strict" }), SPANS);
  });
}

// [tags, default chunks, strict chunks], worked out by hand from the scheme rules
// (default = conlleval / seqeval default mode reading).
type Case = [string[], (string | number)[][], (string | number)[][]];
const CASES: Record<Scheme, Case[]> = {
  IOB1: [
    [["I-X", "I-X", "B-X", "O", "I-Y"], [[0, 1, "X"], [2, 2, "X"], [4, 4, "Y"]], [[0, 1, "X"], [
      2,
      2,
      "X",
    ], [4, 4, "Y"]]],
    [["B-X", "I-X", "O"], [[0, 1, "X"]], []], // B- not after an X entity
    [["I-X", "B-Y"], [[0, 0, "X"], [1, 1, "Y"]], [[0, 0, "X"]]], // B- after another type
    [["I-X", "I-Y"], [[0, 0, "X"], [1, 1, "Y"]], [[0, 0, "X"], [1, 1, "Y"]]],
    [["O", "B-X", "B-X"], [[1, 1, "X"], [2, 2, "X"]], [[2, 2, "X"]]],
  ],
  IOB2: [
    [["B-X", "I-X", "B-X", "O", "B-Y", "I-Y"], [[0, 1, "X"], [2, 2, "X"], [4, 5, "Y"]], [
      [0, 1, "X"],
      [2, 2, "X"],
      [4, 5, "Y"],
    ]],
    [["O", "I-X", "I-X"], [[1, 2, "X"]], []], // I- after O
    [["B-X", "I-Y"], [[0, 0, "X"], [1, 1, "Y"]], [[0, 0, "X"]]], // I- after another type
    [["I-X", "B-X"], [[0, 0, "X"], [1, 1, "X"]], [[1, 1, "X"]]],
  ],
  IOE1: [
    [["I-X", "E-X", "I-X", "O"], [[0, 1, "X"], [2, 2, "X"]], [[0, 1, "X"], [2, 2, "X"]]],
    [["I-X", "E-X", "O"], [[0, 1, "X"]], []], // E- not before an X entity
    [["I-X", "I-Y", "E-Y", "I-Y"], [[0, 0, "X"], [1, 2, "Y"], [3, 3, "Y"]], [[0, 0, "X"], [
      1,
      2,
      "Y",
    ], [3, 3, "Y"]]],
    [["E-X", "E-X"], [[0, 0, "X"], [1, 1, "X"]], [[0, 0, "X"]]],
  ],
  IOE2: [
    [["I-X", "E-X", "E-X", "O", "E-Y"], [[0, 1, "X"], [2, 2, "X"], [4, 4, "Y"]], [[0, 1, "X"], [
      2,
      2,
      "X",
    ], [4, 4, "Y"]]],
    [["I-X", "I-X", "O"], [[0, 1, "X"]], []], // no E-
    [["E-X", "I-X"], [[0, 0, "X"], [1, 1, "X"]], [[0, 0, "X"]]],
    [["I-X", "E-Y"], [[0, 0, "X"], [1, 1, "Y"]], [[1, 1, "Y"]]],
  ],
  IOBES: [
    [["B-X", "I-X", "E-X", "S-X", "S-Y", "O"], [[0, 2, "X"], [3, 3, "X"], [4, 4, "Y"]], [
      [0, 2, "X"],
      [3, 3, "X"],
      [4, 4, "Y"],
    ]],
    [["B-X", "I-X", "O"], [[0, 1, "X"]], []], // never ends
    [["I-X", "E-X"], [[0, 1, "X"]], []], // never begins
    [["B-X", "B-X", "E-X"], [[0, 0, "X"], [1, 2, "X"]], [[1, 2, "X"]]],
    [["S-X", "E-X"], [[0, 0, "X"], [1, 1, "X"]], [[0, 0, "X"]]],
    [["E-X", "I-X"], [[0, 0, "X"], [1, 1, "X"]], []],
    [["B-X", "E-Y"], [[0, 0, "X"], [1, 1, "Y"]], []],
  ],
  BILOU: [
    // seqeval's default mode would merge U-X U-X into one entity; L/U read as E/S here
    [["B-X", "L-X", "U-X", "U-X"], [[0, 1, "X"], [2, 2, "X"], [3, 3, "X"]], [[0, 1, "X"], [
      2,
      2,
      "X",
    ], [3, 3, "X"]]],
    [["B-X", "I-X", "O"], [[0, 1, "X"]], []],
    [["I-X", "L-X"], [[0, 1, "X"]], []],
    [["U-X", "L-X"], [[0, 0, "X"], [1, 1, "X"]], [[0, 0, "X"]]],
    [["B-X", "B-X", "I-X", "L-X"], [[0, 0, "X"], [1, 3, "X"]], [[1, 3, "X"]]],
  ],
};

for (const scheme of SCHEMES) {
  Deno.test(`tagsToChunks: ${scheme} valid and invalid transitions, default and strict`, () => {
    for (const [tags, lenient, strict] of CASES[scheme]) {
      assert.deepEqual(chunks(tags, scheme), lenient, `default ${tags.join(" ")}`);
      assert.deepEqual(chunks(tags, scheme, "strict"), strict, `strict ${tags.join(" ")}`);
    }
  });
}

Deno.test("tagsToChunks: IOB2 default mode agrees with seqeval 1.2.2 get_entities", () => {
  // seqeval.metrics.sequence_labeling.get_entities on these lists (rules of
  // end_of_chunk/start_of_chunk applied by hand): I-PER after O starts an entity, a
  // type change splits, B- splits.
  const tags = ["O", "I-PER", "I-PER", "I-LOC", "B-LOC", "I-LOC", "O", "I-MISC"];
  assert.deepEqual(chunks(tags, "IOB2"), [
    [1, 2, "PER"],
    [3, 3, "LOC"],
    [4, 5, "LOC"],
    [7, 7, "MISC"],
  ]);
});

Deno.test("tagsToSpans: prefixes the scheme does not allow are errors naming the position", () => {
  const bad: [Scheme, string[], number][] = [
    ["IOB2", ["O", "E-X"], 1],
    ["IOB1", ["S-X"], 0],
    ["IOE1", ["O", "O", "B-X"], 2],
    ["IOBES", ["L-X"], 0],
    ["BILOU", ["B-X", "E-X"], 1],
    ["IOB2", ["X-PER"], 0],
    ["IOB2", ["B-"], 0],
    ["IOB2", ["O-X"], 0],
    ["IOB2", ["B"], 0],
  ];
  for (const [scheme, tags, index] of bad) {
    assert.throws(
      () => tagsToSpans(toks(tags.length), tags, scheme),
      (e: unknown) =>
        e instanceof CorpusError && e.index === index && e.message.includes(`position ${index}`),
      `${scheme} ${tags.join(" ")}`,
    );
  }
  assert.throws(() => tagsToSpans(toks(2), ["O"], "IOB2"), /1 tags for 2 tokens/);
});

Deno.test("spansToTags: bad spans are errors naming the span", () => {
  // "Alice Smith met Bob": tokens [0,5) [6,11) [12,15) [16,19)
  const tokens = [{ start: 0, end: 5 }, { start: 6, end: 11 }, { start: 12, end: 15 }, {
    start: 16,
    end: 19,
  }];
  const cases: [Span[], RegExp][] = [
    [[{ start: 2, end: 11, label: "PER" }], /span \[2, 11\) PER: span starts inside token 0/],
    [[{ start: 0, end: 8, label: "PER" }], /span \[0, 8\) PER: span ends inside token 1/],
    [[{ start: 5, end: 6, label: "PER" }], /span \[5, 6\) PER: span covers no token/],
    [[{ start: 19, end: 25, label: "PER" }], /span \[19, 25\) PER: span covers no token/],
    [[{ start: 3, end: 3, label: "PER" }], /span \[3, 3\) PER: span is empty/],
    [
      [{ start: 0, end: 11, label: "PER" }, { start: 6, end: 15, label: "ORG" }],
      /span \[6, 15\) ORG: span overlaps span \[0, 11\) PER/,
    ],
  ];
  for (const [spans, re] of cases) {
    assert.throws(() => spansToTags(tokens, spans, "IOB2"), re);
  }
  // a boundary in the whitespace between tokens is fine: the span holds tokens 0-1
  assert.deepEqual(spansToTags(tokens, [{ start: 0, end: 12, label: "PER" }], "IOB2"), [
    "B-PER",
    "I-PER",
    "O",
    "O",
  ]);
  // unsorted input spans are fine
  assert.deepEqual(
    spansToTags(tokens, [{ start: 16, end: 19, label: "PER" }, {
      start: 0,
      end: 5,
      label: "PER",
    }], "IOBES"),
    ["S-PER", "O", "O", "S-PER"],
  );
});

/** Random tokenised text with non-overlapping token-aligned spans (adjacent included). */
const corpusArb = fc.array(
  fc.record({
    len: fc.integer({ min: 1, max: 4 }),
    gap: fc.integer({ min: 0, max: 2 }),
    // 0: outside, 1: continue the current entity (or start one), 2: start a new one
    kind: fc.constantFrom(0, 1, 2, 2),
    type: fc.constantFrom("A", "B", "long-type"),
  }),
  { maxLength: 30 },
).map((items) => {
  const tokens: Range[] = [];
  const spans: Span[] = [];
  let pos = 0;
  let open: Span | undefined;
  for (const it of items) {
    pos += it.gap;
    const tok = { start: pos, end: pos + it.len };
    // a token glued to the previous one is still a separate token
    tokens.push(tok);
    pos = tok.end;
    if (it.kind === 0) open = undefined;
    else if (it.kind === 1 && open !== undefined) open.end = tok.end;
    else {
      open = { start: tok.start, end: tok.end, label: it.type };
      spans.push(open);
    }
  }
  return { tokens, spans };
});

Deno.test("property: spans -> tags -> spans is the identity for every scheme and mode", () => {
  fc.assert(
    fc.property(corpusArb, fc.constantFrom(...SCHEMES), ({ tokens, spans }, scheme) => {
      const tags = spansToTags(tokens, spans, scheme);
      assert.deepEqual(tagsToSpans(tokens, tags, scheme), spans);
      assert.deepEqual(tagsToSpans(tokens, tags, scheme, { mode: "strict" }), spans);
    }),
    { numRuns: 600 },
  );
});

Deno.test("property: tags of one scheme convert to another without changing entities", () => {
  fc.assert(
    fc.property(
      corpusArb,
      fc.constantFrom(...SCHEMES),
      fc.constantFrom(...SCHEMES),
      ({ tokens, spans }, a, b) => {
        const viaA = tagsToSpans(tokens, spansToTags(tokens, spans, a), a);
        assert.deepEqual(spansToTags(tokens, viaA, b), spansToTags(tokens, spans, b));
      },
    ),
    { numRuns: 200 },
  );
});
