/**
 * The forward and backward passes of the token classifier, written once against the
 * operations of `lib/models/ops.ts` for every family: explicit per-layer forward and
 * backward as in llm.c (no tape) and cross-entropy. `lib/models/gpu_model.ts` runs it on
 * WebGPU, `lib/models/reference_train.ts` on the CPU references; the parameters' layout is
 * `lib/models/layout.ts`, the optimizer step `lib/models/optimizer.ts`.
 *
 * Architecture, as transformers' eager modules (checked against `referenceLogits` of
 * `lib/models/reference.ts`), read from the family's record (`lib/models/families/`):
 * embeddings word + position (+ token type), an embedding norm where the family has one,
 * dropout; per block the fused QKV projection, attention with the padding key mask (and the
 * causal mask for causal families), output projection, dropout (where the family has it),
 * residual, and the feed-forward GELU sublayer, with norms after each residual add
 * (post-norm: BERT, RoBERTa, DistilBERT) or on each sublayer's input with a final norm
 * (pre-norm: GPT-2). Dropout (hidden, attention probabilities, classifier) runs in training
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
import type { Block, Linear, Net, Norm } from "./layout.ts";
import type { MatmulArgs, Ops } from "./ops.ts";

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
  const tokenTypes = familyRecord(config.family).tokenTypes;
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
    const tt = tokenTypes ? b.tokenTypeIds?.[i] : undefined;
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
  const f = familyRecord(config.family);
  const positions = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    const row = Array.from(b.inputIds.subarray(r * T, (r + 1) * T));
    positions.set(positionIds(config, row), r * T);
  }
  for (let i = 0; i < positions.length; i++) {
    if (positions[i] >= config.maxPositions) {
      throw new Error(
        `lib/models/transformer.ts: position ${positions[i]} (row ${Math.floor(i / T)}) is past ` +
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
      net.pos.grad ? plan(config.maxPositions, paddedPositions ? pad : undefined) : undefined,
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
  /** Norms after each residual add (else on each sublayer's input). */
  post: boolean;
  /** Queries see no later keys. */
  causal: boolean;
  /** Dropout after the attention output projection. */
  attentionOutputDropout: number;
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
      causal: c.causal,
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
  const aoD = drop(c, ao, [N, H], c.attentionOutputDropout, site + 1);
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
  const dao = drop(c, dr1, [N, H], c.attentionOutputDropout, site + 1);
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

/** The family's own embedding dropout (GPT-2's `embd_pdrop`) where set, else the hidden one. */
function embeddingDropout(cfg: ModelConfig): number {
  const key = familyRecord(cfg.family).dropout.embeddingKey;
  const e = key === null ? undefined : cfg.extra[key];
  return typeof e === "number" ? e : cfg.hiddenDropout;
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
  const f = familyRecord(cfg.family);
  const c: Ctx<X> = {
    net,
    ops,
    inp,
    N,
    heads: cfg.numHeads,
    headDim: H / cfg.numHeads,
    training: dropout,
    pass: net.trainingPasses,
    post: f.norm.placement === "post",
    causal: f.attention.kind === "causal",
    attentionOutputDropout: f.dropout.attentionOutput ? cfg.hiddenDropout : 0,
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
 * import type { Net } from "./layout.ts";
 * import type { ModelBatch } from "./transformer.ts";
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

/**
 * Zeroes the gradients and records forward (with dropout when `dropout`), the mean
 * cross-entropy loss and backward, adding every parameter's gradient; returns the loss
 * tensor `[2]` (loss, count of labels), not yet read.
 *
 * @example
 * ```ts
 * import type { Net } from "./layout.ts";
 * import type { ModelBatch } from "./transformer.ts";
 * import { recordGradients } from "./transformer.ts";
 * async function loss(net: Net<Float32Array>, batch: ModelBatch): Promise<number> {
 *   const l = net.ops.read(recordGradients(net, batch, false));
 *   await net.ops.submit();
 *   return (await l)[0];
 * }
 * ```
 */
export function recordGradients<X>(net: Net<X>, batch: ModelBatch, dropout: boolean): X {
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
 * The gradients of the mean cross-entropy loss of `batch` with dropout off, as
 * transformers-named host tensors (frozen tensors left out), and the loss: for gradient
 * checks. Parameters and optimizer state are not changed.
 *
 * @example
 * ```ts
 * import type { Net } from "./layout.ts";
 * import type { ModelBatch } from "./transformer.ts";
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
