/**
 * Tests of lib/train/export_onnx.ts: a small BERT, DistilBERT, GPT-2 and Llama (grouped
 * key/value heads), each briefly fine-tuned on GROBID acknowledgements (so that its logits
 * are not the near-zero ones of fresh weights), is exported, and onnxruntime-web 1.30 (wasm)
 * running onnx/model.onnx gives the classifier's own GPU logits on the default study's GROBID
 * test statements; the folder's config and tokenizer files read back; bad folders are
 * refused by name. With quantize, onnx/model_quantized.onnx is about a quarter of
 * model.onnx's size and, on all the test statements, its logits stay within 5% of the logit
 * range of model.onnx's, its word tags agree on 99% of words, and its entity F1 is within
 * 0.01 (measured: 14,025-14,028 of 14,042 words alike, F1 within 0.0013).
 */
import assert from "node:assert/strict";
import { loadDataset } from "../../lib/corpus/dataset.ts";
import { splitTestSet } from "../../lib/sampling/split.ts";
import { padBatch } from "../../lib/train/batches.ts";
import {
  createTokenClassifier,
  releaseClassifier,
  type TokenClassifier,
} from "../../lib/train/classifier.ts";
import { exportOnnx } from "../../lib/train/export_onnx.ts";
import { fineTune } from "../../lib/train/fine_tune.ts";
import { encodeFor, exampleLogits } from "../../lib/train/predict.ts";
import { scorePredictions } from "../../lib/train/evaluate.ts";
import type { Encoded } from "../../lib/encode/align.ts";
import { loadTokenizer } from "../../lib/encode/tokenizer.ts";
import { ortLogits } from "../models/fixtures/onnx_runtime.ts";
import { TINY_BERT } from "./tiny_classifier.ts";
import { familyRecord } from "../../lib/models/families/registry.ts";
import type { ModelFamily } from "../../lib/models/families/types.ts";

/** Largest difference, absolute or relative to max(1, |want|). */
function maxError(got: ArrayLike<number>, want: ArrayLike<number>): number {
  assert.equal(got.length, want.length);
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    max = Math.max(max, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return max;
}

const docs = await loadDataset("grobid-acknowledgements");
const { train, test } = splitTestSet(docs, { testFraction: 0.2, seed: 1 }); // the default study's

/** Families fine-tuned one epoch only (their logits already pass 2, at a fraction of the time). */
const ONE_EPOCH = new Set<ModelFamily>(["llama", "qwen2", "modernbert"]);
const trained = new Map<ModelFamily, Promise<TokenClassifier>>();
/**
 * A small classifier of `family` on its shipped tokenizer, fine-tuned once for this file
 * (Llama and Qwen2 with one key/value head for their two query heads).
 */
function classifier(family: ModelFamily = "bert"): Promise<TokenClassifier> {
  let c = trained.get(family);
  if (!c) {
    c = (async () => {
      const tokenizer = familyRecord(family).tokenizer.shipped ?? "bert-base-uncased";
      const c = await createTokenClassifier({
        ...TINY_BERT,
        family,
        tokenizer,
        numLayers: 2,
        hiddenDropout: 0,
        ...(family === "llama" || family === "qwen2" ? { numKeyValueHeads: 1 } : {}),
      });
      await fineTune(c, train.slice(0, 320), {
        epochs: ONE_EPOCH.has(family) ? 1 : 4,
        learningRate: 5e-3,
        batchSize: 8,
        progress: "none",
        onWarning: () => {},
      });
      return c;
    })();
    trained.set(family, c);
  }
  return c;
}

// RoBERTa has no shipped tokenizer (data/SOURCES.md): its graph is checked against
// PyTorch's fixture logits in tests/models/onnx_test.ts.
for (const family of ["bert", "distilbert", "gpt2", "llama", "qwen2", "modernbert"] as const) {
  Deno.test(`exportOnnx: onnxruntime-web gives a ${family} classifier's logits on 20 GROBID test statements`, async () => {
    const c = await classifier(family);
    const dir = await Deno.makeTempDir({ prefix: "nerss-onnx-" });
    try {
      await exportOnnx(c, `${dir}/model`);
      const examples = encodeFor(c, test.slice(0, 20), undefined, { onWarning: () => {} });
      assert.ok(examples.length >= 20);
      const own = await exampleLogits(c, examples);
      const L = c.labels.length;
      let biggest = 0;
      for (let from = 0; from < examples.length; from += 8) {
        // padded as lib/train/batches.ts pads (ids with the pad id, mask 0), token types 0
        const indices = examples.slice(from, from + 8).map((_, i) => from + i);
        const batch = padBatch(examples, indices, c.tokenizer.padId);
        const rows = (a: Int32Array) =>
          indices.map((_, r) => [...a.subarray(r * batch.length, (r + 1) * batch.length)]);
        const got = await ortLogits(`${dir}/model/onnx/model.onnx`, {
          input_ids: rows(batch.inputIds),
          attention_mask: rows(batch.attentionMask),
        });
        assert.deepEqual(got.dims, [indices.length, batch.length, L]);
        indices.forEach((ex, r) => {
          const n = examples[ex].inputIds.length;
          const real = got.data.subarray(r * batch.length * L, (r * batch.length + n) * L);
          const err = maxError(real, own[ex]);
          assert.ok(err < 1e-4, `example ${ex}: max difference ${err}`);
        });
        for (const l of own.slice(from, from + 8)) biggest = Math.max(biggest, ...l.map(Math.abs));
      }
      assert.ok(biggest > 1, `the logits are too small to test anything (max |x| ${biggest})`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** onnxruntime-web's logits of `examples` (each `[length, labels]` flat), in batches of 16. */
async function ortExampleLogits(
  path: string,
  examples: readonly Encoded[],
  padId: number,
  L: number,
): Promise<Float32Array[]> {
  const model = await Deno.readFile(path);
  const out: Float32Array[] = [];
  for (let from = 0; from < examples.length; from += 16) {
    const indices = examples.slice(from, from + 16).map((_, i) => from + i);
    const batch = padBatch(examples, indices, padId);
    const rows = (a: Int32Array) =>
      indices.map((_, r) => [...a.subarray(r * batch.length, (r + 1) * batch.length)]);
    const got = await ortLogits(model, {
      input_ids: rows(batch.inputIds),
      attention_mask: rows(batch.attentionMask),
    });
    indices.forEach((ex, r) => {
      const n = examples[ex].inputIds.length;
      out.push(got.data.slice(r * batch.length * L, (r * batch.length + n) * L));
    });
  }
  return out;
}

for (const family of ["bert", "distilbert", "gpt2"] as const) {
  Deno.test(`exportOnnx: quantize writes a ${family} int8 model under 0.3 of the size, its tags those of float32`, async () => {
    const c = await classifier(family);
    const dir = await Deno.makeTempDir({ prefix: "nerss-onnx-" });
    try {
      await exportOnnx(c, dir, { quantize: true });
      assert.deepEqual([...Deno.readDirSync(`${dir}/onnx`)].map((e) => e.name).sort(), [
        "model.onnx",
        "model_quantized.onnx",
      ]);
      const size = (name: string) => Deno.statSync(`${dir}/onnx/${name}`).size;
      const ratio = size("model_quantized.onnx") / size("model.onnx");
      // the word table (30522 or 50257 rows of 32) is most of the bytes: int8 is a quarter
      assert.ok(ratio < 0.3, `int8 / float32 size ${ratio}`);

      const examples = encodeFor(c, test, undefined, { onWarning: () => {} });
      const L = c.labels.length;
      const f32 = await ortExampleLogits(`${dir}/onnx/model.onnx`, examples, c.tokenizer.padId, L);
      const q8 = await ortExampleLogits(
        `${dir}/onnx/model_quantized.onnx`,
        examples,
        c.tokenizer.padId,
        L,
      );
      let lo = Infinity, hi = -Infinity, worst = 0;
      f32.forEach((l, i) => {
        for (let k = 0; k < l.length; k++) {
          lo = Math.min(lo, l[k]), hi = Math.max(hi, l[k]);
          worst = Math.max(worst, Math.abs(q8[i][k] - l[k]));
        }
      });
      const decoding = { labels: c.labels, ...c.decoding };
      const a = scorePredictions(examples, f32, decoding);
      const b = scorePredictions(examples, q8, decoding);
      let words = 0, same = 0;
      a.yPred.forEach((tags, s) =>
        tags.forEach((t, w) => {
          words++;
          if (b.yPred[s][w] === t) same++;
        })
      );
      console.log(
        `${family}: float32 ${size("model.onnx")} bytes, int8 ${size("model_quantized.onnx")} ` +
          `(${ratio.toFixed(3)}); max |logit difference| ${worst.toFixed(4)} of a range ` +
          `${(hi - lo).toFixed(2)}; words tagged alike ${same}/${words}; entity F1 float32 ` +
          `${a.micro.f1.toFixed(4)}, int8 ${b.micro.f1.toFixed(4)}`,
      );
      assert.ok(
        a.micro.f1 > 0.2,
        `the float32 model learnt too little to compare (F1 ${a.micro.f1})`,
      );
      // measured 1.0-1.3% of the range (BERT, DistilBERT), 3.6% (GPT-2, whose block inputs
      // after attention and GELU have wider ranges for 256 levels); per linear, each input
      // is rounded to 1/255 of its own range, each weight to 1/254 of its channel's
      assert.ok(worst < 0.05 * (hi - lo), `max difference ${worst}, logit range ${hi - lo}`);
      assert.ok(same >= 0.99 * words, `${words - same} of ${words} words tagged otherwise`);
      assert.ok(Math.abs(a.micro.f1 - b.micro.f1) < 0.01, `F1 ${a.micro.f1} -> ${b.micro.f1}`);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("exportOnnx: padding with attention mask 0 leaves the real positions' logits alone", async () => {
  const c = await classifier();
  const dir = await Deno.makeTempDir({ prefix: "nerss-onnx-" });
  try {
    await exportOnnx(c, dir); // an empty folder is fine
    const [ex] = encodeFor(c, test.slice(0, 1), undefined, { onWarning: () => {} });
    const n = ex.inputIds.length, pad = 9, L = c.labels.length;
    const alone = await ortLogits(`${dir}/onnx/model.onnx`, {
      input_ids: [ex.inputIds],
      attention_mask: [ex.inputIds.map(() => 1)],
    });
    const padded = await ortLogits(`${dir}/onnx/model.onnx`, {
      input_ids: [[...ex.inputIds, ...Array(pad).fill(c.tokenizer.padId)]],
      attention_mask: [[...ex.inputIds.map(() => 1), ...Array(pad).fill(0)]],
    });
    assert.deepEqual(padded.dims, [1, n + pad, L]);
    const err = maxError(padded.data.subarray(0, n * L), alone.data);
    assert.ok(err < 1e-5, `max difference ${err}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportOnnx: the folder has transformers.js's layout, its config and tokenizer readable", async () => {
  const c = await classifier();
  const dir = await Deno.makeTempDir({ prefix: "nerss-onnx-" });
  try {
    await exportOnnx(c, `${dir}/model/`);
    await exportOnnx(c, `${dir}/model`); // an earlier export is replaced
    const names = [...Deno.readDirSync(`${dir}/model`)].map((e) => e.name).sort();
    assert.deepEqual(names, [
      "config.json",
      "onnx",
      "special_tokens_map.json",
      "tokenizer.json",
      "tokenizer_config.json",
      "vocab.txt",
    ]);
    assert.deepEqual([...Deno.readDirSync(`${dir}/model/onnx`)].map((e) => e.name), [
      "model.onnx",
    ]);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["model"]); // no leftovers
    const config = JSON.parse(await Deno.readTextFile(`${dir}/model/config.json`));
    assert.deepEqual(config.architectures, ["BertForTokenClassification"]);
    assert.equal(config.model_type, "bert");
    assert.deepEqual(config.id2label, Object.fromEntries(c.labels.map((l, i) => [`${i}`, l])));
    assert.deepEqual(config.label2id, Object.fromEntries(c.labels.map((l, i) => [l, i])));
    assert.equal(config.ner_decoding.words, c.decoding?.words); // fineTune's decoding, as saveModel
    const tokenizerConfig = JSON.parse(
      await Deno.readTextFile(`${dir}/model/tokenizer_config.json`),
    );
    assert.equal(typeof tokenizerConfig, "object");
    // cut down from the tokenizer's 512 to the model's 64 positions: transformers.js truncates
    // a text to it (tests/train/transformers_js_test.ts runs a longer one)
    assert.equal(tokenizerConfig.model_max_length, 64);
    assert.equal(tokenizerConfig.do_lower_case, true); // the rest as it was
    // the tokenizer read from the exported folder encodes as the classifier's own
    const tok = await loadTokenizer(`${dir}/model`);
    const some = test.slice(0, 5), quiet = { onWarning: () => {} };
    assert.deepEqual(
      encodeFor({ ...c, tokenizer: tok }, some, undefined, quiet),
      encodeFor(c, some, undefined, quiet),
    );
    // and createTokenClassifier cannot mistake it for a checkpoint: no weights file
    await assert.rejects(
      createTokenClassifier({ source: `${dir}/model`, entityTypes: ["ORG", "PERSON"] }),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportOnnx: bad folders are refused by name", async () => {
  const c = await classifier();
  const dir = await Deno.makeTempDir({ prefix: "nerss-onnx-" });
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "mine");
    await assert.rejects(
      exportOnnx(c, dir),
      new RegExp(`^Error: exportOnnx: ${dir} is a folder with other files in it`),
    );
    assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "mine"); // left alone
    await assert.rejects(
      exportOnnx(c, `${dir}/notes.txt`),
      new RegExp(`^Error: exportOnnx: ${dir}/notes.txt is a file, not a folder`),
    );
    await assert.rejects(
      exportOnnx(c, `${dir}/notes.txt/model`),
      new RegExp(`^Error: exportOnnx: cannot write ${dir}/notes.txt/model: Not a directory`),
    );
    await assert.rejects(exportOnnx(c, ""), /^Error: exportOnnx: no folder given/);
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.txt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("exportOnnx: (last) release the classifiers", async () => {
  for (const c of trained.values()) releaseClassifier(await c);
});
