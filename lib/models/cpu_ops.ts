/**
 * The CPU reference backend of the model operations (`lib/models/ops.ts`), built from the
 * plain-TypeScript kernel references in `lib/gpu/reference/` (float32 storage, sums in
 * float64): the same composition of layers as on the GPU, run eagerly on the host. Slow
 * (plain loops), meant for tiny models: the reference trainer of
 * `lib/models/reference_train.ts`.
 *
 * @module
 */
import { matmulForward } from "../gpu/reference/matmul.ts";
import * as ln from "../gpu/reference/layernorm.ts";
import * as rms from "../gpu/reference/rmsnorm.ts";
import { geluBackward, geluForward } from "../gpu/reference/gelu.ts";
import { rotaryForward } from "../gpu/reference/rotary.ts";
import { gatedBackward, gatedForward } from "../gpu/reference/gated.ts";
import { repeatKvBackward, repeatKvForward } from "../gpu/reference/repeat_kv.ts";
import * as att from "../gpu/reference/attention.ts";
import { embeddingBackward, embeddingForward } from "../gpu/reference/embedding.ts";
import { dropoutForward } from "../gpu/reference/dropout.ts";
import { crossEntropy } from "../gpu/reference/cross_entropy.ts";
import { columnSum } from "../gpu/reference/column_sum.ts";
import { clipFactor, globalNorm } from "../gpu/reference/grad_norm.ts";
import { adamwUpdate } from "../gpu/reference/adamw.ts";
import type { Ops } from "./ops.ts";

/**
 * A host tensor of the CPU backend: `size` float32 elements of `data` from element
 * `offset` (views share `data`); integer tensors also carry `ints`.
 */
export type CpuTensor = {
  data: Float32Array;
  offset: number;
  size: number;
  shape: number[];
  ints?: Int32Array;
  paddingIdx?: number;
};

function make(shape: number[], data?: Float32Array): CpuTensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return { data: data ?? new Float32Array(size), offset: 0, size, shape: [...shape] };
}

/** The elements of a tensor, sharing its memory. */
function arr(x: CpuTensor): Float32Array {
  return x.data.subarray(x.offset, x.offset + x.size);
}

function put(dst: CpuTensor, src: ArrayLike<number>): void {
  if (src.length !== dst.size) {
    throw new Error(`cpuOps: ${src.length} values for a tensor of ${dst.size}`);
  }
  arr(dst).set(src);
}

function intsOf(x: CpuTensor, what: string): Int32Array {
  if (!x.ints) throw new Error(`cpuOps.${what}: an integer tensor is needed`);
  return x.ints;
}

/**
 * The CPU reference backend (eager; `read` resolves with a copy at once, `submit` does
 * nothing).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuOps } from "./cpu_ops.ts";
 * const ops = cpuOps();
 * const a = ops.persistent([2], new Float32Array([1, 2]));
 * const out = ops.alloc([2]);
 * ops.add({ a, b: a, out });
 * assert.deepEqual(await ops.read(out), new Float32Array([2, 4]));
 * ```
 */
export function cpuOps(): Ops<CpuTensor> {
  return {
    align: 1,
    maxBinding: Infinity,
    persistent: (shape, data) => make(shape, data && Float32Array.from(data)),
    alloc: (shape) => make(shape),
    release() {},
    free() {},
    view(x, shape, offset) {
      const size = shape.reduce((a, b) => a * b, 1);
      if (offset + size > x.size) {
        throw new Error(`cpuOps.view: [${shape}] at ${offset} exceeds ${x.size}`);
      }
      return { data: x.data, offset: x.offset + offset, size, shape: [...shape] };
    },
    ints(data, plan) {
      const t = make([data.length], Float32Array.from(data));
      t.ints = Int32Array.from(data);
      if (plan?.paddingIdx !== undefined) t.paddingIdx = plan.paddingIdx;
      return t;
    },
    matmul(o) {
      const { a, b, c, bias, ...shape } = o;
      matmulForward(arr(a), arr(b), { ...shape, bias: bias && arr(bias), c: arr(c) });
    },
    layerNormForward(o) {
      const r = ln.layerNormForward({
        x: arr(o.x),
        gamma: arr(o.gamma),
        beta: o.beta && arr(o.beta),
        rows: o.rows,
        cols: o.cols,
        eps: o.eps,
      });
      put(o.out, r.out);
      put(o.mean, r.mean);
      put(o.rstd, r.rstd);
    },
    layerNormBackward(o) {
      ln.layerNormBackward({
        dout: arr(o.dout),
        x: arr(o.x),
        gamma: arr(o.gamma),
        mean: arr(o.mean),
        rstd: arr(o.rstd),
        dx: arr(o.dx),
        dgamma: arr(o.dgamma),
        dbeta: o.dbeta && arr(o.dbeta),
        rows: o.rows,
        cols: o.cols,
      });
    },
    rmsNormForward(o) {
      const r = rms.rmsNormForward({
        x: arr(o.x),
        weight: arr(o.weight),
        rows: o.rows,
        cols: o.cols,
        eps: o.eps,
      });
      put(o.out, r.out);
      put(o.rstd, r.rstd);
    },
    rmsNormBackward(o) {
      rms.rmsNormBackward({
        dout: arr(o.dout),
        x: arr(o.x),
        weight: arr(o.weight),
        rstd: arr(o.rstd),
        dx: arr(o.dx),
        dweight: arr(o.dweight),
        rows: o.rows,
        cols: o.cols,
      });
    },
    rotary(o) {
      const { x, inverse, ...shape } = o;
      put(x, rotaryForward(arr(x), shape, inverse));
    },
    gelu(o) {
      put(o.out, geluForward(arr(o.x), o.kind));
    },
    geluBackward(o) {
      put(o.dx, geluBackward(arr(o.x), arr(o.dout), o.kind));
    },
    gated(o) {
      put(o.out, gatedForward(arr(o.x), o));
    },
    gatedBackward(o) {
      put(o.dx, gatedBackward(arr(o.x), arr(o.dout), o));
    },
    repeatKv(o) {
      put(o.out, repeatKvForward(arr(o.x), o));
    },
    repeatKvBackward(o) {
      const sums = repeatKvBackward(arr(o.dout), o), dx = arr(o.dx);
      const width = o.parts * o.kvHeads * o.headDim;
      for (let r = 0; r < o.rows; r++) {
        dx.set(sums.subarray(r * o.ld, r * o.ld + width), r * o.ld);
      }
    },
    softmaxForward(o) {
      put(
        o.probs,
        att.softmaxForward(arr(o.scores), {
          batch: o.batch,
          heads: o.heads,
          seq: o.seq,
          scale: o.scale,
          causal: o.causal,
          window: o.window,
          keyMask: o.keyMask ? intsOf(o.keyMask, "softmaxForward") : undefined,
        }),
      );
    },
    softmaxBackward(o) {
      put(o.dscores, att.softmaxBackward(arr(o.probs), arr(o.dprobs), o));
    },
    embeddingLookup(o) {
      const r = embeddingForward({
        lookups: [{ table: arr(o.table), ids: intsOf(o.ids, "embeddingLookup") }],
        rows: o.rows,
        cols: o.cols,
      });
      if (o.accumulate) {
        const out = arr(o.out);
        for (let i = 0; i < out.length; i++) out[i] += r[i];
      } else put(o.out, r);
    },
    embeddingBackward(o) {
      const ids = intsOf(o.ids, "embeddingBackward");
      embeddingBackward({
        dout: arr(o.dout),
        ids,
        dtable: arr(o.dtable),
        rows: ids.length,
        cols: o.cols,
        paddingIdx: o.ids.paddingIdx,
      });
    },
    dropout(o) {
      put(o.out, dropoutForward(arr(o.x), { p: o.p, seed: o.seed, step: o.step }));
    },
    crossEntropy(o) {
      const r = crossEntropy({
        logits: arr(o.logits),
        targets: intsOf(o.targets, "crossEntropy"),
        rows: o.rows,
        classes: o.classes,
      });
      put(o.dlogits, r.dlogits);
      put(o.losses, r.losses);
      put(o.loss, [r.loss, r.count]);
    },
    add(o) {
      const a = arr(o.a), b = arr(o.b), out = arr(o.out);
      for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
    },
    accumulate(o) {
      const d = arr(o.dst), s = arr(o.src), alpha = o.alpha ?? 1;
      for (let i = 0; i < d.length; i++) d[i] += alpha * s[i];
    },
    fill(o) {
      arr(o.x).fill(o.value);
    },
    columnSum(o) {
      columnSum(arr(o.x), o.rows, o.cols, arr(o.into));
    },
    gradNorm(o) {
      const norm = globalNorm(o.grads.map(arr));
      put(o.out, [norm, clipFactor(norm, o.maxNorm)]);
    },
    adamw(t, o) {
      const [param, grad, m, v] = [t.param, t.grad, t.m, t.v].map(arr);
      const options = { ...o, gradScale: arr(t.clip)[1] };
      if (!t.rows) return adamwUpdate({ param, grad, m, v }, options);
      const { cols } = t.rows;
      for (const r of arr(t.rows.ids)) {
        const row = (x: typeof param) => x.subarray(r * cols, (r + 1) * cols);
        adamwUpdate({ param: row(param), grad: row(grad), m: row(m), v: row(v) }, options);
      }
    },
    read: (x) => Promise.resolve(Float32Array.from(arr(x))),
    submit: () => Promise.resolve(),
  };
}
