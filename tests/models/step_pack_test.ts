/**
 * Models in a pack (`lib/gpu/step_pack.ts`) step together, their operations grouped into
 * one dispatch each (`lib/gpu/grouped.ts`), and still compute exactly what each computes
 * alone: the reference is the same model trained by itself.
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { dispatchGrouped, groupTables } from "../../lib/gpu/grouped.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor, view } from "../../lib/gpu/tensor.ts";
import { add, scale } from "../../lib/gpu/kernels/elementwise.ts";
import { createStepPack, type PackMember } from "../../lib/gpu/step_pack.ts";
import { createConfig, type ModelConfig } from "../../lib/models/config.ts";
import {
  createGpuModel,
  modelTensors,
  predictLogits,
  releaseModel,
  trainStep,
} from "../../lib/models/gpu_model.ts";
import { initWeights } from "../../lib/models/init_weights.ts";
import type { ModelBatch } from "../../lib/models/transformer.ts";
import type { ModelFamily } from "../../lib/models/families/mod.ts";

const VOCAB = 300;

/** A seeded batch of B rows of T tokens, the first `padded` positions of row 0 masked. */
function batch(B: number, T: number, seed: number, padded: number): ModelBatch {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const n = B * T;
  const attentionMask = new Int32Array(n).fill(1);
  attentionMask.fill(0, T - padded, T);
  return {
    size: B,
    length: T,
    inputIds: Int32Array.from({ length: n }, () => 1 + Math.floor(next() * (VOCAB - 1))),
    attentionMask,
    labels: Int32Array.from(
      { length: n },
      (_, i) => attentionMask[i] ? Math.floor(next() * 3) : -100,
    ),
  };
}

// Each model steps on batches of its own shapes, as a study's runs do.
const SHAPES = [[16, 64], [3, 9], [16, 64], [2, 31]];

async function train(
  gpu: Awaited<ReturnType<typeof getGpu>>,
  config: ModelConfig,
  k: number,
  member?: PackMember,
) {
  const model = createGpuModel(gpu, config, initWeights(config, k + 1), { seed: k, member });
  const losses: number[] = [];
  for (let i = 0; i < 4; i++) {
    const [B, T] = SHAPES[(k + i) % SHAPES.length];
    const loss = await trainStep(model, batch(B, T, 100 * k + i, i % 3), {
      lr: 1e-3,
      weightDecay: 0.01,
      readLoss: true,
    });
    losses.push(loss!);
  }
  // three batches handed in without waiting, as an evaluation does
  const logits = await Promise.all(
    [[2, 7], [5, 12], [1, 3]].map(([B, T], i) => predictLogits(model, batch(B, T, 900 + i, 1))),
  );
  const tensors = await modelTensors(model);
  releaseModel(model);
  return { losses, logits, tensors };
}

const FAMILIES: [ModelFamily, Record<string, number>, boolean?][] = [
  ["bert", {}],
  ["bert", {}, true],
  ["llama", { numKeyValueHeads: 2 }, true],
  // the default study's width: its products take the tiled path on lavapipe, whose kernels
  // pass operands through one scratch buffer (packed runs must not interleave there)
  ["bert", { hiddenSize: 128, numHeads: 2, intermediateSize: 512 }],
  ["gpt2", {}],
  ["llama", { numKeyValueHeads: 2 }],
  ["modernbert", { padTokenId: 0 }],
];

for (const [family, extra, hardware] of FAMILIES) {
  const name = `${family}${extra.hiddenSize ? ` ${extra.hiddenSize} wide` : ""}${
    hardware ? " (the hardware-GPU kernels)" : ""
  }`;
  Deno.test(`step pack: 4 ${name} models stepping together equal their solo runs bit for bit`, async () => {
    // a hardware GPU's kernel variants (workgroup reductions with barriers, shared-memory
    // matmuls) run on lavapipe too when the adapter is taken for one
    const gpu = hardware ? { ...await getGpu(), isFallback: false } : await getGpu();
    const config = createConfig({
      family,
      vocabSize: VOCAB,
      hiddenSize: 32,
      numHeads: 4,
      numLayers: 2,
      intermediateSize: 64,
      maxPositions: 64,
      labels: ["O", "B-PER", "I-PER"],
      ...extra,
    });
    const solo = [];
    for (let k = 0; k < SHAPES.length; k++) solo.push(await train(gpu, config, k));
    const pack = createStepPack(gpu, SHAPES.length);
    const packed = await Promise.all(SHAPES.map((_, k) => train(gpu, config, k, pack.join())));
    for (let k = 0; k < SHAPES.length; k++) {
      assert.deepEqual(packed[k].losses, solo[k].losses, `model ${k}: losses`);
      assert.deepEqual(packed[k].logits, solo[k].logits, `model ${k}: logits`);
      assert.deepEqual(packed[k].tensors, solo[k].tensors, `model ${k}: weights`);
    }
    // the models differ (their seeds), so equal results are not a coincidence of one model
    assert.notDeepEqual(solo[0].losses, solo[2].losses);
    // 4 steps, the logits and the read-back of the weights, each one command buffer
    assert.equal(pack.stats.steps, 6);
    assert.ok(pack.stats.grouped > 100, `${pack.stats.grouped} grouped dispatches`);
    assert.ok(pack.stats.saved >= pack.stats.grouped);
  });
}

Deno.test("step pack: a slot frees when its member leaves; a full pack refuses another", () => {
  const pack = createStepPack({ limits: { minStorageBufferOffsetAlignment: 256 } } as never, 2);
  const a = pack.join();
  pack.join();
  assert.throws(() => pack.join(), /StepPack.join: all 2 slots are taken/);
  a.leave();
  pack.join();
  assert.throws(() => createStepPack({} as never, 0), /slots must be a whole number >= 1, got 0/);
});

Deno.test("dispatchGrouped: runs that would write one another's bytes are not grouped", async () => {
  const gpu = await getGpu();
  const kernel = {
    name: "copy",
    code: `struct U { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  if (gid.x < u.n) { y[gid.x] = x[gid.x]; }
}`,
  };
  const x = tensor(gpu, [128], Float32Array.from({ length: 128 }, (_, i) => i));
  const y = tensor(gpu, [128]);
  const entry = (from: number, to: number, source = x) => ({
    bindings: [view(source, [4], from), view(y, [4], to)],
    workgroups: [1] as [number],
    uniforms: new Uint32Array([4]),
  });
  const s = step(gpu), tables = groupTables(gpu);
  // both write y[0..3]: refused; reading the same bytes is fine
  assert.equal(dispatchGrouped(s, kernel, [entry(0, 0), entry(64, 0)], tables), false);
  assert.equal(dispatchGrouped(s, kernel, [entry(0, 0), entry(0, 64)], tables), true);
  // one reads what the other writes: refused
  assert.equal(dispatchGrouped(s, kernel, [entry(0, 0), entry(0, 64, y)], tables), false);
  const out = s.read(y);
  tables.flush();
  await s.submit();
  const r = await out;
  assert.deepEqual([...r.slice(0, 4), ...r.slice(64, 68)], [0, 1, 2, 3, 0, 1, 2, 3]);
});

Deno.test("step pack: operations line up by their kernels; a member whose tensor lies elsewhere leaves the group", async () => {
  const gpu = await getGpu();
  const pack = createStepPack(gpu, 3);
  // a step doubles x twice; one member triples it in between; the third member's x is its
  // own tensor, not in the pack's blocks
  const run = async (values: number[], triple: boolean, own: boolean) => {
    const m = pack.join();
    const x = own
      ? tensor(gpu, [values.length], values)
      : m.persistent([values.length], new Float32Array(values));
    const twice = () => {
      const out = m.alloc([values.length]);
      add(m.segment(), { gpu, a: x, b: x, out });
      m.segment().copy(out, x);
    };
    for (let i = 0; i < 2; i++) { // the first step sizes the pack's scratch
      twice();
      if (triple) scale(m.segment(), { gpu, x, alpha: 3 });
      twice();
      await m.submit();
    }
    const read = m.segment().read(x);
    await m.submit();
    m.leave();
    return [...await read];
  };
  const results = await Promise.all([
    run([1, 2], false, false),
    run([3], true, false),
    run([1], false, true),
  ]);
  assert.deepEqual(results, [[16, 32], [3 * 12 * 12], [16]]);
  // in the second step, the first two members' adds went as one both times (the tripling
  // between did not shift them apart); the third member's adds went alone
  assert.deepEqual(pack.stats, { steps: 3, dispatches: 12, grouped: 2, saved: 2 });
});
