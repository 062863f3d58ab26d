/**
 * Tests of lib/models/transformer.ts on the CPU backend: the parameter layout (weight-decay
 * groups, aligned offsets, BERT's fused q, k, v stacked in transformers' row order), the
 * round trip of tensors, frozen sinusoidal positions, GELU forms and input validation.
 */
import assert from "node:assert/strict";
import { createConfig } from "../../lib/models/config.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import { cpuOps } from "../../lib/models/cpu_ops.ts";
import { activationKind, createNet, netTensors } from "../../lib/models/layout.ts";
import { netGradients, netLogits } from "../../lib/models/transformer.ts";

const tiny = (family: "bert" | "distilbert" | "gpt2", extra = {}) =>
  createConfig({
    family,
    vocabSize: 20,
    hiddenSize: 8,
    numHeads: 2,
    numLayers: 1,
    intermediateSize: 6,
    maxPositions: 10,
    labels: ["O", "B"],
    ...extra,
  });

Deno.test("parameters sit in decay / no-decay groups at aligned offsets, q k v stacked", async () => {
  const config = tiny("bert");
  const tensors = initWeights(config, 2);
  const ops = { ...cpuOps(), align: 16 };
  const net = createNet(ops, config, tensors);
  for (const s of net.slots) {
    const noDecay = s.name.endsWith(".bias") || s.name.includes("LayerNorm");
    assert.equal(s.group, noDecay ? "noDecay" : "decay", s.name);
  }
  const at = (n: string) => net.slots.find((s) => s.name === n)?.offset as number;
  const p = "bert.encoder.layer.0.attention.self";
  assert.equal(at(`${p}.query.weight`) % 16, 0);
  assert.equal(at(`${p}.key.weight`), at(`${p}.query.weight`) + 64);
  assert.equal(at(`${p}.value.weight`), at(`${p}.query.weight`) + 128);
  assert.equal(at(`${p}.key.bias`), at(`${p}.query.bias`) + 8);
  assert.equal(net.layers[0].qkv.outF, 24);
  // The fused weight's rows 8..15 are the key weight.
  const fused = net.layers[0].qkv.w.value;
  const key = tensors.get(`${p}.key.weight`)?.data as Float32Array;
  assert.deepEqual(fused.data.subarray(fused.offset + 64, fused.offset + 128), key);
  const back = await netTensors(net);
  for (const [name, t] of tensors) assert.deepEqual(back.get(name)?.data, t.data, name);
});

Deno.test("DistilBERT's sinusoidal positions are frozen: no gradient, kept by training", async () => {
  const config = tiny("distilbert", { sinusoidalPositions: true });
  const net = createNet(cpuOps(), config, initWeights(config, 1));
  const batch = {
    size: 1,
    length: 3,
    inputIds: new Int32Array([3, 4, 5]),
    attentionMask: new Int32Array([1, 1, 1]),
    labels: new Int32Array([0, 1, 0]),
  };
  const { grads } = await netGradients(net, batch);
  assert.equal(grads.has("distilbert.embeddings.position_embeddings.weight"), false);
  assert.ok(grads.has("distilbert.embeddings.word_embeddings.weight"));
  assert.equal(net.pos?.grad, null);
  assert.ok(net.pos);
});

Deno.test("activationKind maps transformers' activation names", () => {
  assert.equal(activationKind("gelu", false), "erf");
  assert.equal(activationKind("gelu_new", false), "tanh");
  assert.equal(activationKind("gelu_pytorch_tanh", true), "tanh");
  assert.equal(activationKind("silu", true), "silu");
  assert.throws(() => activationKind("silu", false), /activation "silu" is not supported/);
  assert.throws(() => activationKind("relu", true), /activation "relu" is not supported/);
});

Deno.test("inputs are checked with the row and position named", async () => {
  const config = tiny("gpt2");
  const net = createNet(cpuOps(), config, initWeights(config, 1));
  const ok = {
    size: 1,
    length: 2,
    inputIds: new Int32Array([1, 2]),
    attentionMask: new Int32Array([1, 1]),
  };
  await assert.rejects(
    () => netLogits(net, { ...ok, attentionMask: new Int32Array([1, 2]) }),
    /attention mask 2 at row 0, position 1 is not 0 or 1/,
  );
  await assert.rejects(
    () => netLogits(net, { ...ok, inputIds: new Int32Array([1]) }),
    /inputIds has 1 entries, \[1, 2\] needs 2/,
  );
  await assert.rejects(
    () =>
      netLogits(net, {
        ...ok,
        length: 11,
        size: 1,
        inputIds: new Int32Array(11),
        attentionMask: new Int32Array(11).fill(1),
      }),
    /position 10 \(row 0\) is past the model's 10 positions/,
  );
  await assert.rejects(() => netGradients(net, ok), /training needs labels/);
  const bad = new Map(initWeights(config, 1));
  bad.set("classifier.weight", { shape: [3, 8], data: new Float32Array(24) });
  assert.throws(
    () => createNet(cpuOps(), config, bad),
    /tensor "classifier.weight" has shape \[3,8\], the gpt2 configuration needs \[2,8\]/,
  );
});
