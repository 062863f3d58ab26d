/**
 * Model families as records: the record type, one record per family and the registry.
 * See docs/adding-a-family.md for what a record holds and what adding one takes.
 *
 * @module
 */

export type {
  AttentionSpec,
  BiasSpec,
  BlockNames,
  ConfigFields,
  ConfigReader,
  ConfigSpec,
  DropoutSpec,
  FamilyDefaults,
  FamilyRecord,
  InitSpec,
  MlpSpec,
  ModelFamily,
  NormSpec,
  PositionSpec,
  TensorNames,
  TokenizerSpec,
} from "./types.ts";
export {
  FAMILIES,
  familyRecord,
  isModelFamily,
  paddingOffsetPositions,
  positionIds,
  skippedPositions,
} from "./registry.ts";
export { BERT } from "./bert.ts";
export { ROBERTA } from "./roberta.ts";
export { DISTILBERT } from "./distilbert.ts";
export { GPT2 } from "./gpt2.ts";
export { MODERNBERT } from "./modernbert.ts";
export { LLAMA } from "./llama.ts";
export { QWEN2 } from "./qwen2.ts";
