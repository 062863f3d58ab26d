import { FAMILIES } from "../../lib/models/families/registry.ts";
import assert from "node:assert/strict";
import type { Doc } from "../../lib/core/types.ts";
import { createRandom } from "../../lib/core/random.ts";
import { createTokenClassifier, releaseClassifier, saveModel } from "../../lib/train/classifier.ts";
import { fineTune } from "../../lib/train/fine_tune.ts";
import { encodeFor, evaluate, predict } from "../../lib/train/predict.ts";
import {
  modelGradients,
  modelTensors,
  restoreWeights,
  snapshotWeights,
} from "../../lib/models/gpu_model.ts";
import { release } from "../../lib/gpu/tensor.ts";
import { lengthGroupedBatches } from "../../lib/train/batches.ts";
import { TINY_BERT } from "./tiny_classifier.ts";

// A synthetic acknowledgement corpus: person names and organisations from fixed lists in
// varied frames; the held-out documents combine them differently.
const FIRST = ["Alice", "Boris", "Chen", "Dana", "Emil", "Fatima", "Goran", "Hana"];
const LAST = ["Brown", "Novak", "Li", "Okafor", "Schmidt", "Haddad", "Petrov", "Sato"];
const ORGS = [
  "National Science Foundation",
  "Wellcome Trust",
  "European Research Council",
  "Acme Institute",
];
const FRAMES: [string, string, string][] = [
  ["We thank ", " for comments and the ", " for funding."],
  ["", " was supported by the ", "."],
  ["The authors are grateful to ", " and to the ", " for support."],
];

function synthetic(n: number, seed: number): Doc[] {
  const rng = createRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const [a, b, c] = FRAMES[rng.int(FRAMES.length)];
    const person = `${FIRST[rng.int(FIRST.length)]} ${LAST[rng.int(LAST.length)]}`;
    const org = ORGS[rng.int(ORGS.length)];
    const text = a + person + b + org + c;
    const p = a.length, o = a.length + person.length + b.length;
    return {
      id: `doc${seed}-${i}`,
      text,
      spans: [{ start: p, end: p + person.length, label: "PERSON" }, {
        start: o,
        end: o + org.length,
        label: "ORG",
      }],
    };
  });
}

/** What `run` writes with console.warn. */
async function consoleWarnings(run: () => Promise<void>): Promise<string[]> {
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warned.push(args.join(" "));
  try {
    await run();
  } finally {
    console.warn = warn;
  }
  return warned;
}

const options = {
  epochs: 6,
  batchSize: 8,
  learningRate: 3e-3,
  warmupRatio: 0.1,
  maxLength: 48,
  progress: "none" as const,
};

Deno.test("fineTune: a tiny BERT learns synthetic names and organisations (held-out F1 > 0.9)", async () => {
  const classifier = await createTokenClassifier(TINY_BERT);
  const seen: unknown[] = [];
  let result!: Awaited<ReturnType<typeof fineTune>>;
  const warned = await consoleWarnings(async () => {
    result = await fineTune(classifier, synthetic(64, 1), {
      ...options,
      evalDocs: synthetic(24, 2),
      onEpoch: (e) => seen.push(e),
    });
  });
  // it predicts entities, and nothing warns
  assert.deepEqual(warned, []);
  assert.deepEqual(result.warnings, []);
  assert.ok(result.predictedEntities! >= 40, `${result.predictedEntities} of 48`);
  assert.equal(result.steps, 6 * 8);
  assert.deepEqual(seen, result.evaluations); // live, one per epoch, the same numbers
  assert.ok(result.losses[0].loss > result.losses.at(-1)!.loss * 3, JSON.stringify(result.losses));
  const last = result.evaluations.at(-1)!;
  assert.ok(last.micro.f1 > 0.9, `held-out F1 ${last.micro.f1}`);
  const text = "We thank Chen Petrov for comments and the Wellcome Trust for funding.";
  const [spans] = await predict(classifier, [text]);
  const at = (m: string) => [text.indexOf(m), text.indexOf(m) + m.length];
  assert.deepEqual(spans.map((s) => [s.start, s.end, s.label]), [
    [...at("Chen Petrov"), "PERSON"],
    [...at("Wellcome Trust"), "ORG"],
  ]);
  for (const s of spans) assert.ok(s.score > 0.5 && s.score <= 1, `score ${s.score}`);
});

Deno.test("fineTune: deterministic for a seed (same losses, same weights)", async () => {
  const docs = synthetic(16, 5);
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const c = await createTokenClassifier(TINY_BERT);
    const r = await fineTune(c, docs, { ...options, epochs: 1, lossEvery: 1 });
    runs.push({ losses: r.losses, tensors: await modelTensors(c.net) });
  }
  assert.deepEqual(runs[0].losses, runs[1].losses);
  for (const [name, t] of runs[0].tensors) {
    assert.deepEqual(t.data, runs[1].tensors.get(name)!.data, name);
  }
});

Deno.test("saveModel: save -> load gives bit-identical weights, the same decoding and scores", async () => {
  const docs = synthetic(16, 7);
  const c = await createTokenClassifier(TINY_BERT);
  await fineTune(c, docs, { ...options, epochs: 1 });
  const dir = await Deno.makeTempDir();
  await saveModel(c, `${dir}/model`);
  const config = JSON.parse(await Deno.readTextFile(`${dir}/model/config.json`));
  assert.deepEqual(config.id2label, {
    0: "O",
    1: "B-ORG",
    2: "I-ORG",
    3: "B-PERSON",
    4: "I-PERSON",
  });
  assert.equal(config.architectures[0], "BertForTokenClassification");
  const loaded = await createTokenClassifier({
    source: `${dir}/model`,
    entityTypes: ["ORG", "PERSON"],
    seed: 3,
  });
  const [a, b] = [await modelTensors(c.net), await modelTensors(loaded.net)];
  assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
  for (const [name, t] of a) assert.deepEqual(b.get(name)!.data, t.data, name);
  // The Viterbi decoding travels in config.json, for these labels only.
  assert.equal(c.decoding?.transitions?.logProbs.length, 6);
  assert.deepEqual(loaded.decoding, c.decoding);
  assert.deepEqual((await evaluate(loaded, docs)).micro, (await evaluate(c, docs)).micro);
  const other = await createTokenClassifier({ source: `${dir}/model`, entityTypes: ["ORG"] });
  assert.equal(other.decoding, undefined);
  // a hand-edited decoding is refused, naming the field
  for (const [field, bad] of [["words", "last"], ["transitions", [[0]]]] as const) {
    const edited = structuredClone(config);
    edited.ner_decoding[field] = bad;
    await Deno.writeTextFile(`${dir}/model/config.json`, JSON.stringify(edited));
    await assert.rejects(
      createTokenClassifier({ source: `${dir}/model`, entityTypes: ["ORG", "PERSON"] }),
      new RegExp(`ner_decoding\\.${field}`),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("fineTune: GPT-2 with the byte-level BPE tokenizer built from vocab files", async () => {
  for (const family of ["gpt2"] as const) {
    const classifier = await createTokenClassifier({ ...TINY_BERT, family, tokenizer: "gpt2" });
    const result = await fineTune(classifier, synthetic(32, 11), { ...options, epochs: 3 });
    assert.ok(
      result.losses[0].loss > result.losses.at(-1)!.loss,
      `${family}: ${JSON.stringify(result.losses)}`,
    );
    const e = await evaluate(classifier, synthetic(8, 12));
    assert.equal(e.micro.support, 16, family); // 8 documents, a person and an organisation each
  }
  await assert.rejects(
    createTokenClassifier({ ...TINY_BERT, family: "roberta", tokenizer: "gpt2" }),
    /a RoBERTa model needs a RoBERTa tokenizer \(<pad> = 1\); the one in .* pads with id 50256/,
  );
});

Deno.test("fineTune: tiny random ModernBERT and Llama with the shipped tokenizers lower the loss", async () => {
  for (const family of ["modernbert", "llama"] as const) {
    const classifier = await createTokenClassifier({
      ...TINY_BERT,
      family,
      numLayers: 2,
      numKeyValueHeads: family === "llama" ? 1 : undefined,
      tokenizer: FAMILIES[family].tokenizer.shipped!,
    });
    const local = classifier.config.localAttention;
    if (family === "modernbert") assert.ok(local && local.every > 1); // layer 1 is local
    const result = await fineTune(classifier, synthetic(32, 11), { ...options, epochs: 3 });
    const [first, last] = [result.losses[0].loss, result.losses.at(-1)!.loss];
    assert.ok(first > last, `${family}: ${JSON.stringify(result.losses)}`);
    const e = await evaluate(classifier, synthetic(8, 12));
    assert.equal(e.micro.support, 16, family);
  }
});

Deno.test("fineTune: labelAll trains on every subtoken's label (first loss = the loss of that batch)", async () => {
  // A made-up surname (as long as the one it replaces) splits into several subtokens, so
  // labelling all of them changes the batch.
  const docs = synthetic(16, 13).map((d) => ({ ...d, text: d.text.replace(/Okafor/g, "Qxzvwk") }));
  const noDropout = { ...TINY_BERT, hiddenDropout: 0, attentionDropout: 0 };
  const firstLosses: number[] = [];
  for (const labelAll of [false, true]) {
    // the loss of the first batch fineTune draws, computed by hand with dropout off
    const c = await createTokenClassifier(noDropout);
    const examples = encodeFor(c, docs, options.maxLength, { labelAll })
      .map((e) => ({ inputIds: e.inputIds, labels: e.labels }));
    const [batch] = lengthGroupedBatches(examples, {
      batchSize: 8,
      seed: 4,
      padId: c.tokenizer.padId,
    });
    const expected = (await modelGradients(c.net, batch)).loss;
    const r = await fineTune(c, docs, { ...options, epochs: 1, lossEvery: 1, seed: 4, labelAll });
    assert.ok(Math.abs(r.losses[0].loss - expected) < 1e-5, `${r.losses[0].loss} vs ${expected}`);
    firstLosses.push(expected);
  }
  assert.ok(Math.abs(firstLosses[0] - firstLosses[1]) > 1e-4, JSON.stringify(firstLosses));
});

Deno.test("snapshotWeights / restoreWeights: training then restoring gives the weights back bit for bit", async () => {
  const c = await createTokenClassifier(TINY_BERT);
  const before = await modelTensors(c.net);
  const snapshot = await snapshotWeights(c.net);
  await fineTune(c, synthetic(8, 21), { ...options, epochs: 1, warmupRatio: 0 });
  const trained = await modelTensors(c.net);
  assert.notDeepEqual(trained.get("classifier.weight"), before.get("classifier.weight"));
  await restoreWeights(c.net, snapshot);
  const after = await modelTensors(c.net);
  for (const [name, t] of before) assert.deepEqual(after.get(name)!.data, t.data, name);
  release(snapshot.decay);
  release(snapshot.noDecay);
});

Deno.test("fineTune restoreBest: ends with the weights of the first best epoch", async () => {
  const evalDocs = synthetic(12, 23);
  // A learning rate this high makes the held-out F1 go up and down between epochs.
  const c = await createTokenClassifier(TINY_BERT);
  const r = await fineTune(c, synthetic(16, 22), {
    ...options,
    epochs: 6,
    learningRate: 3e-2,
    evalDocs,
    restoreBest: true,
  });
  const f1s = r.evaluations.map((e) => e.micro.f1);
  assert.equal(r.bestEpoch, f1s.indexOf(Math.max(...f1s)) + 1, JSON.stringify(f1s));
  assert.ok(f1s[5] < f1s[r.bestEpoch - 1], `the last epoch is as good as the best: ${f1s}`);
  assert.deepEqual((await evaluate(c, evalDocs)).micro, r.evaluations[r.bestEpoch - 1].micro);
  await assert.rejects(fineTune(c, evalDocs, { restoreBest: true }), /restoreBest needs evalDocs/);
});

Deno.test("fineTune: a 1,000-character word in an entity and a maxLength past the model's positions do not stop training", async () => {
  const long = "ab.".repeat(333) + "a"; // 667 BERT subtokens ("ab" and "." are one each)
  const withLong = (id: string): Doc => {
    const text = `We thank the ${long} consortium for funding.`;
    return { id, text, spans: [{ start: 13, end: 13 + long.length + 11, label: "ORG" }] };
  };
  const c = await createTokenClassifier(TINY_BERT); // 64 positions
  const said: string[] = [];
  const r = await fineTune(c, [...synthetic(6, 31), withLong("train-long")], {
    ...options,
    epochs: 1,
    batchSize: 4,
    lossEvery: 1,
    maxLength: 512,
    evalDocs: [withLong("eval-long")],
    onWarning: (m) => said.push(m),
  });
  assert.ok(r.steps >= 2 && r.losses.every((l) => Number.isFinite(l.loss)), JSON.stringify(r));
  // the entity "<long> consortium" fits a window of 62 subtokens when the long word keeps 61
  const cut = (id: string) =>
    `document ${id}: word [13, 1013) "ab.ab.ab.ab.ab.ab.ab.ab.….ab.ab.a" (1000 characters) has ` +
    "667 subtokens, more than fit in a window of maxLength 64 beside the rest of entity " +
    "[13, 1024) ORG: kept the first 61, dropped 606";
  const expected = [
    "maxLength 512 is more than the 64 subtokens the model's 64 positions take: using 64",
    cut("train-long"),
    cut("eval-long"),
  ];
  assert.deepEqual(said, expected.map((m) => `fineTune: ${m}`));
  assert.deepEqual(r.warnings.slice(0, 3), expected);
  releaseClassifier(c);
});
