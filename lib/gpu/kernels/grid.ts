/**
 * Small shared pieces of the kernel launchers: the dispatch grid for a flat element count
 * (spread over two dimensions when it exceeds the 65535-workgroup limit of one), the WGSL
 * function that turns it back into a flat index and the entry point that starts with it,
 * the choice between one and four elements per invocation, the chunked dispatch of
 * elementwise kernels, and packing of uniform blocks.
 *
 * @module
 */
import { type Binding, type Chunk, chunkBindings, type Kernel, type Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";

/**
 * Invocations per workgroup of the flat (one invocation per element or row) kernels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flatGrid, WORKGROUP } from "./grid.ts";
 * assert.deepEqual(flatGrid(1000), [Math.ceil(1000 / WORKGROUP), 1]);
 * ```
 */
export const WORKGROUP = 64;

/**
 * Workgroups `[x, y]` covering `count` invocations of {@link WORKGROUP} each; pair with
 * {@link FLAT_INDEX} in the kernel (which must check `i < count`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { flatGrid } from "./grid.ts";
 * assert.deepEqual(flatGrid(100), [2, 1]);
 * assert.deepEqual(flatGrid(64 * 70000), [65535, 2]); // 70,000 workgroups: two rows of x
 * ```
 */
export function flatGrid(count: number): [number, number] {
  const groups = Math.max(1, Math.ceil(count / WORKGROUP));
  const x = Math.min(groups, 65535);
  return [x, Math.ceil(groups / x)];
}

/**
 * WGSL: `flatIndex(gid, nwg)`, the flat invocation index of a {@link flatGrid} dispatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { FLAT_INDEX, flatGrid } from "./grid.ts";
 * const code = `${FLAT_INDEX}
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>,
 *   @builtin(num_workgroups) nwg: vec3<u32>) {
 *   let i = flatIndex(gid, nwg);
 *   if (i < arrayLength(&x)) { x[i] = f32(i); }
 * }`;
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [100]);
 * s.dispatch({ name: "iota", code }, [x], flatGrid(100));
 * const r = s.read(x);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.from({ length: 100 }, (_, i) => i));
 * ```
 */
export const FLAT_INDEX = `fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.x + gid.y * nwg.x * ${WORKGROUP}u;
}`;

/**
 * WGSL: the entry point of a flat kernel up to its first statement, with
 * {@link FLAT_INDEX}'s `flatIndex` defined before it: `main`, {@link WORKGROUP}
 * invocations per workgroup, with `let <index> = flatIndex(gid, nwg);`. The kernel's
 * body follows (starting with its bounds check) and closes the brace; dispatch it
 * with {@link flatGrid}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { flatGrid, flatMain, packUniforms } from "./grid.ts";
 * const code = `struct U { count: u32 }
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @group(0) @binding(1) var<uniform> u: U;
 * ${flatMain("i")}
 *   if (i >= u.count) { return; }
 *   x[i] = 0.0;
 * }`;
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [3], [1, 2, 3]);
 * s.dispatch({ name: "zero-first", code }, [x], flatGrid(2), packUniforms("u", [2]));
 * const r = s.read(x);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(0, 0, 3)); // the first count elements
 * ```
 */
export function flatMain(index: string): string {
  return `${FLAT_INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ${index} = flatIndex(gid, nwg);`;
}

/** Indices (elements or vec4s) each invocation of an elementwise kernel handles. */
export const PER_INVOCATION = 4;

/**
 * WGSL: the entry point of an elementwise kernel, dispatched by {@link dispatchElementwise}.
 * The kernel defines `fn one(i: u32)` (the work on index `i`) and a uniform block `u` whose
 * first member is `count`; invocation `g` runs `one` on `g`, `g + s`, `g + 2s`, `g + 3s`
 * (`s = ceil(count / 4)`, so neighbouring lanes touch neighbouring indices) below `count`.
 * On lavapipe the per-invocation cost is what such memory-bound kernels pay most: filling
 * 3.9M floats took 4.2 ms at one vec4 per invocation, 2.1-2.3 ms at four.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { ELEMENTWISE_MAIN, flatGrid, packUniforms } from "./grid.ts";
 * const code = `struct U { count: u32 }
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @group(0) @binding(1) var<uniform> u: U;
 * fn one(i: u32) { x[i] = 2.0 * x[i]; }
 * ${ELEMENTWISE_MAIN}`;
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [5], [1, 2, 3, 4, 5]);
 * s.dispatch({ name: "double", code }, [x], flatGrid(2), packUniforms("u", [5])); // 2 invocations of 4
 * const r = s.read(x);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(2, 4, 6, 8, 10));
 * ```
 */
export const ELEMENTWISE_MAIN = `${FLAT_INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = flatIndex(gid, nwg);
  let s = (u.count + ${PER_INVOCATION - 1}u) / ${PER_INVOCATION}u;
  if (g >= s) { return; }
  one(g);
${
  Array.from(
    { length: PER_INVOCATION - 1 },
    (_, q) => `  if (g + ${q + 1}u * s < u.count) { one(g + ${q + 1}u * s); }`,
  ).join("\n")
}
}`;

/**
 * Elements per invocation an elementwise kernel can take over `tensors`: 4 (one
 * `vec4<f32>`) when they all have the same non-zero size, a multiple of 4, at byte offsets
 * that are multiples of 16 (so every chunk of `chunkBindings`, which starts at an offset
 * aligned for storage bindings, holds whole vec4s); otherwise 1.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { vec4Width } from "./grid.ts";
 * assert.equal(vec4Width([{ size: 8, offset: 0 }, { size: 8, offset: 256 }]), 4); // tensors or views
 * assert.equal(vec4Width([{ size: 6, offset: 0 }]), 1);
 * assert.equal(vec4Width([{ size: 8, offset: 4 }]), 1); // a view one element in
 * ```
 */
export function vec4Width(tensors: { size: number; offset: number }[]): 1 | 4 {
  const size = tensors[0]?.size ?? 0;
  const whole = tensors.every((t) => t.size === size && t.offset % 16 === 0);
  return whole && size > 0 && size % 4 === 0 ? 4 : 1;
}

/**
 * Records an elementwise kernel over same-size `tensors` chunk by chunk ({@link chunkBindings},
 * for tensors larger than one binding), four elements per invocation where {@link vec4Width}
 * allows and {@link PER_INVOCATION} indices per invocation ({@link ELEMENTWISE_MAIN}):
 * `kernels` is `[scalar, vec4]`, `uniforms` packs the block of a chunk of `count`
 * invocations (its elements / width), `extra` adds bindings after the chunk's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step, type Kernel } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { dispatchElementwise, ELEMENTWISE_MAIN, packUniforms } from "./grid.ts";
 * const double = (t: string): Kernel => ({ name: `double-${t}`, code: `struct U { count: u32 }
 * @group(0) @binding(0) var<storage, read_write> x: array<${t}>;
 * @group(0) @binding(1) var<uniform> u: U;
 * fn one(i: u32) { x[i] = 2.0 * x[i]; }
 * ${ELEMENTWISE_MAIN}` });
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [8], [1, 2, 3, 4, 5, 6, 7, 8]);
 * dispatchElementwise(s, [x], [double("f32"), double("vec4<f32>")], (n) => packUniforms("u", [n]));
 * const r = s.read(x);
 * await s.submit(); // by the vec4 kernel: 8 elements are 2 vec4s
 * assert.deepEqual(await r, Float32Array.of(2, 4, 6, 8, 10, 12, 14, 16));
 * ```
 */
export function dispatchElementwise(
  s: Step,
  tensors: Tensor[],
  kernels: readonly [Kernel, Kernel],
  uniforms: (count: number, chunk: Chunk) => ArrayBuffer,
  o: { chunkBytes?: number; extra?: (chunk: Chunk) => Binding[] } = {},
): void {
  const width = vec4Width(tensors);
  for (const c of chunkBindings(s.gpu, tensors, o.chunkBytes)) {
    const count = c.count / width;
    s.dispatch(
      kernels[width === 4 ? 1 : 0],
      o.extra ? [...c.bindings, ...o.extra(c)] : c.bindings,
      flatGrid(Math.ceil(count / PER_INVOCATION)),
      uniforms(count, c),
    );
  }
}

/**
 * Packs a uniform block of 4-byte fields: `layout` has one letter per value, `u` (u32),
 * `i` (i32) or `f` (f32), in the order of the WGSL struct's members.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packUniforms } from "./grid.ts";
 * const u = packUniforms("uf", [10, 0.5]); // struct U { n: u32, alpha: f32 }
 * assert.equal(u.byteLength, 16); // padded to whole 16-byte rows
 * assert.deepEqual([new Uint32Array(u)[0], new Float32Array(u)[1]], [10, 0.5]);
 * assert.throws(() => packUniforms("u", [-1]), /packUniforms: field 0 \(-1\) is not a u32/);
 * ```
 */
export function packUniforms(layout: string, values: number[]): ArrayBuffer {
  if (layout.length !== values.length) {
    throw new Error(
      `packUniforms: layout "${layout}" has ${layout.length} fields, got ${values.length}`,
    );
  }
  const buf = new ArrayBuffer(Math.max(16, Math.ceil(layout.length / 4) * 16));
  const view = new DataView(buf);
  for (let k = 0; k < layout.length; k++) {
    const v = values[k];
    if (layout[k] === "f") view.setFloat32(4 * k, v, true);
    else if (layout[k] === "u") {
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
        throw new Error(`packUniforms: field ${k} (${v}) is not a u32`);
      }
      view.setUint32(4 * k, v, true);
    } else if (layout[k] === "i") view.setInt32(4 * k, v, true);
    else throw new Error(`packUniforms: unknown field type "${layout[k]}"`);
  }
  return buf;
}
