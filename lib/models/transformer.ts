/**
 * The transformer token classifiers of the four families (BERT, RoBERTa, DistilBERT,
 * GPT-2), written once against the operations of `lib/models/ops.ts`: explicit per-layer
 * forward and backward as in llm.c (no tape), cross-entropy, global-norm clipping and AdamW.
 * `lib/models/gpu_model.ts` runs it on WebGPU, `lib/models/reference_train.ts` on the CPU
 * references.
 *
 * Architecture, as transformers' eager modules (checked against `referenceLogits` of
 * `lib/models/reference.ts`): BERT and RoBERTa post-LN (embeddings word + position + token
 * type, LayerNorm, dropout; per layer fused QKV, attention with the padding key mask,
 * output dense, dropout, residual, LayerNorm; feed-forward with GELU, dropout, residual,
 * LayerNorm); DistilBERT the same without token types and without dropout after the
 * attention output; GPT-2 pre-LN with causal and padding masks, `gelu_new` and `ln_f`.
 * Dropout (hidden, attention probabilities, classifier) runs in training mode only, from
 * a counter-based hash of `(seed, step key, element)` with a distinct key per call site
 * and training step, so runs are reproducible from the seed.
 *
 * Parameters live in flat buffers, one per AdamW group as Hugging Face's Trainer groups
 * them (weight decay on weights and embeddings, none on biases and LayerNorm weights);
 * every parameter is a view at an offset aligned for binding. BERT-style q, k, v weights
 * `[C, C]` are stored fused as one `[3C, C]` weight (their rows stacked), so BERT and
 * GPT-2 (whose `c_attn` is Conv1D `[C, 3C]`) share one fused projection, whose heads the
 * attention products read in place (and whose gradient they write in place, as they do the
 * context `[N, C]`: no split or merge copies); `netTensors` maps back to
 * transformers' names and shapes bit for bit. DistilBERT's sinusoidal position table is
 * frozen (no gradient), as in transformers.
 *
 * Binding limits: attention runs in chunks of batch rows when one layer's scores
 * `[B * heads, T, T]` would exceed the backend's `maxBinding` (each chunk after the first
 * then draws its attention dropout with its own key); the GPU backend also splits large
 * embedding tables and elementwise launches (`lib/models/gpu_ops.ts`). Inference gives
 * each block's activations back as soon as the next block has read them.
 *
 * @module
 */
import type { ModelConfig } from "./config.ts";
import type { TensorMap } from "./host_tensor.ts";
import { basePrefix, parameterShapes } from "./init_weights.ts";
import { robertaPositionIds } from "./reference.ts";
import type { GeluKind } from "../gpu/reference/gelu.ts";
import type { MatmulArgs, Ops } from "./ops.ts";

/**
 * A parameter: its value and its gradient (null when frozen).
 *
 * @example
 * ```ts
 * import type { Param } from "./transformer.ts";
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
 * import type { Linear } from "./transformer.ts";
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
 * import type { Norm } from "./transformer.ts";
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
 * import type { Block } from "./transformer.ts";
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
 * import type { Group } from "./transformer.ts";
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
 * import type { Slot } from "./transformer.ts";
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
 * import type { Net } from "./transformer.ts";
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
 * A padded batch, row-major `[size, length]` (the shape of `lib/train/batches.ts`'s
 * `Batch`): token ids, attention mask (1 real, 0 padding), labels (-100 = no loss; needed
 * for training) and optional token types (BERT, RoBERTa; default 0).
 *
 * @example
 * ```ts
 * import type { ModelBatch } from "./transformer.ts";
 * const b: ModelBatch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 0]),
 *   attentionMask: new Int32Array([1, 1, 0]), labels: new Int32Array([1, 0, -100]) };
 * ```
 */
export type ModelBatch = {
  size: number;
  length: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels?: Int32Array;
  tokenTypeIds?: Int32Array;
};

/**
 * The GELU form of an activation name (`gelu`: erf; `gelu_new`, `gelu_pytorch_tanh`:
 * tanh). Other activations are not supported by the GPU models.
 *
 * @example
 * ```ts
 * import { geluKind } from "./transformer.ts";
 * console.log(geluKind("gelu_new")); // "tanh"
 * ```
 */
export function geluKind(activation: string): GeluKind {
  if (activation === "gelu") return "erf";
  if (activation === "gelu_new" || activation === "gelu_pytorch_tanh") return "tanh";
  throw new Error(
    `lib/models/transformer.ts: activation "${activation}" is not supported (gelu, gelu_new, ` +
      `gelu_pytorch_tanh)`,
  );
}

type Names = {
  q: string;
  k: string;
  v: string;
  o: string;
  ln1: string;
  f1: string;
  f2: string;
  ln2: string;
  qkv?: string;
};

function blockNames(config: ModelConfig, l: number): Names {
  const p = basePrefix(config.family);
  if (config.family === "gpt2") {
    const q = `transformer.h.${l}`;
    return {
      q: "",
      k: "",
      v: "",
      qkv: `${q}.attn.c_attn`,
      o: `${q}.attn.c_proj`,
      ln1: `${q}.ln_1`,
      f1: `${q}.mlp.c_fc`,
      f2: `${q}.mlp.c_proj`,
      ln2: `${q}.ln_2`,
    };
  }
  if (config.family === "distilbert") {
    const q = `distilbert.transformer.layer.${l}`;
    return {
      q: `${q}.attention.q_lin`,
      k: `${q}.attention.k_lin`,
      v: `${q}.attention.v_lin`,
      o: `${q}.attention.out_lin`,
      ln1: `${q}.sa_layer_norm`,
      f1: `${q}.ffn.lin1`,
      f2: `${q}.ffn.lin2`,
      ln2: `${q}.output_layer_norm`,
    };
  }
  const q = `${p}.encoder.layer.${l}`;
  return {
    q: `${q}.attention.self.query`,
    k: `${q}.attention.self.key`,
    v: `${q}.attention.self.value`,
    o: `${q}.attention.output.dense`,
    ln1: `${q}.attention.output.LayerNorm`,
    f1: `${q}.intermediate.dense`,
    f2: `${q}.output.dense`,
    ln2: `${q}.output.LayerNorm`,
  };
}

/**
 * Builds a network on a backend from transformers-named tensors (every parameter of
 * `parameterShapes(config)` must be present with its exact shape; other tensors, such as a
 * pooler, are not used).
 *
 * @example
 * ```ts
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { createNet } from "./transformer.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * console.log(net.layers.length); // 1
 * ```
 */
export function createNet<X>(
  ops: Ops<X>,
  config: ModelConfig,
  tensors: TensorMap,
  options: { seed?: number } = {},
): Net<X> {
  const gelu = geluKind(config.activation);
  const shapes = parameterShapes(config);
  for (const [name, shape] of shapes) {
    const t = tensors.get(name);
    if (!t) throw new Error(`lib/models/transformer.ts createNet: tensor "${name}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `lib/models/transformer.ts createNet: tensor "${name}" has shape [${t.shape}], ` +
          `the ${config.family} configuration needs [${shape}]`,
      );
    }
    if (t.data.length !== shape.reduce((a, b) => a * b, 1)) {
      throw new Error(
        `lib/models/transformer.ts createNet: tensor "${name}" has ${t.data.length} values for shape [${shape}]`,
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
  const gpt2 = config.family === "gpt2";
  const p = basePrefix(config.family);
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
  const wordName = gpt2 ? "transformer.wte.weight" : `${p}.embeddings.word_embeddings.weight`;
  const posName = gpt2 ? "transformer.wpe.weight" : `${p}.embeddings.position_embeddings.weight`;
  const word = reserve("decay", [config.vocabSize, H], [[wordName, [config.vocabSize, H]]]);
  const frozenPos = config.family === "distilbert" && config.sinusoidalPositions;
  const pos = reserve(frozenPos ? "frozen" : "decay", [config.maxPositions, H], [[
    posName,
    [config.maxPositions, H],
  ]]);
  const hasTypes = config.family === "bert" || config.family === "roberta";
  const typeName = `${p}.embeddings.token_type_embeddings.weight`;
  const type = hasTypes
    ? reserve("decay", [config.typeVocabSize, H], [[typeName, [config.typeVocabSize, H]]])
    : null;
  const embLn = gpt2 ? null : norm(`${p}.embeddings.LayerNorm`);
  const blocks = [];
  for (let l = 0; l < config.numLayers; l++) {
    const n = blockNames(config, l);
    let qkv: PL;
    if (gpt2) qkv = linear(n.qkv as string, H, 3 * H, true);
    else {
      qkv = {
        w: reserve("decay", [3 * H, H], [[`${n.q}.weight`, [H, H]], [`${n.k}.weight`, [H, H]], [
          `${n.v}.weight`,
          [H, H],
        ]]),
        b: reserve("noDecay", [3 * H], [[`${n.q}.bias`, [H]], [`${n.k}.bias`, [H]], [
          `${n.v}.bias`,
          [H],
        ]]),
        inF: H,
        outF: 3 * H,
        conv: false,
      };
    }
    blocks.push({
      qkv,
      o: linear(n.o, H, H, gpt2),
      ln1: norm(n.ln1),
      f1: linear(n.f1, H, I, gpt2),
      f2: linear(n.f2, I, H, gpt2),
      ln2: norm(n.ln2),
    });
  }
  const lnf = gpt2 ? norm("transformer.ln_f") : null;
  const classifier = linear("classifier", H, nL, false);

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
 * import type { Net } from "./transformer.ts";
 * import { netTensors } from "./transformer.ts";
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

type Inputs<X> = {
  B: number;
  T: number;
  ids: X;
  positions: X;
  types: X | null;
  mask: X;
  targets: X | null;
  /** Batch rows `[b0, b1)` per attention chunk, with the chunk's key mask. */
  chunks: { b0: number; b1: number; mask: X }[];
};

function checkBatch(config: ModelConfig, b: ModelBatch, needLabels: boolean): void {
  const n = b.size * b.length;
  if (!Number.isInteger(b.size) || b.size < 1 || !Number.isInteger(b.length) || b.length < 1) {
    throw new Error(`lib/models/transformer.ts: batch shape [${b.size}, ${b.length}] is invalid`);
  }
  const arrays: [string, Int32Array | undefined][] = [
    ["inputIds", b.inputIds],
    ["attentionMask", b.attentionMask],
    ["labels", b.labels],
    ["tokenTypeIds", b.tokenTypeIds],
  ];
  for (const [name, a] of arrays) {
    if (a !== undefined && a.length !== n) {
      throw new Error(
        `lib/models/transformer.ts: batch ${name} has ${a.length} entries, [${b.size}, ${b.length}] needs ${n}`,
      );
    }
  }
  if (needLabels && !b.labels) throw new Error("lib/models/transformer.ts: training needs labels");
  const at = (i: number) => `row ${Math.floor(i / b.length)}, position ${i % b.length}`;
  for (let i = 0; i < n; i++) {
    const id = b.inputIds[i];
    if (id < 0 || id >= config.vocabSize) {
      throw new Error(
        `lib/models/transformer.ts: token id ${id} at ${
          at(i)
        } is outside the vocabulary (${config.vocabSize})`,
      );
    }
    const m = b.attentionMask[i];
    if (m !== 0 && m !== 1) {
      throw new Error(`lib/models/transformer.ts: attention mask ${m} at ${at(i)} is not 0 or 1`);
    }
    const y = b.labels?.[i];
    if (y !== undefined && y !== -100 && (y < 0 || y >= config.labels.length)) {
      throw new Error(
        `lib/models/transformer.ts: label ${y} at ${at(i)} is not -100 or a label id (0..${
          config.labels.length - 1
        })`,
      );
    }
    const tt = config.family === "bert" || config.family === "roberta"
      ? b.tokenTypeIds?.[i]
      : undefined;
    if (tt !== undefined && (tt < 0 || tt >= config.typeVocabSize)) {
      throw new Error(`lib/models/transformer.ts: token type ${tt} at ${at(i)} is invalid`);
    }
  }
}

function prepare<X>(net: Net<X>, b: ModelBatch, training: boolean): Inputs<X> {
  const { config, ops } = net;
  checkBatch(config, b, training);
  const B = b.size, T = b.length;
  const pad = config.padTokenId ?? undefined;
  const positions = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    if (config.family === "roberta") {
      const row = Array.from(b.inputIds.subarray(r * T, (r + 1) * T));
      positions.set(robertaPositionIds(row, config.padTokenId ?? 1), r * T);
    } else for (let t = 0; t < T; t++) positions[r * T + t] = t;
  }
  for (let i = 0; i < positions.length; i++) {
    if (positions[i] >= config.maxPositions) {
      throw new Error(
        `lib/models/transformer.ts: position ${positions[i]} (row ${Math.floor(i / T)}) is past ` +
          `the model's ${config.maxPositions} positions`,
      );
    }
  }
  const gpt2 = config.family === "gpt2";
  const plan = (vocab: number, paddingIdx?: number) => training ? { vocab, paddingIdx } : undefined;
  return {
    B,
    T,
    ids: ops.ints(b.inputIds, plan(config.vocabSize, gpt2 ? undefined : pad)),
    positions: ops.ints(
      positions,
      net.pos.grad
        ? plan(config.maxPositions, config.family === "roberta" ? pad : undefined)
        : undefined,
    ),
    types: net.type
      ? ops.ints(b.tokenTypeIds ?? new Int32Array(B * T), plan(config.typeVocabSize))
      : null,
    mask: ops.ints(b.attentionMask),
    targets: training && b.labels ? ops.ints(b.labels) : null,
    chunks: attentionChunks(net, b),
  };
}

/**
 * Splits the batch rows so that one chunk's attention scores `[rows * heads, T, T]` fit
 * the backend's binding limit (one chunk when they all fit).
 */
function attentionChunks<X>(net: Net<X>, b: ModelBatch): { b0: number; b1: number; mask: X }[] {
  const { ops, config } = net;
  const B = b.size, T = b.length;
  const perRow = config.numHeads * T * T * 4;
  const rowsPer = Math.max(1, Math.floor(ops.maxBinding / perRow));
  if (rowsPer >= B) return [{ b0: 0, b1: B, mask: ops.ints(b.attentionMask) }];
  const out = [];
  for (let b0 = 0; b0 < B; b0 += rowsPer) {
    const b1 = Math.min(B, b0 + rowsPer);
    out.push({ b0, b1, mask: ops.ints(b.attentionMask.subarray(b0 * T, b1 * T)) });
  }
  return out;
}

type BlockCache<X> = {
  x: X;
  h1: X;
  mean1: X;
  rstd1: X;
  /** The fused query, key and value projection `[N, 3H]` (`[B, T, 3, heads, d]`). */
  qkv: X;
  /** Attention probabilities per chunk of batch rows, before and after dropout. */
  probs: X[];
  probsD: X[];
  ctx: X;
  r1: X;
  h2: X;
  mean2: X;
  rstd2: X;
  f1: X;
  g: X;
  r2: X;
  out: X;
};

type Ctx<X> = {
  net: Net<X>;
  ops: Ops<X>;
  inp: Inputs<X>;
  N: number;
  /** Attention heads per layer and the width of each. */
  heads: number;
  headDim: number;
  training: boolean;
  pass: number;
  post: boolean;
};

const SITES_PER_LAYER = 3;

function dropKey<X>(c: Ctx<X>, site: number): number {
  const sites = 2 + SITES_PER_LAYER * c.net.config.numLayers;
  return (c.pass * sites + site) >>> 0;
}

/**
 * Dropout of `x` (a new tensor), or `x` itself when not training or `p` is 0. `part`
 * numbers the attention chunks of a site (each chunk after the first has its own key).
 */
function drop<X>(c: Ctx<X>, x: X, shape: number[], p: number, site: number, part = 0): X {
  if (!c.training || p === 0) return x;
  const out = c.ops.alloc(shape);
  const key = (dropKey(c, site) ^ Math.imul(part, 0x9e3779b9)) >>> 0;
  c.ops.dropout({ x, out, p, seed: c.net.seed, step: key });
  return out;
}

function linearForward<X>(c: Ctx<X>, l: Linear<X>, x: X, y: X): void {
  c.ops.matmul({
    a: x,
    b: l.w.value,
    c: y,
    m: c.N,
    n: l.outF,
    k: l.inF,
    transB: !l.conv,
    bias: l.b.value,
  });
}

/** Gradients of a linear layer: dW and db ADDED, dx written (or ADDED when `accumulate`). */
function linearBackward<X>(
  c: Ctx<X>,
  l: Linear<X>,
  x: X,
  dy: X,
  dx: X | null,
  accumulate: boolean,
): void {
  const { ops, N } = c;
  if (dx) {
    ops.matmul({
      a: dy,
      b: l.w.value,
      c: dx,
      m: N,
      n: l.inF,
      k: l.outF,
      transB: l.conv,
      accumulate,
    });
  }
  if (l.w.grad) {
    if (l.conv) {
      ops.matmul({
        a: x,
        b: dy,
        c: l.w.grad,
        m: l.inF,
        n: l.outF,
        k: N,
        transA: true,
        accumulate: true,
      });
    } else {
      ops.matmul({
        a: dy,
        b: x,
        c: l.w.grad,
        m: l.outF,
        n: l.inF,
        k: N,
        transA: true,
        accumulate: true,
      });
    }
  }
  if (l.b.grad) ops.columnSum({ x: dy, rows: N, cols: l.outF, into: l.b.grad });
}

function blockForward<X>(c: Ctx<X>, L: Block<X>, x: X, layer: number): BlockCache<X> {
  const { ops, N, heads, headDim: d, net, post } = c;
  const cfg = net.config;
  const H = cfg.hiddenSize, I = cfg.intermediateSize, T = c.inp.T;
  const site = 1 + SITES_PER_LAYER * layer;
  const eps = cfg.layerNormEps;
  const stats = () => [ops.alloc([N]), ops.alloc([N])];
  let h1 = x, mean1 = x, rstd1 = x;
  if (!post) {
    h1 = ops.alloc([N, H]);
    [mean1, rstd1] = stats();
    ops.layerNormForward({
      x,
      gamma: L.ln1.g.value,
      beta: L.ln1.b.value,
      out: h1,
      mean: mean1,
      rstd: rstd1,
      rows: N,
      cols: H,
      eps,
    });
  }
  const qkv = ops.alloc([N, 3 * H]);
  linearForward(c, L.qkv, h1, qkv);
  const probs: X[] = [], probsD: X[] = [];
  const ctx = ops.alloc([N, H]);
  for (const [j, ch] of c.inp.chunks.entries()) {
    const nb = ch.b1 - ch.b0, nbh = nb * heads;
    const [q, k, v] = [0, 1, 2].map((p) => headsOf(c, qkv, ch, p));
    const scores = ops.alloc([nbh, T, T]);
    ops.matmul({ ...inPlace(c, nbh, q, k, { t: scores }), m: T, n: T, k: d, transB: true });
    const p = ops.alloc([nbh, T, T]);
    ops.softmaxForward({
      scores,
      probs: p,
      batch: nb,
      heads,
      seq: T,
      scale: 1 / Math.sqrt(d),
      keyMask: ch.mask,
      causal: !post,
    });
    ops.release(scores);
    const pD = drop(c, p, [nbh, T, T], cfg.attentionDropout, site, j);
    const out = headsOf(c, ctx, ch);
    ops.matmul({ ...inPlace(c, nbh, { t: pD }, v, out), m: T, n: d, k: T });
    probs.push(p);
    probsD.push(pD);
  }
  const ao = ops.alloc([N, H]);
  linearForward(c, L.o, ctx, ao);
  const pAo = cfg.family === "distilbert" ? 0 : cfg.hiddenDropout;
  const aoD = drop(c, ao, [N, H], pAo, site + 1);
  if (aoD !== ao) ops.release(ao);
  const r1 = ops.alloc([N, H]);
  ops.add({ a: aoD, b: x, out: r1 });
  ops.release(aoD);
  const h2 = ops.alloc([N, H]);
  const [mean2, rstd2] = stats();
  const ln2Or1 = post ? L.ln1 : L.ln2;
  ops.layerNormForward({
    x: r1,
    gamma: ln2Or1.g.value,
    beta: ln2Or1.b.value,
    out: h2,
    mean: mean2,
    rstd: rstd2,
    rows: N,
    cols: H,
    eps,
  });
  // Post-LN: h2 = LN1(r1) is "a", the feed-forward input and residual; mean2/rstd2 are LN1's.
  const f1 = ops.alloc([N, I]);
  linearForward(c, L.f1, h2, f1);
  const g = ops.alloc([N, I]);
  ops.gelu({ x: f1, out: g, kind: net.gelu });
  const f2 = ops.alloc([N, H]);
  linearForward(c, L.f2, g, f2);
  const f2D = drop(c, f2, [N, H], cfg.hiddenDropout, site + 2);
  if (f2D !== f2) ops.release(f2);
  const r2 = ops.alloc([N, H]);
  ops.add({ a: f2D, b: post ? h2 : r1, out: r2 });
  ops.release(f2D);
  let out = r2;
  if (post) {
    out = ops.alloc([N, H]);
    [mean1, rstd1] = stats();
    ops.layerNormForward({
      x: r2,
      gamma: L.ln2.g.value,
      beta: L.ln2.b.value,
      out,
      mean: mean1,
      rstd: rstd1,
      rows: N,
      cols: H,
      eps,
    });
  }
  return { x, h1, mean1, rstd1, qkv, probs, probsD, ctx, r1, h2, mean2, rstd2, f1, g, r2, out };
}

/** Gives a block's saved tensors back (each once), except its output (and its input). */
function releaseBlock<X>(ops: Ops<X>, s: BlockCache<X>, withInput: boolean): void {
  const all = new Set<X>([
    s.x,
    s.h1,
    s.mean1,
    s.rstd1,
    s.qkv,
    ...s.probs,
    ...s.probsD,
    s.ctx,
    s.r1,
    s.h2,
    s.mean2,
    s.rstd2,
    s.f1,
    s.g,
    s.r2,
  ]);
  all.delete(s.out);
  if (!withInput) all.delete(s.x);
  for (const t of all) ops.release(t);
}

/** Attention backward from `dctx` `[N, H]` (released) to `dqkv` `[N, 3H]`. */
function attentionBackward<X>(c: Ctx<X>, s: BlockCache<X>, dctx: X, site: number): X {
  const { ops, heads, headDim: d, N, net } = c;
  const T = c.inp.T;
  const dqkv = ops.alloc([N, 3 * net.config.hiddenSize]);
  for (const [j, ch] of c.inp.chunks.entries()) {
    const nb = ch.b1 - ch.b0, nbh = nb * heads;
    const [q, k, v] = [0, 1, 2].map((p) => headsOf(c, s.qkv, ch, p));
    const [dq, dk, dv] = [0, 1, 2].map((p) => headsOf(c, dqkv, ch, p));
    const dout = headsOf(c, dctx, ch);
    const dpd = ops.alloc([nbh, T, T]);
    ops.matmul({ ...inPlace(c, nbh, dout, v, { t: dpd }), m: T, n: T, k: d, transB: true });
    const pD = { t: s.probsD[j] };
    ops.matmul({ ...inPlace(c, nbh, pD, dout, dv), m: T, n: d, k: T, transA: true });
    const dprobs = drop(c, dpd, [nbh, T, T], net.config.attentionDropout, site, j);
    if (dprobs !== dpd) ops.release(dpd);
    const dscores = ops.alloc([nbh, T, T]);
    ops.softmaxBackward({
      probs: s.probs[j],
      dprobs,
      dscores,
      batch: nb,
      heads,
      seq: T,
      scale: 1 / Math.sqrt(d),
    });
    ops.release(dprobs);
    const dS = { t: dscores };
    ops.matmul({ ...inPlace(c, nbh, dS, k, dq), m: T, n: d, k: T });
    ops.matmul({ ...inPlace(c, nbh, dS, q, dk), m: T, n: d, k: T, transA: true });
    ops.release(dscores);
  }
  ops.release(dctx);
  return dqkv;
}

/**
 * An operand of a batched attention product: `t` contiguous `[nbh, rows, cols]`, or, with
 * `width`, the heads of a chunk's sequences read or written in place in a token-major tensor
 * whose rows are `width` wide ({@link headsOf}).
 */
type Operand<X> = { t: X; width?: number };

/**
 * The heads within `t`, token-major `[N, 3H]` (part `p`: 0 query, 1 key, 2 value) or, without
 * `p`, `[N, H]` (the attention context): a view from the chunk's first token at column `p*H`.
 */
function headsOf<X>(c: Ctx<X>, t: X, ch: { b0: number; b1: number }, p?: number): Operand<X> {
  const H = c.net.config.hiddenSize, T = c.inp.T, width = p === undefined ? H : 3 * H;
  const start = ch.b0 * T * width + (p ?? 0) * H;
  const size = (ch.b1 - ch.b0) * T * width - (p ?? 0) * H;
  return { t: start === 0 ? t : c.ops.view(t, [size], start), width };
}

/**
 * A, B and C of a product over `nbh` (sequence, head) pairs: head `h` of sequence `b` of an
 * in-place operand starts at `b * T * width + h * d`, its rows `width` apart.
 */
function inPlace<X>(
  c: Ctx<X>,
  nbh: number,
  ...abc: [Operand<X>, Operand<X>, Operand<X>]
): Pick<MatmulArgs<X>, "a" | "b" | "c" | "batch" | "heads" | "strides" | "headStrides" | "ld"> {
  const T = c.inp.T, d = c.headDim;
  const strides: Record<string, number> = {}, headStrides: Record<string, number> = {};
  const ld: Record<string, number> = {};
  abc.forEach((o, i) => {
    if (o.width === undefined) return;
    const x = "abc"[i];
    [strides[x], headStrides[x], ld[x]] = [T * o.width, d, o.width];
  });
  const [a, b, cc] = abc.map((o) => o.t);
  return { a, b, c: cc, batch: nbh, heads: c.heads, strides, headStrides, ld };
}

/**
 * Block backward: from the gradient of the block's output `dout` (consumed: released or
 * reused) to the gradient of its input, adding parameter gradients.
 */
function blockBackward<X>(c: Ctx<X>, L: Block<X>, s: BlockCache<X>, dout: X, layer: number): X {
  const { ops, N, net, post } = c;
  const cfg = net.config;
  const H = cfg.hiddenSize, I = cfg.intermediateSize;
  const site = 1 + SITES_PER_LAYER * layer;
  const pAo = cfg.family === "distilbert" ? 0 : cfg.hiddenDropout;
  const zeros = (shape: number[]) => {
    const t = ops.alloc(shape);
    ops.fill({ x: t, value: 0 });
    return t;
  };
  const lnBack = (n: Norm<X>, dy: X, x: X, mean: X, rstd: X, dx: X) =>
    normBackward(net, n, dy, x, mean, rstd, dx, N);
  // d of the residual stream entering the feed-forward sublayer's output add.
  let dr2: X;
  if (post) {
    dr2 = zeros([N, H]);
    lnBack(L.ln2, dout, s.r2, s.mean1, s.rstd1, dr2);
    ops.release(dout);
  } else dr2 = dout;
  const df2 = drop(c, dr2, [N, H], cfg.hiddenDropout, site + 2);
  const dg = ops.alloc([N, I]);
  linearBackward(c, L.f2, s.g, df2, dg, false);
  if (df2 !== dr2) ops.release(df2);
  const df1 = ops.alloc([N, I]);
  ops.geluBackward({ x: s.f1, dout: dg, dx: df1, kind: net.gelu });
  ops.release(dg);
  let dr1: X;
  if (post) {
    // dr2 becomes d(h2) = d(a): residual part plus the feed-forward input gradient.
    linearBackward(c, L.f1, s.h2, df1, dr2, true);
    ops.release(df1);
    dr1 = zeros([N, H]);
    lnBack(L.ln1, dr2, s.r1, s.mean2, s.rstd2, dr1);
    ops.release(dr2);
  } else {
    const dh2 = ops.alloc([N, H]);
    linearBackward(c, L.f1, s.h2, df1, dh2, false);
    ops.release(df1);
    lnBack(L.ln2, dh2, s.r1, s.mean2, s.rstd2, dr2);
    ops.release(dh2);
    dr1 = dr2;
  }
  const dao = drop(c, dr1, [N, H], pAo, site + 1);
  const dctx = ops.alloc([N, H]);
  linearBackward(c, L.o, s.ctx, dao, dctx, false);
  if (dao !== dr1) ops.release(dao);
  const dqkv = attentionBackward(c, s, dctx, site);
  if (post) {
    linearBackward(c, L.qkv, s.h1, dqkv, dr1, true);
    ops.release(dqkv);
    return dr1;
  }
  const dh1 = ops.alloc([N, H]);
  linearBackward(c, L.qkv, s.h1, dqkv, dh1, false);
  ops.release(dqkv);
  lnBack(L.ln1, dh1, s.x, s.mean1, s.rstd1, dr1);
  ops.release(dh1);
  return dr1;
}

/** GPT-2's `embd_pdrop` where it differs from `resid_pdrop`, else the hidden dropout. */
function embeddingDropout(cfg: ModelConfig): number {
  const e = cfg.extra.embd_pdrop;
  return cfg.family === "gpt2" && typeof e === "number" ? e : cfg.hiddenDropout;
}

type Forward<X> = {
  c: Ctx<X>;
  emb: X;
  embMean: X | null;
  embRstd: X | null;
  blocks: BlockCache<X>[];
  top: X;
  topMean: X | null;
  topRstd: X | null;
  headIn: X;
  logits: X;
};

function forwardAll<X>(
  net: Net<X>,
  batch: ModelBatch,
  training: boolean,
  dropout: boolean,
): Forward<X> {
  const ops = net.ops;
  const cfg = net.config;
  const inp = prepare(net, batch, training);
  const N = inp.B * inp.T, H = cfg.hiddenSize;
  const post = cfg.family !== "gpt2";
  const c: Ctx<X> = {
    net,
    ops,
    inp,
    N,
    heads: cfg.numHeads,
    headDim: H / cfg.numHeads,
    training: dropout,
    pass: net.trainingPasses,
    post,
  };
  const emb = ops.alloc([N, H]);
  ops.embeddingLookup({ table: net.word.value, ids: inp.ids, out: emb, rows: N, cols: H });
  ops.embeddingLookup({
    table: net.pos.value,
    ids: inp.positions,
    out: emb,
    rows: N,
    cols: H,
    accumulate: true,
  });
  if (net.type && inp.types) {
    ops.embeddingLookup({
      table: net.type.value,
      ids: inp.types,
      out: emb,
      rows: N,
      cols: H,
      accumulate: true,
    });
  }
  let x = emb, embMean: X | null = null, embRstd: X | null = null;
  if (net.embLn) ({ out: x, mean: embMean, rstd: embRstd } = normForward(net, net.embLn, emb, N));
  x = drop(c, x, [N, H], embeddingDropout(cfg), 0);
  const blocks: BlockCache<X>[] = [];
  net.layers.forEach((L, l) => {
    const s = blockForward(c, L, x, l);
    if (training) blocks.push(s);
    else releaseBlock(ops, s, l > 0); // inference keeps only what the next block reads
    x = s.out;
  });
  const top = x;
  let topMean: X | null = null, topRstd: X | null = null;
  if (net.lnf) ({ out: x, mean: topMean, rstd: topRstd } = normForward(net, net.lnf, top, N));
  const headIn = drop(c, x, [N, H], cfg.classifierDropout, 1 + SITES_PER_LAYER * cfg.numLayers);
  const logits = ops.alloc([N, cfg.labels.length]);
  linearForward(c, net.classifier, headIn, logits);
  return { c, emb, embMean, embRstd, blocks, top, topMean, topRstd, headIn, logits };
}

/**
 * Records the inference forward pass (no dropout) and reads the logits
 * `[size, length, labels]` (one readback).
 *
 * @example
 * ```ts
 * import type { ModelBatch, Net } from "./transformer.ts";
 * import { netLogits } from "./transformer.ts";
 * function logitsOf(net: Net<Float32Array>, batch: ModelBatch): Promise<Float32Array> {
 *   return netLogits(net, batch);
 * }
 * ```
 */
export async function netLogits<X>(net: Net<X>, batch: ModelBatch): Promise<Float32Array> {
  const f = forwardAll(net, batch, false, false);
  const out = net.ops.read(f.logits);
  await net.ops.submit();
  return await out;
}

/**
 * Options of {@link netTrainStep}: AdamW hyper-parameters (PyTorch defaults), clipping of
 * the global gradient norm (`maxGradNorm`, default 1; 0 or Infinity: none), and whether to
 * read the loss back (the step's only wait on the GPU).
 *
 * @example
 * ```ts
 * import type { TrainStepOptions } from "./transformer.ts";
 * const o: TrainStepOptions = { lr: 5e-5, weightDecay: 0.01, readLoss: true };
 * ```
 */
export type TrainStepOptions = {
  lr: number;
  weightDecay: number;
  maxGradNorm?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  readLoss?: boolean;
};

/**
 * A layer norm over `[rows, hidden]` into fresh tensors: the output and the saved mean and
 * reciprocal standard deviation its backward needs.
 */
function normForward<X>(
  net: Net<X>,
  norm: Norm<X>,
  x: X,
  rows: number,
): { out: X; mean: X; rstd: X } {
  const ops = net.ops, cols = net.config.hiddenSize;
  const out = ops.alloc([rows, cols]), mean = ops.alloc([rows]), rstd = ops.alloc([rows]);
  ops.layerNormForward({
    x,
    gamma: norm.g.value,
    beta: norm.b.value,
    out,
    mean,
    rstd,
    rows,
    cols,
    eps: net.config.layerNormEps,
  });
  return { out, mean, rstd };
}

/**
 * The backward of a layer norm over `[rows, hidden]`: adds to `dx` and to the norm's
 * parameter gradients.
 */
function normBackward<X>(
  net: Net<X>,
  norm: Norm<X>,
  dout: X,
  x: X,
  mean: X,
  rstd: X,
  dx: X,
  rows: number,
): void {
  net.ops.layerNormBackward({
    dout,
    x,
    gamma: norm.g.value,
    mean,
    rstd,
    dx,
    dgamma: norm.g.grad as X,
    dbeta: norm.b.grad as X,
    rows,
    cols: net.config.hiddenSize,
  });
}

/** {@link normBackward} into a fresh, zeroed gradient; `dout` is released. */
function normGradient<X>(
  net: Net<X>,
  norm: Norm<X>,
  dout: X,
  x: X,
  mean: X,
  rstd: X,
  rows: number,
): X {
  const ops = net.ops;
  const dx = ops.alloc([rows, net.config.hiddenSize]);
  ops.fill({ x: dx, value: 0 });
  normBackward(net, norm, dout, x, mean, rstd, dx, rows);
  ops.release(dout);
  return dx;
}

/** Zeroes the gradients and records forward, loss and backward; returns the loss tensor. */
function recordGradients<X>(net: Net<X>, batch: ModelBatch, dropout: boolean): X {
  const ops = net.ops;
  const cfg = net.config;
  ops.fill({ x: net.decay.grads, value: 0 });
  ops.fill({ x: net.noDecay.grads, value: 0 });
  const f = forwardAll(net, batch, true, dropout);
  const { c } = f;
  const N = c.N, H = cfg.hiddenSize, nL = cfg.labels.length;
  const dlogits = ops.alloc([N, nL]);
  const losses = ops.alloc([N]);
  const loss = ops.alloc([2]);
  ops.crossEntropy({
    logits: f.logits,
    targets: c.inp.targets as X,
    dlogits,
    losses,
    loss,
    rows: N,
    classes: nL,
  });
  const dHead = ops.alloc([N, H]);
  linearBackward(c, net.classifier, f.headIn, dlogits, dHead, false);
  let dx = drop(c, dHead, [N, H], cfg.classifierDropout, 1 + SITES_PER_LAYER * cfg.numLayers);
  if (dx !== dHead) ops.release(dHead);
  if (net.lnf) dx = normGradient(net, net.lnf, dx, f.top, f.topMean as X, f.topRstd as X, N);
  for (let l = cfg.numLayers - 1; l >= 0; l--) {
    dx = blockBackward(c, net.layers[l], f.blocks[l], dx, l);
  }
  let dEmb = drop(c, dx, [N, H], embeddingDropout(cfg), 0);
  if (dEmb !== dx) ops.release(dx);
  if (net.embLn) {
    dEmb = normGradient(net, net.embLn, dEmb, f.emb, f.embMean as X, f.embRstd as X, N);
  }
  ops.embeddingBackward({ dout: dEmb, ids: c.inp.ids, dtable: net.word.grad as X, cols: H });
  if (net.pos.grad) {
    ops.embeddingBackward({ dout: dEmb, ids: c.inp.positions, dtable: net.pos.grad, cols: H });
  }
  if (net.type?.grad && c.inp.types) {
    ops.embeddingBackward({ dout: dEmb, ids: c.inp.types, dtable: net.type.grad, cols: H });
  }
  if (dropout) net.trainingPasses++;
  return loss;
}

/**
 * One training step: zero the gradients, forward with dropout, cross-entropy (mean over
 * labels not -100), backward through every layer, global-norm clipping and AdamW, recorded
 * as one unit of work (one command buffer on the GPU, waited on only when the loss is
 * read). Resolves with the loss of the batch before the update when `readLoss`, else
 * undefined.
 *
 * @example
 * ```ts
 * import type { ModelBatch, Net } from "./transformer.ts";
 * import { netTrainStep } from "./transformer.ts";
 * function step(net: Net<Float32Array>, batch: ModelBatch): Promise<number | undefined> {
 *   return netTrainStep(net, batch, { lr: 1e-3, weightDecay: 0.01, readLoss: true });
 * }
 * ```
 */
export async function netTrainStep<X>(
  net: Net<X>,
  batch: ModelBatch,
  o: TrainStepOptions,
): Promise<number | undefined> {
  const ops = net.ops;
  const loss = recordGradients(net, batch, true);
  const clip = ops.alloc([2]);
  const maxNorm = o.maxGradNorm ?? 1;
  ops.gradNorm({
    grads: [net.decay.grads, net.noDecay.grads],
    out: clip,
    maxNorm: maxNorm > 0 && Number.isFinite(maxNorm) ? maxNorm : Number.MAX_VALUE,
  });
  net.optimizerSteps++;
  for (const g of [net.decay, net.noDecay]) {
    ops.adamw({ param: g.params, grad: g.grads, m: g.m, v: g.v, clip }, {
      lr: o.lr,
      beta1: o.beta1 ?? 0.9,
      beta2: o.beta2 ?? 0.999,
      eps: o.eps ?? 1e-8,
      weightDecay: g.weightDecay ? o.weightDecay : 0,
      step: net.optimizerSteps,
    });
  }
  const read = o.readLoss ? ops.read(loss) : undefined;
  await ops.submit();
  return read ? (await read)[0] : undefined;
}

/**
 * The gradients of the mean cross-entropy loss of `batch` with dropout off, as
 * transformers-named host tensors (frozen tensors left out), and the loss: for gradient
 * checks. Parameters and optimizer state are not changed.
 *
 * @example
 * ```ts
 * import type { ModelBatch, Net } from "./transformer.ts";
 * import { netGradients } from "./transformer.ts";
 * async function lossAndGradNames(net: Net<Float32Array>, batch: ModelBatch) {
 *   const { loss, grads } = await netGradients(net, batch);
 *   return { loss, names: [...grads.keys()] };
 * }
 * ```
 */
export async function netGradients<X>(
  net: Net<X>,
  batch: ModelBatch,
): Promise<{ loss: number; grads: TensorMap }> {
  const ops = net.ops;
  const loss = recordGradients(net, batch, false);
  const reads = [ops.read(loss), ops.read(net.decay.grads), ops.read(net.noDecay.grads)];
  await ops.submit();
  const [l, dg, ng] = await Promise.all(reads);
  const grads: TensorMap = new Map();
  for (const s of net.slots) {
    if (s.group === "frozen") continue;
    const n = s.shape.reduce((a, b) => a * b, 1);
    const src = s.group === "decay" ? dg : ng;
    grads.set(s.name, { shape: [...s.shape], data: src.slice(s.offset, s.offset + n) });
  }
  return { loss: l[0], grads };
}
