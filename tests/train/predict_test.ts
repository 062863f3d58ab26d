import assert from "node:assert/strict";
import type { Doc } from "../../lib/corpus/types.ts";
import { createTokenClassifier, releaseClassifier } from "../../lib/train/classifier.ts";
import { encodeFor, exampleLogits } from "../../lib/train/predict.ts";
import { TINY_BERT } from "./tiny_classifier.ts";

Deno.test("encodeFor: labelAll labels every subtoken, later ones with the I- tag", async () => {
  const c = await createTokenClassifier(TINY_BERT);
  releaseClassifier(c);
  const text = "Chidiebube Okafor thanks the Wissenschaftsgemeinschaft Leibniz unconditionally.";
  const at = (m: string) => ({ start: text.indexOf(m), end: text.indexOf(m) + m.length });
  const doc: Doc = {
    id: "d",
    text,
    spans: [
      { ...at("Chidiebube Okafor"), label: "PERSON" },
      { ...at("Wissenschaftsgemeinschaft Leibniz"), label: "ORG" },
    ],
  };
  const [first] = encodeFor(c, [doc]);
  const [all] = encodeFor(c, [doc], 128, { labelAll: true });
  assert.deepEqual(all.inputIds, first.inputIds);
  assert.deepEqual(all.wordIds, first.wordIds);
  // labels ["O", "B-ORG", "I-ORG", "B-PERSON", "I-PERSON"]; -100 is ignored by the loss
  const wordTags = [3, 4, 0, 0, 1, 2, 0, 0]; // 7 words and the final "."
  const inside = [4, 4, 0, 0, 2, 2, 0, 0]; // the tag of a word's later subtokens
  const expectFirst: number[] = [], expectAll: number[] = [];
  first.wordIds.forEach((w, i) => {
    const isFirst = w !== null && first.wordIds[i - 1] !== w;
    expectFirst.push(w === null ? -100 : isFirst ? wordTags[w] : -100);
    expectAll.push(w === null ? -100 : isFirst ? wordTags[w] : inside[w]);
  });
  assert.deepEqual(first.labels, expectFirst);
  assert.deepEqual(all.labels, expectAll);
  // the rare words are split into several subtokens, so the two encodings differ
  assert.ok(first.inputIds.length > 12, `${first.inputIds.length} subtokens`);
  assert.notDeepEqual(all.labels, first.labels);
});

Deno.test("exampleLogits: batches in flight together give each example its own logits", async () => {
  const c = await createTokenClassifier(TINY_BERT);
  const names = ["Ada Lovelace", "the Royal Society", "Charles Babbage", "Trinity College"];
  const docs: Doc[] = Array.from({ length: 23 }, (_, i) => {
    const text = `We thank ${names[i % 4]} and ${names[(i + 1) % 4]} for support ${i}.`;
    return { id: `d${i}`, text, spans: [] };
  });
  const examples = encodeFor(c, docs);
  // 23 batches of one (more than the batches in flight at once) against one batch of all
  const one = await exampleLogits(c, examples, { batchSize: 1 });
  const all = await exampleLogits(c, examples, { batchSize: 64 });
  releaseClassifier(c);
  assert.equal(one.length, 23);
  examples.forEach((ex, i) => {
    assert.equal(one[i].length, ex.inputIds.length * 5);
    const err = Math.max(...one[i].map((v, j) => Math.abs(v - all[i][j])));
    assert.ok(err < 1e-4, `example ${i}: ${err}`);
  });
  // different texts give different logits (so a mix-up between examples would show)
  assert.notDeepEqual(one[0], one[1].slice(0, one[0].length));
});
