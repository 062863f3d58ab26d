/**
 * Resident memory over many training steps: trains the toy transformer of
 * tests/models/gpu_model_test.ts (one BERT block, hidden 32, batch 4 x 8, label = token id
 * mod 3) for 10,000 steps on the WebGPU engine and prints `Deno.memoryUsage().rss` and the
 * tensor pool's counts every 1,000 steps; flat numbers mean activation buffers go back to
 * the pool and nothing leaks per step. The loss is read every 100 steps (the other steps
 * never wait on the GPU).
 *
 * Run: deno run -A bench/train_memory_bench.ts [--steps N]
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { poolStats } from "../lib/gpu/tensor.ts";
import { createConfig } from "../lib/models/config.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { createGpuModel, trainStep } from "../lib/models/gpu_model.ts";
import type { ModelBatch } from "../lib/models/transformer.ts";
import { numberFlag } from "./support/flags.ts";

const steps = numberFlag("--steps", 10_000);

let seed = 99;
const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
function toyBatch(): ModelBatch {
  const B = 4, T = 8;
  const inputIds = new Int32Array(B * T), attentionMask = new Int32Array(B * T);
  const labels = new Int32Array(B * T).fill(-100);
  for (let b = 0; b < B; b++) {
    const real = 4 + Math.floor(next() * 5);
    for (let t = 0; t < real; t++) {
      const id = 1 + Math.floor(next() * 29);
      inputIds[b * T + t] = id;
      attentionMask[b * T + t] = 1;
      labels[b * T + t] = id % 3;
    }
  }
  return { size: B, length: T, inputIds, attentionMask, labels };
}

const gpu = await getGpu();
const config = createConfig({
  family: "bert",
  vocabSize: 30,
  hiddenSize: 32,
  numHeads: 4,
  numLayers: 1,
  intermediateSize: 37,
  maxPositions: 16,
  labels: ["A", "B", "C"],
});
const model = createGpuModel(gpu, config, initWeights(config, 5), { seed: 9 });
const mib = (b: number) => (b / 2 ** 20).toFixed(1);
const t0 = performance.now();
let loss = NaN;
for (let i = 1; i <= steps; i++) {
  const l = await trainStep(model, toyBatch(), {
    lr: 1e-3,
    weightDecay: 0.01,
    readLoss: i % 100 === 0,
  });
  if (l !== undefined) loss = l;
  if (i % 1000 === 0 || i === steps) {
    const p = poolStats(gpu);
    console.log(
      `step ${String(i).padStart(6)}  rss ${mib(Deno.memoryUsage().rss).padStart(7)} MiB  ` +
        `pool ${p.allocated} buffers (${p.free} free, ${
          mib(p.bytes)
        } MiB, ${p.staging} staging)  ` +
        `loss ${loss.toFixed(4)}  ${((performance.now() - t0) / i).toFixed(2)} ms/step`,
    );
  }
}
