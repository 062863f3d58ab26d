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
import { release, type Tensor, tensor } from "../gpu/tensor.ts";
import { step } from "../gpu/kernel.ts";
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { gpuOps } from "./gpu_ops.ts";
import { createNet, type Net, netTensors } from "./layout.ts";
import { type ModelBatch, netGradients, netLogits } from "./transformer.ts";
import { netTrainStep, type TrainStepOptions } from "./optimizer.ts";

export type { ModelBatch } from "./transformer.ts";
export type { TrainStepOptions } from "./optimizer.ts";

/**
 * A token classifier whose parameters live on the GPU.
 *
 * @example
 * ```ts
 * import type { GpuModel } from "./gpu_model.ts";
 * function describe(model: GpuModel): string {
 *   return `${model.config.family} after ${model.optimizerSteps} optimizer steps`;
 * }
 * ```
 */
export type GpuModel = Net<Tensor> & { gpu: Gpu };

/**
 * Options of {@link createGpuModel}: `seed` of the dropout masks (default 0);
 * `chunkBytes`, the most bytes a kernel binds at once (default the device's limit;
 * smaller values exercise the chunked paths, including attention split by batch rows).
 *
 * @example
 * ```ts
 * import type { GpuModelOptions } from "./gpu_model.ts";
 * const o: GpuModelOptions = { seed: 42 };
 * ```
 */
export type GpuModelOptions = { seed?: number; chunkBytes?: number };

/**
 * Uploads a token classifier's tensors (transformers' names and shapes, e.g. from
 * `initWeights` or a checkpoint) to the GPU, with zero gradients and AdamW moments.
 *
 * @example
 * ```ts
 * import { getGpu } from "../gpu/device.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createGpuModel } from "./gpu_model.ts";
 * const config = createConfig({ family: "bert", vocabSize: 100, hiddenSize: 32, numHeads: 4,
 *   numLayers: 2, intermediateSize: 37, maxPositions: 64, labels: ["O", "B-PER", "I-PER"] });
 * const model = createGpuModel(await getGpu(), config, initWeights(config, 1), { seed: 7 });
 * ```
 */
export function createGpuModel(
  gpu: Gpu,
  config: ModelConfig,
  tensors: TensorMap,
  options: GpuModelOptions = {},
): GpuModel {
  const ops = gpuOps(gpu, { chunkBytes: options.chunkBytes });
  const net = createNet(ops, config, tensors, { seed: options.seed });
  return Object.assign(net, { gpu });
}

/**
 * The model's parameters read back as transformers-named host tensors (fused q, k, v split
 * back; bit-identical to the loaded tensors before any training).
 *
 * @example
 * ```ts
 * import type { GpuModel } from "./gpu_model.ts";
 * import { modelTensors } from "./gpu_model.ts";
 * async function classifierShape(model: GpuModel): Promise<number[] | undefined> {
 *   const tensors = await modelTensors(model);
 *   return tensors.get("classifier.weight")?.shape;
 * }
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
 * import type { GpuModel } from "./gpu_model.ts";
 * import { predictLogits } from "./gpu_model.ts";
 * function logitsOf(model: GpuModel): Promise<Float32Array> {
 *   return predictLogits(model, { size: 1, length: 3,
 *     inputIds: new Int32Array([5, 6, 7]), attentionMask: new Int32Array([1, 1, 1]) });
 * }
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
 * import type { GpuModel } from "./gpu_model.ts";
 * import { trainStep } from "./gpu_model.ts";
 * function step(model: GpuModel): Promise<number | undefined> {
 *   return trainStep(model, { size: 1, length: 2, inputIds: new Int32Array([5, 6]),
 *     attentionMask: new Int32Array([1, 1]), labels: new Int32Array([0, 1]) },
 *     { lr: 5e-5, weightDecay: 0.01, readLoss: true });
 * }
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
 * import type { GpuModel } from "./gpu_model.ts";
 * import { modelGradients } from "./gpu_model.ts";
 * async function classifierGrad(model: GpuModel) {
 *   const { loss, grads } = await modelGradients(model, { size: 1, length: 2,
 *     inputIds: new Int32Array([5, 6]), attentionMask: new Int32Array([1, 1]),
 *     labels: new Int32Array([0, 1]) });
 *   return { loss, grad: grads.get("classifier.weight") };
 * }
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
 * import type { GpuModel } from "./gpu_model.ts";
 * import { releaseModel } from "./gpu_model.ts";
 * function done(model: GpuModel): void {
 *   releaseModel(model);
 * }
 * ```
 */
export function releaseModel(model: GpuModel): void {
  for (const g of [model.decay, model.noDecay]) {
    for (const t of [g.params, g.grads, g.m, g.v]) release(t);
  }
  if (model.frozen) release(model.frozen);
}

/**
 * A copy of a model's trainable weights kept on the GPU ({@link snapshotWeights}).
 *
 * @example
 * ```ts
 * function sizes(s: WeightSnapshot): number {
 *   return s.decay.size + s.noDecay.size;
 * }
 * ```
 */
export type WeightSnapshot = { decay: Tensor; noDecay: Tensor };

/**
 * Copies the model's trainable weights on the GPU, into `into` when given (a snapshot of
 * the same model) or into new tensors; release them with `release` of lib/gpu/tensor.ts.
 *
 * @example
 * ```ts
 * async function tryAndUndo(model: GpuModel, train: () => Promise<void>): Promise<void> {
 *   const before = await snapshotWeights(model);
 *   await train();
 *   await restoreWeights(model, before); // bit-identical to before training
 * }
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
 * async function undo(model: GpuModel, snapshot: WeightSnapshot): Promise<void> {
 *   await restoreWeights(model, snapshot);
 * }
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
