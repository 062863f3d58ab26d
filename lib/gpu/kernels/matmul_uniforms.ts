/**
 * The uniform block shared by the direct and workgroup-tiled matmul kernels
 * (lib/gpu/kernels/matmul.ts, matmul_shared.ts): the shape, batch and head strides, element
 * offsets, row strides and alpha, packed by {@link packMatmulUniforms}.
 *
 * @module
 */

/**
 * WGSL: the declaration of `struct U`, the uniform block (the kernel binds `u` itself).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MATMUL_UNIFORMS } from "./matmul_uniforms.ts";
 * const code = `${MATMUL_UNIFORMS}\n@group(0) @binding(3) var<uniform> u: U;`;
 * assert.equal(MATMUL_UNIFORMS.match(/: (u32|f32)/g)?.length, 20); // 20 fields, 80 bytes
 * assert.ok(code.startsWith("struct U { M: u32, N: u32, K: u32,"));
 * ```
 */
export const MATMUL_UNIFORMS = `struct U { M: u32, N: u32, K: u32, sA: u32, sB: u32, sC: u32,
  offA: u32, offB: u32, offC: u32, offBias: u32, alpha: f32, heads: u32, lda: u32, ldb: u32,
  ldc: u32, hA: u32, hB: u32, hC: u32, pad0: u32, pad1: u32 }`;

/**
 * WGSL statements defining `aOff`, `bOff`, `cOff`: where batch entry `z` (an expression) of
 * A, B and C starts, entry `z` being head `z % heads` of group `z / heads`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { entryOffsets } from "./matmul_uniforms.ts";
 * assert.equal(entryOffsets("gid.z").split("\n").length, 5);
 * ```
 */
export function entryOffsets(z: string): string {
  return [
    `  let group = ${z} / u.heads;`,
    `  let head = ${z} % u.heads;`,
    `  let aOff = u.offA + group * u.sA + head * u.hA;`,
    `  let bOff = u.offB + group * u.sB + head * u.hB;`,
    `  let cOff = u.offC + group * u.sC + head * u.hC;`,
  ].join("\n");
}

/** Where a product's operands lie, as the uniform block takes them (elements). */
export type MatmulUniforms = {
  m: number;
  n: number;
  k: number;
  /** Strides between groups of heads (between batch entries when `heads` is 1). */
  strides: [number, number, number];
  /** Element offsets of A, B, C and the bias within their bindings. */
  offsets: [number, number, number, number];
  alpha: number;
  heads: number;
  ld: [number, number, number];
  headStrides: [number, number, number];
};

/**
 * The 80-byte uniform block of {@link MATMUL_UNIFORMS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packMatmulUniforms } from "./matmul_uniforms.ts";
 * const u = packMatmulUniforms({ m: 2, n: 3, k: 4, strides: [8, 12, 6], offsets: [0, 0, 0, 0],
 *   alpha: 1, heads: 1, ld: [4, 3, 3], headStrides: [8, 12, 6] });
 * assert.equal(u.byteLength, 80);
 * ```
 */
export function packMatmulUniforms(p: MatmulUniforms): ArrayBuffer {
  const buf = new ArrayBuffer(80);
  new Uint32Array(buf, 0, 10).set([p.m, p.n, p.k, ...p.strides, ...p.offsets]);
  new Float32Array(buf, 40, 1)[0] = p.alpha;
  new Uint32Array(buf, 44, 7).set([p.heads, ...p.ld, ...p.headStrides]);
  return buf;
}
