// Expected BERT ids come from vocab.txt of bert-base-uncased, looked up by a plain
// Python WordPiece outside this test ([CLS] 101, we 2057, thank 4067, dr 2852, "." 1012,
// g 1043, d 1040, niswender = ni ##sw ##end ##er = 9152 26760 10497 2121, [SEP] 102).
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  decodeDocs,
  decodeToSpans,
  decodeToTags,
  type Encoded,
  encodeDoc,
  encodeDocs,
  IGNORE_INDEX,
  wordPieces,
} from "../../lib/encode/align.ts";
import { labelList } from "../../lib/tags/labels.ts";
import { loadTokenizer, type WordTokenizer } from "../../lib/encode/tokenizer.ts";
import { SCHEMES } from "../../lib/core/scheme.ts";
import { readConll } from "../../lib/corpus/conll.ts";
import { loadDataset } from "../../lib/corpus/dataset.ts";
import { CorpusError } from "../../lib/core/errors.ts";
import type { Doc, Span } from "../../lib/core/types.ts";
import { dataPath } from "../data_dir.ts";

const BERT = dataPath("tokenizers/bert-base-uncased");

/** Toy tokenizer: one subtoken per started 3 characters (id = the word's length). */
function toy(prefix = [1], suffix = [2]): WordTokenizer & { calls: [string, boolean][] } {
  const calls: [string, boolean][] = [];
  return {
    calls,
    encodeWord(word, first) {
      calls.push([word, first]);
      return Array.from({ length: Math.ceil(word.length / 3) }, () => word.length + 10);
    },
    prefixIds: prefix,
    suffixIds: suffix,
    padId: 0,
    unkId: 3,
    vocabSize: 1000,
  };
}

const sorted = (spans: readonly Span[]) =>
  [...spans].sort((a, b) => a.start - b.start || a.end - b.end);

Deno.test("encodeDoc: BERT ids, first-subtoken labels, special tokens ignored", async () => {
  const tok = await loadTokenizer(BERT);
  const doc: Doc = {
    id: "d1",
    text: "We thank Dr. G.D. Niswender.",
    spans: [{ start: 9, end: 27, label: "PERSON" }],
  };
  const labels = labelList(["PERSON"], "IOB2"); // O=0, B-PERSON=1, I-PERSON=2
  const [ex, more] = encodeDoc(doc, tok, { labels });
  assert.equal(more, undefined);
  assert.deepEqual(ex.inputIds, [
    101,
    2057,
    4067,
    2852,
    1012,
    1043,
    1012,
    1040,
    1012,
    9152,
    26760,
    10497,
    2121,
    1012,
    102,
  ]);
  const X = IGNORE_INDEX;
  assert.deepEqual(ex.labels, [X, 0, 0, 1, X, 2, X, X, X, 2, X, X, X, 0, X]);
  assert.deepEqual(ex.wordIds, [null, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, null]);
  assert.deepEqual(ex.attentionMask, new Array(15).fill(1));
  assert.deepEqual(ex.words.map((w) => doc.text.slice(w.start, w.end)), [
    "We",
    "thank",
    "Dr.",
    "G.D.",
    "Niswender",
    ".",
  ]);
  const all = encodeDoc(doc, tok, { labels, labelAll: true })[0];
  assert.deepEqual(all.labels, [X, 0, 0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 0, X]);
});

Deno.test("encodeDoc: windows of whole words, overlapping, never cutting an entity", () => {
  const tok = toy();
  // ten one-letter words, one subtoken each; maxLength 6 leaves 4 per window
  const text = "a b c d e f g h i j";
  const plain = encodeDoc({ id: "p", text, spans: [] }, tok, {
    labels: ["O"],
    maxLength: 6,
    stride: 2,
  });
  assert.deepEqual(plain.map((e) => [e.wordOffset, e.wordOffset + e.words.length]), [
    [0, 4],
    [2, 6],
    [4, 8],
    [6, 10],
  ]);
  assert.deepEqual(plain.map((e) => e.window), [0, 1, 2, 3]);
  assert.deepEqual(plain[1].inputIds, [1, 11, 11, 11, 11, 2]);
  // an entity on words 3-4 ("d e") would be cut by the first window: [0,3) then [1,5)
  const doc: Doc = { id: "q", text, spans: [{ start: 6, end: 9, label: "X" }] };
  const labels = labelList(["X"], "IOB2");
  const wins = encodeDoc(doc, tok, { labels, maxLength: 6, stride: 2 });
  assert.deepEqual(wins.map((e) => [e.wordOffset, e.wordOffset + e.words.length]), [
    [0, 3],
    [1, 5],
    [3, 7],
    [5, 9],
    [7, 10],
  ]);
  assert.deepEqual(wins[1].labels, [-100, 0, 0, 1, 2, -100]);
  // an entity longer than a window is an error naming the document and span
  const long: Doc = { id: "r", text, spans: [{ start: 0, end: 11, label: "X" }] };
  assert.throws(() => encodeDoc(long, tok, { labels, maxLength: 6 }), (e: unknown) => {
    assert.ok(e instanceof CorpusError);
    assert.match(e.message, /document r: span \[0, 11\) X: entity does not fit in one window/);
    return true;
  });
});

Deno.test("encodeDoc: a word longer than a window keeps its first subtokens and its tag, with a warning", async () => {
  const tok = await loadTokenizer(BERT);
  // "ab" is one WordPiece and "." another: 333 of each and a final "a" make 667 subtokens
  const long = "ab.".repeat(333) + "a";
  assert.equal(long.length, 1000);
  const pieces = tok.encodeWord(long, false);
  assert.equal(pieces.length, 667);
  const text = `We thank Ann Lee and the ${long} unit for the data. Thanks again.`;
  const at = text.indexOf(long);
  const doc: Doc = {
    id: "long-doc",
    text,
    spans: [{ start: 9, end: 16, label: "PERSON" }, {
      start: at,
      end: at + long.length,
      label: "ORG",
    }],
  };
  const labels = labelList(["ORG", "PERSON"], "IOB2"); // O, B-ORG, I-ORG, B-PERSON, I-PERSON
  const X = IGNORE_INDEX;
  const warnings: string[] = [];
  const examples = encodeDoc(doc, tok, {
    labels,
    maxLength: 64,
    stride: 16,
    onWarning: (m) => warnings.push(m),
  });
  assert.ok(examples.every((e) => e.inputIds.length <= 64));
  // the window of the long word: [CLS], its first 62 subtokens, [SEP]
  const own = examples.find((e) => e.words.some((w) => w.start === at))!;
  // (vocab.txt: [CLS] 101, ab 11113, "." 1012; thanks 4283, again 2153)
  assert.deepEqual(pieces.slice(0, 3), [11113, 1012, 11113]);
  assert.deepEqual(own.inputIds, [101, ...pieces.slice(0, 62), 102]);
  assert.deepEqual(own.labels, [X, 1, ...new Array(61).fill(X), X]);
  assert.deepEqual(warnings, [
    `document long-doc: word [${at}, ${at + 1000}) "ab.ab.ab.ab.ab.ab.ab.ab.….ab.ab.a" ` +
    "(1000 characters) has 667 subtokens, more than fit in a window of maxLength 64: kept " +
    "the first 62, dropped 605",
  ]);
  // every word is decoded, the long one included: the gold spans come back
  assert.deepEqual(decodeToSpans(examples, gold(examples, 0), { labels }).get("long-doc"), [
    ...doc.spans,
  ]);
  // the second sentence is encoded as usual
  assert.deepEqual(examples.at(-1)!.inputIds, [101, 4283, 2153, 1012, 102]);
});

Deno.test("encodeDoc: an entity's long word is cut so that the entity fits in one window", () => {
  const tok = toy();
  // toy subtokens: "aaa" 1, the 30-letter word 10, "c" 1; maxLength 8 leaves 6 per window,
  // so the entity "aaa bbb...b" (11) keeps 1 + 5: the longest common cut that fits
  const text = `aaa ${"b".repeat(30)} c`;
  const doc: Doc = { id: "e", text, spans: [{ start: 0, end: 34, label: "X" }] };
  const X = IGNORE_INDEX;
  const warnings: string[] = [];
  const examples = encodeDoc(doc, tok, {
    labels: labelList(["X"], "IOB2"),
    maxLength: 8,
    onWarning: (m) => warnings.push(m),
  });
  assert.deepEqual(examples.map((e) => e.inputIds), [[1, 13, 40, 40, 40, 40, 40, 2], [1, 11, 2]]);
  assert.deepEqual(examples[0].labels, [X, 1, 2, X, X, X, X, X]);
  assert.equal(warnings.length, 1);
  assert.match(
    warnings[0],
    /^document e: word \[4, 34\) "b{30}" has 10 subtokens, more than fit in a window of maxLength 8 beside the rest of entity \[0, 34\) X: kept the first 5, dropped 5$/,
  );
});

Deno.test("encodeDoc: sentences, glued words, cached word pieces, tags missing from the list", () => {
  const tok = toy([], []);
  const doc: Doc = {
    id: "s",
    text: "NIH-funded work. NIH work.",
    spans: [{ start: 0, end: 3, label: "ORG" }, { start: 17, end: 20, label: "ORG" }],
  };
  const ex = encodeDoc(doc, tok, { labels: labelList(["ORG"], "IOB2") });
  assert.deepEqual(ex.map((e) => [e.sentence, e.sentenceWords]), [[0, 4], [1, 3]]);
  assert.deepEqual(ex[0].words.map((w) => doc.text.slice(w.start, w.end)), [
    "NIH",
    "-funded",
    "work",
    ".",
  ]);
  // "-funded" and "." are glued to the word before; the second sentence's words (its
  // "NIH" opens the sentence) all come from the cache
  assert.deepEqual(tok.calls, [["NIH", true], ["-funded", true], ["work", false], [".", true]]);
  assert.deepEqual(wordPieces(tok, "NIH", true), [13]);
  assert.throws(
    () => encodeDoc(doc, tok, { labels: labelList(["PERSON"], "IOB2") }),
    /document s: tag B-ORG is not in the label list/,
  );
});

Deno.test("encodeDoc: a CoNLL document keeps the file's tokens and sentences", () => {
  const [doc] = readConll(
    "-DOCSTART- O\n\nU.S.-based B-ORG\nfirm I-ORG\n\nIt O\n's O\nfine O\n",
    { scheme: "IOB2" },
  );
  const ex = encodeDoc(doc, toy(), { labels: labelList(["ORG"], "IOB2") });
  assert.deepEqual(ex.map((e) => e.words.map((w) => doc.text.slice(w.start, w.end))), [
    ["U.S.-based", "firm"],
    ["It", "'s", "fine"],
  ]);
  assert.deepEqual(ex[0].labels, [-100, 1, -100, -100, -100, 2, -100, -100]);
});

Deno.test("decodeToTags: ids, score rows and flat scores; the window farthest from an edge wins", () => {
  const tok = toy([], []);
  const text = "a b c d e f";
  const ex = encodeDoc({ id: "w", text, spans: [] }, tok, {
    labels: ["O"],
    maxLength: 4,
    stride: 2,
  });
  assert.deepEqual(ex.map((e) => [e.wordOffset, e.words.length]), [[0, 4], [2, 4]]);
  const labels = ["O", "B-X", "I-X"];
  // window 0 says words 0-3 are O O B-X I-X, window 1 says words 2-5 are O O O B-X:
  // words 2 and 3 are at margin 1 and 0 in window 0 and 0 and 1 in window 1, so word 2
  // comes from window 0 (B-X) and word 3 from window 1 (O).
  const preds = [[0, 0, 1, 2], [0, 0, 0, 1]];
  const [s] = decodeToTags(ex, preds, labels);
  assert.deepEqual(s.tags, ["O", "O", "B-X", "O", "O", "B-X"]);
  const rows = preds.map((p) => p.map((id) => [0, 1, 2].map((j) => (j === id ? 0.9 : 0.05))));
  assert.deepEqual(decodeToTags(ex, rows, labels)[0].tags, s.tags);
  const flat = rows.map((r) => Float32Array.from(r.flat()));
  assert.deepEqual(decodeToTags(ex, flat, labels)[0].tags, s.tags);
  assert.deepEqual(decodeToSpans(ex, preds, { labels }).get("w"), [
    { start: 4, end: 5, label: "X" },
    { start: 10, end: 11, label: "X" },
  ]);
  assert.throws(() => decodeToTags(ex, [[0, 0, 1]], labels), /1 predictions/);
  assert.throws(() => decodeToTags(ex, [[0, 0, 1], [0, 0, 0, 0]], labels), /has 3 values/);
});

/** Gold predictions: the label ids, with ignored positions set to something else. */
function gold(examples: readonly Encoded[], noise: number): number[][] {
  return examples.map((e) => e.labels.map((l) => (l === IGNORE_INDEX ? noise : l)));
}

Deno.test("align then decode gives the spans back (property, every scheme)", () => {
  let checked = 0, windowed = 0, withSpans = 0, truncated = 0;
  const word = fc.constantFrom(
    "a",
    "bb",
    "ccc",
    "dddd",
    "eeeeeee",
    "NIH",
    "-x",
    ".",
    "(",
    "R01-GM1",
    "f".repeat(40), // 14 toy subtokens: more than some windows hold
  );
  const docArb = fc.array(fc.tuple(word, fc.constantFrom(" ", "  ", "", "\n")), {
    minLength: 1,
    maxLength: 25,
  }).chain((parts) => {
    const text = parts.map(([w, s]) => w + s).join("");
    const words: { start: number; end: number }[] = [];
    let at = 0;
    for (const [w, s] of parts) {
      words.push({ start: at, end: at + w.length });
      at += w.length + s.length;
    }
    return fc.tuple(
      fc.constant(text),
      fc.constant(words),
      fc.array(fc.tuple(fc.nat(words.length - 1), fc.nat(2), fc.constantFrom("A", "B")), {
        maxLength: 5,
      }),
    );
  });
  fc.assert(
    fc.property(
      docArb,
      fc.constantFrom(...SCHEMES),
      fc.integer({ min: 5, max: 24 }),
      fc.integer({ min: 0, max: 8 }),
      fc.boolean(),
      ([text, words, raw], scheme, maxLength, stride, labelAll) => {
        // non-overlapping spans over whole toy words
        const spans: Span[] = [];
        let free = 0;
        for (const [first, len, label] of [...raw].sort((a, b) => a[0] - b[0])) {
          if (first < free) continue;
          const last = Math.min(words.length - 1, first + len);
          spans.push({ start: words[first].start, end: words[last].end, label });
          free = last + 1;
        }
        const doc: Doc = { id: "p", text, spans };
        const labels = labelList(["A", "B"], scheme);
        let examples: Encoded[];
        const warnings: string[] = [];
        const onWarning = (m: string) => warnings.push(m);
        try {
          examples = encodeDoc(doc, toy(), {
            labels,
            scheme,
            maxLength,
            stride,
            labelAll,
            onWarning,
          });
        } catch (e) {
          // only an entity of more words than a window holds may fail
          if (e instanceof CorpusError && /does not fit/.test(e.message)) return;
          throw e;
        }
        if (warnings.length > 0) truncated++;
        for (const ex of examples) {
          assert.ok(ex.inputIds.length <= maxLength);
          assert.equal(ex.labels.length, ex.inputIds.length);
        }
        const back = decodeToSpans(examples, gold(examples, 1), { labels, scheme });
        assert.deepEqual(back.get("p") ?? [], sorted(spans));
        checked++;
        if (examples.some((e) => e.window > 0)) windowed++;
        if (spans.length > 0) withSpans++;
      },
    ),
    { numRuns: 400 },
  );
  // the generator must exercise the interesting cases, not only skip them
  assert.ok(
    checked > 200 && windowed > 50 && withSpans > 100 && truncated > 30,
    `${checked} ${windowed} ${withSpans} ${truncated}`,
  );
});

Deno.test("align then decode gives the spans back: GROBID corpus with BERT", async () => {
  const tok = await loadTokenizer(BERT);
  const docs = await loadDataset("grobid-acknowledgements");
  const labels = labelList(["ORG", "PERSON"], "IOB2");
  for (const maxLength of [512, 64]) {
    const examples = encodeDocs(docs, tok, { labels, maxLength, stride: 16 });
    assert.ok(examples.every((e) => e.inputIds.length <= maxLength));
    const predicted = decodeDocs(docs, examples, gold(examples, 3), { labels });
    for (let i = 0; i < docs.length; i++) {
      assert.deepEqual(predicted[i].spans, sorted(docs[i].spans), docs[i].id);
    }
  }
});
