/**
 * What the training-step benchmarks share: a BERT token classifier of a given size (the 9
 * CoNLL labels, bert-base-uncased's vocabulary) and a batch of seeded random tokens, every
 * position real.
 *
 * @module
 */
import { createConfig, type ModelConfig } from "../../lib/models/config.ts";
import type { ModelBatch } from "../../lib/models/transformer.ts";

/**
 * A BERT classifier's configuration: `layers` x `hidden` with `heads` heads and an
 * intermediate size of `inter`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bert } from "./train_step.ts";
 * assert.equal(bert(2, 128, 2, 512).labels.length, 9);
 * ```
 */
export function bert(layers: number, hidden: number, heads: number, inter: number): ModelConfig {
  return createConfig({
    family: "bert",
    numLayers: layers,
    hiddenSize: hidden,
    numHeads: heads,
    intermediateSize: inter,
    labels: ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"],
  });
}

/**
 * `B` sequences of `T` seeded random token ids in `[1, vocab)` with random labels in
 * `[0, labels)`, no padding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { randomBatch } from "./train_step.ts";
 * const b = randomBatch(2, 3, 10, 4);
 * assert.deepEqual(b, randomBatch(2, 3, 10, 4)); // the same every call
 * assert.ok(b.inputIds.every((id) => id >= 1 && id < 10));
 * ```
 */
export function randomBatch(B: number, T: number, vocab: number, labels: number): ModelBatch {
  let s = 12345;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296;
  const n = B * T;
  return {
    size: B,
    length: T,
    inputIds: Int32Array.from({ length: n }, () => 1 + Math.floor(next() * (vocab - 1))),
    attentionMask: new Int32Array(n).fill(1),
    labels: Int32Array.from({ length: n }, () => Math.floor(next() * labels)),
  };
}
