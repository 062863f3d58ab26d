/**
 * Transformer token classifiers (every family of `lib/models/families/`) on the WebGPU engine:
 * parameters, gradients and AdamW moments held on the GPU; inference logits with one
 * readback; a whole training step (forward, cross-entropy, backward, global-norm
 * clipping, AdamW) recorded into ONE command buffer, waited on only when the loss is read.
 * Activation buffers come from the tensor pool per batch shape and go back to it after the
 * step is submitted, so memory stays flat over many steps (bench/train_memory_bench.ts).
 * Every launch respects the device's binding limit (128 MiB on lavapipe): elementwise
 * kernels and AdamW run in chunks, embedding tables larger than the limit (RoBERTa's and
 * GPT-2's 50k-word tables) in row ranges, attention in chunks of batch rows. One matmul
 * operand must still fit the limit: `batch * length * intermediateSize * 4` bytes (e.g.
 * 16 x 512 tokens at 3072 is 96 MiB).
 *
 * The layers are composed in `lib/models/transformer.ts` (see there for the architecture
 * and the parameter layout); the logits match `referenceLogits` of `lib/models/reference.ts`
 * (transformers' eager modules) and the gradients match finite differences of it
 * (tests/models/gpu_model_test.ts). AdamW follows `torch.optim.AdamW`, with Hugging Face
 * Trainer's parameter groups (no weight decay on biases and LayerNorm weights) and
 * `torch.nn.utils.clip_grad_norm_` clipping.
 *
 * @module
 */
import type { Gpu } from "../gpu/device.ts";
import { type Tensor, tensor } from "../gpu/tensor.ts";
import { step } from "../gpu/kernel.ts";
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { gpuOps } from "./gpu_ops.ts";
import type { PackMember } from "../gpu/step_pack.ts";
import { createNet, type Net, netTensors } from "./layout.ts";
import { type ModelBatch, netGradients, netLogits } from "./transformer.ts";
import { netTrainStep, type TrainStepOptions } from "./optimizer.ts";

export type { ModelBatch } from "./transformer.ts";
export type { TrainStepOptions } from "./optimizer.ts";

/**
 * A token classifier whose parameters live on the GPU.
 */
export type GpuModel = Net<Tensor> & { gpu: Gpu };

/**
 * Options of {@link createGpuModel}: `seed` of the dropout masks (default 0);
 * `chunkBytes`, the most bytes a kernel binds at once (default the device's limit;
 * smaller values exercise the chunked paths, including attention split by batch rows);
 * `member`, a place in a pack of models that step together (`lib/gpu/step_pack.ts`).
 */
export type GpuModelOptions = { seed?: number; chunkBytes?: number; member?: PackMember };

/**
 * Uploads a token classifier's tensors (transformers' names and shapes, e.g. from
 * `initWeights` or a checkpoint) to the GPU, with zero gradients and AdamW moments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createGpuModel } from "./gpu_model.ts";
 * const config = createConfig({ family: "bert", vocabSize: 100, hiddenSize: 32, numHeads: 4,
 *   numLayers: 2, intermediateSize: 37, maxPositions: 64, labels: ["O", "B-PER", "I-PER"] });
 * const model = createGpuModel(await getGpu(), config, initWeights(config, 1), { seed: 7 });
 * assert.deepEqual([model.layers.length, model.optimizerSteps], [2, 0]);
 * ```
 */
export function createGpuModel(
  gpu: Gpu,
  config: ModelConfig,
  tensors: TensorMap,
  options: GpuModelOptions = {},
): GpuModel {
  const ops = gpuOps(gpu, { chunkBytes: options.chunkBytes, member: options.member });
  const net = createNet(ops, config, tensors, { seed: options.seed });
  return Object.assign(net, { gpu });
}

/**
 * The model's parameters read back as transformers-named host tensors (fused q, k, v split
 * back; bit-identical to the loaded tensors before any training).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createGpuModel, modelTensors } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * assert.deepEqual(await modelTensors(model), tensors);
 * ```
 */
export function modelTensors(model: GpuModel): Promise<TensorMap> {
  return netTensors(model);
}

/**
 * Inference logits `[size, length, labels]` of a padded batch (no dropout), row-major,
 * with one readback. Logits at padding positions carry no meaning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceLogits } from "./reference.ts";
 * import { createGpuModel, predictLogits } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const logits = await predictLogits(model, batch);
 * // The plain TypeScript reference of transformers' modules gives the same, to rounding.
 * const eager = referenceLogits(config, tensors, [[5, 6, 7]], [[1, 1, 1]]);
 * assert.ok(logits.every((v, i) => Math.abs(v - eager.data[i]) < 1e-5));
 * ```
 */
export function predictLogits(model: GpuModel, batch: ModelBatch): Promise<Float32Array> {
  return netLogits(model, batch);
}

/**
 * One training step on a labelled batch (see {@link TrainStepOptions}); resolves with the
 * batch's loss (before the update) when `readLoss`, else undefined without waiting on
 * the GPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuTrainStep, createCpuModel } from "./reference_train.ts";
 * import { createGpuModel, trainStep } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const o = { lr: 5e-5, weightDecay: 0.01, readLoss: true };
 * const loss = await trainStep(model, batch, o);
 * // The CPU reference trainer, same seed (same dropout masks): the same loss.
 * const cpuLoss = await cpuTrainStep(createCpuModel(config, tensors, { seed: 7 }), batch, o);
 * assert.ok(Math.abs(loss! - cpuLoss!) < 1e-5);
 * assert.equal(model.optimizerSteps, 1);
 * ```
 */
export function trainStep(
  model: GpuModel,
  batch: ModelBatch,
  options: TrainStepOptions,
): Promise<number | undefined> {
  return netTrainStep(model, batch, options);
}

/**
 * The loss of a labelled batch with dropout off and its gradient for every trainable
 * parameter (transformers' names and shapes); the parameters are not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuGradients, createCpuModel } from "./reference_train.ts";
 * import { createGpuModel, modelGradients } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const { loss, grads } = await modelGradients(model, batch);
 * const cpu = await cpuGradients(createCpuModel(config, tensors), batch); // the CPU reference
 * assert.ok(Math.abs(loss - cpu.loss) < 1e-6);
 * const g = grads.get("classifier.weight")!, c = cpu.grads.get("classifier.weight")!;
 * assert.ok(g.data.every((v, i) => Math.abs(v - c.data[i]) < 1e-6));
 * ```
 */
export function modelGradients(
  model: GpuModel,
  batch: ModelBatch,
): Promise<{ loss: number; grads: TensorMap }> {
  return netGradients(model, batch);
}

/**
 * Gives the model's GPU buffers (parameters, gradients, moments) back to the pool; the
 * model must not be used afterwards.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { poolStats } from "../gpu/tensor.ts";
 * import { createGpuModel, releaseModel } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const free = poolStats(model.gpu).free;
 * releaseModel(model);
 * // parameters, gradients and the two AdamW moments, for each of the two parameter groups
 * assert.equal(poolStats(model.gpu).free, free + 8);
 * ```
 */
export function releaseModel(model: GpuModel): void {
  for (const g of [model.decay, model.noDecay]) {
    for (const t of [g.params, g.grads, g.m, g.v]) model.ops.free(t);
  }
  if (model.frozen) model.ops.free(model.frozen);
}

/**
 * A copy of a model's trainable weights kept on the GPU ({@link snapshotWeights}).
 */
export type WeightSnapshot = { decay: Tensor; noDecay: Tensor };

/**
 * Copies the model's trainable weights on the GPU, into `into` when given (a snapshot of
 * the same model) or into new tensors; release them with `release` of lib/gpu/tensor.ts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { release } from "../gpu/tensor.ts";
 * import {
 *   createGpuModel,
 *   modelTensors,
 *   restoreWeights,
 *   snapshotWeights,
 *   trainStep,
 * } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const before = await snapshotWeights(model);
 * await trainStep(model, batch, { lr: 1e-3, weightDecay: 0 });
 * assert.notDeepEqual(await modelTensors(model), tensors);
 * await restoreWeights(model, before);
 * assert.deepEqual(await modelTensors(model), tensors); // bit-identical to before training
 * release(before.decay);
 * release(before.noDecay);
 * ```
 */
export async function snapshotWeights(
  model: GpuModel,
  into?: WeightSnapshot,
): Promise<WeightSnapshot> {
  const snap = into ?? {
    decay: tensor(model.gpu, [model.decay.size]),
    noDecay: tensor(model.gpu, [model.noDecay.size]),
  };
  await copyWeights(model, [model.decay.params, snap.decay], [model.noDecay.params, snap.noDecay]);
  return snap;
}

/**
 * Puts weights copied by {@link snapshotWeights} back into the model (the optimizer's
 * moments are left as they are).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import {
 *   createGpuModel,
 *   predictLogits,
 *   restoreWeights,
 *   snapshotWeights,
 *   trainStep,
 * } from "./gpu_model.ts";
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const tensors = initWeights(config, 1);
 * const model = createGpuModel(await getGpu(), config, tensors, { seed: 7 });
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * const logits = await predictLogits(model, batch);
 * const snapshot = await snapshotWeights(model);
 * await trainStep(model, batch, { lr: 1e-3, weightDecay: 0 });
 * await restoreWeights(model, snapshot);
 * assert.deepEqual(await predictLogits(model, batch), logits);
 * assert.equal(model.optimizerSteps, 1); // the step count and moments stay
 * ```
 */
export async function restoreWeights(model: GpuModel, snap: WeightSnapshot): Promise<void> {
  await copyWeights(model, [snap.decay, model.decay.params], [snap.noDecay, model.noDecay.params]);
}

async function copyWeights(model: GpuModel, ...pairs: [Tensor, Tensor][]): Promise<void> {
  const s = step(model.gpu);
  for (const [src, dst] of pairs) s.copy(src, dst);
  await s.submit();
}
