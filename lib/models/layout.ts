/**
 * The parameter layout of a token classifier: the list of its parameters with
 * transformers' names, shapes and roles (in `state_dict()` order, derived from the family's
 * record), and the flat buffers they live in on a backend, one per AdamW group as Hugging
 * Face's Trainer groups them (weight decay on weights and embeddings, none on biases and
 * norm weights), every parameter a view at an offset aligned for binding.
 *
 * Separate q, k, v weights (`[C, C]`, or `[kvHeads * headDim, C]` for keys and values with
 * grouped heads) are stored fused as one weight (their rows stacked), so they share the one
 * fused projection of families that store it fused (GPT-2's `c_attn`, Conv1D `[C, 3C]`;
 * ModernBERT's `Wqkv`); a gated MLP's separate `gate` and `up` weights are stacked the same
 * way (as ModernBERT's fused `Wi`). `netTensors` maps back to transformers' names and shapes
 * bit for bit. A fixed sinusoidal position table (DistilBERT's) is frozen: no gradient.
 *
 * @module
 */
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { familyRecord } from "./families/registry.ts";
import type { GeluKind } from "../gpu/reference/gelu.ts";
import type { GatedActivation } from "../gpu/reference/gated.ts";
import type { Ops } from "./ops.ts";

/**
 * A parameter: its value and its gradient (null when frozen).
 */
export type Param<X> = { value: X; grad: X | null };

/**
 * A linear layer: `y = x W^T + b` with `W` `[out, in]` (`nn.Linear`), or `y = x W + b`
 * with `W` `[in, out]` when `conv` (GPT-2's `Conv1D`); `b` null without bias.
 */
export type Linear<X> = {
  w: Param<X>;
  b: Param<X> | null;
  inF: number;
  outF: number;
  conv: boolean;
};

/** A norm's weight and bias (null for RMSNorm and norms without bias). */
export type Norm<X> = { g: Param<X>; b: Param<X> | null };

/**
 * One transformer block's parameters (`ln1` is BERT's attention-output LayerNorm or GPT-2's
 * `ln_1`, null where the block has none; `ln2` the output LayerNorm or `ln_2`; `qkv` the
 * fused projection `[queries | keys | values]`, `f1` the first feed-forward linear, for a
 * gated MLP `[activated | gate]`).
 */
export type Block<X> = {
  qkv: Linear<X>;
  o: Linear<X>;
  ln1: Norm<X> | null;
  f1: Linear<X>;
  f2: Linear<X>;
  ln2: Norm<X>;
};

/**
 * A flat parameter buffer of one AdamW group with its gradients and moments (same size).
 */
export type Group<X> = {
  size: number;
  weightDecay: boolean;
  params: X;
  grads: X;
  m: X;
  v: X;
};

/**
 * Where a transformers tensor lives: its group ("decay", "noDecay" or "frozen"), element
 * offset in the group's buffer, and shape.
 */
export type Slot = {
  name: string;
  group: "decay" | "noDecay" | "frozen";
  offset: number;
  shape: number[];
};

/**
 * A token classifier on a backend: configuration, parameters, optimizer state and counters.
 */
export type Net<X> = {
  config: ModelConfig;
  ops: Ops<X>;
  decay: Group<X>;
  noDecay: Group<X>;
  frozen: X | null;
  slots: Slot[];
  word: Param<X>;
  pos: Param<X> | null;
  type: Param<X> | null;
  embLn: Norm<X> | null;
  layers: Block<X>[];
  lnf: Norm<X> | null;
  /** The prediction head before the classifier (ModernBERT's), or null. */
  head: { dense: Linear<X>; norm: Norm<X> } | null;
  classifier: Linear<X>;
  /** The feed-forward activation (gated or not). */
  activation: GatedActivation;
  /** The prediction head's activation. */
  headActivation: GeluKind;
  /** Seed of the dropout masks. */
  seed: number;
  /** AdamW updates done (bias correction counts from 1). */
  optimizerSteps: number;
  /** Training forward passes done (keys the dropout masks). */
  trainingPasses: number;
};

/**
 * The kernels' form of an activation name (`gelu`: erf GELU; `gelu_new`,
 * `gelu_pytorch_tanh`: tanh GELU; `silu`); `gated` says whether it feeds a gated MLP (where
 * SiLU is built) or stands alone (GELU only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationKind } from "./layout.ts";
 * assert.equal(activationKind("gelu_new", false), "tanh");
 * assert.equal(activationKind("silu", true), "silu");
 * assert.throws(() => activationKind("silu", false), /activation "silu" is not supported/);
 * ```
 */
export function activationKind(activation: string, gated: true): GatedActivation;
export function activationKind(activation: string, gated: boolean): GeluKind;
export function activationKind(activation: string, gated: boolean): GatedActivation {
  if (activation === "gelu") return "erf";
  if (activation === "gelu_new" || activation === "gelu_pytorch_tanh") return "tanh";
  if (activation === "silu" && gated) return "silu";
  throw new Error(
    `activationKind: activation "${activation}" is not supported ` +
      `(gelu, gelu_new, gelu_pytorch_tanh${gated ? ", silu" : ""})`,
  );
}

/**
 * What a parameter is, for initialisation: an embedding `table`, a `weight` of a linear, a
 * `residual` weight (attention output, second feed-forward linear, the prediction head's
 * dense), the `classifier` weight, a `bias`, or a `norm` weight.
 */
export type ParameterRole = "table" | "weight" | "residual" | "classifier" | "bias" | "norm";

/**
 * The widths of a configuration's projections: `headDim`, the keys' (and values') width
 * `kv` (`numKeyValueHeads * headDim`), the fused projection's `qkv` (`hidden + 2 kv`) and
 * the first feed-forward linear's `f1` (twice the intermediate size for a gated MLP).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { widths } from "./layout.ts";
 * const c = createConfig({ family: "llama", hiddenSize: 8, numHeads: 4, numKeyValueHeads: 2,
 *   intermediateSize: 12 });
 * assert.deepEqual(widths(c), { headDim: 2, kv: 4, qkv: 16, f1: 24 });
 * ```
 */
export function widths(
  config: ModelConfig,
): { headDim: number; kv: number; qkv: number; f1: number } {
  const headDim = config.hiddenSize / config.numHeads;
  const kv = config.numKeyValueHeads * headDim;
  const gated = familyRecord(config.family).mlp.kind === "gated";
  return {
    headDim,
    kv,
    qkv: config.hiddenSize + 2 * kv,
    f1: (gated ? 2 : 1) * config.intermediateSize,
  };
}

/**
 * The stacked parts of a block's fused projection and first feed-forward linear: each
 * transformers prefix with its rows (out features), in the order they are stacked.
 */
function blockParts(
  config: ModelConfig,
  layer: number,
): { qkv: [string, number][]; f1: [string, number][] } {
  const b = familyRecord(config.family).names.block(layer);
  const H = config.hiddenSize, I = config.intermediateSize, w = widths(config);
  const a = b.attention;
  return {
    qkv: "qkv" in a ? [[a.qkv, w.qkv]] : [[a.q, H], [a.k, w.kv], [a.v, w.kv]],
    f1: typeof b.f1 === "string" ? [[b.f1, w.f1]] : [[b.f1.gate, I], [b.f1.up, I]],
  };
}

/**
 * Every parameter of a configuration's token classifier in the order of transformers'
 * `state_dict()` (embeddings, then per block the sublayers in the order they run, norms
 * first where they come first, then the final norm and the classifier), with shape and role.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { parameterList } from "./layout.ts";
 * const list = parameterList(createConfig({ family: "gpt2", hiddenSize: 8, numHeads: 2, numLayers: 1 }));
 * assert.deepEqual(list[2], { name: "transformer.h.0.ln_1.weight", shape: [8], role: "norm" });
 * ```
 */
export function parameterList(
  config: ModelConfig,
): { name: string; shape: number[]; role: ParameterRole }[] {
  const f = familyRecord(config.family);
  const n = f.names;
  const H = config.hiddenSize, I = config.intermediateSize;
  const out: { name: string; shape: number[]; role: ParameterRole }[] = [];
  const add = (name: string, shape: number[], role: ParameterRole) =>
    out.push({ name, shape, role });
  const norm = (p: string) => {
    add(`${p}.weight`, [H], "norm");
    if (f.norm.bias) add(`${p}.bias`, [H], "bias");
  };
  const linear = (p: string, inp: number, outF: number, bias: boolean, role: ParameterRole) => {
    const conv = f.linear === "conv1d" && role !== "classifier";
    add(`${p}.weight`, conv ? [inp, outF] : [outF, inp], role);
    if (bias) add(`${p}.bias`, [outF], "bias");
  };
  add(n.word, [config.vocabSize, H], "table");
  if (n.position) add(n.position, [config.maxPositions, H], "table");
  if (f.tokenTypes && n.tokenType) add(n.tokenType, [config.typeVocabSize, H], "table");
  if (f.norm.embedding && n.embeddingNorm) norm(n.embeddingNorm);
  const pre = f.norm.placement === "pre";
  for (let l = 0; l < config.numLayers; l++) {
    const b = n.block(l), parts = blockParts(config, l);
    if (pre && b.norm1) norm(b.norm1);
    for (const [p, rows] of parts.qkv) linear(p, H, rows, f.bias.qkv, "weight");
    linear(b.o, H, H, f.bias.o, "residual");
    norm(pre ? b.norm2 : b.norm1 as string);
    for (const [p, rows] of parts.f1) linear(p, H, rows, f.bias.mlp, "weight");
    linear(b.f2, I, H, f.bias.mlp, "residual");
    if (!pre) norm(b.norm2);
  }
  if (f.norm.final && n.finalNorm) norm(n.finalNorm);
  if (n.head) {
    linear(n.head.dense, H, H, false, "residual");
    norm(n.head.norm);
  }
  linear(n.classifier, H, config.labels.length, true, "classifier");
  return out;
}

/**
 * Every parameter of the token classifier, in the order of transformers' `state_dict()`,
 * with its shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { parameterShapes } from "./layout.ts";
 * const shapes = parameterShapes(createConfig({ family: "gpt2", hiddenSize: 8, numHeads: 2 }));
 * assert.deepEqual(shapes.get("transformer.h.0.attn.c_attn.weight"), [8, 24]);
 * ```
 */
export function parameterShapes(config: ModelConfig): Map<string, number[]> {
  return new Map(parameterList(config).map((p) => [p.name, p.shape]));
}

/**
 * Whether a configuration's position table is a fixed sinusoidal one (frozen).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { frozenPositions } from "./layout.ts";
 * assert.ok(frozenPositions(createConfig({ family: "distilbert", sinusoidalPositions: true })));
 * assert.ok(!frozenPositions(createConfig({ family: "bert", sinusoidalPositions: true })));
 * ```
 */
export function frozenPositions(config: ModelConfig): boolean {
  const p = familyRecord(config.family).positions;
  return p.kind === "learned" && p.sinusoidal && config.sinusoidalPositions;
}

/**
 * Builds a network on a backend from transformers-named tensors (every parameter of
 * `parameterShapes(config)` must be present with its exact shape; other tensors, such as a
 * pooler, are not used).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { createNet } from "./layout.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * assert.equal(net.layers.length, 1);
 * ```
 */
export function createNet<X>(
  ops: Ops<X>,
  config: ModelConfig,
  tensors: TensorMap,
  options: { seed?: number } = {},
): Net<X> {
  const f = familyRecord(config.family);
  const activation = activationKind(config.activation, f.mlp.kind === "gated");
  const headActivation = activationKind(config.classifierActivation, false);
  const shapes = parameterShapes(config);
  for (const [name, shape] of shapes) {
    const t = tensors.get(name);
    if (!t) throw new Error(`createNet: tensor "${name}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `createNet: tensor "${name}" has shape [${t.shape}], ` +
          `the ${config.family} configuration needs [${shape}]`,
      );
    }
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(
        `createNet: tensor "${name}" has ${t.data.length} values for shape [${shape}]`,
      );
    }
  }
  const align = ops.align;
  const sizes = { decay: 0, noDecay: 0, frozen: 0 };
  const slots: Slot[] = [];
  type Pending = { group: "decay" | "noDecay" | "frozen"; offset: number; shape: number[] };
  // Reserve a parameter of `shape` holding the listed tensors one after another.
  const reserve = (
    group: Pending["group"],
    shape: number[],
    names: [string, number[]][],
  ): Pending => {
    const offset = sizes[group];
    const n = shape.reduce((a, b) => a * b, 1);
    sizes[group] = Math.ceil((offset + n) / align) * align;
    let at = offset;
    for (const [name, s] of names) {
      slots.push({ name, group, offset: at, shape: s });
      at += s.reduce((a, b) => a * b, 1);
    }
    return { group, offset, shape };
  };
  const H = config.hiddenSize, I = config.intermediateSize, nL = config.labels.length;
  const conv = f.linear === "conv1d";
  type PL = { w: Pending; b: Pending | null; inF: number; outF: number; conv: boolean };
  // A linear whose weight stacks the rows of `parts` (transformers prefixes with their rows).
  const linear = (parts: [string, number][], inF: number, bias: boolean, conv = false): PL => {
    const outF = parts.reduce((a, [, rows]) => a + rows, 0);
    const shape = (rows: number) => conv ? [inF, rows] : [rows, inF];
    return {
      w: reserve("decay", shape(outF), parts.map(([p, rows]) => [`${p}.weight`, shape(rows)])),
      b: bias ? reserve("noDecay", [outF], parts.map(([p, rows]) => [`${p}.bias`, [rows]])) : null,
      inF,
      outF,
      conv,
    };
  };
  const norm = (name: string) => ({
    g: reserve("noDecay", [H], [[`${name}.weight`, [H]]]),
    b: f.norm.bias ? reserve("noDecay", [H], [[`${name}.bias`, [H]]]) : null,
  });
  const n = f.names;
  const word = reserve("decay", [config.vocabSize, H], [[n.word, [config.vocabSize, H]]]);
  const pos = n.position
    ? reserve(frozenPositions(config) ? "frozen" : "decay", [config.maxPositions, H], [[
      n.position,
      [config.maxPositions, H],
    ]])
    : null;
  const typeName = f.tokenTypes ? n.tokenType : null;
  const type = typeName
    ? reserve("decay", [config.typeVocabSize, H], [[typeName, [config.typeVocabSize, H]]])
    : null;
  const embLn = f.norm.embedding && n.embeddingNorm ? norm(n.embeddingNorm) : null;
  const blocks = [];
  for (let l = 0; l < config.numLayers; l++) {
    const b = n.block(l), parts = blockParts(config, l);
    if (conv && parts.qkv.length > 1) {
      throw new Error(`createNet: Conv1D projections must be stored fused`);
    }
    blocks.push({
      qkv: linear(parts.qkv, H, f.bias.qkv, conv),
      o: linear([[b.o, H]], H, f.bias.o, conv),
      ln1: b.norm1 ? norm(b.norm1) : null,
      f1: linear(parts.f1, H, f.bias.mlp, conv),
      f2: linear([[b.f2, H]], I, f.bias.mlp, conv),
      ln2: norm(b.norm2),
    });
  }
  const lnf = f.norm.final && n.finalNorm ? norm(n.finalNorm) : null;
  const head = n.head
    ? { dense: linear([[n.head.dense, H]], H, false), norm: norm(n.head.norm) }
    : null;
  const classifier = linear([[n.classifier, nL]], H, true);
  // Host buffers filled from the tensors, uploaded once.
  const host = {
    decay: new Float32Array(Math.max(sizes.decay, align)),
    noDecay: new Float32Array(Math.max(sizes.noDecay, align)),
    frozen: new Float32Array(Math.max(sizes.frozen, align)),
  };
  for (const s of slots) {
    host[s.group].set((tensors.get(s.name) as { data: Float32Array }).data, s.offset);
  }
  const group = (g: "decay" | "noDecay"): Group<X> => {
    const n = host[g].length;
    return {
      size: n,
      weightDecay: g === "decay",
      params: ops.persistent([n], host[g]),
      grads: ops.persistent([n]),
      m: ops.persistent([n]),
      v: ops.persistent([n]),
    };
  };
  const decay = group("decay"), noDecay = group("noDecay");
  const frozen = sizes.frozen > 0 ? ops.persistent([host.frozen.length], host.frozen) : null;
  const param = (q: Pending): Param<X> => {
    if (q.group === "frozen") {
      return { value: ops.view(frozen as X, q.shape, q.offset), grad: null };
    }
    const g = q.group === "decay" ? decay : noDecay;
    return {
      value: ops.view(g.params, q.shape, q.offset),
      grad: ops.view(g.grads, q.shape, q.offset),
    };
  };
  const lin = (q: PL): Linear<X> => ({
    w: param(q.w),
    b: q.b ? param(q.b) : null,
    inF: q.inF,
    outF: q.outF,
    conv: q.conv,
  });
  const nrm = (q: { g: Pending; b: Pending | null }): Norm<X> => ({
    g: param(q.g),
    b: q.b ? param(q.b) : null,
  });
  return {
    config,
    ops,
    decay,
    noDecay,
    frozen,
    slots,
    word: param(word),
    pos: pos ? param(pos) : null,
    type: type ? param(type) : null,
    embLn: embLn ? nrm(embLn) : null,
    layers: blocks.map((b) => ({
      qkv: lin(b.qkv),
      o: lin(b.o),
      ln1: b.ln1 ? nrm(b.ln1) : null,
      f1: lin(b.f1),
      f2: lin(b.f2),
      ln2: nrm(b.ln2),
    })),
    lnf: lnf ? nrm(lnf) : null,
    head: head ? { dense: lin(head.dense), norm: nrm(head.norm) } : null,
    classifier: lin(classifier),
    activation,
    headActivation,
    seed: options.seed ?? 0,
    optimizerSteps: 0,
    trainingPasses: 0,
  };
}

/**
 * The network's parameters as transformers-named host tensors (one read per buffer;
 * values bit-identical to what was loaded until training changes them).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet, netTensors } from "./layout.ts";
 * const config = createConfig({ family: "qwen2", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B"] });
 * const tensors = initWeights(config, 3);
 * const back = await netTensors(createNet(cpuOps(), config, tensors));
 * assert.deepEqual(back, tensors); // stacked q, k, v and gate, up come apart bit for bit
 * ```
 */
export async function netTensors<X>(net: Net<X>): Promise<TensorMap> {
  const ops = net.ops;
  const reads = {
    decay: ops.read(net.decay.params),
    noDecay: ops.read(net.noDecay.params),
    frozen: net.frozen ? ops.read(net.frozen) : Promise.resolve(new Float32Array(0)),
  };
  await ops.submit();
  const data = {
    decay: await reads.decay,
    noDecay: await reads.noDecay,
    frozen: await reads.frozen,
  };
  const out: TensorMap = new Map();
  const byName = new Map(net.slots.map((s) => [s.name, s]));
  for (const [name] of parameterShapes(net.config)) {
    const s = byName.get(name) as Slot;
    const n = s.shape.reduce((a, b) => a * b, 1);
    out.set(name, { shape: [...s.shape], data: data[s.group].slice(s.offset, s.offset + n) });
  }
  return out;
}
