import assert from "node:assert/strict";
import type { Doc } from "../../lib/core/types.ts";
import {
  createTokenClassifier,
  releaseClassifier,
  type TokenClassifier,
} from "../../lib/train/classifier.ts";
import { encodeFor, evaluate, exampleLogits, predict } from "../../lib/train/predict.ts";
import { createGpuModel, modelTensors, releaseModel } from "../../lib/models/gpu_model.ts";
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
  const [all] = encodeFor(c, [doc], 64, { labelAll: true });
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

/** `c` rebuilt so that every word's best tag is `tag` (its classifier bias raised by 50). */
async function always(c: TokenClassifier, tag: string): Promise<TokenClassifier> {
  const tensors = await modelTensors(c.net);
  tensors.get("classifier.bias")!.data[c.labels.indexOf(tag)] += 50;
  const net = createGpuModel(c.net.gpu, c.config, tensors, { seed: 3 });
  releaseModel(c.net);
  return { ...c, net };
}

Deno.test("predict: a 1,000-character word is truncated with a warning; every word gets its tag", async () => {
  // a model that tags every word B-ORG: each word comes back as an ORG span of its own
  const c = await always(await createTokenClassifier(TINY_BERT), "B-ORG");
  const long = "ab.".repeat(333) + "a"; // 667 BERT subtokens, more than 64 positions hold
  const text = `We thank Ann Lee and the ${long} unit for the data`;
  const said: string[] = [];
  const onWarning = (m: string) => said.push(m);
  const [fromText, fromDoc] = await predict(c, [text, { id: "report-7", text, spans: [] }], {
    onWarning,
  });
  releaseClassifier(c);
  const words = [...text.matchAll(/\S+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    label: "ORG",
  }));
  assert.equal(words.length, 11);
  assert.deepEqual(fromText.map(({ start, end, label }) => ({ start, end, label })), words);
  assert.deepEqual(fromDoc, fromText);
  // one warning per input, naming it and the word (the default maxLength is the model's 64)
  const at = text.indexOf(long);
  const word = `word [${at}, ${at + 1000}) "ab.ab.ab.ab.ab.ab.ab.ab.….ab.ab.a" (1000 characters)`;
  const cut = "has 667 subtokens, more than fit in a window of maxLength 64: kept the first 62, " +
    "dropped 605";
  assert.deepEqual(said, [
    `predict: document 0: ${word} ${cut}`,
    `predict: document report-7: ${word} ${cut}`,
  ]);
});

// A sentence of 24 names (about 80 BERT subtokens), more than TINY_BERT's 64 positions.
const NAMES = ["Ada Lovelace", "Charles Babbage", "Grace Hopper", "Alan Turing"];
function longDocs(): Doc[] {
  return [0, 1].map((d) => {
    let text = "We thank";
    const spans = [];
    for (let i = 0; i < 24; i++) {
      const name = NAMES[(i + d) % 4];
      text += i === 0 ? " " : ", ";
      spans.push({ start: text.length, end: text.length + name.length, label: "PERSON" });
      text += name;
    }
    return { id: `long${d}`, text: text + ".", spans };
  });
}

Deno.test("evaluate and predict: a maxLength past the model's positions is cut down, with a message", async () => {
  const docs = longDocs();
  // RoBERTa numbers positions from padding_idx + 1 (here the BERT tokenizer's 0 + 1)
  for (const family of ["bert", "roberta"] as const) {
    const c = await createTokenClassifier({ ...TINY_BERT, family, maxPositions: 64 });
    assert.equal(c.config.maxPositions, family === "bert" ? 64 : 65);
    const examples = encodeFor(c, docs, 64);
    assert.ok(examples.length > docs.length, "the sentences are cut into windows at 64");
    const said: string[] = [];
    const onWarning = (m: string) => said.push(m);
    const asked = await evaluate(c, docs, { maxLength: 512, onWarning });
    const cut = await evaluate(c, docs, { maxLength: 64, onWarning });
    const byDefault = await evaluate(c, docs, { onWarning }); // 128, more than fit: 64, silently
    const spans = await predict(c, docs, { maxLength: 512, onWarning });
    assert.deepEqual(await predict(c, docs, { maxLength: 64 }), spans);
    releaseClassifier(c);
    const positions = family === "bert" ? "64 positions take" : "65 positions take (the first 1 " +
      "are never used)";
    const message =
      `maxLength 512 is more than the 64 subtokens the model's ${positions}: using 64`;
    assert.deepEqual(said, [`evaluate: ${message}`, `predict: ${message}`], family);
    assert.deepEqual(asked.warnings, [message]);
    assert.deepEqual(asked.yPred, cut.yPred);
    assert.deepEqual(byDefault.yPred, cut.yPred);
    assert.deepEqual(asked.micro, cut.micro);
    // every word is scored: "We thank", 24 names of two words, 23 commas, the full stop
    assert.equal(cut.yPred.flat().length, 2 * (2 + 24 * 2 + 23 + 1));
  }
});
