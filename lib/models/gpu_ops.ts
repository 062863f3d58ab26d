/**
 * The WebGPU backend of the model operations (`lib/models/ops.ts`): every operation is
 * recorded into one command buffer (`lib/gpu/kernel.ts` `step`) until `submit`, which
 * submits it, waits only when something was read, and gives the step's scratch tensors back
 * to the pool, so memory stays flat from step to step.
 *
 * Scratch given back with `release` before the step ends is reused by later `alloc` calls
 * of the same step (dispatches run in recording order, so this is safe), but never by
 * `ints`, whose data is written through the queue before the whole command buffer runs.
 * Elementwise launchers run chunk by chunk (`chunkBytes`), so tensors larger than the
 * device's binding limit work.
 *
 * @module
 */
import type { Gpu } from "../gpu/device.ts";
import { type Step, step as newStep } from "../gpu/kernel.ts";
import { release, type Tensor, tensor, tensorI32, view, zeros } from "../gpu/tensor.ts";
import { matmul } from "../gpu/kernels/matmul.ts";
import {
  layerNormBackward,
  layerNormForward,
  rmsNormBackward,
  rmsNormForward,
} from "../gpu/kernels/layernorm.ts";
import { geluBackward, geluForward } from "../gpu/kernels/gelu.ts";
import { rotary, rotaryTableTensor } from "../gpu/kernels/rotary.ts";
import { gatedBackward, gatedForward } from "../gpu/kernels/gated.ts";
import { repeatKv, repeatKvBackward } from "../gpu/kernels/repeat_kv.ts";
import { softmaxBackward, softmaxForward } from "../gpu/kernels/attention.ts";
import { checkIds } from "../gpu/reference/embedding.ts";
import {
  embeddingBackward,
  embeddingLookup,
  type EmbeddingPlan,
  embeddingRangePlan,
  embeddingTableRanges,
  uploadEmbeddingPlan,
} from "../gpu/kernels/embedding.ts";
import { dropout } from "../gpu/kernels/dropout.ts";
import { crossEntropy } from "../gpu/kernels/cross_entropy.ts";
import { accumulate, add, fill } from "../gpu/kernels/elementwise.ts";
import { columnSum } from "../gpu/kernels/column_sum.ts";
import { gradNorm, gradNormPartials } from "../gpu/kernels/grad_norm.ts";
import { adamw } from "../gpu/kernels/adamw.ts";
import type { PackMember } from "../gpu/step_pack.ts";
import type { Ops } from "./ops.ts";

/**
 * Options of {@link gpuOps}: `chunkBytes` caps the bytes a kernel binds at once (default:
 * the device limit; smaller values exercise chunking in tests); `member`, a place in a
 * pack of models that step together (`lib/gpu/step_pack.ts`), which then holds the
 * memory and submits the steps.
 */
export type GpuOpsOptions = { chunkBytes?: number; member?: PackMember };

/**
 * The GPU backend: operations recorded into one command buffer per `submit`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../gpu/device.ts";
 * import { gpuOps } from "./gpu_ops.ts";
 * const ops = gpuOps(await getGpu());
 * const a = ops.persistent([2], new Float32Array([1, 2]));
 * const out = ops.alloc([2]);
 * ops.add({ a, b: a, out });
 * const r = ops.read(out); // resolves once the step has run
 * await ops.submit();
 * assert.deepEqual(await r, new Float32Array([2, 4]));
 * ```
 */
export function gpuOps(gpu: Gpu, options: GpuOpsOptions = {}): Ops<Tensor> {
  const { chunkBytes, member } = options;
  let cur: Step | undefined;
  let owned: Tensor[] = [];
  let stepFree = new Map<number, GPUBuffer[]>();
  // Embedding ids made with a plan: their host copy; the whole-table plan once uploaded.
  type Ids = { data: Int32Array; paddingIdx?: number; whole?: EmbeddingPlan };
  const plans = new WeakMap<Tensor, Ids>();
  const upload = (
    p: { rowIds: Uint32Array; starts: Uint32Array; tokens: Uint32Array },
  ): EmbeddingPlan => {
    if (member) {
      const ints = (a: Uint32Array) =>
        member.ints(new Int32Array(a.buffer, a.byteOffset, a.length));
      const { rowIds, starts, tokens } = p;
      return {
        rowIds: ints(rowIds),
        starts: ints(starts),
        tokens: ints(tokens),
        distinct: rowIds.length,
      };
    }
    // Plans come from the pool, never from this step's released scratch: their data is
    // written through the queue, before the whole command buffer runs.
    const up = uploadEmbeddingPlan(gpu, p);
    owned.push(up.rowIds, up.starts, up.tokens);
    return up;
  };
  const s = (): Step => member ? member.segment() : (cur ??= newStep(gpu));
  // Rotary cos/sin tables per (head width, theta), kept across steps, grown to the longest
  // sequence seen.
  const tables = new Map<string, { positions: number; table: Tensor }>();
  const rotaryTableFor = (positions: number, headDim: number, theta: number): Tensor => {
    const key = `${headDim}:${theta}`;
    const have = tables.get(key);
    if (have && have.positions >= positions) return have.table;
    if (have) owned.push(have.table); // read by this step's recorded work: released after it
    const table = rotaryTableTensor(gpu, positions, headDim, theta);
    tables.set(key, { positions, table });
    return table;
  };
  const align = gpu.limits.minStorageBufferOffsetAlignment / 4;

  const maxBinding = Math.min(chunkBytes ?? Infinity, gpu.limits.maxStorageBufferBindingSize);
  return {
    align,
    maxBinding,
    persistent(shape, data) {
      if (member) return member.persistent(shape, data);
      return data ? tensor(gpu, shape, data) : zeros(gpu, shape);
    },
    free(x) {
      if (member) member.free(x);
      else release(x);
    },
    alloc(shape) {
      if (member) return member.alloc(shape);
      const size = shape.reduce((a, b) => a * b, 1);
      const bytes = Math.max(256, size * 4);
      for (const [cls, list] of stepFree) {
        if (cls >= bytes && cls <= bytes * 1.25 && list.length > 0) {
          const buffer = list.pop() as GPUBuffer;
          return { buffer, shape: [...shape], size, offset: 0 };
        }
      }
      const t = tensor(gpu, shape);
      owned.push(t);
      return t;
    },
    release(x) {
      if (member) return member.release(x);
      if (x.offset !== 0) throw new Error("gpuOps.release: a view was given");
      let list = stepFree.get(x.buffer.size);
      if (!list) stepFree.set(x.buffer.size, list = []);
      list.push(x.buffer);
    },
    view(x, shape, offset) {
      return view(x, shape, offset);
    },
    ints(data, plan) {
      let t: Tensor;
      if (member) t = member.ints(data);
      else {
        t = tensorI32(gpu, [Math.max(1, data.length)], data.length ? data : [0]);
        owned.push(t);
      }
      if (plan) {
        checkIds(data, plan.vocab, "gpuOps.ints");
        plans.set(t, { data: Int32Array.from(data), paddingIdx: plan.paddingIdx });
      }
      return t;
    },
    matmul(o) {
      matmul(s(), o);
    },
    layerNormForward(o) {
      layerNormForward(s(), o);
    },
    layerNormBackward(o) {
      layerNormBackward(s(), o);
    },
    rmsNormForward(o) {
      rmsNormForward(s(), o);
    },
    rmsNormBackward(o) {
      rmsNormBackward(s(), o);
    },
    rotary(o) {
      const { theta, ...rest } = o;
      const table = rotaryTableFor(Math.min(o.rows, o.seq), o.headDim, theta);
      rotary(s(), { ...rest, table });
    },
    gelu(o) {
      geluForward(s(), { gpu, chunkBytes, ...o });
    },
    geluBackward(o) {
      geluBackward(s(), { gpu, chunkBytes, ...o });
    },
    gated(o) {
      gatedForward(s(), { chunkBytes, ...o });
    },
    gatedBackward(o) {
      gatedBackward(s(), { chunkBytes, ...o });
    },
    repeatKv(o) {
      repeatKv(s(), o);
    },
    repeatKvBackward(o) {
      repeatKvBackward(s(), o);
    },
    softmaxForward(o) {
      softmaxForward(s(), o);
    },
    softmaxBackward(o) {
      softmaxBackward(s(), o);
    },
    embeddingLookup(o) {
      embeddingLookup(s(), { gpu, chunkBytes, ...o });
    },
    embeddingBackward(o) {
      const ids = plans.get(o.ids);
      if (!ids) {
        throw new Error("gpuOps.embeddingBackward: ids were made without a plan");
      }
      const { dout, dtable, cols } = o;
      if (dtable.size * 4 <= maxBinding) {
        ids.whole ??= upload(
          embeddingRangePlan(ids.data, 0, dtable.size / cols, ids.paddingIdx),
        );
        embeddingBackward(s(), { dout, plan: ids.whole, dtable, cols });
        return;
      }
      const align = gpu.limits.minStorageBufferOffsetAlignment;
      for (const [r0, r1] of embeddingTableRanges(dtable.size / cols, cols, maxBinding, align)) {
        const plan = upload(embeddingRangePlan(ids.data, r0, r1, ids.paddingIdx));
        if (plan.distinct === 0) continue;
        const part = view(dtable, [r1 - r0, cols], r0 * cols);
        embeddingBackward(s(), { dout, plan, dtable: part, cols });
      }
    },
    dropout(o) {
      dropout(s(), { gpu, chunkBytes, ...o });
    },
    crossEntropy(o) {
      crossEntropy(s(), o);
    },
    add(o) {
      add(s(), { gpu, chunkBytes, ...o });
    },
    accumulate(o) {
      accumulate(s(), { gpu, chunkBytes, ...o });
    },
    fill(o) {
      fill(s(), { gpu, chunkBytes, ...o });
    },
    columnSum(o) {
      columnSum(s(), o);
    },
    gradNorm(o) {
      const size = gradNormPartials(gpu, o.grads, chunkBytes);
      const partials = member ? member.alloc([size]) : tensor(gpu, [size]);
      if (!member) owned.push(partials);
      gradNorm(s(), { gpu, chunkBytes, ...o, partials });
    },
    adamw(t, o) {
      adamw(s(), { gpu, chunkBytes, ...t }, o);
    },
    read(x) {
      return s().read(x);
    },
    async submit() {
      const done = cur;
      const scratch = owned;
      cur = undefined;
      owned = [];
      stepFree = new Map();
      try {
        if (member) await member.submit();
        else if (done) await done.submit();
      } finally {
        for (const t of scratch) release(t);
      }
    },
  };
}
