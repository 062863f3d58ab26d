/**
 * What a training step costs the CPU before the GPU does anything: recording its ~100
 * dispatches into one command buffer and submitting it, timed on an idle queue (each step
 * waits for the one before to finish first), against the step's whole time when steps
 * follow each other without waiting (the study's pace). Where recording is most of the
 * step, the step is bound by the CPU: runs in flight share that one CPU thread, and only
 * fewer dispatches per run (runs stacked into one dispatch) can go faster
 * (docs/throughput.md). The model is bench/train_step_bench.ts's tiny BERT (2 x 128) at
 * 16 x 64 tokens.
 *
 * Run: deno run -A bench/step_recording_bench.ts [--steps N] [--rounds R]
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { createGpuModel, releaseModel, trainStep } from "../lib/models/gpu_model.ts";
import { bert, randomBatch } from "./support/train_step.ts";
import { numberFlag } from "./support/flags.ts";

const steps = numberFlag("--steps", 20), rounds = numberFlag("--rounds", 3);
const gpu = await getGpu();
const config = bert(2, 128, 2, 512);
const model = createGpuModel(gpu, config, initWeights(config, 1), { seed: 1 });
const batch = randomBatch(16, 64, config.vocabSize, config.labels.length);
const o = { lr: 5e-5, weightDecay: 0.01 };
await trainStep(model, batch, { ...o, readLoss: true }); // compiles the kernels
const ms = (v: number) => v.toFixed(2);
console.log(`adapter: ${gpu.adapterName} (${gpu.backend}); tiny BERT, 16 x 64 tokens`);
for (let round = 1; round <= rounds; round++) {
  const recorded: number[] = [];
  for (let i = 0; i < steps; i++) {
    await gpu.device.queue.onSubmittedWorkDone();
    const t = performance.now();
    await trainStep(model, batch, o);
    recorded.push(performance.now() - t);
  }
  recorded.sort((a, b) => a - b);
  const t = performance.now();
  for (let i = 0; i < steps - 1; i++) await trainStep(model, batch, o);
  await trainStep(model, batch, { ...o, readLoss: true });
  const whole = (performance.now() - t) / steps;
  console.log(
    `round ${round}: recording and submitting a step ${ms(recorded[0])} ms (median ` +
      `${ms(recorded[recorded.length >> 1])}); a step in a row of ${steps} ${ms(whole)} ms`,
  );
}
releaseModel(model);
