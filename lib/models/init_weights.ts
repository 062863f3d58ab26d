/**
 * The parameters of each token classifier, with transformers' exact names and shapes, and
 * their initialisation as transformers' `_init_weights` does it.
 *
 * Names and shapes follow `BertForTokenClassification`, `RobertaForTokenClassification`
 * (both built without the pooler), `DistilBertForTokenClassification` and
 * `GPT2ForTokenClassification` (its head is `classifier`, a `Linear` with bias; GPT-2's
 * `Conv1D` weights are stored `[in, out]`, every `Linear` `[out, in]`). Initialisation:
 * weights of linear, Conv1D and embedding layers normal(0, `initializer_range`); the rows of
 * `padding_idx` of embeddings that have one zero; biases zero; layer norms weight 1 bias 0;
 * GPT-2's `c_proj.weight` normal(0, range / sqrt(2 n_layer)); DistilBERT's sinusoidal
 * position table when `sinusoidal_pos_embds`. Draws come from the toolkit's seeded
 * generator (`lib/sampling/random.ts`, parameters in `state_dict()` order), so values match
 * transformers in distribution, not bit for bit.
 *
 * @module
 */

import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { createRandom } from "../sampling/random.ts";

/**
 * The name prefix of a family's base model (`bert`, `roberta`, `distilbert`, `transformer`).
 *
 * @example
 * ```ts
 * basePrefix("gpt2"); // "transformer"
 * ```
 */
export function basePrefix(family: ModelConfig["family"]): string {
  return family === "gpt2" ? "transformer" : family;
}

/**
 * Every parameter of the token classifier, in the order of transformers' `state_dict()`,
 * with its shape.
 *
 * @example
 * ```ts
 * import { createConfig } from "./config.ts";
 * const shapes = parameterShapes(createConfig({ family: "gpt2", hiddenSize: 8, numHeads: 2 }));
 * shapes.get("transformer.h.0.attn.c_attn.weight"); // [8, 24]
 * ```
 */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const L = config.labels.length;
  const m = new Map<string, number[]>();
  const ln = (p: string) => {
    m.set(`${p}.weight`, [H]);
    m.set(`${p}.bias`, [H]);
  };
  const linear = (p: string, out: number, inp: number) => {
    m.set(`${p}.weight`, [out, inp]);
    m.set(`${p}.bias`, [out]);
  };
  if (config.family === "bert" || config.family === "roberta") {
    const b = config.family;
    m.set(`${b}.embeddings.word_embeddings.weight`, [config.vocabSize, H]);
    m.set(`${b}.embeddings.position_embeddings.weight`, [config.maxPositions, H]);
    m.set(`${b}.embeddings.token_type_embeddings.weight`, [config.typeVocabSize, H]);
    ln(`${b}.embeddings.LayerNorm`);
    for (let i = 0; i < config.numLayers; i++) {
      const p = `${b}.encoder.layer.${i}`;
      linear(`${p}.attention.self.query`, H, H);
      linear(`${p}.attention.self.key`, H, H);
      linear(`${p}.attention.self.value`, H, H);
      linear(`${p}.attention.output.dense`, H, H);
      ln(`${p}.attention.output.LayerNorm`);
      linear(`${p}.intermediate.dense`, I, H);
      linear(`${p}.output.dense`, H, I);
      ln(`${p}.output.LayerNorm`);
    }
  } else if (config.family === "distilbert") {
    m.set("distilbert.embeddings.word_embeddings.weight", [config.vocabSize, H]);
    m.set("distilbert.embeddings.position_embeddings.weight", [config.maxPositions, H]);
    ln("distilbert.embeddings.LayerNorm");
    for (let i = 0; i < config.numLayers; i++) {
      const p = `distilbert.transformer.layer.${i}`;
      linear(`${p}.attention.q_lin`, H, H);
      linear(`${p}.attention.k_lin`, H, H);
      linear(`${p}.attention.v_lin`, H, H);
      linear(`${p}.attention.out_lin`, H, H);
      ln(`${p}.sa_layer_norm`);
      linear(`${p}.ffn.lin1`, I, H);
      linear(`${p}.ffn.lin2`, H, I);
      ln(`${p}.output_layer_norm`);
    }
  } else {
    m.set("transformer.wte.weight", [config.vocabSize, H]);
    m.set("transformer.wpe.weight", [config.maxPositions, H]);
    const conv = (p: string, inp: number, out: number) => {
      m.set(`${p}.weight`, [inp, out]);
      m.set(`${p}.bias`, [out]);
    };
    for (let i = 0; i < config.numLayers; i++) {
      const p = `transformer.h.${i}`;
      ln(`${p}.ln_1`);
      conv(`${p}.attn.c_attn`, H, 3 * H);
      conv(`${p}.attn.c_proj`, H, H);
      ln(`${p}.ln_2`);
      conv(`${p}.mlp.c_fc`, H, I);
      conv(`${p}.mlp.c_proj`, I, H);
    }
    ln("transformer.ln_f");
  }
  linear("classifier", L, H);
  return m;
}

/**
 * DistilBERT's fixed sinusoidal position table `[positions, dim]`: even columns
 * sin(pos / 10000^(j/dim)), odd columns cos(pos / 10000^((j-1)/dim)).
 *
 * @example
 * ```ts
 * const t = sinusoidalPositions(4, 6); // Float32Array of 24
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
 * import { createConfig } from "./config.ts";
 * const config = createConfig({ family: "bert", hiddenSize: 16, numHeads: 2, numLayers: 2, labels: ["O", "B-PER", "I-PER"] });
 * const tensors = initWeights(config, 42);
 * tensors.get("classifier.weight")?.shape; // [3, 16]
 * ```
 */
export function initWeights(config: ModelConfig, seed: number): TensorMap {
  const rng = createRandom(seed);
  const normal = () => rng.normal();
  const out: TensorMap = new Map();
  const std = config.initializerRange;
  const projStd = std / Math.sqrt(2 * config.numLayers);
  const H = config.hiddenSize;
  for (const [name, shape] of parameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isLn = /(LayerNorm|layer_norm|ln_\d|ln_f)\.weight$/.test(name);
    if (isLn) data.fill(1);
    else if (name.endsWith(".weight")) {
      const s = config.family === "gpt2" && name.endsWith("c_proj.weight") ? projStd : std;
      for (let i = 0; i < n; i++) data[i] = normal() * s;
    }
    const pad = config.padTokenId;
    if (pad !== null && config.family !== "gpt2" && name.endsWith("word_embeddings.weight")) {
      data.fill(0, pad * H, (pad + 1) * H);
    }
    if (
      pad !== null && config.family === "roberta" && name.endsWith("position_embeddings.weight")
    ) {
      data.fill(0, pad * H, (pad + 1) * H);
    }
    if (
      config.family === "distilbert" && config.sinusoidalPositions &&
      name.endsWith("position_embeddings.weight")
    ) {
      data.set(sinusoidalPositions(config.maxPositions, H));
    }
    out.set(name, { shape: [...shape], data });
  }
  return out;
}
