/**
 * Model families as records: the record type, one record per family and the registry.
 * See docs/adding-a-family.md for what a record holds and what adding one takes.
 *
 * @module
 */

export type {
  AttentionSpec,
  BlockNames,
  ConfigFields,
  ConfigReader,
  ConfigSpec,
  DropoutSpec,
  FamilyDefaults,
  FamilyRecord,
  MlpSpec,
  ModelFamily,
  NormSpec,
  PositionSpec,
  TensorNames,
  TokenizerSpec,
} from "./types.ts";
export {
  assertBuilt,
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
