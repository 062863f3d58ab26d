/**
 * The small random BERT token classifier the training tests build (not a test itself).
 *
 * @module
 */
import type { ClassifierOptions, TokenClassifier } from "../../lib/train/classifier.ts";
import { createGpuModel, modelTensors, releaseModel } from "../../lib/models/gpu_model.ts";

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

/**
 * `c` rebuilt to predict only O: its classifier's O bias raised by 50 (the other
 * labels' logits stay within a few units of 0), so every word's best tag is O.
 *
 * @example
 * ```ts
 * import { createTokenClassifier } from "../../lib/train/classifier.ts";
 * const mute = await onlyO(await createTokenClassifier(TINY_BERT));
 * ```
 */
export async function onlyO(c: TokenClassifier): Promise<TokenClassifier> {
  const tensors = await modelTensors(c.net);
  const bias = tensors.get("classifier.bias")!;
  bias.data[c.labels.indexOf("O")] += 50;
  const net = createGpuModel(c.net.gpu, c.config, tensors, { seed: 3 });
  releaseModel(c.net);
  return { ...c, net };
}
