/**
 * The forward and backward passes of the token classifier, written once against the
 * operations of `lib/models/ops.ts` for every family: explicit per-layer forward and
 * backward as in llm.c (no tape) and cross-entropy. `lib/models/gpu_model.ts` runs it on
 * WebGPU, `lib/models/reference_train.ts` on the CPU references; the parameters' layout is
 * `lib/models/layout.ts`, the optimizer step `lib/models/optimizer.ts`.
 *
 * Architecture, as transformers' eager modules (checked against `referenceLogits` of
 * `lib/models/reference.ts`), read from the family's record (`lib/models/families/`):
 * embeddings word (+ learned position) (+ token type), an embedding norm where the family
 * has one, dropout; per block the fused QKV projection, rotary embeddings of queries and
 * keys (rotary families), key/value heads repeated per group (grouped-query attention),
 * attention with the padding key mask (and the causal mask for causal families, the sliding
 * window on local layers), output projection, dropout (where the family has it), residual,
 * and the feed-forward sublayer (GELU, or gated: GeGLU, SwiGLU), with LayerNorm or RMSNorm
 * after each residual add (post-norm: BERT, RoBERTa, DistilBERT) or on each sublayer's input
 * with a final norm (pre-norm: GPT-2, ModernBERT, Llama); then the prediction head where the
 * family has one (ModernBERT) and the classifier. Dropout (hidden, attention probabilities, classifier) runs in training
 * mode only, from a counter-based hash of `(seed, step key, element)` with a distinct key
 * per call site and training step, so runs are reproducible from the seed. The attention
 * products read the heads of the fused projection in place (and write their gradient in
 * place, as they do the context `[N, C]`: no split or merge copies).
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
import { familyRecord, positionIds } from "./families/registry.ts";
import { type Block, type Linear, type Net, type Norm, widths } from "./layout.ts";
import type { GeluKind } from "../gpu/reference/gelu.ts";
import type { MatmulArgs, Ops } from "./ops.ts";

/**
 * A padded batch, row-major `[size, length]` (the shape of `lib/train/batches.ts`'s
 * `Batch`): token ids, attention mask (1 real, 0 padding), labels (-100 = no loss; needed
 * for training) and optional token types (BERT, RoBERTa; default 0).
 */
export type ModelBatch = {
  size: number;
  length: number;
  inputIds: Int32Array;
  attentionMask: Int32Array;
  labels?: Int32Array;
  tokenTypeIds?: Int32Array;
};

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

function checkBatch(config: ModelConfig, b: ModelBatch, needLabels: boolean, where: string): void {
  const n = b.size * b.length;
  if (!Number.isInteger(b.size) || b.size < 1 || !Number.isInteger(b.length) || b.length < 1) {
    throw new Error(`${where}: batch shape [${b.size}, ${b.length}] is invalid`);
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
        `${where}: batch ${name} has ${a.length} entries, [${b.size}, ${b.length}] needs ${n}`,
      );
    }
  }
  if (needLabels && !b.labels) throw new Error(`${where}: training needs labels`);
  const at = (i: number) => `row ${Math.floor(i / b.length)}, position ${i % b.length}`;
  const tokenTypes = familyRecord(config.family).tokenTypes;
  for (let i = 0; i < n; i++) {
    const id = b.inputIds[i];
    if (id < 0 || id >= config.vocabSize) {
      throw new Error(
        `${where}: token id ${id} at ${at(i)} is outside the vocabulary (${config.vocabSize})`,
      );
    }
    const m = b.attentionMask[i];
    if (m !== 0 && m !== 1) {
      throw new Error(`${where}: attention mask ${m} at ${at(i)} is not 0 or 1`);
    }
    const y = b.labels?.[i];
    if (y !== undefined && y !== -100 && (y < 0 || y >= config.labels.length)) {
      throw new Error(
        `${where}: label ${y} at ${at(i)} is not -100 or a label id (0..${
          config.labels.length - 1
        })`,
      );
    }
    const tt = tokenTypes ? b.tokenTypeIds?.[i] : undefined;
    if (tt !== undefined && (tt < 0 || tt >= config.typeVocabSize)) {
      throw new Error(`${where}: token type ${tt} at ${at(i)} is invalid`);
    }
  }
}

function prepare<X>(net: Net<X>, b: ModelBatch, training: boolean, where: string): Inputs<X> {
  const { config, ops } = net;
  checkBatch(config, b, training, where);
  const B = b.size, T = b.length;
  const pad = config.padTokenId ?? undefined;
  const f = familyRecord(config.family);
  const positions = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    const row = Array.from(b.inputIds.subarray(r * T, (r + 1) * T));
    positions.set(positionIds(config, row), r * T);
  }
  for (let i = 0; i < positions.length; i++) {
    if (positions[i] >= config.maxPositions) {
      throw new Error(
        `${where}: position ${positions[i]} (row ${Math.floor(i / T)}) is past ` +
          `the model's ${config.maxPositions} positions`,
      );
    }
  }
  const paddedPositions = f.positions.kind === "learned" && f.positions.offset === "padding";
  const plan = (vocab: number, paddingIdx?: number) => training ? { vocab, paddingIdx } : undefined;
  return {
    B,
    T,
    ids: ops.ints(b.inputIds, plan(config.vocabSize, f.wordPaddingRow ? pad : undefined)),
    positions: ops.ints(
      positions,
      net.pos?.grad ? plan(config.maxPositions, paddedPositions ? pad : undefined) : undefined,
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

/** What a norm's backward needs besides its input: the mean (LayerNorm only) and rstd. */
type NormSaved<X> = { mean: X | null; rstd: X };

type BlockCache<X> = {
  x: X;
  /** The attention sublayer's input: `x` or, pre-norm, its norm (saved in `norm1`). */
  h1: X;
  norm1: NormSaved<X> | null;
  /** The fused projection `[N, qkv]` (`[B, T, heads + 2 kvHeads, d]`), rotated in place. */
  qkv: X;
  /** Keys and values repeated per group `[N, 2H]` (grouped-query attention), or null. */
  kv: X | null;
  /** Attention probabilities per chunk of batch rows, before and after dropout. */
  probs: X[];
  probsD: X[];
  ctx: X;
  r1: X;
  /** The feed-forward input (its norm saved in `norm2`; post-norm: also its residual). */
  h2: X;
  norm2: NormSaved<X>;
  f1: X;
  /** The activation (gated product) and the second linear's input (after inner dropout). */
  g: X;
  gIn: X;
  r2: X;
  /** Post-norm: the output norm's saved statistics. */
  norm3: NormSaved<X> | null;
  out: X;
};

type Ctx<X> = {
  net: Net<X>;
  ops: Ops<X>;
  inp: Inputs<X>;
  N: number;
  /** Query heads, key/value heads, their ratio and the width of each head. */
  heads: number;
  kvHeads: number;
  groups: number;
  headDim: number;
  /** Widths of the fused projection and of the first feed-forward linear. */
  qkvWidth: number;
  f1Width: number;
  training: boolean;
  pass: number;
  /** Norms after each residual add (else on each sublayer's input). */
  post: boolean;
  rms: boolean;
  /** Queries see no later keys. */
  causal: boolean;
  rotary: boolean;
  gated: boolean;
  /** Dropout after the attention output projection. */
  attentionOutputDropout: number;
  /** Feed-forward dropout on the gated product (else on the sublayer's output). */
  innerDropout: boolean;
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

/** A layer's attention: its sliding window (local layers) and rotary base. */
function layerAttention(cfg: ModelConfig, layer: number): { window?: number; theta: number } {
  const local = cfg.localAttention;
  if (local && layer % local.every !== 0) return { window: local.window, theta: local.ropeTheta };
  return { theta: cfg.ropeTheta };
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
    bias: l.b?.value,
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
  if (l.b?.grad) ops.columnSum({ x: dy, rows: N, cols: l.outF, into: l.b.grad });
}

/** A norm over `[N, hidden]` into fresh tensors: its output and what its backward needs. */
function normForward<X>(c: Ctx<X>, norm: Norm<X>, x: X): { out: X; saved: NormSaved<X> } {
  const { ops, N: rows, net } = c, cols = net.config.hiddenSize, eps = net.config.layerNormEps;
  const out = ops.alloc([rows, cols]), rstd = ops.alloc([rows]);
  if (c.rms) {
    ops.rmsNormForward({ x, weight: norm.g.value, out, rstd, rows, cols, eps });
    return { out, saved: { mean: null, rstd } };
  }
  const mean = ops.alloc([rows]);
  const beta = norm.b?.value;
  ops.layerNormForward({ x, gamma: norm.g.value, beta, out, mean, rstd, rows, cols, eps });
  return { out, saved: { mean, rstd } };
}

/** The backward of a norm over `[N, hidden]`: ADDS to `dx` and the norm's gradients. */
function normBackward<X>(c: Ctx<X>, norm: Norm<X>, dout: X, x: X, s: NormSaved<X>, dx: X): void {
  const { ops, N: rows } = c, cols = c.net.config.hiddenSize;
  const dgamma = norm.g.grad as X;
  if (s.mean === null) {
    ops.rmsNormBackward({
      dout,
      x,
      weight: norm.g.value,
      rstd: s.rstd,
      dx,
      dweight: dgamma,
      rows,
      cols,
    });
    return;
  }
  ops.layerNormBackward({
    dout,
    x,
    gamma: norm.g.value,
    mean: s.mean,
    rstd: s.rstd,
    dx,
    dgamma,
    dbeta: norm.b?.grad ?? undefined,
    rows,
    cols,
  });
}

/** A zeroed `[N, hidden]` tensor. */
function zeros<X>(c: Ctx<X>): X {
  const t = c.ops.alloc([c.N, c.net.config.hiddenSize]);
  c.ops.fill({ x: t, value: 0 });
  return t;
}

/** {@link normBackward} into a fresh, zeroed gradient; `dout` is released. */
function normGradient<X>(c: Ctx<X>, norm: Norm<X>, dout: X, x: X, s: NormSaved<X>): X {
  const dx = zeros(c);
  normBackward(c, norm, dout, x, s, dx);
  c.ops.release(dout);
  return dx;
}

/** The feed-forward activation of `f1` into `g` (gated or not). */
function activate<X>(c: Ctx<X>, f1: X, g: X): void {
  const { ops, N: rows, net } = c;
  if (c.gated) {
    const cols = net.config.intermediateSize;
    ops.gated({ x: f1, out: g, rows, cols, activation: net.activation });
  } else ops.gelu({ x: f1, out: g, kind: net.activation as GeluKind });
}

function blockForward<X>(c: Ctx<X>, L: Block<X>, x: X, layer: number): BlockCache<X> {
  const { ops, N, heads, headDim: d, net, post } = c;
  const cfg = net.config;
  const H = cfg.hiddenSize, I = cfg.intermediateSize, T = c.inp.T;
  const site = 1 + SITES_PER_LAYER * layer;
  let h1 = x, norm1: NormSaved<X> | null = null;
  if (!post && L.ln1) ({ out: h1, saved: norm1 } = normForward(c, L.ln1, x));
  const qkv = ops.alloc([N, c.qkvWidth]);
  linearForward(c, L.qkv, h1, qkv);
  const { window, theta } = layerAttention(cfg, layer);
  if (c.rotary) {
    ops.rotary({
      x: qkv,
      rows: N,
      seq: T,
      heads: heads + c.kvHeads,
      headDim: d,
      ld: c.qkvWidth,
      theta,
    });
  }
  let kv: X | null = null;
  if (c.groups > 1) {
    kv = ops.alloc([N, 2 * H]);
    ops.repeatKv({ ...kvShape(c), x: keysOf(c, qkv), out: kv });
  }
  const probs: X[] = [], probsD: X[] = [];
  const ctx = ops.alloc([N, H]);
  for (const [j, ch] of c.inp.chunks.entries()) {
    const nb = ch.b1 - ch.b0, nbh = nb * heads;
    const [q, k, v] = qkvOf(c, qkv, kv, ch);
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
      causal: c.causal,
      window,
    });
    ops.release(scores);
    const pD = drop(c, p, [nbh, T, T], cfg.attentionDropout, site, j);
    const out = headsOf(c, ctx, ch, H, 0);
    ops.matmul({ ...inPlace(c, nbh, { t: pD }, v, out), m: T, n: d, k: T });
    probs.push(p);
    probsD.push(pD);
  }
  const ao = ops.alloc([N, H]);
  linearForward(c, L.o, ctx, ao);
  const aoD = drop(c, ao, [N, H], c.attentionOutputDropout, site + 1);
  if (aoD !== ao) ops.release(ao);
  const r1 = ops.alloc([N, H]);
  ops.add({ a: aoD, b: x, out: r1 });
  ops.release(aoD);
  // Post-norm: h2 = LN1(r1) is the feed-forward input and its residual.
  const { out: h2, saved: norm2 } = normForward(c, post ? L.ln1 as Norm<X> : L.ln2, r1);
  const f1 = ops.alloc([N, c.f1Width]);
  linearForward(c, L.f1, h2, f1);
  const g = ops.alloc([N, I]);
  activate(c, f1, g);
  const gIn = c.innerDropout ? drop(c, g, [N, I], cfg.hiddenDropout, site + 2) : g;
  const f2 = ops.alloc([N, H]);
  linearForward(c, L.f2, gIn, f2);
  const f2D = c.innerDropout ? f2 : drop(c, f2, [N, H], cfg.hiddenDropout, site + 2);
  if (f2D !== f2) ops.release(f2);
  const r2 = ops.alloc([N, H]);
  ops.add({ a: f2D, b: post ? h2 : r1, out: r2 });
  ops.release(f2D);
  let out = r2, norm3: NormSaved<X> | null = null;
  if (post) ({ out, saved: norm3 } = normForward(c, L.ln2, r2));
  return { x, h1, norm1, qkv, kv, probs, probsD, ctx, r1, h2, norm2, f1, g, gIn, r2, norm3, out };
}

/** Gives a block's saved tensors back (each once), except its output (and its input). */
function releaseBlock<X>(ops: Ops<X>, s: BlockCache<X>, withInput: boolean): void {
  const saved = (n: NormSaved<X> | null) => n ? [n.rstd, ...(n.mean ? [n.mean] : [])] : [];
  const all = new Set<X>([
    s.x,
    s.h1,
    ...saved(s.norm1),
    s.qkv,
    ...(s.kv ? [s.kv] : []),
    ...s.probs,
    ...s.probsD,
    s.ctx,
    s.r1,
    s.h2,
    ...saved(s.norm2),
    s.f1,
    s.g,
    s.gIn,
    s.r2,
    ...saved(s.norm3),
  ]);
  all.delete(s.out);
  if (!withInput) all.delete(s.x);
  for (const t of all) ops.release(t);
}

/** The repeat_kv shape of a layer's keys and values (both parts, all rows). */
function kvShape<X>(c: Ctx<X>) {
  return {
    rows: c.N,
    parts: 2,
    kvHeads: c.kvHeads,
    groups: c.groups,
    headDim: c.headDim,
    ld: c.qkvWidth,
  };
}

/** A view of a fused projection (or its gradient) from its first key element. */
function keysOf<X>(c: Ctx<X>, qkv: X): X {
  const H = c.net.config.hiddenSize;
  return c.ops.view(qkv, [c.N * c.qkvWidth - H], H);
}

/**
 * The query, key and value operands of a chunk: heads of the fused projection in place,
 * keys and values from their per-group copy `kv` `[N, 2H]` where there is one.
 */
function qkvOf<X>(
  c: Ctx<X>,
  qkv: X,
  kv: X | null,
  ch: { b0: number; b1: number },
): [Operand<X>, Operand<X>, Operand<X>] {
  const H = c.net.config.hiddenSize, W = c.qkvWidth;
  const q = headsOf(c, qkv, ch, W, 0);
  if (kv) return [q, headsOf(c, kv, ch, 2 * H, 0), headsOf(c, kv, ch, 2 * H, H)];
  return [q, headsOf(c, qkv, ch, W, H), headsOf(c, qkv, ch, W, 2 * H)];
}

/** Attention backward from `dctx` `[N, H]` (released) to `dqkv` `[N, qkv]`. */
function attentionBackward<X>(c: Ctx<X>, s: BlockCache<X>, dctx: X, layer: number): X {
  const { ops, heads, headDim: d, N, net } = c;
  const T = c.inp.T, H = net.config.hiddenSize;
  const site = 1 + SITES_PER_LAYER * layer;
  const dqkv = ops.alloc([N, c.qkvWidth]);
  const dkv = s.kv ? ops.alloc([N, 2 * H]) : null;
  for (const [j, ch] of c.inp.chunks.entries()) {
    const nb = ch.b1 - ch.b0, nbh = nb * heads;
    const [q, k, v] = qkvOf(c, s.qkv, s.kv, ch);
    const [dq, dk, dv] = qkvOf(c, dqkv, dkv, ch);
    const dout = headsOf(c, dctx, ch, H, 0);
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
  if (dkv) {
    ops.repeatKvBackward({ ...kvShape(c), dout: dkv, dx: keysOf(c, dqkv) });
    ops.release(dkv);
  }
  if (c.rotary) {
    const { theta } = layerAttention(net.config, layer);
    const o = { rows: N, seq: T, heads: heads + c.kvHeads, headDim: d, ld: c.qkvWidth, theta };
    ops.rotary({ ...o, x: dqkv, inverse: true });
  }
  return dqkv;
}

/**
 * An operand of a batched attention product: `t` contiguous `[nbh, rows, cols]`, or, with
 * `width`, the heads of a chunk's sequences read or written in place in a token-major tensor
 * whose rows are `width` wide ({@link headsOf}).
 */
type Operand<X> = { t: X; width?: number };

/**
 * The heads within `t`, token-major with rows `width` wide, from column `column` (the
 * queries, keys or values of a fused projection, or the context `[N, H]`): a view from the
 * chunk's first token.
 */
function headsOf<X>(
  c: Ctx<X>,
  t: X,
  ch: { b0: number; b1: number },
  width: number,
  column: number,
): Operand<X> {
  const T = c.inp.T;
  const start = ch.b0 * T * width + column;
  const size = (ch.b1 - ch.b0) * T * width - column;
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
  // d of the residual stream entering the feed-forward sublayer's output add.
  let dr2 = dout;
  if (s.norm3) dr2 = normGradient(c, L.ln2, dout, s.r2, s.norm3);
  const df2 = c.innerDropout ? dr2 : drop(c, dr2, [N, H], cfg.hiddenDropout, site + 2);
  const dgIn = ops.alloc([N, I]);
  linearBackward(c, L.f2, s.gIn, df2, dgIn, false);
  if (df2 !== dr2) ops.release(df2);
  const dg = c.innerDropout ? drop(c, dgIn, [N, I], cfg.hiddenDropout, site + 2) : dgIn;
  if (dg !== dgIn) ops.release(dgIn);
  const df1 = ops.alloc([N, c.f1Width]);
  if (c.gated) {
    ops.gatedBackward({ x: s.f1, dout: dg, dx: df1, rows: N, cols: I, activation: net.activation });
  } else ops.geluBackward({ x: s.f1, dout: dg, dx: df1, kind: net.activation as GeluKind });
  ops.release(dg);
  let dr1: X;
  if (post) {
    // dr2 becomes d(h2) = d(a): residual part plus the feed-forward input gradient.
    linearBackward(c, L.f1, s.h2, df1, dr2, true);
    ops.release(df1);
    dr1 = normGradient(c, L.ln1 as Norm<X>, dr2, s.r1, s.norm2);
  } else {
    const dh2 = ops.alloc([N, H]);
    linearBackward(c, L.f1, s.h2, df1, dh2, false);
    ops.release(df1);
    normBackward(c, L.ln2, dh2, s.r1, s.norm2, dr2);
    ops.release(dh2);
    dr1 = dr2;
  }
  const dao = drop(c, dr1, [N, H], c.attentionOutputDropout, site + 1);
  const dctx = ops.alloc([N, H]);
  linearBackward(c, L.o, s.ctx, dao, dctx, false);
  if (dao !== dr1) ops.release(dao);
  const dqkv = attentionBackward(c, s, dctx, layer);
  if (!s.norm1) {
    // the attention sublayer read the block's input itself
    linearBackward(c, L.qkv, s.h1, dqkv, dr1, true);
    ops.release(dqkv);
    return dr1;
  }
  const dh1 = ops.alloc([N, H]);
  linearBackward(c, L.qkv, s.h1, dqkv, dh1, false);
  ops.release(dqkv);
  normBackward(c, L.ln1 as Norm<X>, dh1, s.x, s.norm1, dr1);
  ops.release(dh1);
  return dr1;
}

/** The family's own embedding dropout (GPT-2's `embd_pdrop`) where set, else the hidden one. */
function embeddingDropout(cfg: ModelConfig): number {
  const key = familyRecord(cfg.family).dropout.embeddingKey;
  const e = key === null ? undefined : cfg.extra[key];
  return typeof e === "number" ? e : cfg.hiddenDropout;
}

/** The prediction head's saved tensors: input, dense output, activation, norm statistics. */
type HeadCache<X> = { x: X; dense: X; act: X; saved: NormSaved<X> };

type Forward<X> = {
  c: Ctx<X>;
  emb: X;
  embSaved: NormSaved<X> | null;
  blocks: BlockCache<X>[];
  top: X;
  topSaved: NormSaved<X> | null;
  head: HeadCache<X> | null;
  headIn: X;
  logits: X;
};

function context<X>(net: Net<X>, inp: Inputs<X>, dropout: boolean): Ctx<X> {
  const cfg = net.config, f = familyRecord(cfg.family), w = widths(cfg);
  const rates = { hidden: cfg.hiddenDropout, attention: cfg.attentionDropout };
  return {
    net,
    ops: net.ops,
    inp,
    N: inp.B * inp.T,
    heads: cfg.numHeads,
    kvHeads: cfg.numKeyValueHeads,
    groups: cfg.numHeads / cfg.numKeyValueHeads,
    headDim: w.headDim,
    qkvWidth: w.qkv,
    f1Width: w.f1,
    training: dropout,
    pass: net.trainingPasses,
    post: f.norm.placement === "post",
    rms: f.norm.kind === "rmsnorm",
    causal: f.attention.kind === "causal",
    rotary: f.positions.kind === "rotary",
    gated: f.mlp.kind === "gated",
    attentionOutputDropout: f.dropout.attentionOutput ? rates[f.dropout.attentionOutput] : 0,
    innerDropout: f.dropout.feedForward === "inner",
  };
}

function forwardAll<X>(
  net: Net<X>,
  batch: ModelBatch,
  training: boolean,
  dropout: boolean,
  where: string,
): Forward<X> {
  const ops = net.ops;
  const cfg = net.config;
  const inp = prepare(net, batch, training, where);
  const c = context(net, inp, dropout);
  const N = c.N, H = cfg.hiddenSize;
  const emb = ops.alloc([N, H]);
  ops.embeddingLookup({ table: net.word.value, ids: inp.ids, out: emb, rows: N, cols: H });
  const tables: [Net<X>["pos"], X | null][] = [[net.pos, inp.positions], [net.type, inp.types]];
  for (const [table, ids] of tables) {
    if (!table || !ids) continue;
    ops.embeddingLookup({ table: table.value, ids, out: emb, rows: N, cols: H, accumulate: true });
  }
  let x = emb, embSaved: NormSaved<X> | null = null;
  if (net.embLn) ({ out: x, saved: embSaved } = normForward(c, net.embLn, emb));
  x = drop(c, x, [N, H], embeddingDropout(cfg), 0);
  const blocks: BlockCache<X>[] = [];
  net.layers.forEach((L, l) => {
    const s = blockForward(c, L, x, l);
    if (training) blocks.push(s);
    else releaseBlock(ops, s, l > 0); // inference keeps only what the next block reads
    x = s.out;
  });
  const top = x;
  let topSaved: NormSaved<X> | null = null;
  if (net.lnf) ({ out: x, saved: topSaved } = normForward(c, net.lnf, top));
  let head: HeadCache<X> | null = null;
  if (net.head) {
    const dense = ops.alloc([N, H]), act = ops.alloc([N, H]);
    linearForward(c, net.head.dense, x, dense);
    ops.gelu({ x: dense, out: act, kind: net.headActivation });
    const n = normForward(c, net.head.norm, act);
    head = { x, dense, act, saved: n.saved };
    x = n.out;
  }
  const headIn = drop(c, x, [N, H], cfg.classifierDropout, 1 + SITES_PER_LAYER * cfg.numLayers);
  const logits = ops.alloc([N, cfg.labels.length]);
  linearForward(c, net.classifier, headIn, logits);
  return { c, emb, embSaved, blocks, top, topSaved, head, headIn, logits };
}

/**
 * Records the inference forward pass (no dropout) and reads the logits
 * `[size, length, labels]` (one readback).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet } from "./layout.ts";
 * const config = createConfig({ family: "llama", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * import { netLogits } from "./transformer.ts";
 * assert.equal((await netLogits(net, batch)).length, 3 * 3);
 * ```
 */
export async function netLogits<X>(net: Net<X>, batch: ModelBatch): Promise<Float32Array> {
  const f = forwardAll(net, batch, false, false, "netLogits");
  const out = net.ops.read(f.logits);
  await net.ops.submit();
  return await out;
}

/**
 * Zeroes the gradients and records forward (with dropout when `dropout`), the mean
 * cross-entropy loss and backward, adding every parameter's gradient; returns the loss
 * tensor `[2]` (loss, count of labels), not yet read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet } from "./layout.ts";
 * const config = createConfig({ family: "llama", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * import { recordGradients } from "./transformer.ts";
 * const read = net.ops.read(recordGradients(net, batch, false));
 * await net.ops.submit();
 * const [loss, count] = await read;
 * assert.ok(loss > 0 && count === 2); // the mean over the two labelled tokens
 * ```
 */
export function recordGradients<X>(net: Net<X>, batch: ModelBatch, dropout: boolean): X {
  const ops = net.ops;
  const cfg = net.config;
  ops.fill({ x: net.decay.grads, value: 0 });
  ops.fill({ x: net.noDecay.grads, value: 0 });
  const f = forwardAll(net, batch, true, dropout, "recordGradients");
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
  if (net.head && f.head) {
    const dAct = normGradient(c, net.head.norm, dx, f.head.act, f.head.saved);
    const dDense = ops.alloc([N, H]);
    ops.geluBackward({ x: f.head.dense, dout: dAct, dx: dDense, kind: net.headActivation });
    ops.release(dAct);
    dx = ops.alloc([N, H]);
    linearBackward(c, net.head.dense, f.head.x, dDense, dx, false);
    ops.release(dDense);
  }
  if (net.lnf) dx = normGradient(c, net.lnf, dx, f.top, f.topSaved as NormSaved<X>);
  for (let l = cfg.numLayers - 1; l >= 0; l--) {
    dx = blockBackward(c, net.layers[l], f.blocks[l], dx, l);
  }
  let dEmb = drop(c, dx, [N, H], embeddingDropout(cfg), 0);
  if (dEmb !== dx) ops.release(dx);
  if (net.embLn) dEmb = normGradient(c, net.embLn, dEmb, f.emb, f.embSaved as NormSaved<X>);
  ops.embeddingBackward({ dout: dEmb, ids: c.inp.ids, dtable: net.word.grad as X, cols: H });
  if (net.pos?.grad) {
    ops.embeddingBackward({ dout: dEmb, ids: c.inp.positions, dtable: net.pos.grad, cols: H });
  }
  if (net.type?.grad && c.inp.types) {
    ops.embeddingBackward({ dout: dEmb, ids: c.inp.types, dtable: net.type.grad, cols: H });
  }
  if (dropout) net.trainingPasses++;
  return loss;
}

/**
 * The gradients of the mean cross-entropy loss of `batch` with dropout off, as
 * transformers-named host tensors (frozen tensors left out), and the loss: for gradient
 * checks. Parameters and optimizer state are not changed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet } from "./layout.ts";
 * const config = createConfig({ family: "llama", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * import { netGradients } from "./transformer.ts";
 * const { grads } = await netGradients(net, batch);
 * assert.deepEqual(grads.get("model.layers.0.self_attn.k_proj.weight")?.shape, [4, 8]);
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
