/**
 * Plain-TypeScript forward passes of the token classifiers, in float64 and inference
 * mode (no dropout): the ground truth the GPU models are tested against.
 *
 * Each mirrors transformers' eager PyTorch modules (checked against a hand-written
 * PyTorch 1.13 forward of the same modules, `tools/reference_logits.py`):
 * - `BertForTokenClassification`: post-LN encoder, position ids 0..T-1, token types 0
 *   unless given, additive mask `(1 - mask) * finfo(float32).min`;
 * - `RobertaForTokenClassification`: as BERT, position ids from the input ids:
 *   `padding_idx + cumsum(ids != pad)` on real tokens and `padding_idx` on padding;
 * - `DistilBertForTokenClassification`: no token types, `q_lin` ... `output_layer_norm`;
 * - `GPT2ForTokenClassification`: pre-LN, causal attention, `Conv1D` weights `[in, out]`,
 *   final `ln_f`, head `classifier`;
 * - `ModernBertForTokenClassification`: pre-LN without biases, rotary queries and keys,
 *   sliding-window attention on local layers, GeGLU, final norm and prediction head;
 * - `LlamaForTokenClassification`, `Qwen2ForTokenClassification`: pre-RMSNorm, rotary,
 *   grouped-query causal attention, SwiGLU, final norm, `score`.
 * The float64 forward is written once and reads each family's record
 * (`lib/models/families/`) for its names, norms, positions and attention.
 * With left padding the rows at padded positions follow the same float32-minimum
 * arithmetic as PyTorch but carry no meaning; compare real tokens only.
 *
 * @module
 */

import type { Activation, ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { familyRecord, paddingOffsetPositions, positionIds } from "./families/registry.ts";
import { rotaryForward } from "../gpu/reference/rotary.ts";

/**
 * Logits `[batch, tokens, labels]`, row-major, in float64.
 */
export type Logits = { shape: [number, number, number]; data: Float64Array };

/** torch.finfo(torch.float32).min, the mask value transformers adds. */
const F32_MIN = -3.4028234663852886e38;

/**
 * The error function, to about 1e-16 absolute (series with positive terms:
 * erf(x) = 2/sqrt(pi) exp(-x^2) sum_n 2^n x^(2n+1) / (1 * 3 * ... * (2n+1))).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { erf } from "./reference.ts";
 * assert.ok(Math.abs(erf(1) - 0.8427007929497149) < 1e-15);
 * ```
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (a > 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; n < 500; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const v = (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
  return x < 0 ? -v : v;
}

/**
 * Apply an activation to one value as transformers' `ACT2FN` does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activate } from "./reference.ts";
 * assert.equal(activate("relu", -1), 0);
 * assert.equal(activate("silu", 0), 0);
 * ```
 */
export function activate(act: Activation, x: number): number {
  switch (act) {
    case "gelu":
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case "gelu_new":
    case "gelu_pytorch_tanh":
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    case "relu":
      return x > 0 ? x : 0;
    case "silu":
      return x / (1 + Math.exp(-x));
  }
}

type Weights = { get(name: string, shape: number[]): Float64Array };

function weights(tensors: TensorMap): Weights {
  const cache = new Map<string, Float64Array>();
  return {
    get(name, shape) {
      let w = cache.get(name);
      if (w) return w;
      const t = tensors.get(name);
      if (!t) throw new Error(`referenceLogits: tensor "${name}" is missing`);
      if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
        throw new Error(
          `referenceLogits: tensor "${name}" has shape ${JSON.stringify(t.shape)}, expected ${
            JSON.stringify(shape)
          }`,
        );
      }
      w = Float64Array.from(t.data);
      cache.set(name, w);
      return w;
    },
  };
}

/** y[n, out] = x[n, in] W^T + b with W [out, in] (nn.Linear). */
function linear(x: Float64Array, n: number, w: Float64Array, b: Float64Array, inp: number) {
  const out = b.length;
  const y = new Float64Array(n * out);
  for (let r = 0; r < n; r++) {
    for (let o = 0; o < out; o++) {
      let s = b[o];
      const xo = r * inp;
      const wo = o * inp;
      for (let i = 0; i < inp; i++) s += x[xo + i] * w[wo + i];
      y[r * out + o] = s;
    }
  }
  return y;
}

/** y[n, out] = x[n, in] W + b with W [in, out] (GPT-2's Conv1D). */
function conv1d(x: Float64Array, n: number, w: Float64Array, b: Float64Array, inp: number) {
  const out = b.length;
  const y = new Float64Array(n * out);
  for (let r = 0; r < n; r++) {
    const yo = r * out;
    for (let o = 0; o < out; o++) y[yo + o] = b[o];
    for (let i = 0; i < inp; i++) {
      const xv = x[r * inp + i];
      const wo = i * out;
      for (let o = 0; o < out; o++) y[yo + o] += xv * w[wo + o];
    }
  }
  return y;
}

function layerNorm(x: Float64Array, n: number, g: Float64Array, b: Float64Array, eps: number) {
  const h = g.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < n; r++) {
    let mean = 0;
    for (let i = 0; i < h; i++) mean += x[r * h + i];
    mean /= h;
    let v = 0;
    for (let i = 0; i < h; i++) v += (x[r * h + i] - mean) ** 2;
    const inv = 1 / Math.sqrt(v / h + eps);
    for (let i = 0; i < h; i++) y[r * h + i] = (x[r * h + i] - mean) * inv * g[i] + b[i];
  }
  return y;
}

/** `LlamaRMSNorm`: x * rsqrt(mean(x^2) + eps) * weight. */
function rmsNorm(x: Float64Array, n: number, g: Float64Array, eps: number) {
  const h = g.length;
  const y = new Float64Array(x.length);
  for (let r = 0; r < n; r++) {
    let ms = 0;
    for (let i = 0; i < h; i++) ms += x[r * h + i] ** 2;
    const inv = 1 / Math.sqrt(ms / h + eps);
    for (let i = 0; i < h; i++) y[r * h + i] = x[r * h + i] * inv * g[i];
  }
  return y;
}

/** The column blocks of `[n, sum(widths)]` as separate `[n, width]` arrays. */
function split(x: Float64Array, n: number, widths: number[]): Float64Array[] {
  const W = widths.reduce((a, b) => a + b, 0);
  let at = 0;
  return widths.map((w) => {
    const out = new Float64Array(n * w);
    for (let r = 0; r < n; r++) out.set(x.subarray(r * W + at, r * W + at + w), r * w);
    at += w;
    return out;
  });
}

/** `[n, a | b]` from `[n, w]` blocks `a` and `b` side by side. */
function join(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const w = a.length / n, out = new Float64Array(2 * a.length);
  for (let r = 0; r < n; r++) {
    out.set(a.subarray(r * w, (r + 1) * w), r * 2 * w);
    out.set(b.subarray(r * w, (r + 1) * w), r * 2 * w + w);
  }
  return out;
}

function add(a: Float64Array, b: Float64Array): Float64Array {
  const y = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) y[i] = a[i] + b[i];
  return y;
}

/**
 * Scaled dot-product attention over q `[B*T, H]` and k, v `[B*T, kvHeads * d]` (heads are
 * contiguous slices; query head `h` reads key/value head `floor(h / groups)`), with the key
 * mask, the optional causal mask and sliding window (`|i - j| <= floor(window / 2)`) added
 * as transformers adds them.
 */
function attention(
  q: Float64Array,
  k: Float64Array,
  v: Float64Array,
  B: number,
  T: number,
  H: number,
  heads: number,
  mask: number[][],
  o: { causal: boolean; kvHeads: number; window?: number },
): Float64Array {
  const d = H / heads, kvW = o.kvHeads * d, groups = heads / o.kvHeads;
  const reach = o.window === undefined ? Infinity : Math.floor(o.window / 2);
  const scale = 1 / Math.sqrt(d);
  const out = new Float64Array(B * T * H);
  const s = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < T; i++) {
        const qo = (b * T + i) * H + h * d;
        let max = -Infinity;
        for (let j = 0; j < T; j++) {
          const ko = (b * T + j) * kvW + Math.floor(h / groups) * d;
          let dot = 0;
          for (let e = 0; e < d; e++) dot += q[qo + e] * k[ko + e];
          let x = dot * scale;
          if ((o.causal && j > i) || Math.abs(i - j) > reach) x = F32_MIN;
          x += (1 - mask[b][j]) * F32_MIN;
          s[j] = x;
          if (x > max) max = x;
        }
        let sum = 0;
        for (let j = 0; j < T; j++) {
          s[j] = Math.exp(s[j] - max);
          sum += s[j];
        }
        for (let j = 0; j < T; j++) {
          const p = s[j] / sum;
          if (p === 0) continue;
          const vo = (b * T + j) * kvW + Math.floor(h / groups) * d;
          for (let e = 0; e < d; e++) out[qo + e] += p * v[vo + e];
        }
      }
    }
  }
  return out;
}

function checkInputs(
  config: ModelConfig,
  inputIds: number[][],
  mask: number[][],
  tokenTypeIds: number[][] | undefined,
): number {
  if (inputIds.length === 0) throw new Error("referenceLogits: empty batch");
  const T = inputIds[0].length;
  inputIds.forEach((row, b) => {
    if (row.length !== T) {
      throw new Error(`referenceLogits: row ${b} has ${row.length} ids, row 0 has ${T}`);
    }
    row.forEach((id, t) => {
      if (!Number.isInteger(id) || id < 0 || id >= config.vocabSize) {
        throw new Error(
          `referenceLogits: id ${id} at row ${b}, position ${t} is outside the vocabulary (${config.vocabSize})`,
        );
      }
    });
    if (mask[b]?.length !== T) {
      throw new Error(`referenceLogits: attention mask row ${b} does not have ${T} entries`);
    }
    if (tokenTypeIds && tokenTypeIds[b]?.length !== T) {
      throw new Error(`referenceLogits: token type row ${b} does not have ${T} entries`);
    }
  });
  if (mask.length !== inputIds.length) {
    throw new Error(`referenceLogits: ${mask.length} mask rows for ${inputIds.length} id rows`);
  }
  return T;
}

/**
 * RoBERTa's position ids: `padding_idx + cumsum(id != pad)` on real tokens, `padding_idx`
 * on padding tokens (computed from the ids, not the attention mask).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { robertaPositionIds } from "./reference.ts";
 * assert.deepEqual(robertaPositionIds([0, 31414, 2, 1, 1], 1), [2, 3, 4, 1, 1]);
 * ```
 */
export function robertaPositionIds(ids: number[], padTokenId: number): number[] {
  return paddingOffsetPositions(ids, padTokenId);
}

/**
 * Options of {@link referenceLogits}.
 */
export type ReferenceOptions = {
  /** BERT and RoBERTa token types `[B, T]` (default all 0). */
  tokenTypeIds?: number[][];
};

/**
 * Token-classification logits of a model in inference mode, in float64.
 * `attentionMask` (1 = real token, 0 = padding) defaults to all ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { referenceLogits } from "./reference.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const logits = referenceLogits(config, initWeights(config, 1), [[2, 7, 9, 3]], [[1, 1, 1, 1]]);
 * assert.deepEqual(logits.shape, [1, 4, 3]);
 * ```
 */
export function referenceLogits(
  config: ModelConfig,
  tensors: TensorMap,
  inputIds: number[][],
  attentionMask?: number[][],
  options: ReferenceOptions = {},
): Logits {
  const mask = attentionMask ?? inputIds.map((r) => r.map(() => 1));
  const T = checkInputs(config, inputIds, mask, options.tokenTypeIds);
  const B = inputIds.length;
  const N = B * T;
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const eps = config.layerNormEps;
  const w = weights(tensors);
  const f = familyRecord(config.family);
  const names = f.names;
  const act = (x: Float64Array) => x.map((v) => activate(config.activation, v));

  let x: Float64Array = new Float64Array(N * H);
  const word = w.get(names.word, [config.vocabSize, H]);
  const pos = names.position ? w.get(names.position, [config.maxPositions, H]) : null;
  const types = f.tokenTypes && names.tokenType
    ? w.get(names.tokenType, [config.typeVocabSize, H])
    : null;
  for (let b = 0; b < B; b++) {
    const positions = positionIds(config, inputIds[b]);
    for (let t = 0; t < T; t++) {
      const id = inputIds[b][t];
      const ps = positions[t];
      if (ps >= config.maxPositions) {
        throw new Error(
          `referenceLogits: position ${ps} (row ${b}, token ${t}) is past max positions ${config.maxPositions}`,
        );
      }
      const tt = options.tokenTypeIds?.[b][t] ?? 0;
      if (types && (tt < 0 || tt >= config.typeVocabSize)) {
        throw new Error(`referenceLogits: token type ${tt} at row ${b}, position ${t} is invalid`);
      }
      const o = (b * T + t) * H;
      for (let e = 0; e < H; e++) {
        x[o + e] = word[id * H + e] + (pos ? pos[ps * H + e] : 0) + (types ? types[tt * H + e] : 0);
      }
    }
  }
  // a linear as the family stores it: nn.Linear [out, in] or Conv1D [in, out], bias or zeros
  const proj = (v: Float64Array, name: string, inp: number, out: number, bias: boolean) => {
    const b = bias ? w.get(`${name}.bias`, [out]) : new Float64Array(out);
    return f.linear === "conv1d"
      ? conv1d(v, N, w.get(`${name}.weight`, [inp, out]), b, inp)
      : linear(v, N, w.get(`${name}.weight`, [out, inp]), b, inp);
  };
  const ln = (v: Float64Array, name: string) => {
    const g = w.get(`${name}.weight`, [H]);
    if (f.norm.kind === "rmsnorm") return rmsNorm(v, N, g, eps);
    const b = f.norm.bias ? w.get(`${name}.bias`, [H]) : new Float64Array(H);
    return layerNorm(v, N, g, b, eps);
  };
  const kvW = config.numKeyValueHeads * (H / config.numHeads);
  const d = H / config.numHeads;
  const selfAttention = (h: Float64Array, l: number) => {
    const a = names.block(l).attention;
    const parts = "qkv" in a
      ? split(proj(h, a.qkv, H, H + 2 * kvW, f.bias.qkv), N, [H, kvW, kvW])
      : [
        proj(h, a.q, H, H, f.bias.qkv),
        proj(h, a.k, H, kvW, f.bias.qkv),
        proj(h, a.v, H, kvW, f.bias.qkv),
      ];
    let [q, k] = parts;
    const local = config.localAttention && l % config.localAttention.every !== 0
      ? config.localAttention
      : null;
    if (f.positions.kind === "rotary") {
      const theta = local ? local.ropeTheta : config.ropeTheta;
      q = rotaryForward(q, { rows: N, seq: T, heads: config.numHeads, headDim: d, theta });
      k = rotaryForward(k, { rows: N, seq: T, heads: config.numKeyValueHeads, headDim: d, theta });
    }
    return attention(q, k, parts[2], B, T, H, config.numHeads, mask, {
      causal: f.attention.kind === "causal",
      kvHeads: config.numKeyValueHeads,
      window: local?.window,
    });
  };
  const feedForward = (h: Float64Array, l: number) => {
    const n = names.block(l);
    let g: Float64Array;
    if (f.mlp.kind === "gated") {
      const first = typeof n.f1 === "string"
        ? proj(h, n.f1, H, 2 * I, f.bias.mlp)
        : join(proj(h, n.f1.gate, H, I, f.bias.mlp), proj(h, n.f1.up, H, I, f.bias.mlp), N);
      g = new Float64Array(N * I);
      for (let r = 0; r < N; r++) {
        for (let c = 0; c < I; c++) {
          g[r * I + c] = activate(config.activation, first[r * 2 * I + c]) *
            first[r * 2 * I + I + c];
        }
      }
    } else g = act(proj(h, n.f1 as string, H, I, f.bias.mlp));
    return proj(g, n.f2, I, H, f.bias.mlp);
  };

  if (f.norm.embedding && names.embeddingNorm) x = ln(x, names.embeddingNorm);
  for (let l = 0; l < config.numLayers; l++) {
    const n = names.block(l);
    if (f.norm.placement === "pre") {
      x = add(x, proj(selfAttention(n.norm1 ? ln(x, n.norm1) : x, l), n.o, H, H, f.bias.o));
      x = add(x, feedForward(ln(x, n.norm2), l));
    } else {
      const a = ln(add(proj(selfAttention(x, l), n.o, H, H, f.bias.o), x), n.norm1 as string);
      x = ln(add(feedForward(a, l), a), n.norm2);
    }
  }
  if (f.norm.final && names.finalNorm) x = ln(x, names.finalNorm);
  if (names.head) {
    const dense = proj(x, names.head.dense, H, H, false);
    x = ln(dense.map((v) => activate(config.classifierActivation, v)), names.head.norm);
  }
  const L = config.labels.length;
  const cw = w.get(`${names.classifier}.weight`, [L, H]);
  return { shape: [B, T, L], data: linear(x, N, cw, w.get(`${names.classifier}.bias`, [L]), H) };
}
