/**
 * Tests of lib/models/onnx.ts: the graphs of all seven families run in onnxruntime-web 1.30
 * (wasm) and give PyTorch's logits on the per-family fixtures (tests/fixtures/models/<family>/,
 * see tests/models/reference_test.ts; measured within 2.2e-6, rotary families included),
 * padding leaves real tokens' logits alone and a padded batch gives `referenceLogits`' (with
 * grouped key/value heads and ModernBERT's local window), and every family is expressed; the
 * int8 graph (quantize) has int8 weights where lib/models/onnx_quantize.ts says and runs near
 * the float32 logits.
 */
import assert from "node:assert/strict";
import { createConfig, readConfig } from "../../lib/models/config.ts";
import { FAMILIES } from "../../lib/models/families/registry.ts";
import type { ModelFamily } from "../../lib/models/families/types.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import { onnxInputNames, onnxModel, onnxUnsupported } from "../../lib/models/onnx.ts";
import { referenceLogits } from "../../lib/models/reference.ts";
import { readSafetensors } from "../../lib/models/safetensors.ts";
import { loadOnnx } from "../../lib/deps/onnx_proto.ts";
import { ortLogits } from "./fixtures/onnx_runtime.ts";

const root = new URL("../fixtures/models/", import.meta.url).pathname;

/** Largest difference at real positions, absolute or relative to max(1, |want|). */
function maxRealError(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  mask: number[][],
  labels: number,
): number {
  const T = mask[0].length;
  let max = 0;
  for (let i = 0; i < got.length; i++) {
    const row = Math.floor(i / (T * labels)), t = Math.floor(i / labels) % T;
    if (!mask[row][t]) continue;
    max = Math.max(max, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return max;
}

const families = Object.keys(FAMILIES) as ModelFamily[];

for (const family of families) {
  Deno.test(`onnxModel: ${family} in onnxruntime-web gives PyTorch's logits`, async () => {
    const dir = `${root}${family}`;
    const config = await readConfig(`${dir}/config.json`);
    const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
    const inputs = JSON.parse(await Deno.readTextFile(`${dir}/inputs.json`));
    const want = JSON.parse(await Deno.readTextFile(`${dir}/logits.json`));
    const got = await ortLogits(await onnxModel(config, tensors), inputs);
    assert.deepEqual(got.inputNames, onnxInputNames(config));
    assert.deepEqual(got.dims, want.shape);
    const err = maxRealError(got.data, want.logits, inputs.attention_mask, config.labels.length);
    assert.ok(err < 1e-5, `max difference ${err}`);
  });
}

Deno.test("onnxModel: every family is expressed", () => {
  for (const family of families) {
    assert.equal(onnxUnsupported(createConfig({ family, labels: ["O"] })), null, family);
  }
});

/** A tiny random configuration of `family`: grouped key/value heads (2 of 4) where the
 * family has them, ModernBERT's local layers with a window of 4 (keys within 2). */
function tinyConfig(family: ModelFamily) {
  const grouped = FAMILIES[family].config.keys.includes("num_key_value_heads");
  return createConfig({
    family,
    vocabSize: 60,
    hiddenSize: 16,
    numHeads: 4,
    numLayers: 2,
    intermediateSize: 24,
    maxPositions: 34,
    labels: ["O", "B-ORG", "I-ORG", "B-PERSON", "I-PERSON"],
    initializerRange: 0.3,
    ...(grouped ? { numKeyValueHeads: 2 } : {}),
    ...(family === "modernbert"
      ? { padTokenId: 1, localAttention: { window: 4, every: 2, ropeTheta: 1000 } }
      : {}),
  });
}

for (const family of families) {
  Deno.test(`onnxModel: a padded ${family} batch gives each row's own logits at its real tokens`, async () => {
    const config = tinyConfig(family);
    const tensors = initWeights(config, 11);
    const model = await onnxModel(config, tensors);
    const rows = [[2, 14, 15, 9, 3], [2, 40, 3], [2, 7, 8, 51, 52, 53, 3]];
    const T = 7, L = config.labels.length, pad = config.padTokenId ?? 0;
    const fill = (r: number[], v: number) => [...r, ...Array(T - r.length).fill(v)];
    const padded = {
      input_ids: rows.map((r) => fill(r, pad)),
      attention_mask: rows.map((r) => fill(r.map(() => 1), 0)),
      // segment B from the fourth token where there are two token types (BERT)
      token_type_ids: rows.map((r) =>
        fill(r.map((_, i) => +(i > 2 && config.typeVocabSize > 1)), 0)
      ),
    };
    const batch = await ortLogits(model, padded);
    assert.deepEqual(batch.dims, [3, T, L]);
    assert.ok(batch.data.every(Number.isFinite)); // padding positions too
    for (const [b, row] of rows.entries()) {
      const alone = await ortLogits(model, {
        input_ids: [row],
        attention_mask: [row.map(() => 1)],
        token_type_ids: [padded.token_type_ids[b].slice(0, row.length)],
      });
      const mine = batch.data.slice(b * T * L, (b * T + row.length) * L);
      const err = maxRealError(mine, alone.data, [row.map(() => 1)], L);
      assert.ok(err < 1e-5, `row ${b}: max difference ${err}`);
    }
    // and the float64 reference agrees on the whole batch
    const ref = referenceLogits(config, tensors, padded.input_ids, padded.attention_mask, {
      tokenTypeIds: padded.token_type_ids,
    });
    const err = maxRealError(batch.data, ref.data, padded.attention_mask, L);
    assert.ok(err < 1e-5, `max difference from referenceLogits ${err}`);
  });
}

Deno.test("onnxModel: a missing or misshapen parameter is named", async () => {
  const config = createConfig({
    family: "bert",
    vocabSize: 50,
    hiddenSize: 8,
    numHeads: 2,
    numLayers: 1,
    intermediateSize: 16,
    maxPositions: 16,
    labels: ["O", "B", "I"],
  });
  const tensors = initWeights(config, 1);
  tensors.set("classifier.bias", { shape: [2], data: new Float32Array(2) });
  await assert.rejects(
    () => onnxModel(config, tensors),
    /^Error: onnxModel: tensor "classifier.bias" has shape \[2\], expected \[3\]$/,
  );
  tensors.delete("bert.encoder.layer.0.output.dense.weight");
  await assert.rejects(
    () => onnxModel(config, tensors),
    /onnxModel: tensor "bert.encoder.layer.0.output.dense.weight" is missing/,
  );
});

for (const family of families) {
  Deno.test(`onnxModel: the int8 ${family} graph runs in onnxruntime-web, near the float32 logits`, async () => {
    const dir = `${root}${family}`;
    const config = await readConfig(`${dir}/config.json`);
    const tensors = readSafetensors(await Deno.readFile(`${dir}/model.safetensors`));
    const inputs = JSON.parse(await Deno.readTextFile(`${dir}/inputs.json`));
    const bytes = await onnxModel(config, tensors, { quantize: true });
    const onnx = await loadOnnx();
    const g = onnx.ModelProto.decode(bytes).graph!;
    const types = new Map(g.initializer!.map((t) => [t.name!, t.dataType]));
    const INT8 = onnx.TensorProto.DataType.INT8, FLOAT = onnx.TensorProto.DataType.FLOAT;
    const names = FAMILIES[family].names;
    const block = names.block(0);
    assert.equal(types.get(`${names.word}_quantized`), INT8);
    assert.equal(types.get(`${block.f2}.weight_quantized`), INT8);
    const f1 = typeof block.f1 === "string" ? [block.f1] : [block.f1.gate, block.f1.up];
    for (const name of f1) assert.equal(types.get(`${name}.weight_quantized`), INT8);
    assert.equal(types.get(`${names.classifier}.weight`), FLOAT); // the classifier stays float32
    assert.equal(types.get(`${block.norm2}.weight`), FLOAT);
    if (names.head) assert.equal(types.get(`${names.head.dense}.weight`), FLOAT);
    assert.ok(!types.has(names.word) && !types.has(`${block.f2}.weight`));
    const ops = g.node!.map((n) => n.opType);
    // the classifier's Gemm, and the prediction head's
    assert.equal(ops.filter((op) => op === "Gemm").length, names.head ? 2 : 1);
    // one DynamicQuantizeLinear per linear input (q, k and v share theirs, as gate and up
    // do), 4 a layer
    assert.equal(ops.filter((op) => op === "DynamicQuantizeLinear").length, 4 * config.numLayers);
    const linears = ("qkv" in block.attention ? 1 : 3) + 1 + f1.length + 1;
    assert.equal(ops.filter((op) => op === "MatMulInteger").length, linears * config.numLayers);

    const want = await ortLogits(await onnxModel(config, tensors), inputs);
    const got = await ortLogits(bytes, inputs);
    assert.deepEqual(got.dims, want.dims);
    let lo = Infinity, hi = -Infinity, worst = 0;
    want.data.forEach((v, i) => {
      lo = Math.min(lo, v), hi = Math.max(hi, v);
      worst = Math.max(worst, Math.abs(got.data[i] - v));
    });
    // measured 0.7-1.0% (BERT, RoBERTa, DistilBERT, ModernBERT, Llama), 2.0% (Qwen2) and
    // 2.4% (GPT-2) of the logit range on these fixtures: each linear's input is rounded to
    // 256 levels of its own range
    assert.ok(worst < 0.05 * (hi - lo), `max difference ${worst}, logit range ${hi - lo}`);
  });
}
