/**
 * The initial parameters of each token classifier, as transformers' `_init_weights` draws
 * them, for the names and shapes of `parameterList` (`lib/models/layout.ts`, from the
 * family's record; `parameterShapes` is re-exported here). Initialisation:
 * weights of linear, Conv1D and embedding layers normal(0, `initializer_range`); the rows of
 * `padding_idx` of embeddings that have one zero; biases zero; layer norms weight 1 bias 0;
 * GPT-2's `c_proj.weight` normal(0, range / sqrt(2 n_layer)); DistilBERT's sinusoidal
 * position table when `sinusoidal_pos_embds`; ModernBERT's draws truncated at 2 standard
 * deviations, its output projections at range / sqrt(2 n_layer) and its classifier at
 * hidden^-0.5 (the family record's `init`). Draws come from the toolkit's seeded
 * generator (`lib/core/random.ts`, parameters in `state_dict()` order), so values match
 * transformers in distribution, not bit for bit.
 *
 * @module
 */

import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { familyRecord } from "./families/registry.ts";
import { frozenPositions, parameterList } from "./layout.ts";
import { createRandom } from "../core/random.ts";

export { parameterShapes } from "./layout.ts";

/**
 * DistilBERT's fixed sinusoidal position table `[positions, dim]`: even columns
 * sin(pos / 10000^(j/dim)), odd columns cos(pos / 10000^((j-1)/dim)).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sinusoidalPositions } from "./init_weights.ts";
 * const t = sinusoidalPositions(4, 6); // position 1: sin(1), cos(1) in its first two columns
 * assert.deepEqual([t[6], t[7]], [Math.fround(Math.sin(1)), Math.fround(Math.cos(1))]);
 * ```
 */
export function sinusoidalPositions(positions: number, dim: number): Float32Array {
  const out = new Float32Array(positions * dim);
  for (let p = 0; p < positions; p++) {
    for (let j = 0; j < dim; j++) {
      const angle = p / Math.pow(10000, (2 * Math.floor(j / 2)) / dim);
      out[p * dim + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return out;
}

/**
 * Fresh parameters for a configuration, initialised as transformers initialises them, from
 * a seeded generator (the same seed gives the same tensors).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * const config = createConfig({ family: "bert", hiddenSize: 16, numHeads: 2, numLayers: 2, labels: ["O", "B-PER", "I-PER"] });
 * const tensors = initWeights(config, 42);
 * assert.deepEqual(tensors.get("classifier.weight")?.shape, [3, 16]);
 * assert.ok(tensors.get("classifier.bias")?.data.every((v) => v === 0));
 * ```
 */
export function initWeights(config: ModelConfig, seed: number): TensorMap {
  const rng = createRandom(seed);
  const out: TensorMap = new Map();
  const std = config.initializerRange;
  const projStd = std / Math.sqrt(2 * config.numLayers);
  const H = config.hiddenSize;
  const f = familyRecord(config.family);
  const cut = f.init.truncation;
  const stds: Record<string, number> = {
    table: std,
    weight: std,
    residual: f.init.scaledResidual ? projStd : std,
    classifier: f.init.classifier === "range" ? std : 1 / Math.sqrt(H),
  };
  const pad = config.padTokenId;
  const positions = f.positions;
  const padPositions = positions.kind === "learned" && positions.offset === "padding";
  for (const { name, shape, role } of parameterList(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (role === "norm") data.fill(1);
    else if (role !== "bias") {
      // truncated draws are redrawn until they fall within the cut (torch's trunc_normal_
      // bounds); the loop stays this plain because it runs for every weight (6.6 million in
      // the default study's model)
      const sd = stds[role], limit = cut ?? Infinity;
      for (let i = 0; i < n; i++) {
        let z = rng.normal();
        while (Math.abs(z) > limit) z = rng.normal();
        data[i] = z * sd;
      }
    }
    if (pad !== null && f.wordPaddingRow && name === f.names.word) {
      data.fill(0, pad * H, (pad + 1) * H);
    }
    if (pad !== null && padPositions && name === f.names.position) {
      data.fill(0, pad * H, (pad + 1) * H);
    }
    if (frozenPositions(config) && name === f.names.position) {
      data.set(sinusoidalPositions(config.maxPositions, H));
    }
    out.set(name, { shape: [...shape], data });
  }
  return out;
}
