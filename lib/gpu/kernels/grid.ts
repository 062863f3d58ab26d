/**
 * Small shared pieces of the kernel launchers: the dispatch grid for a flat element count
 * (spread over two dimensions when it exceeds the 65535-workgroup limit of one), the WGSL
 * function that turns it back into a flat index and the entry point that starts with it,
 * and packing of uniform blocks.
 *
 * @module
 */

/**
 * Invocations per workgroup of the flat (one invocation per element or row) kernels.
 *
 * @example
 * ```ts
 * const workgroups = Math.ceil(1000 / WORKGROUP);
 * ```
 */
export const WORKGROUP = 64;

/**
 * Workgroups `[x, y]` covering `count` invocations of {@link WORKGROUP} each; pair with
 * {@link FLAT_INDEX} in the kernel (which must check `i < count`).
 *
 * @example
 * ```ts
 * flatGrid(100); // [2, 1]
 * flatGrid(64 * 70000); // [65535, 2]
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
 * const code = `${FLAT_INDEX}
 * @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) gid: vec3<u32>,
 *   @builtin(num_workgroups) nwg: vec3<u32>) { let i = flatIndex(gid, nwg); }`;
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
 * const code = `struct U { count: u32 }
 * @group(0) @binding(0) var<storage, read_write> x: array<f32>;
 * @group(0) @binding(1) var<uniform> u: U;
 * ${flatMain("i")}
 *   if (i >= u.count) { return; }
 *   x[i] = 0.0;
 * }`;
 * ```
 */
export function flatMain(index: string): string {
  return `${FLAT_INDEX}
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let ${index} = flatIndex(gid, nwg);`;
}

/**
 * Packs a uniform block of 4-byte fields: `layout` has one letter per value, `u` (u32),
 * `i` (i32) or `f` (f32), in the order of the WGSL struct's members.
 *
 * @example
 * ```ts
 * const u = packUniforms("uf", [10, 0.5]); // struct U { n: u32, alpha: f32 }
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
