/**
 * Transformer models for token classification: configurations per family, checkpoints
 * (safetensors, pytorch_model.bin, the Hugging Face Hub cache), fresh weights, tokenizer
 * files built from vocabularies, the GPU model and its plain TypeScript reference, and the
 * ONNX graph of a classifier.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./mod.ts";
 * const config = createConfig({ family: "bert", numLayers: 2 });
 * assert.deepEqual([config.hiddenSize, config.numLayers], [768, 2]); // BERT-base, 2 layers
 * ```
 *
 * @module
 */
export {
  type Activation,
  type ConfigOptions,
  configToJson,
  createConfig,
  type ModelConfig,
  type ModelFamily,
  parseConfig,
  readConfig,
  tokenClassifierClass,
} from "./config.ts";
export type { HostTensor, TensorMap } from "./host_tensor.ts";
export {
  FAMILIES,
  type FamilyRecord,
  familyRecord,
  isModelFamily,
  positionIds,
  skippedPositions,
} from "./families/mod.ts";
export {
  alignTensorNames,
  type Checkpoint,
  loadCheckpoint,
  type LoadOptions,
  readWeights,
  saveCheckpoint,
} from "./checkpoint.ts";
export { initWeights } from "./init_weights.ts";
export { parameterList, parameterShapes } from "./layout.ts";
export {
  decodeTensor,
  type Dtype,
  encodeSafetensors,
  encodeShards,
  parseSafetensors,
  type RawTensor,
  readSafetensors,
  readShardedSafetensors,
  type SafetensorsFile,
  type ShardIndex,
} from "./safetensors.ts";
export { parsePytorchBin, readPytorchBin } from "./pytorch_bin.ts";
export {
  defaultCacheDir,
  downloadModel,
  type HubOptions,
  hubUrl,
  isModelId,
  modelCacheDir,
  TOKENIZER_FILES,
} from "./hub.ts";
export {
  buildByteLevelBpeTokenizer,
  buildWordPieceTokenizer,
  type ByteLevelBpeOptions,
  ensureTokenizerJson,
  parseMerges,
  parseVocabTxt,
  type TokenizerFiles,
  type WordPieceOptions,
  writeTokenizerFiles,
} from "./tokenizer_build.ts";
export { type Logits, referenceLogits, type ReferenceOptions } from "./reference.ts";
export { ONNX_IR_VERSION, ONNX_OPSET, onnxInputNames, onnxModel, onnxUnsupported } from "./onnx.ts";
export {
  createGpuModel,
  type GpuModel,
  type GpuModelOptions,
  type ModelBatch,
  modelGradients,
  modelTensors,
  predictLogits,
  releaseModel,
  restoreWeights,
  snapshotWeights,
  trainStep,
  type TrainStepOptions,
  type WeightSnapshot,
} from "./gpu_model.ts";
