/**
 * Training steps of K models stepping together in a pack (`lib/gpu/step_pack.ts`: one
 * command buffer, one grouped dispatch per operation) against the same model stepping alone,
 * alternately for `--rounds R` (default 3): milliseconds per model-step of each, and how many
 * dispatches the pack grouped. The model is the default study's tiny BERT (2 x 128, GPT-2's
 * vocabulary) on batches of 16 x 64 tokens, every model the same shape: the best case for
 * grouping (a study's runs step on batches of their own shapes). Each round also times what a
 * step costs besides its arithmetic, which is all that stacking can take away: a command buffer
 * of as many dispatches of a one-thread kernel as the step has, submitted and read back.
 *
 * Run: deno run -A bench/step_pack_bench.ts [--pack K] [--steps N] [--rounds R]
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { step } from "../lib/gpu/kernel.ts";
import { tensor } from "../lib/gpu/tensor.ts";
import { createStepPack } from "../lib/gpu/step_pack.ts";
import { createGpuModel, releaseModel, trainStep } from "../lib/models/gpu_model.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { bert, randomBatch } from "./support/train_step.ts";
import { numberFlag } from "./support/flags.ts";

const K = numberFlag("--pack", 4), steps = numberFlag("--steps", 8);
const rounds = numberFlag("--rounds", 3);
const gpu = await getGpu();
const config = { ...bert(2, 128, 2, 512), vocabSize: 50257 };
const batch = randomBatch(16, 64, config.vocabSize, config.labels.length);
console.log(`adapter: ${gpu.adapterName} (${gpu.backend}); ${K} models, ${steps} steps a round`);
const nothing = {
  name: "nothing",
  code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@compute @workgroup_size(1) fn main() { x[0] += 1.0; }`,
};
const x = tensor(gpu, [1]);
let perStep = 0; // dispatches of one model's step, counted by the pack
const fixedCost = async () => {
  const start = performance.now();
  for (let i = 0; i < steps; i++) {
    const s = step(gpu);
    for (let d = 0; d < perStep; d++) s.dispatch(nothing, [x], [1]);
    const read = s.read(x);
    await s.submit();
    await read;
  }
  return (performance.now() - start) / steps;
};
for (let round = 1; round <= rounds; round++) {
  const line: string[] = [];
  for (const packed of [false, true]) {
    const pack = packed ? createStepPack(gpu, K) : undefined;
    const models = Array.from(
      { length: packed ? K : 1 },
      (_, k) =>
        createGpuModel(gpu, config, initWeights(config, k + 1), { seed: k, member: pack?.join() }),
    );
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        await Promise.all(
          models.map((m) => trainStep(m, batch, { lr: 1e-4, weightDecay: 0, readLoss: true })),
        );
      }
    };
    await run(2); // compiles the kernels and sizes the pack's scratch
    const start = performance.now();
    await run(steps);
    const ms = (performance.now() - start) / steps / models.length;
    const { dispatches, saved } = pack?.stats ?? { dispatches: 0, saved: 0 };
    if (pack) perStep = Math.round((dispatches + saved) / pack.stats.steps / K);
    line.push(
      `${packed ? `${K} in a pack` : "alone"} ${ms.toFixed(1)} ms` +
        (pack ? ` (${pack.stats.grouped} grouped dispatches, ${pack.stats.saved} saved)` : ""),
    );
    models.forEach(releaseModel);
  }
  console.log(
    `round ${round}: per model-step ${line.join(", ")}; ` +
      `${perStep} empty dispatches, submitted and read: ${(await fixedCost()).toFixed(1)} ms`,
  );
}
