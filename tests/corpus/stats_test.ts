// Counts worked out by hand on two real statements of the GROBID funding-acknowledgement
// corpus (kermitt2/grobid, all-acknowledgements.tei.xml, CC BY 4.0, statements 1 and 4),
// with the study's label mapping (individual -> PERSON; funder, institution,
// affiliation -> ORG; grant numbers and programme names are plain text).
import assert from "node:assert/strict";
import {
  corpusStats,
  docSentences,
  docSizes,
  docStatsTable,
  docTokens,
} from "../../lib/corpus/stats.ts";
import type { Doc, Span } from "../../lib/core/types.ts";
import { CorpusError } from "../../lib/core/errors.ts";

function at(text: string, phrase: string, label: string, nth = 0): Span {
  let i = -1;
  for (let k = 0; k <= nth; k++) i = text.indexOf(phrase, i + 1);
  assert.ok(i >= 0, phrase);
  return { start: i, end: i + phrase.length, label };
}

const t4 = "The authors thank Dr. Chunhua Weng from Columbia University and Dr. Cui Tao from " +
  "Mayo Clinic who participated in the evaluation. The authors also thank the technical " +
  "support from Mr. Craig Stancl from Mayo Clinic. The study is supported in part by the " +
  "SHARP Area 4: Secondary Use of EHR Data (90TR000201).";
const doc4: Doc = {
  id: "ack-4",
  text: t4,
  spans: [
    at(t4, "Dr. Chunhua Weng", "PERSON"),
    at(t4, "Columbia University", "ORG"),
    at(t4, "Dr. Cui Tao", "PERSON"),
    at(t4, "Mayo Clinic", "ORG"),
    at(t4, "Mr. Craig Stancl", "PERSON"),
    at(t4, "Mayo Clinic", "ORG", 1),
    at(t4, "SHARP Area 4", "ORG"),
  ],
};
const t1 = "ACKNOWLEDGMENT. We are grateful to Dr. G.D. Niswender (Animal Reproduction and " +
  "Biotechnology Laboratory, Colorado State University, Fort Collins, CO, U.S.A.) for " +
  "providing antisera to estradiol-17β (GDN 244) and testosterone (GDN 250).";
const doc1: Doc = {
  id: "ack-1",
  text: t1,
  spans: [
    at(t1, "Dr. G.D. Niswender", "PERSON"),
    at(
      t1,
      "Animal Reproduction and Biotechnology Laboratory, Colorado State University, Fort " +
        "Collins, CO, U.S.A.",
      "ORG",
    ),
  ],
};

Deno.test("corpusStats: two real statements counted by hand", () => {
  // statement 4: 3 sentences of 22 + 15 + 21 tokens, 3 PERSON + 4 ORG;
  // statement 1: 2 sentences ("ACKNOWLEDGMENT." and the rest), 2 + 41 tokens, 1 + 1.
  assert.equal(docSentences(doc4).length, 3);
  assert.equal(docTokens(doc4).length, 58);
  assert.equal(docSentences(doc1).length, 2);
  assert.equal(docTokens(doc1).length, 43);
  assert.deepEqual(corpusStats([doc4, doc1]), {
    documents: 2,
    sentences: 5,
    tokens: 101,
    entities: 9,
    eps: 9 / 5,
    byLabel: { ORG: 5, PERSON: 4 },
  });
});

Deno.test("corpusStats: reader-given sentences and tokens win over splitting", () => {
  // CoNLL-like: two sentences although the text has no sentence-final punctuation
  const text = "EU rejects German call\nPeter Blackburn";
  const doc: Doc = {
    id: "conll-1",
    text,
    spans: [{ start: 0, end: 2, label: "ORG" }, { start: 23, end: 38, label: "PER" }],
    meta: {
      sentences: [{ start: 0, end: 22 }, { start: 23, end: 38 }],
      tokens: [
        { start: 0, end: 2 },
        { start: 3, end: 10 },
        { start: 11, end: 17 },
        { start: 18, end: 22 },
        { start: 23, end: 28 },
        { start: 29, end: 38 },
      ],
    },
  };
  assert.equal(splitSentencesCount(text), 1);
  assert.deepEqual(corpusStats([doc]), {
    documents: 1,
    sentences: 2,
    tokens: 6,
    entities: 2,
    eps: 1,
    byLabel: { ORG: 1, PER: 1 },
  });
});

function splitSentencesCount(text: string): number {
  return docSentences({ id: "x", text, spans: [] }).length;
}

Deno.test("corpusStats: empty corpus and entity-free documents", () => {
  assert.deepEqual(corpusStats([]), {
    documents: 0,
    sentences: 0,
    tokens: 0,
    entities: 0,
    eps: 0,
    byLabel: {},
  });
  assert.deepEqual(
    corpusStats([{ id: "e", text: "", spans: [] }, {
      id: "f",
      text: "No entities here. None at all.",
      spans: [],
    }]),
    { documents: 2, sentences: 2, tokens: 8, entities: 0, eps: 0, byLabel: {} },
  );
});

Deno.test("docStatsTable: one row per document, a column per label, EPS per document", () => {
  const t = docStatsTable([doc4, doc1]);
  assert.deepEqual(t.columnNames(), [
    "id",
    "sentences",
    "tokens",
    "entities",
    "ORG",
    "PERSON",
    "eps",
  ]);
  assert.deepEqual(t.objects(), [
    { id: "ack-4", sentences: 3, tokens: 58, entities: 7, ORG: 4, PERSON: 3, eps: 7 / 3 },
    { id: "ack-1", sentences: 2, tokens: 43, entities: 2, ORG: 1, PERSON: 1, eps: 1 },
  ]);
});

Deno.test("docSizes: sentences and entities per document", () => {
  assert.deepEqual(docSizes([doc4, doc1]), [
    { id: "ack-4", sentences: 3, entities: 7 },
    { id: "ack-1", sentences: 2, entities: 2 },
  ]);
});

Deno.test("stats: bad meta and clashing labels are errors naming the document", () => {
  const bad: Doc = { id: "d9", text: "x", spans: [], meta: { sentences: [{ start: 0 }] } };
  assert.throws(() => corpusStats([bad]), (e: unknown) => {
    assert.ok(e instanceof CorpusError);
    assert.match(e.message, /document d9: meta\.sentences/);
    return true;
  });
  const clash: Doc = { id: "d8", text: "abc", spans: [{ start: 0, end: 3, label: "eps" }] };
  assert.throws(() => docStatsTable([clash]), /document d8: label "eps"/);
});
