/**
 * The small operations interface the transformer token classifiers are written against
 * (`lib/models/transformer.ts`), so that one composition of forward, backward and AdamW
 * runs on two backends: the WebGPU kernels (`lib/models/gpu_ops.ts`, recording into one
 * command buffer) and their plain-TypeScript references (`lib/models/cpu_ops.ts`, the CPU
 * reference trainer of `lib/models/reference_train.ts`).
 *
 * Every operation writes into tensors it is given (the GPU's calling convention): those
 * named "ADDS" accumulate, the others overwrite. A backend tensor `X` may be a view into a
 * larger tensor (parameters live in two flat buffers, one per weight-decay group).
 *
 * @module
 */
import type { MatmulShape } from "../gpu/reference/matmul.ts";
import type { GeluKind } from "../gpu/reference/gelu.ts";
import type { GatedActivation } from "../gpu/reference/gated.ts";
import type { AdamWOptions } from "../gpu/reference/adamw.ts";

/**
 * Arguments of a (batched) matmul `C = alpha * op(A) @ op(B) + bias (+ C)`, as
 * `lib/gpu/kernels/matmul.ts` takes them.
 */
export type MatmulArgs<X> = MatmulShape & {
  a: X;
  b: X;
  c: X;
  alpha?: number;
  bias?: X;
  accumulate?: boolean;
};

/**
 * A backend: tensors of type `X` and the operations of one training or inference step.
 * Integer tensors (token ids, masks, targets) come from {@link Ops.ints}; an id tensor made
 * with `plan` can feed {@link Ops.embeddingBackward}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../gpu/device.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { gpuOps } from "./gpu_ops.ts";
 * import type { Ops } from "./ops.ts";
 * // Written once, run on both backends.
 * async function doubled<X>(ops: Ops<X>, values: number[]): Promise<Float32Array> {
 *   const x = ops.persistent([values.length], new Float32Array(values));
 *   const out = ops.alloc([values.length]);
 *   ops.add({ a: x, b: x, out });
 *   const read = ops.read(out);
 *   await ops.submit();
 *   return read;
 * }
 * assert.deepEqual(await doubled(cpuOps(), [1, 2]), new Float32Array([2, 4]));
 * assert.deepEqual(await doubled(gpuOps(await getGpu()), [1, 2]), new Float32Array([2, 4]));
 * ```
 */
export type Ops<X> = {
  /** Storage offsets of views must be multiples of this many elements. */
  align: number;
  /** The most bytes one tensor may span where a kernel binds it whole. */
  maxBinding: number;
  /** A persistent tensor (parameters, moments) holding `data`, or zeros without it. */
  persistent(shape: number[], data?: Float32Array): X;
  /** Gives a persistent tensor back (the model is done with). */
  free(x: X): void;
  /** A scratch tensor of this step (contents unspecified), released by `finish`. */
  alloc(shape: number[]): X;
  /** Gives a scratch tensor back before the step ends (it must not be used afterwards). */
  release(x: X): void;
  /** A view of `shape` starting `offset` elements into `x`. */
  view(x: X, shape: number[], offset: number): X;
  /** An integer tensor of this step; `plan` prepares it as embedding ids for the backward. */
  ints(data: Int32Array, plan?: { vocab: number; paddingIdx?: number }): X;
  matmul(o: MatmulArgs<X>): void;
  /** Layer norm; without `beta`, no bias (ModernBERT's `norm_bias = false`). */
  layerNormForward(o: {
    x: X;
    gamma: X;
    beta?: X;
    out: X;
    mean: X;
    rstd: X;
    rows: number;
    cols: number;
    eps: number;
  }): void;
  /** ADDS into `dx`, `dgamma`, `dbeta` (omitted for a norm without bias). */
  layerNormBackward(o: {
    dout: X;
    x: X;
    gamma: X;
    mean: X;
    rstd: X;
    dx: X;
    dgamma: X;
    dbeta?: X;
    rows: number;
    cols: number;
  }): void;
  /** RMSNorm (`LlamaRMSNorm`): `out = x * rsqrt(mean(x^2) + eps) * weight`, saving `rstd`. */
  rmsNormForward(o: {
    x: X;
    weight: X;
    out: X;
    rstd: X;
    rows: number;
    cols: number;
    eps: number;
  }): void;
  /** ADDS into `dx` and `dweight`. */
  rmsNormBackward(o: {
    dout: X;
    x: X;
    weight: X;
    rstd: X;
    dx: X;
    dweight: X;
    rows: number;
    cols: number;
  }): void;
  /**
   * Rotary position embeddings, in place: the `heads` heads of `headDim` at the start of
   * each of `rows` rows of `x` (rows `ld` apart; queries and keys of a fused projection
   * side by side), position = row modulo `seq`; `inverse` (the backward, on gradients)
   * turns by the negative angles.
   */
  rotary(o: {
    x: X;
    rows: number;
    seq: number;
    heads: number;
    headDim: number;
    ld: number;
    theta: number;
    inverse?: boolean;
  }): void;
  gelu(o: { x: X; out: X; kind: GeluKind }): void;
  geluBackward(o: { x: X; dout: X; dx: X; kind: GeluKind }): void;
  /**
   * Gated feed-forward activation (GeGLU, SwiGLU): `out[r, c] = act(x[r, c]) * x[r, cols + c]`
   * for `x` `[rows, 2 * cols]` (activated half first) and `out` `[rows, cols]`.
   */
  gated(o: { x: X; out: X; rows: number; cols: number; activation: GatedActivation }): void;
  /** Its backward: `dx` `[rows, 2 * cols]` written (not accumulated) from `dout`. */
  gatedBackward(
    o: { x: X; dout: X; dx: X; rows: number; cols: number; activation: GatedActivation },
  ): void;
  /**
   * Grouped-query attention: `out` `[rows, parts, kvHeads * groups, headDim]`, query head
   * `h`'s copy of key/value head `floor(h / groups)` of `x` (a view at the first key element
   * of a fused projection, rows `ld` apart, `parts` blocks of `kvHeads` heads per row).
   */
  repeatKv(o: {
    x: X;
    out: X;
    rows: number;
    parts: number;
    kvHeads: number;
    groups: number;
    headDim: number;
    ld: number;
  }): void;
  /** Its backward: WRITES the key/value columns of `dx` (laid out as `x`) with group sums. */
  repeatKvBackward(o: {
    dout: X;
    dx: X;
    rows: number;
    parts: number;
    kvHeads: number;
    groups: number;
    headDim: number;
    ld: number;
  }): void;
  softmaxForward(o: {
    scores: X;
    probs: X;
    batch: number;
    heads: number;
    seq: number;
    scale: number;
    keyMask?: X;
    causal?: boolean;
    /** ModernBERT's `local_attention`: keys within `floor(window / 2)` of the query. */
    window?: number;
  }): void;
  softmaxBackward(o: {
    probs: X;
    dprobs: X;
    dscores: X;
    batch: number;
    heads: number;
    seq: number;
    scale: number;
  }): void;
  embeddingLookup(
    o: { table: X; ids: X; out: X; rows: number; cols: number; accumulate?: boolean },
  ): void;
  /** ADDS `dout` rows into `dtable` rows of `ids` (made by `ints` with a plan). */
  embeddingBackward(o: { dout: X; ids: X; dtable: X; cols: number }): void;
  dropout(o: { x: X; out: X; p: number; seed: number; step: number }): void;
  crossEntropy(o: {
    logits: X;
    targets: X;
    dlogits: X;
    losses: X;
    loss: X;
    rows: number;
    classes: number;
  }): void;
  add(o: { a: X; b: X; out: X }): void;
  /** `dst += alpha * src`. */
  accumulate(o: { dst: X; src: X; alpha?: number }): void;
  fill(o: { x: X; value: number }): void;
  /** ADDS the column sums of `x` `[rows, cols]` into `into`. */
  columnSum(o: { x: X; rows: number; cols: number; into: X }): void;
  /** `out` `[2]` = `[global L2 norm of grads, min(1, maxNorm / (norm + 1e-6))]`. */
  gradNorm(o: { grads: X[]; out: X; maxNorm: number }): void;
  /** One AdamW update in place, the gradient scaled by `clip[1]`; with `rows` (an `ints`
   * tensor of row indices), only those rows of `[rows, cols]` tables. */
  adamw(
    t: { param: X; grad: X; m: X; v: X; clip: X; rows?: { ids: X; cols: number } },
    o: AdamWOptions,
  ): void;
  /** Schedules a read of `x`, resolved once the step has run (`submit`). */
  read(x: X): Promise<Float32Array>;
  /** Runs what was recorded (GPU: one command buffer) and releases the step's scratch. */
  submit(): Promise<void>;
};
