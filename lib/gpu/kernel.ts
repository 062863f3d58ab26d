/**
 * Recording GPU work: a {@link Step} records compute dispatches, copies and reads into ONE
 * command encoder and submits it as one command buffer, waiting on the GPU (~11 ms on
 * lavapipe) only when something was read.
 *
 * Kernels are WGSL source with every binding in `@group(0)`, bindings 0..n-1 in the order
 * the launcher passes them; a uniform block, if any, is the LAST binding. Pipelines are
 * cached per device by code and entry point; the bind group layout is read from the WGSL
 * declarations (so a kernel may leave a binding unused). Uniform values are packed into
 * pooled uniform buffers (a ring reused from step to step; no allocation after warm-up)
 * and written to the GPU just before the step is submitted.
 *
 * Tensors larger than `maxStorageBufferBindingSize` (128 MiB on lavapipe) are bound as byte
 * ranges, chunk by chunk; {@link chunkBindings} plans the chunks for elementwise kernels.
 *
 * @module
 */

import type { Gpu } from "./device.ts";
import { encodeRead, type PendingRead, type Tensor } from "./tensor.ts";

/**
 * What a kernel binds: a whole tensor, or a byte range of a buffer.
 */
export type Binding = Tensor | { buffer: GPUBuffer; offset?: number; size?: number };

/**
 * A compute kernel: WGSL code and its entry point (default "main").
 */
export type Kernel = { name: string; code: string; entryPoint?: string };

/**
 * One recorded unit of GPU work; see {@link step}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { tensor } from "./tensor.ts";
 * import { step } from "./kernel.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const a = tensor(gpu, [2], [1, 2]), b = tensor(gpu, [2]);
 * s.copy(a, b);
 * const out = s.read(b);
 * await s.submit();
 * assert.deepEqual(await out, Float32Array.of(1, 2));
 * assert.throws(() => s.copy(a, b), /step.copy: called after submit\(\)/);
 * ```
 */
export type Step = {
  /** The GPU this step records for (so launchers need only the step). */
  gpu: Gpu;
  /**
   * True when every storage binding is bound read-write (a pack's steps,
   * `lib/gpu/step_pack.ts`), so a kernel may read and write ranges of one buffer.
   */
  sharedBuffers?: boolean;
  /** Records a dispatch of `kernel` with `bindings` (uniforms become the last binding). */
  dispatch(
    kernel: Kernel,
    bindings: Binding[],
    workgroups: [number, number?, number?],
    uniforms?: ArrayBuffer | Uint32Array | Float32Array | Int32Array,
  ): void;
  /** Records a buffer copy of `src` into `dst` (same element count) in this command buffer. */
  copy(src: Tensor, dst: Tensor): void;
  /** Records a copy into a staging buffer; resolves with the data after `submit()`. */
  read(t: Tensor): Promise<Float32Array>;
  /** Submits the one command buffer; waits on the GPU only if `read()` was called. */
  submit(): Promise<void>;
};

/**
 * How a kernel binding is declared in WGSL: `var<storage, read_write>` ("storage"),
 * `var<storage, read>` ("read-only-storage") or `var<uniform>` ("uniform").
 */
export type BindingKind = "storage" | "read-only-storage" | "uniform";

type Compiled = {
  pipeline: GPUComputePipeline;
  layout: GPUBindGroupLayout;
  kinds: BindingKind[];
  /** Distinguishes pipelines in bind-group keys. */
  id: number;
};

type DeviceCache = {
  pipelines: Map<string, Compiled>;
  /** The same, by kernel object: a lookup that does not hash the (long) WGSL again. */
  byKernel: WeakMap<Kernel, Compiled>;
  uniformFree: GPUBuffer[];
  /**
   * Bind groups by pipeline and resources: a training step binds the same buffers at the same
   * offsets every time, and creating a bind group is ~18 us of a step's recording on lavapipe
   * (217 per tiny-BERT step). Cleared when it reaches {@link MAX_GROUPS}.
   */
  groups: Map<string, GPUBindGroup>;
  bufferIds: WeakMap<GPUBuffer, number>;
  nextId: number;
};

const MAX_GROUPS = 4096;

const caches = new WeakMap<GPUDevice, DeviceCache>();

/** Bytes per pooled uniform buffer; a step takes more buffers when it needs more. */
const UNIFORM_CHUNK = 64 * 1024;

function cacheOf(gpu: Gpu): DeviceCache {
  let c = caches.get(gpu.device);
  if (!c) {
    c = {
      pipelines: new Map(),
      byKernel: new WeakMap(),
      uniformFree: [],
      groups: new Map(),
      bufferIds: new WeakMap(),
      nextId: 1,
    };
    caches.set(gpu.device, c);
  }
  return c;
}

/**
 * The binding kinds of a WGSL module's `@group(0)` declarations, in binding order, read from
 * its `var<storage, read>`, `var<storage, read_write>` and `var<uniform>` declarations.
 * Throws when the bindings are not numbered 0..n-1 or use another group.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseBindings } from "./kernel.ts";
 * const kinds = parseBindings(`@group(0) @binding(1) var<uniform> u: U;
 * @group(0) @binding(0) var<storage, read> a: array<f32>;`);
 * assert.deepEqual(kinds, ["read-only-storage", "uniform"]);
 * assert.throws(() => parseBindings("@group(0) @binding(1) var<uniform> u: U;", "k"),
 *   /parseBindings: kernel "k" bindings must be numbered 0..0 \(missing 0\)/);
 * ```
 */
export function parseBindings(code: string, name = "kernel"): BindingKind[] {
  const noComments = code.replace(/\/\/[^\n]*/g, "").replace(/\/\*[\s\S]*?\*\//g, "");
  const re =
    /@group\s*\(\s*(\d+)\s*\)\s*@binding\s*\(\s*(\d+)\s*\)\s*var\s*<\s*(storage|uniform)\s*(?:,\s*(read_write|read)\s*)?>/g;
  const found = new Map<number, BindingKind>();
  for (const m of noComments.matchAll(re)) {
    const group = Number(m[1]), binding = Number(m[2]);
    if (group !== 0) {
      throw new Error(`parseBindings: kernel "${name}" uses @group(${group}); only 0 is bound`);
    }
    if (found.has(binding)) {
      throw new Error(`parseBindings: kernel "${name}" declares @binding(${binding}) twice`);
    }
    const kind: BindingKind = m[3] === "uniform"
      ? "uniform"
      : m[4] === "read_write"
      ? "storage"
      : "read-only-storage";
    found.set(binding, kind);
  }
  const kinds: BindingKind[] = [];
  for (let i = 0; i < found.size; i++) {
    const k = found.get(i);
    if (!k) {
      throw new Error(
        `parseBindings: kernel "${name}" bindings must be numbered 0..${
          found.size - 1
        } (missing ${i})`,
      );
    }
    kinds.push(k);
  }
  return kinds;
}

function compile(gpu: Gpu, kernel: Kernel): Compiled {
  const cache = cacheOf(gpu);
  const known = cache.byKernel.get(kernel);
  if (known) return known;
  const entryPoint = kernel.entryPoint ?? "main";
  const key = `${entryPoint}\u0000${kernel.code}`;
  const hit = cache.pipelines.get(key);
  if (hit) {
    cache.byKernel.set(kernel, hit);
    return hit;
  }
  const kinds = parseBindings(kernel.code, kernel.name);
  const device = gpu.device;
  const module = device.createShaderModule({ label: kernel.name, code: kernel.code });
  const layout = device.createBindGroupLayout({
    label: kernel.name,
    entries: kinds.map((type, binding) => ({
      binding,
      visibility: GPUShaderStage.COMPUTE,
      buffer: { type },
    })),
  });
  const pipeline = device.createComputePipeline({
    label: kernel.name,
    layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }),
    compute: { module, entryPoint },
  });
  const compiled = { pipeline, layout, kinds, id: cache.nextId++ };
  cache.pipelines.set(key, compiled);
  cache.byKernel.set(kernel, compiled);
  return compiled;
}

function bufferId(cache: DeviceCache, buffer: GPUBuffer): number {
  let id = cache.bufferIds.get(buffer);
  if (id === undefined) cache.bufferIds.set(buffer, id = cache.nextId++);
  return id;
}

/** The bind group of `compiled` over `resources`, created once per distinct binding. */
function bindGroup(
  device: GPUDevice,
  cache: DeviceCache,
  compiled: Compiled,
  resources: GPUBufferBinding[],
): GPUBindGroup {
  let key = `${compiled.id}`;
  for (const r of resources) {
    key += `|${bufferId(cache, r.buffer)}:${r.offset ?? 0}:${r.size ?? -1}`;
  }
  let group = cache.groups.get(key);
  if (!group) {
    if (cache.groups.size >= MAX_GROUPS) cache.groups.clear();
    group = device.createBindGroup({
      layout: compiled.layout,
      entries: resources.map((resource, binding) => ({ binding, resource })),
    });
    cache.groups.set(key, group);
  }
  return group;
}

function toResource(b: Binding): GPUBufferBinding {
  if ("shape" in b) return { buffer: b.buffer, offset: b.offset, size: Math.max(4, b.size * 4) };
  const r: GPUBufferBinding = { buffer: b.buffer };
  if (b.offset !== undefined) r.offset = b.offset;
  if (b.size !== undefined) r.size = b.size;
  return r;
}

/** The bytes of a uniform block as given to {@link Step.dispatch}. */
export function uniformBytes(u: ArrayBuffer | Uint32Array | Float32Array | Int32Array): Uint8Array {
  return u instanceof ArrayBuffer
    ? new Uint8Array(u)
    : new Uint8Array(u.buffer, u.byteOffset, u.byteLength);
}

/**
 * Starts recording one command buffer of GPU work on `gpu`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { tensor } from "./tensor.ts";
 * import { step } from "./kernel.ts";
 * const gpu = await getGpu();
 * const x = tensor(gpu, [3], [1, 2, 3]);
 * const addK = {
 *   name: "add-constant",
 *   code: `@group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * struct U { c: f32, n: u32 }
 * @group(0) @binding(1) var<uniform> u: U;
 * @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
 *   if (id.x < u.n) { x[id.x] = x[id.x] + u.c; }
 * }`,
 * };
 * const s = step(gpu);
 * const uniforms = new ArrayBuffer(8);
 * new Float32Array(uniforms, 0, 1)[0] = 10;
 * new Uint32Array(uniforms, 4, 1)[0] = 3;
 * s.dispatch(addK, [x], [1], uniforms);
 * const out = s.read(x);
 * await s.submit();
 * assert.deepEqual(await out, Float32Array.of(11, 12, 13));
 * ```
 */
export function step(gpu: Gpu): Step {
  const device = gpu.device;
  const cache = cacheOf(gpu);
  const encoder = device.createCommandEncoder();
  const align = Math.max(16, gpu.limits.minUniformBufferOffsetAlignment);
  let pass: GPUComputePassEncoder | undefined;
  // Uniform staging: host bytes per pooled GPU buffer, written just before submit.
  const uniformBuffers: { buffer: GPUBuffer; host: Uint8Array; used: number }[] = [];
  const reads: {
    pending: PendingRead;
    resolve: (x: Float32Array) => void;
    reject: (e: unknown) => void;
  }[] = [];
  let submitted = false;

  const ensureOpen = (what: string) => {
    if (submitted) throw new Error(`step.${what}: called after submit()`);
  };
  const endPass = () => {
    if (pass) {
      pass.end();
      pass = undefined;
    }
  };
  const putUniforms = (bytes: Uint8Array): GPUBufferBinding => {
    const size = Math.max(16, Math.ceil(bytes.byteLength / 16) * 16);
    if (size > UNIFORM_CHUNK) {
      throw new Error(`step.dispatch: uniform block of ${bytes.byteLength} bytes is too big`);
    }
    let cur = uniformBuffers[uniformBuffers.length - 1];
    if (!cur || cur.used + size > UNIFORM_CHUNK) {
      const buffer = cache.uniformFree.pop() ??
        device.createBuffer({
          size: UNIFORM_CHUNK,
          usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
        });
      cur = { buffer, host: new Uint8Array(UNIFORM_CHUNK), used: 0 };
      uniformBuffers.push(cur);
    }
    const offset = cur.used;
    cur.host.set(bytes, offset);
    cur.used = Math.ceil((offset + size) / align) * align;
    return { buffer: cur.buffer, offset, size };
  };

  return {
    gpu,
    dispatch(kernel, bindings, workgroups, uniforms) {
      ensureOpen("dispatch");
      const compiled = compile(gpu, kernel);
      const resources = bindings.map(toResource);
      if (uniforms !== undefined) resources.push(putUniforms(uniformBytes(uniforms)));
      if (resources.length !== compiled.kinds.length) {
        throw new Error(
          `step.dispatch: kernel "${kernel.name}" declares ${compiled.kinds.length} bindings, ` +
            `got ${resources.length} (${bindings.length} buffers${uniforms ? " + uniforms" : ""})`,
        );
      }
      const [x, y = 1, z = 1] = workgroups;
      const max = gpu.limits.maxComputeWorkgroupsPerDimension;
      for (const w of [x, y, z]) {
        if (!Number.isInteger(w) || w < 0 || w > max) {
          throw new Error(
            `step.dispatch: kernel "${kernel.name}" dispatched with workgroups [${x}, ${y}, ${z}]` +
              ` (each must be an integer in 0..${max})`,
          );
        }
      }
      if (x === 0 || y === 0 || z === 0) return;
      const group = bindGroup(device, cache, compiled, resources);
      if (!pass) pass = encoder.beginComputePass();
      pass.setPipeline(compiled.pipeline);
      pass.setBindGroup(0, group);
      pass.dispatchWorkgroups(x, y, z);
    },
    copy(src, dst) {
      ensureOpen("copy");
      if (src.size !== dst.size) {
        throw new Error(
          `step.copy: from [${src.shape.join(", ")}] to [${dst.shape.join(", ")}]: sizes differ`,
        );
      }
      endPass();
      if (src.size > 0) {
        encoder.copyBufferToBuffer(src.buffer, src.offset, dst.buffer, dst.offset, src.size * 4);
      }
    },
    read(t) {
      ensureOpen("read");
      endPass();
      const pending = encodeRead(gpu, encoder, t);
      return new Promise<Float32Array>((resolve, reject) => {
        reads.push({ pending, resolve, reject });
      });
    },
    async submit() {
      ensureOpen("submit");
      submitted = true;
      endPass();
      for (const u of uniformBuffers) {
        device.queue.writeBuffer(u.buffer, 0, u.host.buffer as ArrayBuffer, 0, u.used);
      }
      device.queue.submit([encoder.finish()]);
      // Queue order makes the buffers safe to rewrite by any later writeBuffer.
      for (const u of uniformBuffers) cache.uniformFree.push(u.buffer);
      if (reads.length === 0) return;
      const results = await Promise.allSettled(reads.map((r) => r.pending.finish()));
      results.forEach((res, i) => {
        if (res.status === "fulfilled") reads[i].resolve(new Float32Array(res.value));
        else reads[i].reject(res.reason);
      });
      const failed = results.find((r) => r.status === "rejected");
      if (failed && failed.status === "rejected") throw failed.reason;
    },
  };
}

/**
 * One chunk of an elementwise operation over tensors too large to bind whole: the element
 * range `[elementOffset, elementOffset + count)` and each tensor's binding for it.
 */
export type Chunk = { elementOffset: number; count: number; bindings: Binding[] };

/**
 * Splits same-size tensors into chunks that fit `maxBytes` (default: the device's
 * `maxStorageBufferBindingSize`) and start at offsets the device allows, so an elementwise
 * kernel can run chunk by chunk (it reads the chunk's element count from its uniforms and
 * indexes its bindings from 0). Every tensor offset must be a multiple of the storage offset
 * alignment; a tensor that fits is one chunk binding the whole tensor.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { tensor } from "./tensor.ts";
 * import { chunkBindings } from "./kernel.ts";
 * const gpu = await getGpu();
 * const p = tensor(gpu, [1000]), g = tensor(gpu, [1000]);
 * const chunks = chunkBindings(gpu, [p, g], 1024); // 1024 bytes: 256 elements a chunk
 * assert.deepEqual(chunks.map((c) => c.count), [256, 256, 256, 232]);
 * assert.deepEqual(chunks[1].bindings[0], { buffer: p.buffer, offset: 1024, size: 1024 });
 * ```
 */
export function chunkBindings(gpu: Gpu, tensors: Tensor[], maxBytes?: number): Chunk[] {
  if (tensors.length === 0) return [];
  const size = tensors[0].size;
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  for (const t of tensors) {
    if (t.size !== size) {
      throw new Error(
        `chunkBindings: tensors differ in size (${size} vs ${t.size} elements)`,
      );
    }
    if (t.offset % align !== 0) {
      throw new Error(
        `chunkBindings: tensor offset ${t.offset} is not a multiple of ${align}`,
      );
    }
  }
  const limit = Math.min(maxBytes ?? Infinity, gpu.limits.maxStorageBufferBindingSize);
  const chunkElems = Math.floor(limit / align) * align / 4;
  if (chunkElems <= 0) {
    throw new Error(
      `chunkBindings: maxBytes ${maxBytes} below alignment ${align}`,
    );
  }
  const chunks: Chunk[] = [];
  for (let start = 0; start < size || (size === 0 && chunks.length === 0); start += chunkElems) {
    const count = Math.min(chunkElems, size - start);
    chunks.push({
      elementOffset: start,
      count,
      bindings: tensors.map((t) => ({
        buffer: t.buffer,
        offset: t.offset + start * 4,
        size: Math.max(4, count * 4),
      })),
    });
    if (size === 0) break;
  }
  return chunks;
}
