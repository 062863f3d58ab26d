import assert from "node:assert/strict";
import type { Doc } from "../../lib/corpus/types.ts";
import { createTokenClassifier, releaseClassifier } from "../../lib/train/classifier.ts";
import { encodeFor } from "../../lib/train/predict.ts";

Deno.test("encodeFor: labelAll labels every subtoken, later ones with the I- tag", async () => {
  const c = await createTokenClassifier({
    source: "random",
    family: "bert",
    hiddenSize: 32,
    numLayers: 1,
    numHeads: 2,
    intermediateSize: 64,
    maxPositions: 64,
    entityTypes: ["ORG", "PERSON"],
    tokenizer: "bert-base-uncased",
  });
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
