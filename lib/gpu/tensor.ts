/**
 * GPU tensors: a storage buffer (or a byte range of one) with a shape, allocated from a pool
 * that reuses buffers by size class, and the transfers to and from the host.
 *
 * Buffers come from a per-device pool and go back to it with {@link release}; a later tensor
 * whose byte size falls in the same size class (powers of two split into eight steps, so at
 * most 12.5% is wasted) reuses the buffer instead of allocating. Staging buffers for reads
 * are pooled the same way.
 *
 * Ordering: {@link upload} (and `tensor(gpu, shape, data)`, {@link zeros}) go through the
 * device queue at once, so they land before any command buffer submitted later, including a
 * step that was recorded earlier but is submitted afterwards.
 *
 * @module
 */

import type { Gpu } from "./device.ts";

/**
 * A GPU tensor: `size` elements of 4 bytes (f32, u32 or i32) starting `offset` bytes into
 * `buffer`, with a row-major `shape`.
 */
export type Tensor = { buffer: GPUBuffer; shape: number[]; size: number; offset: number };

/**
 * Counts of a device's tensor pool, for tests and memory accounting.
 */
export type PoolStats = {
  /** Storage buffers created and not destroyed (in use or free). */
  allocated: number;
  /** Storage buffers waiting in the pool for reuse. */
  free: number;
  /** Bytes of all storage buffers created and not destroyed. */
  bytes: number;
  /** Staging (map-read) buffers created. */
  staging: number;
};

type Pool = {
  free: Map<number, GPUBuffer[]>;
  stagingFree: Map<number, GPUBuffer[]>;
  allocated: number;
  bytes: number;
  staging: number;
};

type Owned = { pool: Pool; bytes: number; released: boolean };

const pools = new WeakMap<GPUDevice, Pool>();
const owners = new WeakMap<GPUBuffer, Owned>();

const STORAGE_USAGE = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const STAGING_USAGE = GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST;

function poolOf(gpu: Gpu): Pool {
  let pool = pools.get(gpu.device);
  if (!pool) {
    pool = { free: new Map(), stagingFree: new Map(), allocated: 0, bytes: 0, staging: 0 };
    pools.set(gpu.device, pool);
  }
  return pool;
}

/**
 * The size class a buffer of `bytes` bytes is allocated in: at least 256 bytes, then the
 * byte count rounded up to one of eight steps between consecutive powers of two.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sizeClass } from "./tensor.ts";
 * assert.equal(sizeClass(1), 256);
 * assert.equal(sizeClass(1000), 1024); // steps of 512 / 8 = 64 bytes above 512
 * assert.equal(sizeClass(1024), 1024);
 * assert.equal(sizeClass(1025), 1152); // steps of 128 above 1024
 * ```
 */
export function sizeClass(bytes: number): number {
  if (!Number.isFinite(bytes) || bytes < 0) {
    throw new Error(`sizeClass: invalid byte count ${bytes}`);
  }
  if (bytes <= 256) return 256;
  const top = 2 ** Math.floor(Math.log2(bytes - 1));
  const step = top / 8;
  return Math.ceil(bytes / step) * step;
}

function checkShape(where: string, shape: number[]): number {
  if (!Array.isArray(shape)) throw new Error(`${where}: shape must be an array`);
  let size = 1;
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new Error(
        `${where}: shape [${shape.join(", ")}] has an invalid dimension ${d}`,
      );
    }
    size *= d;
  }
  return size;
}

function acquire(gpu: Gpu, where: string, bytes: number): GPUBuffer {
  const pool = poolOf(gpu);
  const cls = sizeClass(bytes);
  const list = pool.free.get(cls);
  const reused = list?.pop();
  if (reused) {
    const owned = owners.get(reused);
    if (owned) owned.released = false;
    return reused;
  }
  if (cls > gpu.limits.maxBufferSize) {
    throw new Error(
      `${where}: a tensor of ${bytes} bytes exceeds the device's maxBufferSize ` +
        `${gpu.limits.maxBufferSize}`,
    );
  }
  const buffer = gpu.device.createBuffer({ size: cls, usage: STORAGE_USAGE });
  owners.set(buffer, { pool, bytes: cls, released: false });
  pool.allocated++;
  pool.bytes += cls;
  return buffer;
}

type Data = Float32Array | Int32Array | Uint32Array;

function make(gpu: Gpu, where: string, shape: number[], data: Data | undefined): Tensor {
  const size = checkShape(where, shape);
  if (data && data.length !== size) {
    throw new Error(
      `${where}: data has ${data.length} elements, shape [${shape.join(", ")}] needs ${size}`,
    );
  }
  const buffer = acquire(gpu, where, size * 4);
  const t: Tensor = { buffer, shape: [...shape], size, offset: 0 };
  if (data && size > 0) {
    gpu.device.queue.writeBuffer(buffer, 0, data.buffer as ArrayBuffer, data.byteOffset, size * 4);
  }
  return t;
}

/**
 * A new f32 tensor from the pool, filled with `data` when given (its length must equal the
 * product of `shape`); without data its contents are unspecified (a reused buffer keeps
 * what it held).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { download, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * const t = tensor(gpu, [3], [1, 2, 3]);
 * assert.deepEqual(await download(gpu, t), Float32Array.of(1, 2, 3));
 * ```
 */
export function tensor(gpu: Gpu, shape: number[], data?: Float32Array | number[]): Tensor {
  const arr = data === undefined
    ? undefined
    : data instanceof Float32Array
    ? data
    : Float32Array.from(data);
  return make(gpu, "tensor", shape, arr);
}

/**
 * A new u32 tensor (e.g. token ids), filled with `data` when given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { downloadU32, tensorU32 } from "./tensor.ts";
 * const gpu = await getGpu();
 * const ids = tensorU32(gpu, [2], [101, 102]);
 * assert.deepEqual(await downloadU32(gpu, ids), Uint32Array.of(101, 102));
 * ```
 */
export function tensorU32(gpu: Gpu, shape: number[], data?: Uint32Array | number[]): Tensor {
  if (data && !(data instanceof Uint32Array)) {
    for (const v of data) {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new Error(`tensorU32: ${v} is not a u32`);
      }
    }
  }
  const arr = data === undefined
    ? undefined
    : data instanceof Uint32Array
    ? data
    : Uint32Array.from(data);
  return make(gpu, "tensorU32", shape, arr);
}

/**
 * A new i32 tensor (e.g. labels with ignore index -100), filled with `data` when given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { downloadI32, tensorI32 } from "./tensor.ts";
 * const gpu = await getGpu();
 * const labels = tensorI32(gpu, [3], [0, -100, 2]);
 * assert.deepEqual(await downloadI32(gpu, labels), Int32Array.of(0, -100, 2));
 * ```
 */
export function tensorI32(gpu: Gpu, shape: number[], data?: Int32Array | number[]): Tensor {
  if (data && !(data instanceof Int32Array)) {
    for (const v of data) {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw new Error(`tensorI32: ${v} is not an i32`);
      }
    }
  }
  const arr = data === undefined
    ? undefined
    : data instanceof Int32Array
    ? data
    : Int32Array.from(data);
  return make(gpu, "tensorI32", shape, arr);
}

/**
 * A new tensor from the pool, filled with zeros (by a buffer clear on the queue).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { download, zeros } from "./tensor.ts";
 * const gpu = await getGpu();
 * assert.deepEqual(await download(gpu, zeros(gpu, [2, 2])), new Float32Array(4));
 * ```
 */
export function zeros(gpu: Gpu, shape: number[]): Tensor {
  const t = make(gpu, "zeros", shape, undefined);
  if (t.size > 0) {
    const encoder = gpu.device.createCommandEncoder();
    encoder.clearBuffer(t.buffer, 0, sizeClass(t.size * 4));
    gpu.device.queue.submit([encoder.finish()]);
  }
  return t;
}

/**
 * Writes `data` (f32, u32 or i32; exactly `t.size` elements) into the tensor through the
 * device queue.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { download, tensor, upload } from "./tensor.ts";
 * const gpu = await getGpu();
 * const t = tensor(gpu, [2]);
 * upload(gpu, t, new Float32Array([7, 8]));
 * assert.deepEqual(await download(gpu, t), Float32Array.of(7, 8));
 * ```
 */
export function upload(gpu: Gpu, t: Tensor, data: Float32Array | Uint32Array | Int32Array): void {
  if (data.length !== t.size) {
    throw new Error(
      `upload: data has ${data.length} elements, tensor [${t.shape.join(", ")}] has ${t.size}`,
    );
  }
  if (t.size > 0) {
    gpu.device.queue.writeBuffer(
      t.buffer,
      t.offset,
      data.buffer as ArrayBuffer,
      data.byteOffset,
      t.size * 4,
    );
  }
}

/**
 * A read of a tensor recorded into a command encoder: after the encoder's command buffer
 * is submitted, `finish()` maps the staging buffer and returns a copy of the bytes (and
 * gives the staging buffer back to the pool). Used by {@link downloadMany} and by
 * `Step.read` in kernel.ts.
 */
export type PendingRead = { finish(): Promise<ArrayBuffer> };

/**
 * Records a copy of `t` into a pooled staging buffer on `encoder`; see {@link PendingRead}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { encodeRead, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * const t = tensor(gpu, [1], [5]);
 * const encoder = gpu.device.createCommandEncoder();
 * const pending = encodeRead(gpu, encoder, t);
 * gpu.device.queue.submit([encoder.finish()]);
 * assert.deepEqual(new Float32Array(await pending.finish()), Float32Array.of(5));
 * ```
 */
export function encodeRead(gpu: Gpu, encoder: GPUCommandEncoder, t: Tensor): PendingRead {
  const bytes = t.size * 4;
  if (bytes === 0) return { finish: () => Promise.resolve(new ArrayBuffer(0)) };
  const pool = poolOf(gpu);
  const cls = sizeClass(bytes);
  let staging = pool.stagingFree.get(cls)?.pop();
  if (!staging) {
    staging = gpu.device.createBuffer({ size: cls, usage: STAGING_USAGE });
    pool.staging++;
  }
  const buf = staging;
  encoder.copyBufferToBuffer(t.buffer, t.offset, buf, 0, bytes);
  return {
    async finish(): Promise<ArrayBuffer> {
      await buf.mapAsync(GPUMapMode.READ, 0, bytes);
      const out = buf.getMappedRange(0, bytes).slice(0);
      buf.unmap();
      let list = pool.stagingFree.get(cls);
      if (!list) pool.stagingFree.set(cls, list = []);
      list.push(buf);
      return out;
    },
  };
}

async function readMany(gpu: Gpu, ts: Tensor[]): Promise<ArrayBuffer[]> {
  const encoder = gpu.device.createCommandEncoder();
  const pending = ts.map((t) => encodeRead(gpu, encoder, t));
  gpu.device.queue.submit([encoder.finish()]);
  return await Promise.all(pending.map((p) => p.finish()));
}

/**
 * Copies a tensor back to the host as f32 (one GPU wait, ~11 ms on lavapipe).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { download, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * assert.deepEqual(await download(gpu, tensor(gpu, [2], [0.5, 1.5])), Float32Array.of(0.5, 1.5));
 * ```
 */
export async function download(gpu: Gpu, t: Tensor): Promise<Float32Array> {
  return new Float32Array((await readMany(gpu, [t]))[0]);
}

/**
 * Copies a u32 tensor back to the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { downloadU32, tensorU32 } from "./tensor.ts";
 * const gpu = await getGpu();
 * assert.deepEqual(await downloadU32(gpu, tensorU32(gpu, [1], [7])), Uint32Array.of(7));
 * ```
 */
export async function downloadU32(gpu: Gpu, t: Tensor): Promise<Uint32Array> {
  return new Uint32Array((await readMany(gpu, [t]))[0]);
}

/**
 * Copies an i32 tensor back to the host.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { downloadI32, tensorI32 } from "./tensor.ts";
 * const gpu = await getGpu();
 * assert.deepEqual(await downloadI32(gpu, tensorI32(gpu, [1], [-100])), Int32Array.of(-100));
 * ```
 */
export async function downloadI32(gpu: Gpu, t: Tensor): Promise<Int32Array> {
  return new Int32Array((await readMany(gpu, [t]))[0]);
}

/**
 * Copies several tensors back to the host as f32 with one command buffer and one GPU wait.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { downloadMany, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * const [a, b] = await downloadMany(gpu, [tensor(gpu, [1], [1]), tensor(gpu, [1], [2])]);
 * assert.deepEqual([a, b], [Float32Array.of(1), Float32Array.of(2)]);
 * ```
 */
export async function downloadMany(gpu: Gpu, ts: Tensor[]): Promise<Float32Array[]> {
  return (await readMany(gpu, ts)).map((b) => new Float32Array(b));
}

/**
 * Gives a tensor's buffer back to the pool, where a later tensor of the same size class
 * reuses it. Release only after the last step using the tensor has been submitted (work
 * recorded later may overwrite it). Releasing twice, or releasing a view, throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { release, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * const a = tensor(gpu, [100]); // 400 bytes: size class 416
 * release(a);
 * const b = tensor(gpu, [98]); // 392 bytes, the same size class: reuses a's buffer
 * assert.equal(b.buffer, a.buffer);
 * release(b);
 * assert.throws(() => release(b), /release: tensor \[98\] released twice/);
 * ```
 */
export function release(t: Tensor): void {
  const owned = owners.get(t.buffer);
  if (!owned) {
    throw new Error("release: the tensor's buffer does not come from the pool");
  }
  if (t.offset !== 0) {
    throw new Error(
      `release: tensor [${t.shape.join(", ")}] is a view (offset ${t.offset})`,
    );
  }
  if (owned.released) {
    throw new Error(`release: tensor [${t.shape.join(", ")}] released twice`);
  }
  owned.released = true;
  let list = owned.pool.free.get(owned.bytes);
  if (!list) owned.pool.free.set(owned.bytes, list = []);
  list.push(t.buffer);
}

/**
 * A view of `shape` into the same buffer, starting `elementOffset` elements after the
 * tensor's own start (reshape when `elementOffset` is 0 and the sizes agree). Views share
 * memory with the tensor and are not released themselves.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { download, tensor, view } from "./tensor.ts";
 * const gpu = await getGpu();
 * const t = tensor(gpu, [2, 3], [1, 2, 3, 4, 5, 6]);
 * assert.deepEqual(await download(gpu, view(t, [3], 3)), Float32Array.of(4, 5, 6));
 * ```
 */
export function view(t: Tensor, shape: number[], elementOffset = 0): Tensor {
  const size = checkShape("view", shape);
  if (!Number.isInteger(elementOffset) || elementOffset < 0 || elementOffset + size > t.size) {
    throw new Error(
      `view: [${shape.join(", ")}] at element ${elementOffset} does not fit ` +
        `in a tensor of ${t.size} elements`,
    );
  }
  return { buffer: t.buffer, shape: [...shape], size, offset: t.offset + elementOffset * 4 };
}

/**
 * Counts of the device's tensor pool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { poolStats, release, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * const before = poolStats(gpu);
 * release(tensor(gpu, [1 << 20])); // 4 MiB, a size class nothing else here uses
 * assert.equal(poolStats(gpu).free, before.free + 1);
 * assert.equal(poolStats(gpu).bytes, before.bytes + 4 * 2 ** 20);
 * ```
 */
export function poolStats(gpu: Gpu): PoolStats {
  const pool = poolOf(gpu);
  let free = 0;
  for (const list of pool.free.values()) free += list.length;
  return { allocated: pool.allocated, free, bytes: pool.bytes, staging: pool.staging };
}

/**
 * Destroys the buffers waiting in the pool (not those in use), returning their memory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "./device.ts";
 * import { clearPool, poolStats, release, tensor } from "./tensor.ts";
 * const gpu = await getGpu();
 * release(tensor(gpu, [64]));
 * clearPool(gpu);
 * assert.equal(poolStats(gpu).free, 0);
 * ```
 */
export function clearPool(gpu: Gpu): void {
  const pool = poolOf(gpu);
  for (const [cls, list] of pool.free) {
    for (const b of list) {
      owners.delete(b);
      b.destroy();
      pool.allocated--;
      pool.bytes -= cls;
    }
  }
  pool.free.clear();
  for (const list of pool.stagingFree.values()) {
    for (const b of list) {
      b.destroy();
      pool.staging--;
    }
  }
  pool.stagingFree.clear();
}
