/**
 * What a training step costs the CPU before the GPU does anything: recording its ~100
 * dispatches into one command buffer and submitting it, timed on an idle queue (each step
 * waits for the one before to finish first), against the step's whole time when steps
 * follow each other without waiting (the study's pace). Where recording is most of the
 * step, the step is bound by the CPU: runs in flight share that one CPU thread, and only
 * fewer dispatches per run (runs stacked into one dispatch) can go faster
 * (docs/throughput.md). The model is the default study's tiny BERT (2 x 128, GPT-2's
 * vocabulary) at 16 x 64 tokens.
 *
 * Run: deno run -A bench/step_recording_bench.ts [--steps N] [--rounds R]
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { createConfig } from "../lib/models/config.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { createGpuModel, releaseModel, trainStep } from "../lib/models/gpu_model.ts";

const flag = (name: string, fallback: number) => {
  const at = Deno.args.indexOf(name);
  return at >= 0 ? Number(Deno.args[at + 1]) : fallback;
};
const steps = flag("--steps", 20), rounds = flag("--rounds", 3);
const gpu = await getGpu();
const config = createConfig({
  family: "bert",
  numLayers: 2,
  hiddenSize: 128,
  numHeads: 2,
  intermediateSize: 512,
  vocabSize: 50257,
  labels: ["O", "B-PERSON", "I-PERSON", "B-ORG", "I-ORG"],
});
const model = createGpuModel(gpu, config, initWeights(config, 1), { seed: 1 });
const B = 16, T = 64, n = B * T;
const batch = {
  size: B,
  length: T,
  inputIds: Int32Array.from({ length: n }, (_, i) => 1 + (i * 7919) % 50000),
  attentionMask: new Int32Array(n).fill(1),
  labels: Int32Array.from({ length: n }, (_, i) => i % 5),
};
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
