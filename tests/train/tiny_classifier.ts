/**
 * The small random BERT token classifier the training tests build (not a test itself).
 *
 * @module
 */
import type { ClassifierOptions } from "../../lib/train/classifier.ts";

/**
 * A 1-layer, 32-hidden BERT for ORG and PERSON with bert-base-uncased's vocabulary.
 *
 * @example
 * ```ts
 * import { createTokenClassifier } from "../../lib/train/classifier.ts";
 * const c = await createTokenClassifier({ ...TINY_BERT, seed: 5 });
 * ```
 */
export const TINY_BERT: ClassifierOptions = {
  source: "random",
  family: "bert",
  hiddenSize: 32,
  numLayers: 1,
  numHeads: 2,
  intermediateSize: 64,
  maxPositions: 64,
  entityTypes: ["ORG", "PERSON"],
  tokenizer: "bert-base-uncased",
  seed: 3,
};
