/**
 * The direct matmul kernel: reads op(A) and op(B) straight from their storage buffers, each
 * invocation computing a `tm x tn` block of C in vec4 accumulators, register-blocked without
 * workgroup memory or barriers, for software adapters (Mesa lavapipe). The path that records
 * it, and the choice of block, are in `matmul.ts` and `matmul_path.ts`; the CPU reference is
 * `lib/gpu/reference/matmul.ts`.
 *
 * Why no workgroup memory: on lavapipe a barrier joins a workgroup's lanes and loads from
 * workgroup memory cost as much as from storage buffers (docs/kernels.md).
 * Why vec4 loads: lavapipe loads lane by lane, so a vec4 load costs about what an f32 does.
 * Why each accumulator's four multiply-adds of a K step in a row: LLVM then loads and stores
 * the spilled accumulator once per step rather than once per multiply-add.
 * Why a transposed C is stored without bounds checks: with them the stores dominated.
 * Rows and columns past the edge are clamped on load and skipped on store, so any shape works.
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";
import { entryOffsets, MATMUL_UNIFORMS } from "./matmul_uniforms.ts";
import { COMP, memoKernel, storeC } from "./matmul_wgsl.ts";

/**
 * What a matmul kernel variant is specialised for.
 */
export type MatmulVariant = {
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
  /** Rows of C per invocation (>= 1). */
  tm: number;
  /** Columns of C per invocation (a multiple of 4). */
  tn: number;
  /** Workgroup size along columns. */
  wx: number;
  /**
   * Load vec4s along each operand's contiguous dimension (4x fewer loads). Needs K, the
   * contiguous dimension of each operand, its batch stride and its element offset to be
   * multiples of 4, and tm a multiple of 4 when A is transposed; see {@link canVec4}.
   */
  vec4?: boolean;
  /** Workgroup size along rows. */
  wy: number;
  /**
   * Store C as vec4s (4x fewer stores; lavapipe stores lane by lane). Needs N, C's element
   * offset and batch stride to be multiples of 4.
   */
  c4?: boolean;
  /**
   * Store C transposed: element (r, c) at `c * M + r`, without bounds checks (the blocks
   * must tile C exactly; no bias or c4).
   */
  transC?: boolean;
};

/**
 * Whether a product can use the vec4-load kernel: K, the contiguous dimension of A (K, or
 * M when transposed) and of B (N, or K when transposed), their row strides (`lda`, `ldb`,
 * defaults: those dimensions), the batch and head strides and the element offsets of A and B
 * are all multiples of 4.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canVec4 } from "./matmul_direct.ts";
 * assert.equal(canVec4({ m: 5, n: 8, k: 12, sA: 60, sB: 96, offA: 0, offB: 0 }), true);
 * assert.equal(canVec4({ m: 5, n: 8, k: 12, transA: true, sA: 60, sB: 96, offA: 0, offB: 0 }), false);
 * ```
 */
export function canVec4(p: {
  m: number;
  n: number;
  k: number;
  transA?: boolean;
  transB?: boolean;
  sA: number;
  sB: number;
  offA: number;
  offB: number;
  hA?: number;
  hB?: number;
  lda?: number;
  ldb?: number;
}): boolean {
  const four = (x: number) => x % 4 === 0;
  const lda = p.lda ?? (p.transA ? p.m : p.k), ldb = p.ldb ?? (p.transB ? p.k : p.n);
  return [p.k, p.sA, p.sB, p.offA, p.offB, p.hA ?? 0, p.hB ?? 0, lda, ldb].every(four) &&
    (!p.transA || four(p.m)) && (p.transB || four(p.n));
}

/** Accumulator declarations and the k loop of the vec4-load kernel. */
function vec4Loop(L: string[], v: MatmulVariant): void {
  const { tm, tn } = v;
  const tn4 = tn / 4, tm4 = tm / 4;
  L.push(`  let K4 = u.K / 4u;`);
  L.push(`  let aOff4 = aOff / 4u;`);
  L.push(`  let bOff4 = bOff / 4u;`);
  L.push(`  let lda4 = u.lda / 4u;`);
  L.push(`  let ldb4 = u.ldb / 4u;`);
  if (v.transA) {
    // A^T stored [K, M]: row k of it holds M/4 vec4s; this block's rows are vec4 columns.
    L.push(`  let M4 = u.M / 4u;`);
    for (let i = 0; i < tm4; i++) L.push(`  let ac${i} = aOff4 + min(row0 / 4u + ${i}u, M4 - 1u);`);
  } else {
    for (let i = 0; i < tm; i++) L.push(`  let ar${i} = aOff4 + min(row0 + ${i}u, mLast) * lda4;`);
  }
  if (v.transB) {
    for (let j = 0; j < tn; j++) L.push(`  let bc${j} = bOff4 + min(col0 + ${j}u, nLast) * ldb4;`);
  } else {
    L.push(`  let N4 = u.N / 4u;`);
    for (let j = 0; j < tn4; j++) L.push(`  let bc${j} = bOff4 + min(col0 / 4u + ${j}u, N4 - 1u);`);
  }
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn4; j++) L.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
  }
  L.push(`  for (var k4 = 0u; k4 < K4; k4 = k4 + 1u) {`);
  // a(i, kk): the A value of block row i at k = 4*k4 + kk.
  let a: (i: number, kk: number) => string;
  if (v.transA) {
    for (let kk = 0; kk < 4; kk++) {
      for (let i = 0; i < tm4; i++) {
        L.push(`    let a${kk}_${i} = A[ac${i} + (k4 * 4u + ${kk}u) * lda4];`);
      }
    }
    a = (i, kk) => `a${kk}_${Math.floor(i / 4)}.${COMP[i % 4]}`;
  } else {
    for (let i = 0; i < tm; i++) L.push(`    let a${i} = A[ar${i} + k4];`);
    a = (i, kk) => `a${i}.${COMP[kk]}`;
  }
  // b(kk, j4): the vec4 of B values at k = 4*k4 + kk for block columns 4*j4 .. 4*j4 + 3.
  let b: (kk: number, j4: number) => string;
  if (v.transB) {
    for (let j = 0; j < tn; j++) L.push(`    let b${j} = B[bc${j} + k4];`);
    b = (kk, j4) =>
      `vec4<f32>(${[0, 1, 2, 3].map((q) => `b${4 * j4 + q}.${COMP[kk]}`).join(", ")})`;
  } else {
    for (let kk = 0; kk < 4; kk++) {
      for (let j = 0; j < tn4; j++) {
        L.push(`    let b${kk}_${j} = B[bc${j} + (k4 * 4u + ${kk}u) * ldb4];`);
      }
    }
    b = (kk, j4) => `b${kk}_${j4}`;
  }
  // Each accumulator's four updates in a row: lavapipe keeps a block's accumulators on the
  // stack, so this loads and stores each once per iteration instead of four times.
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn4; j++) {
      for (let kk = 0; kk < 4; kk++) {
        L.push(`    c${i}_${j} = fma(vec4<f32>(${a(i, kk)}), ${b(kk, j)}, c${i}_${j});`);
      }
    }
  }
  L.push(`  }`);
}

/**
 * The WGSL of one matmul variant. Bindings: A, B, [bias,] C, the uniform block of
 * `matmul_uniforms.ts`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { matmulKernel } from "./matmul_direct.ts";
 * const k = matmulKernel({ transA: false, transB: false, bias: true, accumulate: false,
 *   tm: 4, tn: 4, wx: 8, wy: 1 });
 * assert.equal(k.name, "matmul_nn_bias_4x4_8x1");
 * ```
 */
export const matmulKernel: (v: MatmulVariant) => Kernel = memoKernel(function (v: MatmulVariant) {
  const { tm, tn, wx, wy } = v;
  if (!Number.isInteger(tm) || tm < 1 || !Number.isInteger(tn) || tn < 4 || tn % 4 !== 0) {
    throw new Error(`matmulKernel: block ${tm}x${tn} (tn must be a multiple of 4)`);
  }
  if (v.vec4 && v.transA && tm % 4 !== 0) {
    throw new Error(`matmulKernel: vec4 loads of A^T need tm % 4 == 0 (tm ${tm})`);
  }
  if (v.transC && (v.bias || v.c4)) {
    throw new Error("matmulKernel: a transposed C takes no bias or c4");
  }
  const tn4 = tn / 4;
  const name = `matmul_${v.transA ? "t" : "n"}${v.transB ? "t" : "n"}` +
    `${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}_${tm}x${tn}_${wx}x${wy}` +
    (v.vec4 ? "_v4" : "") + (v.c4 ? "_c4" : "") + (v.transC ? "_tc" : "");
  const L: string[] = [];
  let bind = 0;
  const elem = v.vec4 ? "vec4<f32>" : "f32";
  const cElem = v.c4 ? "vec4<f32>" : "f32";
  L.push(`@group(0) @binding(${bind++}) var<storage, read> A: array<${elem}>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read> B: array<${elem}>;`);
  if (v.bias) L.push(`@group(0) @binding(${bind++}) var<storage, read> bias: array<f32>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read_write> C: array<${cElem}>;`);
  L.push(MATMUL_UNIFORMS);
  L.push(`@group(0) @binding(${bind++}) var<uniform> u: U;`);
  L.push(`@compute @workgroup_size(${wx}, ${wy})`);
  L.push(`fn main(@builtin(global_invocation_id) gid: vec3<u32>) {`);
  L.push(`  let row0 = gid.y * ${tm}u;`);
  L.push(`  let col0 = gid.x * ${tn}u;`);
  L.push(`  if (row0 >= u.M || col0 >= u.N) { return; }`);
  L.push(entryOffsets("gid.z"));
  L.push(`  let mLast = u.M - 1u;`);
  L.push(`  let nLast = u.N - 1u;`);
  if (v.vec4) vec4Loop(L, v);
  else {
    // A is [M, K] (a[r*K + k]) or, transposed, [K, M] (a[k*M + r]).
    for (let i = 0; i < tm; i++) {
      L.push(`  let ar${i} = aOff + min(row0 + ${i}u, mLast)${v.transA ? "" : " * u.lda"};`);
    }
    // B is [K, N] (b[k*N + c]) or, transposed, [N, K] (b[c*K + k]).
    for (let j = 0; j < tn; j++) {
      L.push(`  let bc${j} = bOff + min(col0 + ${j}u, nLast)${v.transB ? " * u.ldb" : ""};`);
    }
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < tn4; j++) L.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
    }
    L.push(`  for (var k = 0u; k < u.K; k = k + 1u) {`);
    L.push(`    let ka = k${v.transA ? " * u.lda" : ""};`);
    L.push(`    let kb = k${v.transB ? "" : " * u.ldb"};`);
    for (let i = 0; i < tm; i++) L.push(`    let a${i} = vec4<f32>(A[ar${i} + ka]);`);
    for (let j = 0; j < tn4; j++) {
      const c = [0, 1, 2, 3].map((q) => `B[bc${4 * j + q} + kb]`).join(", ");
      L.push(`    let b${j} = vec4<f32>(${c});`);
    }
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < tn4; j++) L.push(`    c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
    }
    L.push(`  }`);
  }
  // the bias of each column is read once, not once per row
  for (let j = 0; j < tn4 && v.bias; j++) {
    const e = [0, 1, 2, 3].map((q) => `bias[u.offBias + min(col0 + ${4 * j + q}u, nLast)]`);
    L.push(`  let bias${j} = vec4<f32>(${e.join(", ")});`);
  }
  // no bounds checks (they dominated these stores): transposed products are recorded only
  // where the blocks tile C exactly
  for (let i = 0; i < tm && v.transC; i++) {
    for (let j = 0; j < tn; j++) {
      const at = `C[cOff + (col0 + ${j}u) * u.M + row0 + ${i}u]`;
      const val = `u.alpha * c${i}_${j >> 2}.${COMP[j & 3]}`;
      L.push(`  ${at} = ${v.accumulate ? `${at} + ` : ""}${val};`);
    }
  }
  for (let i = 0; i < tm && !v.transC; i++) {
    L.push(`  if (row0 + ${i}u < u.M) {`);
    L.push(`    let ci = cOff + (row0 + ${i}u) * u.ldc + col0;`);
    for (let j = 0; j < tn4; j++) {
      storeC(
        L,
        j,
        `u.alpha * c${i}_${j}${v.bias ? ` + bias${j}` : ""}`,
        v.accumulate,
        v.c4 ?? false,
      );
    }
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join("\n") + "\n" };
});
