/**
 * The parameter layout of a token classifier: the list of its parameters with
 * transformers' names, shapes and roles (in `state_dict()` order, derived from the family's
 * record), and the flat buffers they live in on a backend, one per AdamW group as Hugging
 * Face's Trainer groups them (weight decay on weights and embeddings, none on biases and
 * norm weights), every parameter a view at an offset aligned for binding.
 *
 * Separate q, k, v weights `[C, C]` are stored fused as one `[3C, C]` weight (their rows
 * stacked), so they share the one fused projection of families that store it fused (GPT-2's
 * `c_attn`, Conv1D `[C, 3C]`); `netTensors` maps back to transformers' names and shapes bit
 * for bit. A fixed sinusoidal position table (DistilBERT's) is frozen: no gradient.
 *
 * @module
 */
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { assertBuilt, familyRecord } from "./families/registry.ts";
import type { GeluKind } from "../gpu/reference/gelu.ts";
import type { Ops } from "./ops.ts";

/**
 * A parameter: its value and its gradient (null when frozen).
 *
 * @example
 * ```ts
 * import type { Param } from "./layout.ts";
 * const p: Param<Float32Array> = { value: new Float32Array(3), grad: null };
 * ```
 */
export type Param<X> = { value: X; grad: X | null };

/**
 * A linear layer: `y = x W^T + b` with `W` `[out, in]` (`nn.Linear`), or `y = x W + b`
 * with `W` `[in, out]` when `conv` (GPT-2's `Conv1D`).
 *
 * @example
 * ```ts
 * import type { Linear } from "./layout.ts";
 * const w = new Float32Array(2 * 4), b = new Float32Array(2);
 * const l: Linear<Float32Array> = { w: { value: w, grad: null }, b: { value: b, grad: null },
 *   inF: 4, outF: 2, conv: false };
 * ```
 */
export type Linear<X> = { w: Param<X>; b: Param<X>; inF: number; outF: number; conv: boolean };

/**
 * A layer norm's weight and bias.
 *
 * @example
 * ```ts
 * import type { Norm } from "./layout.ts";
 * const g = new Float32Array(4).fill(1), b = new Float32Array(4);
 * const n: Norm<Float32Array> = { g: { value: g, grad: null }, b: { value: b, grad: null } };
 * ```
 */
export type Norm<X> = { g: Param<X>; b: Param<X> };

/**
 * One transformer block's parameters (`ln1` is BERT's attention-output LayerNorm or GPT-2's
 * `ln_1`; `ln2` the output LayerNorm or `ln_2`).
 *
 * @example
 * ```ts
 * import type { Block } from "./layout.ts";
 * function fusedWidth(b: Block<Float32Array>): number {
 *   return b.qkv.outF; // 3 * hidden
 * }
 * ```
 */
export type Block<X> = {
  qkv: Linear<X>;
  o: Linear<X>;
  ln1: Norm<X>;
  f1: Linear<X>;
  f2: Linear<X>;
  ln2: Norm<X>;
};

/**
 * A flat parameter buffer of one AdamW group with its gradients and moments (same size).
 *
 * @example
 * ```ts
 * import type { Group } from "./layout.ts";
 * function describe(g: Group<Float32Array>): string {
 *   return `${g.size} parameters, ${g.weightDecay ? "with" : "without"} weight decay`;
 * }
 * ```
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
 *
 * @example
 * ```ts
 * import type { Slot } from "./layout.ts";
 * const s: Slot = { name: "classifier.bias", group: "noDecay", offset: 128, shape: [3] };
 * ```
 */
export type Slot = {
  name: string;
  group: "decay" | "noDecay" | "frozen";
  offset: number;
  shape: number[];
};

/**
 * A token classifier on a backend: configuration, parameters, optimizer state and counters.
 *
 * @example
 * ```ts
 * import type { Net } from "./layout.ts";
 * function describe(net: Net<Float32Array>): string {
 *   return `${net.config.family}, ${net.layers.length} layers, ${net.optimizerSteps} steps`;
 * }
 * ```
 */
export type Net<X> = {
  config: ModelConfig;
  ops: Ops<X>;
  decay: Group<X>;
  noDecay: Group<X>;
  frozen: X | null;
  slots: Slot[];
  word: Param<X>;
  pos: Param<X>;
  type: Param<X> | null;
  embLn: Norm<X> | null;
  layers: Block<X>[];
  lnf: Norm<X> | null;
  classifier: Linear<X>;
  gelu: GeluKind;
  /** Seed of the dropout masks. */
  seed: number;
  /** AdamW updates done (bias correction counts from 1). */
  optimizerSteps: number;
  /** Training forward passes done (keys the dropout masks). */
  trainingPasses: number;
};

/**
 * The GELU form of an activation name (`gelu`: erf; `gelu_new`, `gelu_pytorch_tanh`:
 * tanh). Other activations are not supported by the GPU models.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { geluKind } from "./layout.ts";
 * assert.equal(geluKind("gelu_new"), "tanh");
 * ```
 */
export function geluKind(activation: string): GeluKind {
  if (activation === "gelu") return "erf";
  if (activation === "gelu_new" || activation === "gelu_pytorch_tanh") return "tanh";
  throw new Error(
    `geluKind: activation "${activation}" is not supported (gelu, gelu_new, ` +
      `gelu_pytorch_tanh)`,
  );
}

/**
 * What a parameter is, for initialisation: an embedding `table`, a `weight` of a linear, a
 * `residual` weight (attention output, second feed-forward linear), a `bias`, or a `norm`
 * weight.
 *
 * @example
 * ```ts
 * import type { ParameterRole } from "./layout.ts";
 * const startsAtOne = (r: ParameterRole) => r === "norm";
 * ```
 */
export type ParameterRole = "table" | "weight" | "residual" | "bias" | "norm";

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
  const linear = (p: string, inp: number, outF: number, role: "weight" | "residual" = "weight") => {
    add(`${p}.weight`, f.linear === "conv1d" ? [inp, outF] : [outF, inp], role);
    if (f.bias) add(`${p}.bias`, [outF], "bias");
  };
  add(n.word, [config.vocabSize, H], "table");
  if (n.position) add(n.position, [config.maxPositions, H], "table");
  if (f.tokenTypes && n.tokenType) add(n.tokenType, [config.typeVocabSize, H], "table");
  if (f.norm.embedding && n.embeddingNorm) norm(n.embeddingNorm);
  const pre = f.norm.placement === "pre";
  for (let l = 0; l < config.numLayers; l++) {
    const b = n.block(l);
    if (pre) norm(b.norm1);
    if ("qkv" in b.attention) linear(b.attention.qkv, H, 3 * H);
    else for (const p of [b.attention.q, b.attention.k, b.attention.v]) linear(p, H, H);
    linear(b.o, H, H, "residual");
    norm(pre ? b.norm2 : b.norm1);
    linear(b.f1, H, I);
    linear(b.f2, I, H, "residual");
    if (!pre) norm(b.norm2);
  }
  if (f.norm.final && n.finalNorm) norm(n.finalNorm);
  add(`${n.classifier}.weight`, [config.labels.length, H], "weight");
  add(`${n.classifier}.bias`, [config.labels.length], "bias");
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
  assertBuilt(f, "createNet");
  const gelu = geluKind(config.activation);
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
  type PL = { w: Pending; b: Pending; inF: number; outF: number; conv: boolean };
  const linear = (name: string, inF: number, outF: number, conv: boolean): PL => ({
    w: reserve("decay", conv ? [inF, outF] : [outF, inF], [[
      `${name}.weight`,
      conv ? [inF, outF] : [outF, inF],
    ]]),
    b: reserve("noDecay", [outF], [[`${name}.bias`, [outF]]]),
    inF,
    outF,
    conv,
  });
  const norm = (name: string) => ({
    g: reserve("noDecay", [H], [[`${name}.weight`, [H]]]),
    b: reserve("noDecay", [H], [[`${name}.bias`, [H]]]),
  });
  const n = f.names;
  const word = reserve("decay", [config.vocabSize, H], [[n.word, [config.vocabSize, H]]]);
  if (!n.position) throw new Error(`createNet: the ${f.displayName} family has no position table`);
  const pos = reserve(frozenPositions(config) ? "frozen" : "decay", [config.maxPositions, H], [[
    n.position,
    [config.maxPositions, H],
  ]]);
  const typeName = f.tokenTypes ? n.tokenType : null;
  const type = typeName
    ? reserve("decay", [config.typeVocabSize, H], [[typeName, [config.typeVocabSize, H]]])
    : null;
  const embLn = f.norm.embedding && n.embeddingNorm ? norm(n.embeddingNorm) : null;
  const blocks = [];
  for (let l = 0; l < config.numLayers; l++) {
    const b = n.block(l);
    const a = b.attention;
    let qkv: PL;
    if ("qkv" in a) qkv = linear(a.qkv, H, 3 * H, conv);
    else {
      qkv = {
        w: reserve("decay", [3 * H, H], [[`${a.q}.weight`, [H, H]], [`${a.k}.weight`, [H, H]], [
          `${a.v}.weight`,
          [H, H],
        ]]),
        b: reserve("noDecay", [3 * H], [[`${a.q}.bias`, [H]], [`${a.k}.bias`, [H]], [
          `${a.v}.bias`,
          [H],
        ]]),
        inF: H,
        outF: 3 * H,
        conv: false,
      };
    }
    blocks.push({
      qkv,
      o: linear(b.o, H, H, conv),
      ln1: norm(b.norm1),
      f1: linear(b.f1, H, I, conv),
      f2: linear(b.f2, I, H, conv),
      ln2: norm(b.norm2),
    });
  }
  const lnf = f.norm.final && n.finalNorm ? norm(n.finalNorm) : null;
  const classifier = linear(n.classifier, H, nL, false);
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
      grads: ops.persistent([n], new Float32Array(n)),
      m: ops.persistent([n], new Float32Array(n)),
      v: ops.persistent([n], new Float32Array(n)),
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
    b: param(q.b),
    inF: q.inF,
    outF: q.outF,
    conv: q.conv,
  });
  const nrm = (q: { g: Pending; b: Pending }): Norm<X> => ({ g: param(q.g), b: param(q.b) });
  return {
    config,
    ops,
    decay,
    noDecay,
    frozen,
    slots,
    word: param(word),
    pos: param(pos),
    type: type ? param(type) : null,
    embLn: embLn ? nrm(embLn) : null,
    layers: blocks.map((b) => ({
      qkv: lin(b.qkv),
      o: lin(b.o),
      ln1: nrm(b.ln1),
      f1: lin(b.f1),
      f2: lin(b.f2),
      ln2: nrm(b.ln2),
    })),
    lnf: lnf ? nrm(lnf) : null,
    classifier: lin(classifier),
    gelu,
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
 * import type { Net } from "./layout.ts";
 * import { netTensors } from "./layout.ts";
 * async function tensorNames(net: Net<Float32Array>): Promise<string[]> {
 *   const tensors = await netTensors(net);
 *   return [...tensors.keys()];
 * }
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
