import assert from "node:assert/strict";
import fc from "fast-check";
import { estimateTransitions, type TagTransitions, viterbiPath } from "../../lib/tags/viterbi.ts";
import { decodeToTags, encodeDoc } from "../../lib/encode/align.ts";
import type { WordTokenizer } from "../../lib/encode/tokenizer.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-12;

Deno.test("estimateTransitions: add-one bigram counts per row, a start row last", () => {
  const labels = ["O", "B-X", "I-X"];
  const t = estimateTransitions([["O", "B-X", "I-X", "O"], ["B-X", "I-X"]], labels);
  // O->B-X 1; B-X->I-X 2; I-X->O 1; start->O 1, start->B-X 1. Each count + 1.
  const expected = [[1, 2, 1], [1, 1, 3], [2, 1, 1], [2, 2, 1]].map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((c) => Math.log(c / total));
  });
  t.logProbs.forEach((row, a) => row.forEach((v, b) => assert.ok(close(v, expected[a][b]))));
  assert.deepEqual(t.labels, labels);
  assert.throws(
    () => estimateTransitions([["O"], ["O", "I-Y"]], labels),
    /sentence 1, word 1: tag "I-Y"/,
  );
});

function pathScore(path: number[], emissions: number[][], t: TagTransitions): number {
  const n = t.labels.length;
  return path.reduce(
    (s, y, w) => s + emissions[w][y] + t.logProbs[w === 0 ? n : path[w - 1]][y],
    0,
  );
}

/** The best score of all paths, tried one by one. */
function bruteForce(emissions: number[][], t: TagTransitions): number {
  const n = t.labels.length;
  let best = -Infinity;
  const path = new Array<number>(emissions.length).fill(0);
  for (let code = 0; code < n ** emissions.length; code++) {
    for (let w = emissions.length - 1, c = code; w >= 0; w--, c = Math.floor(c / n)) {
      path[w] = c % n;
    }
    best = Math.max(best, pathScore(path, emissions, t));
  }
  return best;
}

Deno.test("viterbiPath scores as well as the best of all paths (property)", () => {
  const labels = ["O", "B-A", "I-A", "B-B"];
  const score = fc.double({ min: -8, max: 0, noNaN: true });
  fc.assert(
    fc.property(
      fc.array(fc.array(score, { minLength: 4, maxLength: 4 }), { minLength: 5, maxLength: 5 }),
      fc.array(fc.array(score, { minLength: 4, maxLength: 4 }), { minLength: 1, maxLength: 6 }),
      (logProbs, emissions) => {
        const t = { labels, logProbs };
        const path = viterbiPath(emissions, t);
        assert.equal(path.length, emissions.length);
        assert.ok(Math.abs(pathScore(path, emissions, t) - bruteForce(emissions, t)) < 1e-9);
      },
    ),
  );
  assert.deepEqual(viterbiPath([], { labels, logProbs: [] }), []);
});

Deno.test("decodeToTags with a TagDecoding: mean of subtokens, Viterbi over the sentence", () => {
  // Each word is one subtoken per started 3 characters.
  const tok: WordTokenizer = {
    encodeWord: (w) => Array.from({ length: Math.ceil(w.length / 3) }, () => 5),
    prefixIds: [],
    suffixIds: [],
    padId: 0,
    unkId: 1,
    vocabSize: 10,
  };
  const labels = ["O", "I-A", "I-B"];
  const [ex] = encodeDoc({ id: "d", text: "Mark Smithson", spans: [] }, tok, { labels: ["O"] });
  assert.deepEqual(ex.wordIds, [0, 0, 1, 1, 1]);
  const p = (o: number, a: number, b: number) => [Math.log(o), Math.log(a), Math.log(b)];
  // Mark: I-A; Smithson: first subtoken I-B, but the mean of its three favours I-A.
  const rows = [p(.1, .8, .1), p(.1, .8, .1), p(.2, .3, .5), p(.1, .6, .3), p(.1, .6, .3)];
  assert.deepEqual(decodeToTags([ex], [rows], labels)[0].tags, ["I-A", "I-B"]);
  assert.deepEqual(decodeToTags([ex], [rows], labels, { words: "mean" })[0].tags, ["I-A", "I-A"]);
  // A chain that never switches from A to B straight away joins the words on the first subtoken too.
  const uniform = Math.log(1 / 3);
  const noSwitch: TagTransitions = {
    labels,
    logProbs: [[uniform, uniform, uniform], [Math.log(.5), Math.log(.5), -Infinity], [
      Math.log(.5),
      -Infinity,
      Math.log(.5),
    ], [uniform, uniform, uniform]],
  };
  assert.deepEqual(decodeToTags([ex], [rows], labels, { transitions: noSwitch })[0].tags, [
    "I-A",
    "I-A",
  ]);
  // Uniform transitions leave each word's argmax.
  const flat: TagTransitions = { labels, logProbs: Array.from({ length: 4 }, () => [0, 0, 0]) };
  assert.deepEqual(decodeToTags([ex], [rows], labels, { transitions: flat })[0].tags, [
    "I-A",
    "I-B",
  ]);
  assert.throws(
    () => decodeToTags([ex], [rows], labels, { transitions: { ...flat, labels: ["O", "I-A"] } }),
    /transitions are for labels \[O,I-A\]/,
  );
});
