/**
 * A pack of independent models that step together: each member (one model's operations,
 * `gpuOps(gpu, { member })`) records its steps as usual, but into lists; when every member
 * has handed a step in (or at the next turn of the event loop), the pack replays them all
 * into ONE command buffer. Operations of the members that are the same kernels, taken in
 * each member's order and matched by their kernels, become grouped dispatches
 * (`lib/gpu/grouped.ts`): one dispatch per operation for the pack instead of one per
 * member. Each member's work runs in its own order and a grouped run computes what its own
 * dispatch computes, so every member's numbers are those of its solo run bit for bit
 * (tests/models/step_pack_test.ts).
 *
 * Grouping needs the members' tensors in the same buffers, so the pack holds the memory:
 * scratch pages, each a part per member slot (a step's activations and integer inputs,
 * bump-allocated and reset once the step has run; a part is as large as the largest single
 * step seen, up to a slot's share of the binding limit, and a longer step goes on into the
 * next page), and for each of a model's persistent tensors, in creation order, one buffer
 * with a block per slot (parameters, gradients and moments of one architecture line up).
 * What does not fit is allocated alone and runs ungrouped.
 *
 * @module
 */
import type { Gpu } from "./device.ts";
import { type Binding, type Kernel, type Step, step } from "./kernel.ts";
import { dispatchGrouped, type GroupEntry, groupTables } from "./grouped.ts";
import { release, type Tensor, tensor, tensorI32, upload, view, zeros } from "./tensor.ts";

type Call =
  | ({ kind: "dispatch"; kernel: Kernel } & GroupEntry)
  | { kind: "copy"; src: Tensor; dst: Tensor }
  | { kind: "read"; t: Tensor; done: (p: Promise<Float32Array>) => void };

/** A model's place in a {@link StepPack}. */
export type PackMember = {
  /** Starts the next operation of this member's step and returns where it records. */
  segment(): Step;
  /** Hands the recorded step in; resolves when the pack's command buffer has run it. */
  submit(): Promise<void>;
  /** Scratch of this step, in the member's part of the scratch pages where it fits. */
  alloc(shape: number[]): Tensor;
  /** Takes back scratch from {@link alloc} for later `alloc`s of this step. */
  release(x: Tensor): void;
  /** Integer data of this step, in the member's part of the scratch pages where it fits. */
  ints(data: Int32Array): Tensor;
  /** The member's next persistent tensor (zeros without data), in its slot's block. */
  persistent(shape: number[], data?: Float32Array): Tensor;
  /** Takes back a persistent tensor. */
  free(x: Tensor): void;
  /** Leaves the pack (the model is done with); its slot goes to the next member. */
  leave(): void;
};

/** How many operations ahead a member is looked at for a kernel the others are at. */
const LOOKAHEAD = 8;

/** See {@link createStepPack}. */
export type StepPack = {
  gpu: Gpu;
  /** A new member in a free slot (throws when all `slots` are taken). */
  join(): PackMember;
  /** How many merged command buffers ran, and how many dispatches they saved. */
  stats: { steps: number; dispatches: number; grouped: number; saved: number };
};

/**
 * A pack of at most `slots` members on `gpu`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { createStepPack } from "./step_pack.ts";
 * import { add } from "./kernels/elementwise.ts";
 * const gpu = await getGpu();
 * const pack = createStepPack(gpu, 2);
 * // two members double their own vectors twice, stepping together
 * const twice = async (values: number[]) => {
 *   const m = pack.join();
 *   const x = m.persistent([values.length], new Float32Array(values));
 *   for (let i = 0; i < 2; i++) {
 *     const out = m.alloc([values.length]);
 *     add(m.segment(), { gpu, a: x, b: x, out });
 *     m.segment().copy(out, x);
 *     await m.submit();
 *   }
 *   const read = m.segment().read(x);
 *   await m.submit();
 *   m.leave();
 *   return [...await read];
 * };
 * assert.deepEqual(await Promise.all([twice([1, 2, 3]), twice([5])]), [[4, 8, 12], [20]]);
 * // the first step sized the scratch pages; in the second, one dispatch did both adds
 * assert.deepEqual(pack.stats, { steps: 3, dispatches: 3, grouped: 1, saved: 1 });
 * ```
 */
export function createStepPack(gpu: Gpu, slots: number): StepPack {
  if (!Number.isInteger(slots) || slots < 1) {
    throw new Error(`createStepPack: slots must be a whole number >= 1, got ${slots}`);
  }
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const roundUp = (bytes: number) => Math.max(align, Math.ceil(bytes / align) * align);
  // scratch: pages of `page` bytes per slot (slot s's part of page p at s * page
  // in pages[p]), each made when a member's scratch first reaches it
  let pages: Tensor[] = [];
  let page = 0, wanted = 0;
  // persistent blocks, by the index of a member's persistent call
  const blocks: { buffer: Tensor; bytes: number }[] = [];
  const taken: (Member | undefined)[] = new Array(slots).fill(undefined);
  const waiting: Member[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = 0; // command buffers submitted and not yet done
  const tableBuffers: GPUBuffer[] = [];
  const stats = { steps: 0, dispatches: 0, grouped: 0, saved: 0 };

  type Member = {
    slot: number;
    /** The step being recorded, one list of calls per operation. */
    segments: Call[][];
    /** Its submitted steps not yet run. */
    steps: Call[][][];
    /** The end of this step's scratch in its pages (what did not fit counted too). */
    at: number;
    free: Map<number, number[]>;
    persistentCount: number;
    /** Scratch allocated outside the pages this step, given back after it. */
    alone: Tensor[];
    /** Its submits waiting for the next command buffer (several when it did not wait). */
    pending: { resolve: () => void; reject: (e: unknown) => void }[];
  };

  const run = async (members: Member[]) => {
    const s = step(gpu), tables = groupTables(gpu, tableBuffers);
    const stepLists = members.map((m) => m.steps.splice(0));
    const alone = members.map((m) => m.alone.splice(0));
    // every dispatch through its grouped kernel (all bindings read-write: a page's
    // tensors share one buffer), one per operation where the members' line up
    const one = (c: Call & { kind: "dispatch" }) => {
      stats.dispatches++;
      if (!dispatchGrouped(s, c.kernel, [c], tables)) {
        s.dispatch(c.kernel, c.bindings, c.workgroups, c.uniforms);
      }
    };
    const replayOne = (c: Call) => {
      if (c.kind === "dispatch") one(c);
      else if (c.kind === "copy") s.copy(c.src, c.dst);
      else c.done(s.read(c.t));
    };
    // Each member's operations in order; at each turn the operations at the members' heads
    // that are the same kernels go as one group: first those that no other member is about
    // to reach (a dropout only training members have, so that the rest fall back into line),
    // the largest of them; when every group is awaited, the largest.
    const queues = stepLists.map((l) => l.flat());
    const keys = queues.map((q) => q.map(signature));
    const at = queues.map(() => 0);
    const awaited = (key: string, group: number[]) =>
      keys.some((k, m) =>
        !group.includes(m) && k.slice(at[m] + 1, at[m] + 1 + LOOKAHEAD).includes(key)
      );
    for (;;) {
      const buckets = new Map<string, number[]>();
      for (let m = 0; m < queues.length; m++) {
        // copies and reads first: they never group
        while (at[m] < queues[m].length && keys[m][at[m]] === "") {
          queues[m][at[m]++].forEach(replayOne);
        }
        if (at[m] === queues[m].length) continue;
        const key = keys[m][at[m]];
        buckets.set(key, [...buckets.get(key) ?? [], m]);
      }
      if (buckets.size === 0) break;
      let best: number[] = [], bestAwaited = true;
      for (const [key, group] of buckets) {
        const waits = awaited(key, group);
        if ((bestAwaited && !waits) || (bestAwaited === waits && group.length > best.length)) {
          best = group;
          bestAwaited = waits;
        }
      }
      const segs = best.map((m) => queues[m][at[m]++]);
      // grouped while they can be; then each member's rest in turn, since a kernel that
      // could not be grouped may pass data to the next through one shared buffer (the
      // tiled matmul's packed operands)
      let j = 0, active = segs;
      for (; j < active[0].length && active.length > 1; j++) {
        const calls = active.map((seg) => seg[j]) as (Call & { kind: "dispatch" })[];
        if (!dispatchGrouped(s, calls[0].kernel, calls, tables)) {
          // members with a tensor outside the others' buffers (allocated alone) leave
          // the group, which goes on without them if it can
          const keep = sameBuffers(calls);
          if (keep.length < 2 || keep.length === calls.length) break;
          if (!dispatchGrouped(s, calls[0].kernel, keep.map((i) => calls[i]), tables)) break;
          active.forEach((seg, i) => keep.includes(i) || seg.slice(j).forEach(replayOne));
          active = keep.map((i) => active[i]);
        }
        stats.dispatches++;
        stats.grouped++;
        stats.saved += active.length - 1;
      }
      for (const seg of active) seg.slice(j).forEach(replayOne);
    }
    stats.steps++;
    tables.flush();
    try {
      await s.submit();
    } finally {
      tables.recycle();
      for (const t of alone.flat()) release(t);
      // a member that recorded more meanwhile keeps its scratch until that has run too
      for (const m of members) {
        if (m.segments.length > 0 || m.steps.length > 0) continue;
        m.at = 0;
        m.free.clear();
      }
      growPages();
    }
  };

  // The kernels of a segment of dispatches only ("": it copies or reads).
  const ids = new WeakMap<Kernel, number>();
  let nextId = 1;
  const signature = (seg: Call[]) => {
    let key = "";
    for (const c of seg) {
      if (c.kind !== "dispatch") return "";
      let id = ids.get(c.kernel);
      if (id === undefined) ids.set(c.kernel, id = nextId++);
      key += `${id},`;
    }
    return key;
  };

  // The indices of the largest set of calls whose bindings lie in the same buffers.
  const bufferIds = new WeakMap<GPUBuffer, number>();
  const sameBuffers = (calls: GroupEntry[]) => {
    const classes = new Map<string, number[]>();
    calls.forEach((c, i) => {
      const key = c.bindings.map((b) => {
        let id = bufferIds.get(b.buffer);
        if (id === undefined) bufferIds.set(b.buffer, id = nextId++);
        return id;
      }).join();
      classes.set(key, [...classes.get(key) ?? [], i]);
    });
    return [...classes.values()].reduce((a, b) => (b.length > a.length ? b : a));
  };

  // Between steps, when no member holds scratch: a slot's part of a page grows to the largest
  // step seen, up to a slot's share of the binding limit, so that a grouped binding, which
  // spans the runs' parts of a page, can be bound.
  const most = Math.floor(gpu.limits.maxStorageBufferBindingSize / slots / align) * align;
  const growPages = () => {
    const size = Math.min(roundUp(wanted * 1.25), most); // room for longer batches
    if (size <= page || taken.some((m) => m && m.at > 0)) return;
    pages.forEach(release);
    pages = [];
    page = size;
  };

  const flush = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const members = waiting.splice(0);
    if (members.length === 0) return;
    // pages grow to the largest step seen of a member that submitted once (not to an
    // evaluation's many batches at once, which go on into more pages)
    for (const m of members) if (m.pending.length === 1) wanted = Math.max(wanted, m.at);
    const settle = members.flatMap((m) => m.pending.splice(0));
    running++;
    run(members).then(
      () => settle.forEach((d) => d.resolve()),
      (e) => settle.forEach((d) => d.reject(e)),
    ).finally(() => {
      running--;
      maybeFlush();
    });
  };

  // Every member waiting: run now. Else, while a command buffer runs, the waiting members
  // wait for it (more may join them); with none running, at the next turn of the event loop.
  const maybeFlush = () => {
    if (waiting.length === 0) return;
    if (waiting.length === taken.filter((t) => t).length) flush();
    else if (running === 0) timer ??= setTimeout(flush, 0);
  };

  const join = (): PackMember => {
    const slot = taken.indexOf(undefined);
    if (slot < 0) throw new Error(`StepPack.join: all ${slots} slots are taken`);
    const m: Member = {
      slot,
      segments: [],
      steps: [],
      at: 0,
      free: new Map(),
      persistentCount: 0,
      alone: [],
      pending: [],
    };
    taken[slot] = m;
    // Scratch is laid out at offsets counted whether or not pages exist yet (so the first
    // step measures what a page needs); a tensor larger than a page is allocated alone.
    const placed = new WeakMap<Tensor, number>();
    const alone = (t: Tensor) => (m.alone.push(t), t);
    const persistentMine = new WeakSet<Tensor>();
    const place = (bytes: number, reuse: boolean): number => {
      const reused = reuse ? m.free.get(bytes)?.pop() : undefined;
      if (reused !== undefined) return reused;
      // a tensor never straddles two pages
      if (bytes <= page && (m.at % page) + bytes > page) m.at = Math.ceil(m.at / page) * page;
      m.at += bytes;
      return m.at - bytes;
    };
    const paged = (at: number, bytes: number, shape: number[]) => {
      if (bytes > page) return undefined;
      const p = Math.floor(at / page);
      pages[p] ??= tensor(gpu, [(page * slots) / 4]);
      return view(pages[p], shape, (slot * page + (at % page)) / 4);
    };
    const recorder: Step = {
      gpu,
      sharedBuffers: true,
      dispatch(kernel, bindings: Binding[], workgroups, uniforms) {
        const seg = m.segments[m.segments.length - 1];
        seg.push({ kind: "dispatch", kernel, bindings, workgroups, uniforms });
      },
      copy(src, dst) {
        m.segments[m.segments.length - 1].push({ kind: "copy", src, dst });
      },
      read(t) {
        return new Promise<Float32Array>((resolve, reject) => {
          m.segments[m.segments.length - 1].push({
            kind: "read",
            t,
            done: (p) => p.then(resolve, reject),
          });
        });
      },
      submit() {
        throw new Error("StepPack: a member's segment is submitted by PackMember.submit");
      },
    };
    return {
      segment() {
        m.segments.push([]);
        return recorder;
      },
      submit() {
        if (taken[slot] !== m) return Promise.reject(new Error("StepPack: member has left"));
        return new Promise<void>((resolve, reject) => {
          m.pending.push({ resolve, reject });
          m.steps.push(m.segments);
          m.segments = [];
          if (!waiting.includes(m)) waiting.push(m);
          // members joining in the same turn of the event loop are counted
          queueMicrotask(maybeFlush);
        });
      },
      alloc(shape) {
        const size = shape.reduce((a, b) => a * b, 1);
        const bytes = roundUp(size * 4);
        const at = place(bytes, true);
        const t = paged(at, bytes, shape) ?? alone(tensor(gpu, shape));
        placed.set(t, at);
        return t;
      },
      release(x) {
        const at = placed.get(x);
        if (at === undefined) return;
        const bytes = roundUp(x.size * 4);
        const list = m.free.get(bytes);
        if (list) list.push(at);
        else m.free.set(bytes, [at]);
      },
      ints(data) {
        // never a released place: the data is written through the queue, before the
        // command buffer runs
        const size = Math.max(1, data.length);
        const at = place(roundUp(size * 4), false);
        const t = paged(at, roundUp(size * 4), [size]);
        if (!t) return alone(tensorI32(gpu, [size], data.length ? data : [0]));
        if (data.length) upload(gpu, t, data);
        return t;
      },
      persistent(shape, data) {
        const index = m.persistentCount++;
        const size = shape.reduce((a, b) => a * b, 1);
        const bytes = roundUp(size * 4);
        let block = blocks[index];
        if (!block && bytes * slots <= gpu.limits.maxBufferSize) {
          block = blocks[index] = { buffer: tensor(gpu, [(bytes * slots) / 4]), bytes };
        }
        if (!block || block.bytes < bytes) {
          return data ? tensor(gpu, shape, data) : zeros(gpu, shape);
        }
        const t = view(block.buffer, shape, (slot * block.bytes) / 4);
        if (data) upload(gpu, t, data);
        else {
          const encoder = gpu.device.createCommandEncoder();
          encoder.clearBuffer(t.buffer, t.offset, bytes);
          gpu.device.queue.submit([encoder.finish()]);
        }
        persistentMine.add(t);
        return t;
      },
      free(x) {
        if (!persistentMine.has(x)) release(x);
      },
      leave() {
        if (taken[slot] !== m) return;
        taken[slot] = undefined;
        // the others may all be waiting on this one
        maybeFlush();
      },
    };
  };

  return { gpu, join, stats };
}
