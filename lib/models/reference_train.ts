/**
 * The CPU reference trainer: the same token classifier composition as the GPU models
 * (`lib/models/transformer.ts`) run on the plain-TypeScript kernel references of
 * `lib/gpu/reference/` (float32 storage, sums in float64), for checking the GPU training
 * loop end to end on tiny models (same seed, same data, same losses).
 *
 * @module
 */
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { cpuOps, type CpuTensor } from "./cpu_ops.ts";
import { createNet, type Net, netTensors } from "./layout.ts";
import { type ModelBatch, netGradients, netLogits } from "./transformer.ts";
import { netTrainStep, type TrainStepOptions } from "./optimizer.ts";

/**
 * A token classifier on the CPU reference backend.
 *
 * @example
 * ```ts
 * import type { CpuModel } from "./reference_train.ts";
 * function stepsTaken(model: CpuModel): number {
 *   return model.optimizerSteps;
 * }
 * ```
 */
export type CpuModel = Net<CpuTensor>;

/**
 * A CPU reference model from transformers-named tensors; `seed` keys the dropout masks
 * exactly as on the GPU.
 *
 * @example
 * ```ts
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createCpuModel } from "./reference_train.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * const model = createCpuModel(config, initWeights(config, 3), { seed: 1 });
 * ```
 */
export function createCpuModel(
  config: ModelConfig,
  tensors: TensorMap,
  options: { seed?: number } = {},
): CpuModel {
  return createNet(cpuOps(), config, tensors, options);
}

/**
 * One reference training step (see `TrainStepOptions` in `lib/models/transformer.ts`);
 * resolves with the batch's loss before the update when `readLoss`.
 *
 * @example
 * ```ts
 * import type { CpuModel } from "./reference_train.ts";
 * import { cpuTrainStep } from "./reference_train.ts";
 * function step(model: CpuModel): Promise<number | undefined> {
 *   return cpuTrainStep(model, { size: 1, length: 2, inputIds: new Int32Array([5, 6]),
 *     attentionMask: new Int32Array([1, 1]), labels: new Int32Array([0, 1]) },
 *     { lr: 1e-3, weightDecay: 0, readLoss: true });
 * }
 * ```
 */
export function cpuTrainStep(
  model: CpuModel,
  batch: ModelBatch,
  options: TrainStepOptions,
): Promise<number | undefined> {
  return netTrainStep(model, batch, options);
}

/**
 * Reference inference logits `[size, length, labels]` (no dropout).
 *
 * @example
 * ```ts
 * import type { CpuModel } from "./reference_train.ts";
 * import { cpuLogits } from "./reference_train.ts";
 * function logitsOf(model: CpuModel): Promise<Float32Array> {
 *   return cpuLogits(model, { size: 1, length: 2, inputIds: new Int32Array([5, 6]),
 *     attentionMask: new Int32Array([1, 1]) });
 * }
 * ```
 */
export function cpuLogits(model: CpuModel, batch: ModelBatch): Promise<Float32Array> {
  return netLogits(model, batch);
}

/**
 * Reference loss and gradients with dropout off (transformers' names).
 *
 * @example
 * ```ts
 * import type { CpuModel } from "./reference_train.ts";
 * import { cpuGradients } from "./reference_train.ts";
 * async function lossOf(model: CpuModel): Promise<number> {
 *   const { loss } = await cpuGradients(model, { size: 1, length: 2,
 *     inputIds: new Int32Array([5, 6]), attentionMask: new Int32Array([1, 1]),
 *     labels: new Int32Array([0, 1]) });
 *   return loss;
 * }
 * ```
 */
export function cpuGradients(
  model: CpuModel,
  batch: ModelBatch,
): Promise<{ loss: number; grads: TensorMap }> {
  return netGradients(model, batch);
}

/**
 * The reference model's parameters as transformers-named host tensors.
 *
 * @example
 * ```ts
 * import type { CpuModel } from "./reference_train.ts";
 * import { cpuModelTensors } from "./reference_train.ts";
 * async function tensorNames(model: CpuModel): Promise<string[]> {
 *   const tensors = await cpuModelTensors(model);
 *   return [...tensors.keys()];
 * }
 * ```
 */
export function cpuModelTensors(model: CpuModel): Promise<TensorMap> {
  return netTensors(model);
}
