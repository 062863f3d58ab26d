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
 */
export type CpuModel = Net<CpuTensor>;

/**
 * A CPU reference model from transformers-named tensors; `seed` keys the dropout masks
 * exactly as on the GPU.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * import { createCpuModel } from "./reference_train.ts";
 * const model = createCpuModel(config, initWeights(config, 3), { seed: 1 });
 * assert.deepEqual([model.layers.length, model.optimizerSteps], [1, 0]);
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
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * import { cpuTrainStep, createCpuModel } from "./reference_train.ts";
 * const model = createCpuModel(config, initWeights(config, 3), { seed: 1 });
 * const batch = { size: 1, length: 2, inputIds: new Int32Array([5, 6]),
 *   attentionMask: new Int32Array([1, 1]), labels: new Int32Array([0, 1]) };
 * const loss = await cpuTrainStep(model, batch, { lr: 1e-3, weightDecay: 0, readLoss: true });
 * assert.ok(Math.abs(loss! - Math.log(2)) < 0.1); // about ln 2 for 2 labels at first
 * assert.equal(model.optimizerSteps, 1);
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
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * import { referenceLogits } from "./reference.ts";
 * import { cpuLogits, createCpuModel } from "./reference_train.ts";
 * const tensors = initWeights(config, 3);
 * const logits = await cpuLogits(createCpuModel(config, tensors), { size: 1, length: 2,
 *   inputIds: new Int32Array([5, 6]), attentionMask: new Int32Array([1, 1]) });
 * // The same numbers as the eager reference of transformers' modules, to float32 rounding.
 * const eager = referenceLogits(config, tensors, [[5, 6]], [[1, 1]]);
 * assert.ok(logits.every((v, i) => Math.abs(v - eager.data[i]) < 1e-6));
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
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * import { cpuGradients, createCpuModel } from "./reference_train.ts";
 * const model = createCpuModel(config, initWeights(config, 3));
 * const batch = { size: 1, length: 2, inputIds: new Int32Array([5, 6]),
 *   attentionMask: new Int32Array([1, 1]), labels: new Int32Array([0, 1]) };
 * const { loss, grads } = await cpuGradients(model, batch);
 * assert.ok(Math.abs(loss - Math.log(2)) < 0.1); // about ln 2 for 2 labels at first
 * assert.deepEqual(grads.get("classifier.weight")?.shape, [2, 8]);
 * assert.equal(model.optimizerSteps, 0); // nothing updated
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
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "gpt2", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B"] });
 * import { cpuModelTensors, createCpuModel } from "./reference_train.ts";
 * const tensors = initWeights(config, 3);
 * assert.deepEqual(await cpuModelTensors(createCpuModel(config, tensors)), tensors);
 * ```
 */
export function cpuModelTensors(model: CpuModel): Promise<TensorMap> {
  return netTensors(model);
}
