/**
 * Tests of lib/models/gpu_model.ts: GPU logits of every family against the float64
 * `referenceLogits` (lib/models/reference.ts) and against the PyTorch logits of the
 * fixtures in tests/fixtures/models/ (computed by tools/reference_logits.py); the loss and
 * every gradient of those fixtures against Python transformers' own (grads.json, written by
 * tools/transformers_check.py with transformers 5.17 in float64) or, for a family not yet
 * checked there, against the float64 PyTorch mirror's autograd (mirror_grads.json, written
 * by tools/reference_logits.py); GPU
 * gradients against central finite differences of a float64 loss built from
 * `referenceLogits`; the parameter round trip; and 50 training steps against the CPU
 * reference trainer (lib/models/reference_train.ts, built from lib/gpu/reference).
 * Fails without a WebGPU adapter.
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { poolStats } from "../../lib/gpu/tensor.ts";
import { createConfig, type ModelConfig, readConfig } from "../../lib/models/config.ts";
import type { TensorMap } from "../../lib/models/host_tensor.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import { FAMILIES as FAMILY_RECORDS } from "../../lib/models/families/registry.ts";
import { familyExtras } from "./fixtures/tiny_models.ts";
import { referenceLogits } from "../../lib/models/reference.ts";
import { readSafetensors } from "../../lib/models/safetensors.ts";
import {
  createGpuModel,
  modelGradients,
  modelTensors,
  predictLogits,
  releaseModel,
  trainStep,
} from "../../lib/models/gpu_model.ts";
import type { ModelBatch } from "../../lib/models/transformer.ts";
import { cpuTrainStep, createCpuModel } from "../../lib/models/reference_train.ts";
import { bothKernelForms } from "../gpu/gpu_helpers.ts";

type Family = ModelConfig["family"];
const FAMILIES = Object.keys(FAMILY_RECORDS) as Family[];

/** A seeded uniform stream (mulberry32), for test data only. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tinyConfig(family: Family, o: Partial<ModelConfig> = {}): ModelConfig {
  return createConfig({
    family,
    vocabSize: 101,
    hiddenSize: 32,
    numHeads: 4,
    numLayers: 2,
    intermediateSize: 37,
    maxPositions: 64,
    labels: ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"],
    ...familyExtras(family),
    ...o,
  });
}

/**
 * initWeights with every tensor perturbed so that LayerNorm weights and biases and all
 * biases are not trivial (a model at 0.02 init has near-zero logits).
 */
function randomWeights(config: ModelConfig, seed: number): TensorMap {
  const t = initWeights(config, seed);
  const u = rng(seed + 1000);
  for (const [name, v] of t) {
    if (name.includes("position_embeddings") && config.sinusoidalPositions) continue;
    for (let i = 0; i < v.data.length; i++) v.data[i] += 0.3 * (u() - 0.5);
  }
  return t;
}

/** Two rows of length 7, the second padded after 4 tokens (pad id from the config). */
function paddedBatch(config: ModelConfig, seed: number, labels = true): ModelBatch {
  const u = rng(seed);
  const T = 7, B = 2, real = [7, 4];
  const pad = config.padTokenId ?? 0;
  const inputIds = new Int32Array(B * T), attentionMask = new Int32Array(B * T);
  const lab = new Int32Array(B * T).fill(-100);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      if (t < real[b]) {
        let id = 2 + Math.floor(u() * (config.vocabSize - 2));
        if (id === pad) id = 3;
        inputIds[i] = id;
        attentionMask[i] = 1;
        if (t !== 2) lab[i] = Math.floor(u() * config.labels.length);
      } else inputIds[i] = pad;
    }
  }
  return { size: B, length: T, inputIds, attentionMask, labels: labels ? lab : undefined };
}

function rows(a: Int32Array, B: number, T: number): number[][] {
  return Array.from({ length: B }, (_, b) => Array.from(a.subarray(b * T, (b + 1) * T)));
}

/** Max |a - b| over the logits of real tokens. */
function maxRealDiff(
  got: ArrayLike<number>,
  want: ArrayLike<number>,
  mask: Int32Array,
  labels: number,
): number {
  let err = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    for (let c = 0; c < labels; c++) {
      err = Math.max(err, Math.abs(got[i * labels + c] - want[i * labels + c]));
    }
  }
  return err;
}

/** A fixture model of tests/fixtures/models/ with its labelled batch (inputs.json). */
async function fixture(family: Family) {
  const dir = new URL(`../fixtures/models/${family}/`, import.meta.url).pathname;
  const config = await readConfig(`${dir}config.json`);
  const tensors = readSafetensors(await Deno.readFile(`${dir}model.safetensors`));
  const inputs = JSON.parse(await Deno.readTextFile(`${dir}inputs.json`));
  const ids: number[][] = inputs.input_ids;
  const batch: ModelBatch = {
    size: ids.length,
    length: ids[0].length,
    inputIds: Int32Array.from(ids.flat()),
    attentionMask: Int32Array.from(inputs.attention_mask.flat()),
    labels: Int32Array.from(inputs.labels.flat()),
    tokenTypeIds: inputs.token_type_ids ? Int32Array.from(inputs.token_type_ids.flat()) : undefined,
  };
  return { config, tensors, batch, dir };
}

for (const family of FAMILIES) {
  Deno.test(`${family}: GPU logits equal referenceLogits on a padded batch`, async () => {
    const gpu = await getGpu();
    const config = tinyConfig(family, { initializerRange: 0.2 });
    const tensors = randomWeights(config, 11);
    const batch = paddedBatch(config, 5, false);
    const model = createGpuModel(gpu, config, tensors);
    try {
      const got = await predictLogits(model, batch);
      const want = referenceLogits(
        config,
        tensors,
        rows(batch.inputIds, 2, 7),
        rows(batch.attentionMask, 2, 7),
      );
      assert.equal(got.length, 2 * 7 * config.labels.length);
      let scale = 0;
      for (const v of want.data) scale = Math.max(scale, Math.abs(v));
      assert.ok(scale > 0.5, `logits too small to test (${scale})`);
      const err = maxRealDiff(got, want.data, batch.attentionMask, config.labels.length);
      assert.ok(err < 1e-4, `max abs difference ${err} (logits up to ${scale})`);
    } finally {
      releaseModel(model);
    }
  });

  Deno.test(`${family}: GPU logits equal the PyTorch fixture logits`, async () => {
    const { config, tensors, batch, dir } = await fixture(family);
    const want = JSON.parse(await Deno.readTextFile(`${dir}logits.json`));
    const model = createGpuModel(await getGpu(), config, tensors);
    try {
      const got = await predictLogits(model, batch);
      const err = maxRealDiff(got, want.logits, batch.attentionMask, config.labels.length);
      assert.ok(err < 1e-4, `max abs difference ${err}`);
    } finally {
      releaseModel(model);
    }
  });

  Deno.test(`${family}: GPU loss and gradients equal PyTorch's (grads.json)`, async () => {
    const { config, tensors, batch, dir } = await fixture(family);
    const checked = await Deno.stat(`${dir}grads.json`).then(() => true, () => false);
    const file = checked ? "grads.json" : "mirror_grads.json";
    const want = JSON.parse(await Deno.readTextFile(`${dir}${file}`));
    // both kernel forms: lavapipe's and the hardware-GPU ones (shared-memory matmul, ...)
    for (const gpu of bothKernelForms(await getGpu())) {
      const model = createGpuModel(gpu, config, tensors);
      const { loss, grads } = await modelGradients(model, batch);
      releaseModel(model);
      const form = gpu.isFallback ? "fallback kernels" : "GPU kernels";
      assert.ok(Math.abs(loss - want.loss) < 1e-5, `${form}: loss ${loss} vs ${want.loss}`);
      assert.deepEqual([...grads.keys()].sort(), Object.keys(want.grads).sort());
      for (const [name, g] of grads) {
        const ref: number[] = want.grads[name];
        const scale = Math.max(...ref.map(Math.abs));
        let err = 0;
        g.data.forEach((v, i) => (err = Math.max(err, Math.abs(v - ref[i]))));
        assert.ok(
          err <= 1e-4 * Math.max(scale, 1e-2),
          `${form}, ${name}: max abs difference ${err} (|grad| up to ${scale})`,
        );
      }
    }
  });

  Deno.test(`${family}: modelTensors round-trips the loaded tensors bit for bit`, async () => {
    const config = tinyConfig(family, { sinusoidalPositions: family === "distilbert" });
    const tensors = randomWeights(config, 3);
    const model = createGpuModel(await getGpu(), config, tensors);
    try {
      const back = await modelTensors(model);
      assert.deepEqual([...back.keys()], [...tensors.keys()]);
      for (const [name, t] of tensors) {
        const b = back.get(name);
        assert.ok(b, name);
        assert.deepEqual(b.shape, t.shape, name);
        assert.deepEqual(b.data, t.data, name);
      }
    } finally {
      releaseModel(model);
    }
  });
}

/** Mean cross-entropy (labels -100 ignored) of float64 reference logits. */
function referenceLoss(config: ModelConfig, tensors: TensorMap, batch: ModelBatch): number {
  const B = batch.size, T = batch.length, L = config.labels.length;
  const logits = referenceLogits(
    config,
    tensors,
    rows(batch.inputIds, B, T),
    rows(batch.attentionMask, B, T),
  ).data;
  let total = 0, count = 0;
  const labels = batch.labels as Int32Array;
  for (let i = 0; i < B * T; i++) {
    if (labels[i] === -100) continue;
    let max = -Infinity;
    for (let c = 0; c < L; c++) max = Math.max(max, logits[i * L + c]);
    let sum = 0;
    for (let c = 0; c < L; c++) sum += Math.exp(logits[i * L + c] - max);
    total += max + Math.log(sum) - logits[i * L + labels[i]];
    count++;
  }
  return total / count;
}

for (const family of FAMILIES) {
  Deno.test(`${family}: GPU gradients match finite differences of the f64 reference loss`, async () => {
    const config = tinyConfig(family, {
      hiddenSize: 16,
      numHeads: 2,
      intermediateSize: 20,
      vocabSize: 40,
      maxPositions: 16,
      initializerRange: 0.3,
    });
    const tensors = randomWeights(config, 21);
    const batch = paddedBatch(config, 9);
    const model = createGpuModel(await getGpu(), config, tensors);
    const { loss, grads } = await modelGradients(model, batch);
    releaseModel(model);
    const loss64 = referenceLoss(config, tensors, batch);
    assert.ok(Math.abs(loss - loss64) < 1e-4, `loss ${loss} vs f64 ${loss64}`);
    const u = rng(77);
    const usedIds = [...new Set(Array.from(batch.inputIds))];
    let checked = 0, worst = 0, worstName = "";
    for (const [name, t] of tensors) {
      const g = grads.get(name);
      assert.ok(g, `no gradient for ${name}`);
      const H = config.hiddenSize;
      for (let s = 0; s < 3; s++) {
        let i = Math.floor(u() * t.data.length);
        if (name.includes("word_embeddings") || name.endsWith("wte.weight")) {
          i = usedIds[Math.floor(u() * usedIds.length)] * H + Math.floor(u() * H);
        } else if (name.includes("position_embeddings") || name.endsWith("wpe.weight")) {
          i = Math.floor(u() * 7) * H + Math.floor(u() * H);
        } else if (name.includes("token_type")) i = Math.floor(u() * H);
        const w = t.data[i];
        const h = 1e-3;
        t.data[i] = w + h;
        const up = t.data[i] - w, lp = referenceLoss(config, tensors, batch);
        t.data[i] = w - h;
        const dn = t.data[i] - w, lm = referenceLoss(config, tensors, batch);
        t.data[i] = w;
        const fd = (lp - lm) / (up - dn);
        const err = Math.abs(g.data[i] - fd) / (1e-3 + Math.abs(fd));
        if (err > worst) [worst, worstName] = [err, `${name}[${i}] gpu ${g.data[i]} fd ${fd}`];
        checked++;
      }
    }
    assert.ok(checked >= 3 * tensors.size);
    assert.ok(worst < 1e-3, `worst relative error ${worst} at ${worstName}`);
  });
}

/** The toy task: label = token id mod 3 (id 0 is padding, labelled -100). */
function toyBatches(count: number, seed: number): ModelBatch[] {
  const u = rng(seed);
  const B = 4, T = 8;
  return Array.from({ length: count }, () => {
    const inputIds = new Int32Array(B * T), attentionMask = new Int32Array(B * T);
    const labels = new Int32Array(B * T).fill(-100);
    for (let b = 0; b < B; b++) {
      const real = 4 + Math.floor(u() * 5);
      for (let t = 0; t < real; t++) {
        const id = 1 + Math.floor(u() * 29);
        inputIds[b * T + t] = id;
        attentionMask[b * T + t] = 1;
        labels[b * T + t] = id % 3;
      }
    }
    return { size: B, length: T, inputIds, attentionMask, labels };
  });
}

Deno.test("a one-block BERT trained 50 steps on the GPU ends at the CPU reference's loss", async () => {
  const config = createConfig({
    family: "bert",
    vocabSize: 30,
    hiddenSize: 32,
    numHeads: 4,
    numLayers: 1,
    intermediateSize: 37,
    maxPositions: 16,
    labels: ["A", "B", "C"],
    hiddenDropout: 0.1,
    attentionDropout: 0.1,
    initializerRange: 0.1,
  });
  const tensors = initWeights(config, 5);
  const batches = toyBatches(50, 123);
  const gpu = await getGpu();
  const model = createGpuModel(gpu, config, tensors, { seed: 9 });
  const ref = createCpuModel(config, tensors, { seed: 9 });
  const opts = { lr: 3e-3, weightDecay: 0.01, maxGradNorm: 1, readLoss: true };
  const gpuLosses: number[] = [], cpuLosses: number[] = [];
  try {
    for (const b of batches) {
      gpuLosses.push((await trainStep(model, b, opts)) as number);
      cpuLosses.push((await cpuTrainStep(ref, b, opts)) as number);
    }
  } finally {
    releaseModel(model);
  }
  // Dropout is active and keyed by the seed: another seed gives another first loss.
  const other = createCpuModel(config, tensors, { seed: 10 });
  const otherFirst = (await cpuTrainStep(other, batches[0], opts)) as number;
  assert.ok(Math.abs(otherFirst - cpuLosses[0]) > 1e-3, `seed ignored: ${otherFirst}`);
  const first = cpuLosses[0], last = cpuLosses[49], lastGpu = gpuLosses[49];
  assert.ok(last < 0.5 * first, `the reference did not learn: ${first} -> ${last}`);
  assert.ok(
    Math.abs(lastGpu - last) <= 1e-3 * Math.abs(last),
    `step 50 loss: GPU ${lastGpu}, CPU ${last}`,
  );
  for (let i = 0; i < 50; i++) {
    assert.ok(
      Math.abs(gpuLosses[i] - cpuLosses[i]) <= 1e-3 * Math.abs(cpuLosses[i]),
      `step ${i + 1}: GPU ${gpuLosses[i]}, CPU ${cpuLosses[i]}`,
    );
  }
});

Deno.test("AdamW decays weights and embeddings but not biases or LayerNorm weights", async () => {
  const config = tinyConfig("gpt2", {
    numLayers: 1,
    hiddenDropout: 0,
    attentionDropout: 0,
    classifierDropout: 0,
  });
  const tensors = randomWeights(config, 8);
  const batch = paddedBatch(config, 4);
  const model = createGpuModel(await getGpu(), config, tensors);
  try {
    const { grads } = await modelGradients(model, batch);
    const lr = 0.01, wd = 0.5;
    await trainStep(model, batch, { lr, weightDecay: wd, maxGradNorm: 0 });
    const after = await modelTensors(model);
    // First AdamW step by hand: p * (1 - lr wd) - lr g / (|g| + eps).
    const decayed = new Set(["transformer.wte.weight", "transformer.wpe.weight"]);
    for (const [name, t] of tensors) {
      const decay = decayed.has(name) || (name.endsWith(".weight") && !/ln_\d|ln_f/.test(name));
      const g = grads.get(name)?.data as Float32Array, p1 = after.get(name)?.data as Float32Array;
      for (let i = 0; i < t.data.length; i += 7) {
        const want = t.data[i] * (1 - lr * (decay ? wd : 0)) - lr * g[i] / (Math.abs(g[i]) + 1e-8);
        assert.ok(Math.abs(p1[i] - want) < 2e-6, `${name}[${i}]: ${p1[i]} vs ${want}`);
      }
    }
  } finally {
    releaseModel(model);
  }
});

Deno.test("chunked elementwise launches give the same gradients and updates", async () => {
  const gpu = await getGpu();
  const config = tinyConfig("roberta", { numLayers: 1, hiddenDropout: 0.2, attentionDropout: 0 });
  const tensors = randomWeights(config, 4);
  const batch = paddedBatch(config, 3);
  const whole = createGpuModel(gpu, config, tensors, { seed: 2 });
  const chunked = createGpuModel(gpu, config, tensors, { seed: 2, chunkBytes: 1024 });
  try {
    const a = await modelGradients(whole, batch), b = await modelGradients(chunked, batch);
    assert.equal(a.loss, b.loss);
    for (const [name, g] of a.grads) assert.deepEqual(b.grads.get(name)?.data, g.data, name);
    // Without clipping the updates are elementwise, so chunking changes no bit. (With
    // clipping the chunked norm adds its partials in another order.)
    const o = { lr: 1e-2, weightDecay: 0.1, maxGradNorm: 0, readLoss: true };
    for (let i = 0; i < 3; i++) {
      assert.equal(await trainStep(chunked, batch, o), await trainStep(whole, batch, o));
    }
    const [ta, tb] = [await modelTensors(whole), await modelTensors(chunked)];
    for (const [name, t] of ta) assert.deepEqual(tb.get(name)?.data, t.data, name);
  } finally {
    releaseModel(whole);
    releaseModel(chunked);
  }
});

for (const family of ["bert", "gpt2", "llama"] as const) {
  Deno.test(`${family}: AdamW on the seen word rows only gives every bit of the full update`, async () => {
    // Five steps with dropout and clipping on batches that see a few of the 101 words: the
    // parameters and both moments equal a full AdamW's, bit for bit (seenWordsOnly: false).
    const gpu = await getGpu();
    const config = tinyConfig(family, { numLayers: 1, hiddenDropout: 0.1 });
    const tensors = randomWeights(config, 5);
    const [seen, full] = [0, 1].map(() => createGpuModel(gpu, config, tensors, { seed: 3 }));
    let rowUpdates = 0;
    const adamw = seen.ops.adamw;
    seen.ops.adamw = (t, o) => (rowUpdates += t.rows ? 1 : 0, adamw(t, o));
    try {
      const o = { lr: 1e-2, weightDecay: 0, maxGradNorm: 1, readLoss: true };
      const words = new Set<number>();
      for (let k = 1; k <= 5; k++) {
        const batch = paddedBatch(config, k);
        batch.inputIds.forEach((id) => words.add(id));
        const a = await trainStep(seen, batch, o);
        assert.equal(a, await trainStep(full, batch, { ...o, seenWordsOnly: false }), `step ${k}`);
      }
      assert.equal(rowUpdates, 5);
      assert.ok(words.size < config.vocabSize / 2, `${words.size} words seen`);
      const state = async (m: typeof seen) => {
        const reads = [m.decay, m.noDecay].flatMap((g) => [g.params, g.m, g.v].map(m.ops.read));
        await m.ops.submit();
        return Promise.all(reads);
      };
      const [a, b] = [await state(seen), await state(full)];
      a.forEach((x, i) => assert.deepEqual(x, b[i], `buffer ${i}`));
    } finally {
      releaseModel(seen);
      releaseModel(full);
    }
  });
}

Deno.test("training steps give their activation buffers back to the pool", async () => {
  const gpu = await getGpu();
  const config = tinyConfig("gpt2", { numLayers: 1 });
  const model = createGpuModel(gpu, config, initWeights(config, 1), { seed: 1 });
  const batch = paddedBatch(config, 2);
  try {
    await trainStep(model, batch, { lr: 1e-3, weightDecay: 0.01, readLoss: true });
    const after1 = poolStats(gpu).allocated;
    for (let i = 0; i < 5; i++) await trainStep(model, batch, { lr: 1e-3, weightDecay: 0.01 });
    await trainStep(model, batch, { lr: 1e-3, weightDecay: 0.01, readLoss: true });
    assert.equal(poolStats(gpu).allocated, after1);
  } finally {
    releaseModel(model);
  }
});

Deno.test("bad batches get clear errors", async () => {
  const config = tinyConfig("bert");
  const model = createGpuModel(await getGpu(), config, initWeights(config, 1));
  try {
    const batch = paddedBatch(config, 1);
    batch.inputIds[9] = 500;
    await assert.rejects(
      () => predictLogits(model, batch),
      /token id 500 at row 1, position 2 is outside the vocabulary/,
    );
    const b2 = paddedBatch(config, 1);
    (b2.labels as Int32Array)[3] = 7;
    await assert.rejects(
      () => trainStep(model, b2, { lr: 1, weightDecay: 0 }),
      /label 7 at row 0, position 3/,
    );
    assert.throws(
      () => createGpuModel(model.gpu, config, new Map()),
      /tensor "bert.embeddings.word_embeddings.weight" is missing/,
    );
  } finally {
    releaseModel(model);
  }
});
