import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareCodePoints,
  countEntities,
  detectScheme,
  extractEntities,
} from "../../lib/metrics/entities.ts";
import type { Scheme } from "../../lib/core/scheme.ts";
import { ENCODED } from "../core/fixtures/adjacent_entities.ts";

/** [type, start, end) triples of one sentence. */
function triples(tags: string[], scheme?: Scheme): [string, number, number][] {
  const opts = scheme === undefined ? {} : { mode: "strict" as const, scheme };
  return extractEntities([tags], opts).map((e) => [e.type, e.start, e.end]);
}

Deno.test("default mode: seqeval's get_entities docstring example", () => {
  // seqeval: get_entities(['B-PER', 'I-PER', 'O', 'B-LOC']) == [('PER', 0, 1), ('LOC', 3, 3)]
  // (inclusive ends; ours are exclusive)
  assert.deepEqual(triples(["B-PER", "I-PER", "O", "B-LOC"]), [["PER", 0, 2], ["LOC", 3, 4]]);
});

Deno.test("default mode: bare B/I tags give type _ (seqeval test_get_entities_with_only_IOB)", () => {
  // seqeval: [('_', 3, 5), ('_', 8, 9)] in flattened, inclusive positions; sentence 1
  // starts at flat position 8 (7 tags + the appended O)
  const got = extractEntities([["O", "O", "O", "B", "I", "I", "O"], ["B", "I", "O"]]);
  assert.deepEqual(got, [
    { sentence: 0, type: "_", start: 3, end: 6 },
    { sentence: 1, type: "_", start: 0, end: 2 },
  ]);
});

Deno.test("default mode: tags without a prefix follow seqeval (first letter = prefix)", () => {
  // Hand-worked from the rules: "MISC" has prefix M and type "ISC"; the type change
  // to O ends it; "PER" has type "ER".
  const tags = ["O", "O", "O", "MISC", "MISC", "MISC", "O", "PER", "PER"];
  assert.deepEqual(triples(tags), [["ISC", 3, 6], ["ER", 7, 9]]);
});

Deno.test("default mode: I- after O or another type starts, E-/S- handled", () => {
  assert.deepEqual(triples(["I-X", "I-X", "O"]), [["X", 0, 2]]);
  assert.deepEqual(triples(["B-X", "I-Y", "I-Y"]), [["X", 0, 1], ["Y", 1, 3]]);
  assert.deepEqual(triples(["B-X", "B-X"]), [["X", 0, 1], ["X", 1, 2]]);
  // IOBES in default mode: E ends after itself, S is a chunk of its own
  assert.deepEqual(triples(["B-X", "I-X", "E-X", "S-X", "E-Y"]), [
    ["X", 0, 3],
    ["X", 3, 4],
    ["Y", 4, 5],
  ]);
  // IOE1: I-X I-X E-X I-X -> E ends the first chunk, the next I starts a new one
  assert.deepEqual(triples(["I-X", "E-X", "I-X", "O"]), [["X", 0, 2], ["X", 2, 3]]);
  // types with dashes keep everything after the first dash
  assert.deepEqual(triples(["B-ORG-COMPANY", "I-ORG-COMPANY"]), [["ORG-COMPANY", 0, 2]]);
});

Deno.test("default mode: an entity never crosses a sentence boundary", () => {
  const got = extractEntities([["B-X", "I-X"], ["I-X", "O"]]);
  assert.deepEqual(got, [
    { sentence: 0, type: "X", start: 0, end: 2 },
    { sentence: 1, type: "X", start: 0, end: 1 },
  ]);
  // the same tags as one sentence give one entity
  assert.deepEqual(triples(["B-X", "I-X", "I-X", "O"]), [["X", 0, 3]]);
  const c = countEntities([["B-X", "I-X"], ["I-X", "O"]], [["B-X", "I-X", "I-X", "O"].slice(0, 2), [
    "I-X",
    "O",
  ]]);
  assert.deepEqual(c, { types: ["X"], tp: [2], pred: [2], gold: [2] });
});

Deno.test("empty input, empty sentences and all-O sentences have no entities", () => {
  assert.deepEqual(countEntities([], []), { types: [], tp: [], pred: [], gold: [] });
  assert.deepEqual(countEntities([[], []], [[], []]), { types: [], tp: [], pred: [], gold: [] });
  assert.deepEqual(countEntities([["O", "O"]], [["O", "O"]]), {
    types: [],
    tp: [],
    pred: [],
    gold: [],
  });
  assert.deepEqual(countEntities([["O", "O"]], [["O", "O"]], { mode: "strict", scheme: "IOB2" }), {
    types: [],
    tp: [],
    pred: [],
    gold: [],
  });
});

Deno.test("strict vs default on [I-X, I-X, O] against [B-X, I-X, O]", () => {
  const yTrue = [["B-X", "I-X", "O"]], yPred = [["I-X", "I-X", "O"]];
  assert.deepEqual(countEntities(yTrue, yPred), { types: ["X"], tp: [1], pred: [1], gold: [1] });
  assert.deepEqual(countEntities(yTrue, yPred, { mode: "strict", scheme: "IOB2" }), {
    types: ["X"],
    tp: [0],
    pred: [0],
    gold: [1],
  });
  // IOB1 reads [I-X, I-X] as an entity, [B-X, I-X] at a sentence start as none
  assert.deepEqual(countEntities(yTrue, yPred, { mode: "strict", scheme: "IOB1" }), {
    types: ["X"],
    tp: [0],
    pred: [1],
    gold: [1],
  });
});

// Expected entities per scheme from seqeval's own test suite (tests/test_scheme.py,
// test_<scheme>_tokens and test_<scheme>_tokens_without_tag), written as
// [tags, [[type, start, end), ...]].
type Case = [string[], [string, number, number][]];
const STRICT_CASES: Record<Exclude<Scheme, "BILOU">, Case[]> = {
  IOB1: [
    [[], []],
    [["B-PER"], []],
    [["I-PER"], [["PER", 0, 1]]],
    [["O"], []],
    [["O", "I-PER"], [["PER", 1, 2]]],
    [["O", "B-PER"], []],
    [["I-PER", "O"], [["PER", 0, 1]]],
    [["I-PER", "I-PER"], [["PER", 0, 2]]],
    [["I-PER", "I-ORG"], [["PER", 0, 1], ["ORG", 1, 2]]],
    [["I-PER", "B-PER"], [["PER", 0, 1], ["PER", 1, 2]]],
    [["I-PER", "B-ORG"], [["PER", 0, 1]]],
    [["B-PER", "O"], []],
    [["B-PER", "I-PER"], [["PER", 1, 2]]],
    [["B-PER", "I-ORG"], [["ORG", 1, 2]]],
    [["B-PER", "B-PER"], [["PER", 1, 2]]],
    [["B-PER", "B-ORG"], []],
    [["B"], []],
    [["I"], [["_", 0, 1]]],
    [["I", "I"], [["_", 0, 2]]],
    [["I", "B"], [["_", 0, 1], ["_", 1, 2]]],
    [["B", "B"], [["_", 1, 2]]],
  ],
  IOB2: [
    [[], []],
    [["B-PER"], [["PER", 0, 1]]],
    [["I-PER"], []],
    [["O"], []],
    [["O", "I-PER"], []],
    [["O", "B-PER"], [["PER", 1, 2]]],
    [["I-PER", "O"], []],
    [["I-PER", "I-PER"], []],
    [["I-PER", "I-ORG"], []],
    [["I-PER", "B-PER"], [["PER", 1, 2]]],
    [["I-PER", "B-ORG"], [["ORG", 1, 2]]],
    [["B-PER", "O"], [["PER", 0, 1]]],
    [["B-PER", "I-PER"], [["PER", 0, 2]]],
    [["B-PER", "I-ORG"], [["PER", 0, 1]]],
    [["B-PER", "B-PER"], [["PER", 0, 1], ["PER", 1, 2]]],
    [["B-PER", "B-ORG"], [["PER", 0, 1], ["ORG", 1, 2]]],
    [["B"], [["_", 0, 1]]],
    [["I"], []],
    [["B", "I"], [["_", 0, 2]]],
    [["B", "B"], [["_", 0, 1], ["_", 1, 2]]],
  ],
  IOE1: [
    [[], []],
    [["E-PER"], []],
    [["I-PER"], [["PER", 0, 1]]],
    [["O"], []],
    [["O", "I-PER"], [["PER", 1, 2]]],
    [["O", "E-PER"], []],
    [["I-PER", "O"], [["PER", 0, 1]]],
    [["I-PER", "I-PER"], [["PER", 0, 2]]],
    [["I-PER", "I-ORG"], [["PER", 0, 1], ["ORG", 1, 2]]],
    [["I-PER", "E-ORG"], [["PER", 0, 1]]],
    [["E-PER", "O"], []],
    [["E-PER", "I-PER"], [["PER", 1, 2]]],
    [["E-PER", "I-ORG"], [["ORG", 1, 2]]],
    [["E-PER", "E-PER"], []],
    [["E-PER", "E-ORG"], []],
    [["E"], []],
    [["I"], [["_", 0, 1]]],
    [["E", "I"], [["_", 1, 2]]],
  ],
  IOE2: [
    [[], []],
    [["E-PER"], [["PER", 0, 1]]],
    [["I-PER"], []],
    [["O"], []],
    [["O", "I-PER"], []],
    [["O", "E-PER"], [["PER", 1, 2]]],
    [["I-PER", "O"], []],
    [["I-PER", "I-PER"], []],
    [["I-PER", "I-ORG"], []],
    [["I-PER", "E-PER"], [["PER", 0, 2]]],
    [["I-PER", "E-ORG"], [["ORG", 1, 2]]],
    [["E-PER", "O"], [["PER", 0, 1]]],
    [["E-PER", "I-PER"], [["PER", 0, 1]]],
    [["E-PER", "I-ORG"], [["PER", 0, 1]]],
    [["E-PER", "E-PER"], [["PER", 0, 1], ["PER", 1, 2]]],
    [["E-PER", "E-ORG"], [["PER", 0, 1], ["ORG", 1, 2]]],
    [["E"], [["_", 0, 1]]],
    [["I", "E"], [["_", 0, 2]]],
  ],
  IOBES: [
    [["O"], []],
    [["I-PER"], []],
    [["B-PER"], []],
    [["E-PER"], []],
    [["S-PER"], [["PER", 0, 1]]],
    [["O", "S-PER"], [["PER", 1, 2]]],
    [["I-PER", "S-PER"], [["PER", 1, 2]]],
    [["B-PER", "O"], []],
    [["B-PER", "I-PER"], []],
    [["B-PER", "E-PER"], [["PER", 0, 2]]],
    [["B-PER", "E-ORG"], []],
    [["B-PER", "S-PER"], [["PER", 1, 2]]],
    [["E-PER", "S-PER"], [["PER", 1, 2]]],
    [["S-PER", "O"], [["PER", 0, 1]]],
    [["S-PER", "I-PER"], [["PER", 0, 1]]],
    [["S-PER", "B-PER"], [["PER", 0, 1]]],
    [["S-PER", "E-PER"], [["PER", 0, 1]]],
    [["S-PER", "S-PER"], [["PER", 0, 1], ["PER", 1, 2]]],
    [["B", "E"], [["_", 0, 2]]],
    [["S", "S"], [["_", 0, 1], ["_", 1, 2]]],
  ],
};

for (const [scheme, cases] of Object.entries(STRICT_CASES)) {
  Deno.test(`strict ${scheme}: seqeval's test_scheme.py expectations`, () => {
    for (const [tags, expected] of cases) {
      assert.deepEqual(triples(tags, scheme as Scheme), expected, JSON.stringify(tags));
    }
  });
}

Deno.test("strict BILOU: seqeval's BILOU patterns are IOBES's with S->U and E->L", () => {
  const rename = (t: string) => t.replace(/^S/, "U").replace(/^E/, "L");
  for (const [tags, expected] of STRICT_CASES.IOBES) {
    assert.deepEqual(triples(tags.map(rename), "BILOU"), expected, JSON.stringify(tags));
  }
  assert.deepEqual(triples(["B-X", "I-X", "L-X", "U-Y", "O"], "BILOU"), [["X", 0, 3], ["Y", 3, 4]]);
});

Deno.test("strict mode: type strips dashes from both ends (seqeval Token.tag)", () => {
  assert.deepEqual(triples(["B-ORG-COMPANY", "I-ORG-COMPANY"], "IOB2"), [["ORG-COMPANY", 0, 2]]);
  assert.deepEqual(triples(["B-X-", "I--X"], "IOB2"), [["X", 0, 2]]);
  assert.deepEqual(triples(["I-組織"], "IOB1"), [["組織", 0, 1]]);
});

Deno.test("strict mode: a prefix the scheme does not allow is an error naming the place", () => {
  const invalid: [string, Scheme][] = [
    ["E-X", "IOB1"],
    ["S-X", "IOB1"],
    ["E-X", "IOB2"],
    ["S-X", "IOB2"],
    ["B-X", "IOE1"],
    ["S-X", "IOE1"],
    ["B-X", "IOE2"],
    ["S-X", "IOE2"],
    ["U-X", "IOBES"],
    ["L-X", "IOBES"],
    ["S-X", "BILOU"],
    ["E-X", "BILOU"],
    ["T-X", "IOB2"],
  ];
  for (const [tag, scheme] of invalid) {
    assert.throws(
      () =>
        countEntities([["O"], ["O", "O", tag]], [["O"], ["O", "O", "O"]], {
          mode: "strict",
          scheme,
        }),
      (e: Error) => e.message.includes("yTrue sentence 1, position 2") && e.message.includes(tag),
      `${tag} in ${scheme}`,
    );
  }
  assert.throws(
    () => countEntities([["B-X"]], [["S-X"]], { mode: "strict", scheme: "IOB2" }),
    /yPred sentence 0, position 0: tag "S-X" has prefix "S", which IOB2 does not allow/,
  );
  // every scheme accepts its own prefixes
  const valid: [string[], Scheme][] = [
    [["I-X", "B-X", "O"], "IOB1"],
    [["B-X", "I-X", "O"], "IOB2"],
    [["I-X", "E-X", "O"], "IOE1"],
    [["I-X", "E-X", "O"], "IOE2"],
    [["B-X", "I-X", "E-X", "S-X", "O"], "IOBES"],
    [["B-X", "I-X", "L-X", "U-X", "O"], "BILOU"],
  ];
  for (const [tags, scheme] of valid) {
    assert.doesNotThrow(() => countEntities([tags], [tags], { mode: "strict", scheme }));
  }
});

Deno.test("mismatched lengths, empty tags, missing scheme are errors", () => {
  assert.throws(
    () => countEntities([["O"]], [["O"], ["O"]]),
    /yTrue has 1 sentences but yPred has 2/,
  );
  assert.throws(
    () => countEntities([["O"], ["O", "B-X"]], [["O"], ["O"]]),
    /sentence 1 has 2 gold tags but 1 predicted tags/,
  );
  assert.throws(() => countEntities([["O", ""]], [["O", "O"]]), /yTrue sentence 0, position 1/);
  assert.throws(() => countEntities([["O"]], [["O"]], { mode: "strict" }), /needs a scheme/);
});

Deno.test("detectScheme: seqeval's auto_detect cases", () => {
  const cases: [string[], Scheme][] = [
    [["B", "I", "O"], "IOB2"],
    [["B", "I"], "IOB2"],
    [["B", "O"], "IOB2"],
    [["B"], "IOB2"],
    [["I", "O", "E"], "IOE2"],
    [["I", "E"], "IOE2"],
    [["E", "O"], "IOE2"],
    [["E"], "IOE2"],
    [["I", "O", "B", "E", "S"], "IOBES"],
    [["I", "B", "E", "S"], "IOBES"],
    [["O", "B", "E"], "IOBES"],
    [["S"], "IOBES"],
    [["B-X", "L-X", "U-Y", "O"], "BILOU"],
  ];
  for (const [tags, scheme] of cases) assert.equal(detectScheme([tags]), scheme, tags.join(" "));
  assert.throws(() => detectScheme([["I", "O"]]), /cannot detect/);
  // {O, S} is in none of seqeval's lists either
  assert.throws(() => detectScheme([["S-PER", "O"]]), /cannot detect/);
  assert.throws(() => detectScheme([["H"]]), /no scheme prefix/);
});

Deno.test("compareCodePoints orders as Python's sorted", () => {
  assert.deepEqual(["b", "a", "\u{1F600}", "\uFF61", "B"].sort(compareCodePoints), [
    "B",
    "a",
    "b",
    "\uFF61",
    "\u{1F600}",
  ]);
});

// A direct, slow transcription of the conlleval rules that seqeval's get_entities
// documents (string comparisons, one flattened list), to check the fast interned
// version against on random tag sequences.
function naiveEntities(sentences: string[][]): string[] {
  const seq: string[] = [];
  for (const s of sentences) seq.push(...s, "O");
  seq.push("O");
  const out: string[] = [];
  let prevTag = "O", prevType = "", begin = 0;
  seq.forEach((chunk, i) => {
    const tag = chunk[0];
    const rest = chunk.slice(1);
    const type = (rest.includes("-") ? rest.slice(rest.indexOf("-") + 1) : rest) || "_";
    let end = prevTag === "E" || prevTag === "S";
    if ((prevTag === "B" || prevTag === "I") && ["B", "S", "O"].includes(tag)) end = true;
    if (prevTag !== "O" && prevTag !== "." && prevType !== type) end = true;
    let start = tag === "B" || tag === "S";
    if (["E", "S", "O"].includes(prevTag) && (tag === "E" || tag === "I")) start = true;
    if (tag !== "O" && tag !== "." && prevType !== type) start = true;
    if (end) out.push(`${prevType}|${begin}|${i - 1}`);
    if (start) begin = i;
    prevTag = tag;
    prevType = type;
  });
  return out;
}

function naiveCounts(yTrue: string[][], yPred: string[][]) {
  const g = naiveEntities(yTrue), p = naiveEntities(yPred);
  const types = [...new Set([...g, ...p].map((e) => e.split("|")[0]))].sort(compareCodePoints);
  const ps = new Set(p);
  return {
    types,
    tp: types.map((t) => g.filter((e) => e.startsWith(t + "|") && ps.has(e)).length),
    pred: types.map((t) => p.filter((e) => e.startsWith(t + "|")).length),
    gold: types.map((t) => g.filter((e) => e.startsWith(t + "|")).length),
  };
}

Deno.test("default mode agrees with a direct transcription of the rules (random tags)", () => {
  const tag = fc.constantFrom(
    "O",
    "B-X",
    "I-X",
    "E-X",
    "S-X",
    "B-Y",
    "I-Y",
    "E-Y",
    "B",
    "I",
    "E",
    "S",
    "X",
    ".",
    "Q",
    "O-X",
    "U-X",
  );
  const corpus = fc.array(fc.array(fc.tuple(tag, tag), { maxLength: 8 }), { maxLength: 5 });
  const origWarn = console.warn;
  console.warn = () => {};
  try {
    fc.assert(
      fc.property(corpus, (sents) => {
        const yTrue = sents.map((s) => s.map((p) => p[0]));
        const yPred = sents.map((s) => s.map((p) => p[1]));
        assert.deepEqual(countEntities(yTrue, yPred), naiveCounts(yTrue, yPred));
      }),
      { numRuns: 2000, seed: 11 },
    );
  } finally {
    console.warn = origWarn;
  }
});

// ENCODED: the same three entities (X on tokens 0-1, X on token 2 right after it, Y on
// 4-5) written in every scheme by hand (tests/core/fixtures/adjacent_entities.ts).
Deno.test("strict mode reads every scheme's encoding of adjacent entities", () => {
  for (const [scheme, tags] of Object.entries(ENCODED)) {
    assert.deepEqual(
      triples(tags, scheme as Scheme),
      [["X", 0, 2], ["X", 2, 3], ["Y", 4, 6]],
      scheme,
    );
  }
});

Deno.test("default mode reads the IOB and IOE encodings (and IOBES) the same way", () => {
  for (const scheme of ["IOB1", "IOB2", "IOE1", "IOE2", "IOBES"] as const) {
    assert.deepEqual(triples(ENCODED[scheme]), [["X", 0, 2], ["X", 2, 3], ["Y", 4, 6]], scheme);
  }
});
