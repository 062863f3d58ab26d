/**
 * Matrix multiplication on the GPU: `C = act(alpha * op(A) @ op(B) + bias) (+ C)`, with
 * either operand transposed, batched with strides, and an optional accumulate into C.
 * Row strides (`ld`) and heads within groups (`heads`, `headStrides`) let a product read and
 * write matrices in place inside wider ones: attention's heads in the fused QKV projection.
 * The CPU reference is `lib/gpu/reference/matmul.ts` (same conventions; see there).
 *
 * On a hardware GPU every product takes the workgroup-tiled kernel of
 * `lib/gpu/kernels/matmul_shared.ts` (path `shared`). On a software adapter two paths, both
 * tuned for Mesa lavapipe (where a GPU "lane" is one SIMD lane of a CPU core) and both
 * register-blocked without shared memory or barriers; {@link choosePath} picks one:
 *
 * - direct: reads A and B from their storage buffers; each invocation computes a `TM x TN`
 *   block ({@link chooseBlock}) with vec4 loads where aligned ({@link canVec4}) and vec4
 *   stores where C allows. Large products (>= 2^20 multiply-adds), A transposed or not
 *   ({@link choosePath}), take 32x32, 64x16 or 32x16 blocks: the bigger the block, the fewer
 *   loads per multiply-add, and lavapipe's loads are what costs (below), but compile time
 *   grows with it (32x16 ~2 s, 32x32 and 64x16 ~5 s, 64x32 ~42 s per variant, once per
 *   machine: Mesa caches shaders on disk). A transposed A whose M is a power of two is
 *   recorded as C^T = op(B)^T op(A)^T with C stored transposed ({@link swapsToTransposedC}).
 *   Small products take 16x16 / 8x8 / 4x4 blocks, narrow ones 16x4 or 8x8, batched attention
 *   16x8. Rows and columns past the edge are clamped on load and skipped on store, so any
 *   shape works.
 * - tiled (large products with 16-31 rows or 16-63 columns or without vec4 loads, and
 *   without `ld` or `heads`): op(A) and op(B) are first packed ({@link packKernel}) into
 *   zero-padded 64 KiB tiles (`r x kc` and `nd x kc`, kc <= 128; {@link tiledPlan}) of a
 *   scratch buffer that is also a uniform buffer; the compute kernel ({@link tiledKernel})
 *   reads up to 3 K-chunks per dispatch from 2 x 3 uniform windows (or, when K is one chunk,
 *   up to 5 row panels), each invocation a 16x8 block in vec4 accumulators with `fma`;
 *   longer K carries partial sums through a scratch buffer. Sums over K run in f32 in a
 *   different order than the direct path (per chunk, then across chunks), within the tests'
 *   1e-4 relative tolerance.
 *
 * What lavapipe (Mesa 22.3, LLVM 15) makes of these kernels, read from its JIT code with
 * `perf` and `gdb` on this machine: a lane-varying load becomes ~20 instructions per 8 lanes
 * (index extracts, a bounds check, scalar loads and inserts; storage buffers add a branch per
 * lane), a load whose address is the same for all lanes from a uniform buffer one scalar load
 * and a broadcast, WGSL's `fma` a separate multiply and add, and the accumulators of a block
 * live on the stack. So the direct kernel writes each accumulator's four multiply-adds of a
 * K step in a row: LLVM then loads and stores it once per step rather than once per
 * multiply-add (29 -> 40 GFLOP/s at 512x768x768). Multiply-adds are ~20% of the
 * instructions of a 16x8 tiled block; per-lane stores cost as much as loads, and lavapipe
 * joins its threads after each dispatch. Measured (bench/matmul_bench.ts): 39-40 GFLOP/s at
 * BERT shapes, 25-38 at tiny-BERT shapes (PyTorch on the same 2 cores: ~210 and 160-200).
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { Binding, Kernel, Step } from "../kernel.ts";
import { type Activation, matmulLayout, type MatmulShape } from "../reference/matmul.ts";
import { FLAT_INDEX, flatGrid } from "./grid.ts";
import { SHARED_TILE, sharedMatmulKernel } from "./matmul_shared.ts";
import { entryOffsets, MATMUL_UNIFORMS, packMatmulUniforms } from "./matmul_uniforms.ts";

export type { Activation } from "../reference/matmul.ts";

/**
 * What a matmul kernel variant is specialised for.
 *
 * @example
 * ```ts
 * import type { MatmulVariant } from "./matmul.ts";
 * const v: MatmulVariant = { transA: false, transB: true, activation: "none", bias: false,
 *   accumulate: true, tm: 8, tn: 8, wx: 8, wy: 1 };
 * ```
 */
export type MatmulVariant = {
  transA: boolean;
  transB: boolean;
  activation: Activation;
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
   * must tile C exactly; no bias, activation or c4).
   */
  transC?: boolean;
};

const COMP = ["x", "y", "z", "w"];

/**
 * `make` memoised by the JSON of its argument: a kernel variant's WGSL is generated once per
 * process, so recording a dispatch neither rebuilds nor rehashes it (the tiled path records
 * dozens of dispatches per product; rebuilding cost ~9 ms per 512x768x768 product).
 */
function memo<V>(make: (v: V) => Kernel): (v: V) => Kernel {
  const made = new Map<string, Kernel>();
  return (v) => {
    const key = JSON.stringify(v);
    let k = made.get(key);
    if (!k) made.set(key, k = make(v));
    return k;
  };
}

/**
 * Whether a product can use the vec4-load kernel: K, the contiguous dimension of A (K, or
 * M when transposed) and of B (N, or K when transposed), their row strides (`lda`, `ldb`,
 * defaults: those dimensions), the batch and head strides and the element offsets of A and B
 * are all multiples of 4.
 *
 * @example
 * ```ts
 * import { canVec4 } from "./matmul.ts";
 * console.log(canVec4({ m: 5, n: 8, k: 12, sA: 60, sB: 96, offA: 0, offB: 0 })); // true
 * console.log(canVec4({ m: 5, n: 8, k: 12, transA: true, sA: 60, sB: 96, offA: 0, offB: 0 })); // false
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

function activationWgsl(activation: Activation): string {
  switch (activation) {
    case "none":
      return "fn act(x: f32) -> f32 { return x; }";
    case "relu":
      return "fn act(x: f32) -> f32 { return max(x, 0.0); }";
    case "gelu":
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); the argument is clamped so that
      // tanh never sees an overflowing exponent (tanh(+-10) is +-1 in f32).
      return `fn act(x: f32) -> f32 {
  let y = clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -10.0, 10.0);
  return 0.5 * x * (1.0 + tanh(y));
}`;
    case "gelu_erf":
      // x * Phi(x) = 0.5 x erfc(-x / sqrt 2), erfc by the Chebyshev fit of Numerical
      // Recipes (erfcc, fractional error < 1.2e-7), as in lib/gpu/reference/gelu.ts.
      return `fn erfc_(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-a * a + p);
  return select(2.0 - r, r, z >= 0.0);
}
fn act(x: f32) -> f32 { return 0.5 * x * erfc_(-x * 0.7071067811865476); }`;
  }
}

/**
 * The lines that store the vec4 `val` (columns `col0 + 4j ..` of the row starting at element
 * `ci`) into C, skipping columns past N; `c4`: C is bound as vec4s. Both kernels' epilogue.
 */
function storeC(L: string[], j: number, val: string, accumulate: boolean, c4: boolean): void {
  const add = (at: string) => accumulate ? `${at} + ` : "";
  if (c4) {
    const at = `C[ci / 4u + ${j}u]`;
    L.push(`    if (col0 + ${4 * j}u < u.N) { ${at} = ${add(at)}${val}; }`);
    return;
  }
  L.push(`    if (col0 + ${4 * j}u < u.N) {`);
  L.push(`      let v${j} = ${val};`);
  for (let q = 0; q < 4; q++) {
    const at = `C[ci + ${4 * j + q}u]`;
    L.push(`      if (col0 + ${4 * j + q}u < u.N) { ${at} = ${add(at)}v${j}.${COMP[q]}; }`);
  }
  L.push(`    }`);
}

const ACT4 =
  `fn act4(x: vec4<f32>) -> vec4<f32> { return vec4<f32>(act(x.x), act(x.y), act(x.z), act(x.w)); }`;

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
 * import { matmulKernel } from "./matmul.ts";
 * const k = matmulKernel({ transA: false, transB: false, activation: "relu", bias: true,
 *   accumulate: false, tm: 4, tn: 4, wx: 8, wy: 1 });
 * console.log(k.name); // "matmul_nn_relu_bias_4x4_8x1"
 * ```
 */
export const matmulKernel: (v: MatmulVariant) => Kernel = memo(function (v: MatmulVariant) {
  const { tm, tn, wx, wy } = v;
  if (!Number.isInteger(tm) || tm < 1 || !Number.isInteger(tn) || tn < 4 || tn % 4 !== 0) {
    throw new Error(`lib/gpu/kernels/matmul.ts: block ${tm}x${tn} (tn must be a multiple of 4)`);
  }
  if (v.vec4 && v.transA && tm % 4 !== 0) {
    throw new Error(`lib/gpu/kernels/matmul.ts: vec4 loads of A^T need tm % 4 == 0 (tm ${tm})`);
  }
  if (v.transC && (v.bias || v.activation !== "none" || v.c4)) {
    throw new Error("lib/gpu/kernels/matmul.ts: a transposed C takes no bias, activation or c4");
  }
  const tn4 = tn / 4;
  const name = `matmul_${v.transA ? "t" : "n"}${v.transB ? "t" : "n"}_${v.activation}` +
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
  L.push(activationWgsl(v.activation), ACT4);
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
  // lavapipe ran these stores with per-element bounds checks at 1.7 GFLOP/s (512x128x1024),
  // without at 26: transposed products are recorded only where the blocks tile C exactly
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
        `act4(u.alpha * c${i}_${j}${v.bias ? ` + bias${j}` : ""})`,
        v.accumulate,
        v.c4 ?? false,
      );
    }
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join("\n") + "\n" };
});

/**
 * The block `[tm, tn, wx, wy]` of the direct path for a product. Large products that
 * {@link choosePath} sends here (`k` given) take 32x32 blocks (32x24 when that fills whole
 * workgroups of 8 blocks and 32x32 would not: N = 384, 24.8 vs 23.1 GFLOP/s at
 * 1024x384x128), or when B has fewer than 256 columns (a workgroup of 8 lanes then still
 * fills them) 64x16 if K >= 256 and that gives at least 48 invocations, else 32x16: on
 * lavapipe these ran 1.1-1.8x faster than the tiled path and compile in 2-6 s (64x16 vs 32x16
 * at 1024x128x512: 26 vs 22 GFLOP/s, at 384x128x1024 with A transposed 27 vs 23; with fewer
 * invocations or K = 128 no faster or slower; with 2-8 rows x 32 columns per workgroup
 * (4x2 lanes) at N = 128 slower). Larger blocks (48x32, 64x32) ran no faster (40.3 / 41.7 vs
 * 40.8 GFLOP/s at 512x768x768) and take 11-18 s to compile. Products with at least 64 rows
 * and fewer than 16 columns (a classifier head, x W^T with 9 labels) take 16x4 blocks, with
 * fewer than 16 rows and at least 64 columns 8x8 (lavapipe: 1024x9x128 0.39 ms vs 1.2 tiled,
 * 9x128x1024 0.45 vs 0.79). Otherwise 16x16 when that still gives at least 64 invocations (so both CPU
 * threads and all SIMD lanes have work), else 8x8, else 4x4; batched products (attention)
 * take 16x8 first, then 8x8 (at 32 x (64x64x64) 16x8 ran 5-8% faster than 8x8, which ran
 * ~1.5x faster than 16x16).
 *
 * @example
 * ```ts
 * import { chooseBlock } from "./matmul.ts";
 * console.log(chooseBlock(512, 768, 1, 768)); // [32, 32, 8, 1]
 * console.log(chooseBlock(1024, 384, 1, 128)); // [32, 24, 8, 1]
 * console.log(chooseBlock(1024, 128, 1, 512)); // [64, 16, 8, 1]
 * console.log(chooseBlock(1024, 128, 1, 128)); // [32, 16, 8, 1]
 * console.log(chooseBlock(512, 768, 1)); // [16, 16, 8, 1]
 * console.log(chooseBlock(1024, 9, 1)); // [16, 4, 8, 1]
 * console.log(chooseBlock(64, 64, 32)); // [16, 8, 8, 1]
 * console.log(chooseBlock(7, 13, 1)); // [4, 4, 8, 1]
 * ```
 */
export function chooseBlock(
  m: number,
  n: number,
  batch: number,
  k?: number,
): [number, number, number, number] {
  if (k !== undefined && largeDirect(m, n, k, batch, false)) {
    // 24 columns where that fills whole workgroups of 8 blocks and 32 would not
    if (n >= 256) return [32, (n / 32) % 8 !== 0 && n % (24 * 8) === 0 ? 24 : 32, 8, 1];
    const tall = k >= 256 && Math.ceil(m / 64) * Math.ceil(n / 16) >= 48;
    return [tall ? 64 : 32, 16, 8, 1];
  }
  if (batch === 1 && m >= 64 && n < 16) return [16, 4, 8, 1];
  if (batch === 1 && n >= 64 && m < 16) return [8, 8, 8, 1];
  if (batch > 1 && Math.ceil(m / 16) * Math.ceil(n / 8) * batch >= 64) return [16, 8, 8, 1];
  for (const t of batch > 1 ? [8] : [16, 8]) {
    if (Math.ceil(m / t) * Math.ceil(n / t) * batch >= 64) return [t, t, 8, 1];
  }
  return [4, 4, 8, 1];
}

/**
 * Options of {@link matmul}. `a`, `b`, `c` hold op(A) `[m, k]`, op(B) `[k, n]` and C
 * `[m, n]` (times `batch`, at element strides `strides`); `bias` has `n` entries.
 *
 * @example
 * ```ts
 * import type { MatmulOptions } from "./matmul.ts";
 * import type { Tensor } from "../tensor.ts";
 * function linear(x: Tensor, w: Tensor, y: Tensor, b: Tensor): MatmulOptions {
 *   return { a: x, b: w, c: y, m: 64, n: 3072, k: 768, bias: b, activation: "gelu_erf" };
 * }
 * ```
 */
export type MatmulOptions = MatmulShape & {
  a: Tensor;
  b: Tensor;
  c: Tensor;
  /** Scale of the product (default 1), applied before the bias. */
  alpha?: number;
  bias?: Tensor;
  activation?: Activation;
  /** Add the result to C instead of overwriting it (gradient accumulation). */
  accumulate?: boolean;
  /** Use vec4 loads when the shape allows (default true; false forces scalar loads). */
  vec4?: boolean;
  /**
   * Override the block `[tm, tn, wx, wy]` of the path taken (defaults: {@link chooseBlock},
   * 16x8 for the tiled path); a block without a `path` selects the direct path.
   */
  block?: [number, number, number, number];
  /**
   * `"tiled"`: pack op(A) and op(B) into uniform-buffer windows first ({@link tiledPlan});
   * `"direct"`: read the storage buffers in place; `"shared"`: stage tiles in workgroup
   * memory (lib/gpu/kernels/matmul_shared.ts). Default: `"shared"` on a hardware GPU; on a
   * software adapter (lavapipe) {@link choosePath}, falling back to direct when the packed
   * operands would not fit one storage binding.
   */
  path?: "direct" | "tiled" | "shared";
};

function bindAligned(gpu: Gpu, t: Tensor, extent: number, what: string): {
  binding: Binding;
  offset: number;
} {
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor(t.offset / align) * align;
  const offset = (t.offset - start) / 4;
  const size = Math.max(4, (offset + extent) * 4);
  if (size > gpu.limits.maxStorageBufferBindingSize) {
    throw new Error(
      `lib/gpu/kernels/matmul.ts: ${what} spans ${size} bytes, more than the device binds ` +
        `(${gpu.limits.maxStorageBufferBindingSize})`,
    );
  }
  return { binding: { buffer: t.buffer, offset: start, size }, offset };
}

/**
 * Records `C = act(alpha * op(A) @ op(B) + bias) (+ C)` into `step`. Tensors may be views
 * at any element offset; C must not share a buffer with A, B or bias.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { step } from "../kernel.ts";
 * import { matmul } from "./matmul.ts";
 * const gpu = await getGpu();
 * const a = tensor(gpu, [2, 2], [1, 2, 3, 4]);
 * const b = tensor(gpu, [2, 2], [5, 6, 7, 8]);
 * const c = zeros(gpu, [2, 2]);
 * const s = step(gpu);
 * matmul(s, { a, b, c, m: 2, n: 2, k: 2 });
 * const out = s.read(c);
 * await s.submit();
 * console.log(await out); // Float32Array [19, 22, 43, 50]
 * ```
 */
export function matmul(step: Step, o: MatmulOptions): void {
  recordMatmul(step, o, false);
}

/** {@link matmul}, with C stored transposed when `transC` (see {@link swapsToTransposedC}). */
function recordMatmul(step: Step, o: MatmulOptions, transC: boolean): void {
  const gpu = step.gpu;
  const { m, n, k } = o;
  const batch = o.batch ?? 1;
  for (const [name, v] of [["m", m], ["n", n], ["k", k], ["batch", batch]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`lib/gpu/kernels/matmul.ts: ${name} = ${v} is not a non-negative integer`);
    }
  }
  const layout = matmulLayout(o), { heads } = layout;
  const [la, lb, lc] = [layout.a, layout.b, layout.c];
  const [sA, sB, sC] = [la.stride, lb.stride, lc.stride];
  const need = (what: string, t: Tensor, extent: number): number => {
    if (t.size < extent) {
      throw new Error(
        `lib/gpu/kernels/matmul.ts: ${what} [${t.shape.join(", ")}] has ${t.size} elements, ` +
          `the product (m=${m}, n=${n}, k=${k}, batch=${batch}) needs ${extent}`,
      );
    }
    return extent;
  };
  const eA = need("A", o.a, la.extent), eB = need("B", o.b, lb.extent);
  const eC = need("C", o.c, lc.extent);
  // rows in place within wider rows, or heads within groups: the direct and shared kernels
  const strided = heads > 1 || [la, lb, lc].some((l) => l.ld !== l.cols);
  if (strided && o.path === "tiled") {
    throw new Error("lib/gpu/kernels/matmul.ts: the tiled path takes neither ld nor heads");
  }
  if (o.bias && o.bias.size < n) {
    throw new Error(`lib/gpu/kernels/matmul.ts: bias has ${o.bias.size} elements, needs n=${n}`);
  }
  for (const [what, t] of [["A", o.a], ["B", o.b], ["bias", o.bias]] as const) {
    if (t && t.buffer === o.c.buffer) {
      throw new Error(
        `lib/gpu/kernels/matmul.ts: C shares a buffer with ${what}; WebGPU cannot bind one ` +
          "buffer as both read-only and writable in a dispatch",
      );
    }
  }
  if (m === 0 || n === 0 || batch === 0) return;
  if (!transC && swapsToTransposedC(gpu, o)) {
    const { b: a, a: b, c, alpha, accumulate } = o;
    recordMatmul(step, { a, b, c, m: n, n: m, k, transA: !o.transB, alpha, accumulate }, true);
    return;
  }
  const A = bindAligned(gpu, o.a, Math.max(eA, 1), "A");
  const B = bindAligned(gpu, o.b, Math.max(eB, 1), "B");
  const vec4able = (o.vec4 ?? true) && canVec4({
    m,
    n,
    k,
    transA: o.transA,
    transB: o.transB,
    sA: batch > heads ? sA : 0,
    sB: batch > heads ? sB : 0,
    hA: heads > 1 ? la.head : 0,
    hB: heads > 1 ? lb.head : 0,
    lda: la.ld,
    ldb: lb.ld,
    offA: A.offset,
    offB: B.offset,
  });
  // an explicit block without a path keeps the direct path it was tuned for; the large
  // direct blocks need vec4 loads, else the tiled path is faster
  const transA = o.transA ?? false, activation = o.activation ?? "none";
  const byShape = !gpu.isFallback
    ? "shared"
    : strided
    ? "direct"
    : choosePath(m, n, k, batch, transA);
  let path = transC ? "direct" : o.path ?? (o.block ? "direct" : byShape);
  const large = !o.path && !o.block && gpu.isFallback &&
    largeDirect(m, n, k, batch, transA);
  if (large && !vec4able && !transC && !strided) path = "tiled";
  if (path === "tiled" && matmulTiled(step, o, batch, { a: sA, b: sB, c: sC }, eC, !o.path)) {
    return;
  }
  const C = bindAligned(gpu, o.c, eC, "C");
  const bindings: Binding[] = [A.binding, B.binding];
  let offBias = 0;
  if (o.bias) {
    const bb = bindAligned(gpu, o.bias, n, "bias");
    bindings.push(bb.binding);
    offBias = bb.offset;
  }
  bindings.push(C.binding);
  const uniforms = packMatmulUniforms({
    m,
    n,
    k,
    strides: [sA, sB, sC],
    offsets: [A.offset, B.offset, C.offset, offBias],
    alpha: o.alpha ?? 1,
    heads,
    ld: [la.ld, lb.ld, transC ? m : lc.ld],
    headStrides: [la.head, lb.head, lc.head],
  });
  const epilogue = {
    transA,
    transB: o.transB ?? false,
    activation,
    bias: o.bias !== undefined,
    accumulate: o.accumulate ?? false,
  };
  if (path === "shared") {
    const kernel = sharedMatmulKernel(epilogue, activationWgsl(activation));
    const tiles = (x: number) => Math.ceil(x / SHARED_TILE);
    step.dispatch(kernel, bindings, [tiles(n), tiles(m), batch], uniforms);
    return;
  }
  const [tm, tn, wx, wy] = o.block ?? chooseBlock(m, n, batch, large && vec4able ? k : undefined);
  const kernel = matmulKernel({
    ...epilogue,
    vec4: vec4able && tm % 4 === 0,
    tm,
    tn,
    wx,
    wy,
    c4: !transC && n % 4 === 0 && C.offset % 4 === 0 && lc.ld % 4 === 0 &&
      (batch === heads || sC % 4 === 0) && (heads === 1 || lc.head % 4 === 0),
    transC,
  });
  const gx = Math.ceil(Math.ceil(n / tn) / wx), gy = Math.ceil(Math.ceil(m / tm) / wy);
  step.dispatch(kernel, bindings, [gx, gy, batch], uniforms);
}

/** Floats in one uniform-buffer window: 64 KiB, WebGPU's default maxUniformBufferBindingSize. */
const WINDOW = 16384;
/** Largest K chunk (one window) of the tiled path. */
const KC_MAX = 128;
/**
 * Most uniform buffers one dispatch binds. With 9 or 10 (allowed by WebGPU's limit of 12),
 * lavapipe 22.3 corrupted its heap in about every second test run (crashes in free/realloc);
 * with 5 or 7 none did in 14 runs.
 */
const MAX_UNIFORM_BUFFERS = 7;
/** Most K chunks (pairs of windows) one tiled dispatch reads: 3 + 3 + 1 uniform buffers. */
const WINDOWS_MAX = (MAX_UNIFORM_BUFFERS - 1) >> 1;
/** Most row panels (A windows) one dispatch reads when K fits one chunk: 5 + 1 + 1. */
const PANELS_MAX = MAX_UNIFORM_BUFFERS - 2;

/**
 * How the tiled path cuts a product: K into `q` chunks of `kc` (a multiple of 4), read `w`
 * chunks per dispatch (`q` is a multiple of `w`; chunks past K are zeros), the rows of C into
 * `p` panels of `r` rows and the columns into `s` panels of `nd` columns, so that each packed
 * tile of op(A) (`r x kc`) and of op(B) (`nd x kc`) fits one 64 KiB uniform window; when K is
 * one chunk, a dispatch covers `pz` row panels (one A window each). `tile4`
 * is the packed tile stride in vec4s (a multiple of 256 bytes); `block` is the invocation
 * block and workgroup `[tm, tn, wx, wy]`.
 *
 * @example
 * ```ts
 * import type { TiledPlan } from "./matmul.ts";
 * const p: TiledPlan = { kc: 128, q: 3, w: 3, pz: 1, r: 128, p: 8, nd: 128, s: 1,
 *   tile4: 4096, block: [16, 8, 8, 1] };
 * ```
 */
export type TiledPlan = {
  kc: number;
  q: number;
  w: number;
  /** Row panels per dispatch (more workgroups per dispatch when K fits one chunk). */
  pz: number;
  r: number;
  p: number;
  nd: number;
  s: number;
  tile4: number;
  block: [number, number, number, number];
};

/**
 * The {@link TiledPlan} of an `m x n x k` product (optionally with a given block).
 *
 * @example
 * ```ts
 * import { tiledPlan } from "./matmul.ts";
 * const p = tiledPlan(1024, 128, 768);
 * console.log(p.kc, p.q, p.w, p.pz, p.r, p.p, p.nd, p.s); // 128 6 3 1 128 8 128 1
 * ```
 */
export function tiledPlan(
  m: number,
  n: number,
  k: number,
  block?: [number, number, number, number],
): TiledPlan {
  const [tm, tn, wx, wy] = block ?? [16, 8, 8, 1];
  const up = (x: number, d: number) => Math.ceil(x / d) * d;
  const chunks = Math.max(1, Math.ceil(k / KC_MAX));
  const w = Math.min(WINDOWS_MAX, chunks);
  const q = up(chunks, w);
  const kc = Math.max(4, up(Math.ceil(k / q), 4));
  const rowStep = tm * wy, colStep = tn * wx;
  const fit = (step: number) => Math.floor(WINDOW / kc / step) * step;
  if (fit(rowStep) < rowStep || fit(colStep) < colStep) {
    throw new Error(
      `lib/gpu/kernels/matmul.ts: block ${tm}x${tn} (${wx}x${wy}) does not fit a K chunk of ${kc}`,
    );
  }
  const r = Math.min(fit(rowStep), up(m, rowStep));
  const nd = Math.min(fit(colStep), up(n, colStep));
  const tile4 = (rows: number) => up(rows * kc / 4, 16);
  return {
    kc,
    q,
    w,
    pz: q === 1 ? Math.min(PANELS_MAX, Math.ceil(m / r)) : 1,
    r,
    p: Math.ceil(m / r),
    nd,
    s: Math.ceil(n / nd),
    tile4: Math.max(tile4(r), tile4(nd)),
    block: [tm, tn, wx, wy],
  };
}

/** Multiply-adds per batch entry from which a product counts as large. */
const LARGE = 1 << 20;

/** Whether `m` is a power of two from 256 on. */
const powerOfTwoRows = (m: number) => m >= 256 && (m & (m - 1)) === 0;

/**
 * Whether a product is large and shaped for the direct path's 32-row blocks. A transposed A
 * (dW = dY^T X, read as vec4s along M) is direct too (128x512x1024: 31 vs 17 GFLOP/s tiled;
 * BERT-base's 768x3072x512: 31 vs 21) unless M is a power of two from 256 on: rows of A^T
 * 1, 2, 4, 8 or 16 KiB apart ran the direct kernels at 3-14 GFLOP/s (512x128x1024: 5.5 vs
 * 21 tiled) while M = 128, 384, 640, 768, 1536, 2304 and 3072 ran at 22-31 (the JIT code
 * does not show why). Epilogues included: a GELU on 1,024 outputs per invocation still ran
 * 1.4x the tiled path at K = 128 (1024x512x128: 29.9 vs 20.8 GFLOP/s).
 */
function largeDirect(
  m: number,
  n: number,
  k: number,
  batch: number,
  transA: boolean,
): boolean {
  return batch === 1 && !(transA && powerOfTwoRows(m)) && m * n * k >= LARGE && m >= 32 &&
    n >= 64 && k >= 8;
}

/**
 * Whether {@link matmul} records a product as C^T = op(B)^T op(A)^T stored transposed: on a
 * software adapter, dW = dY^T X whose M is a power of two from 256 on (slow on the direct
 * path, see `largeDirect`) when the swapped product, whose rows are N, takes the large
 * direct blocks with vec4 loads and those blocks tile C exactly (512x128x1024: 26-31 GFLOP/s
 * as 128x512 vs 21 tiled).
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { tensor } from "../tensor.ts";
 * import { swapsToTransposedC } from "./matmul.ts";
 * const gpu = await getGpu();
 * const [a, b, c] = [1024 * 512, 1024 * 128, 512 * 128].map((n) => tensor(gpu, [n]));
 * swapsToTransposedC(gpu, { a, b, c, m: 512, n: 128, k: 1024, transA: true }); // true on lavapipe
 * ```
 */
export function swapsToTransposedC(gpu: Gpu, o: MatmulOptions): boolean {
  const { m, n, k } = o, transB = o.transB ?? false, batch = o.batch ?? 1;
  return gpu.isFallback && !o.path && !o.block && batch === 1 && !o.ld && (o.transA ?? false) &&
    !o.bias && (o.activation ?? "none") === "none" && powerOfTwoRows(m) &&
    largeDirect(n, m, k, 1, !transB) && o.a.offset % 16 === 0 &&
    o.b.offset % 16 === 0 && k % 4 === 0 && (transB || n % 4 === 0) &&
    tilesExactly(n, m, chooseBlock(n, m, 1, k));
}

/** Whether `[tm, tn, ..]` blocks tile an `m x n` C exactly. */
const tilesExactly = (m: number, n: number, [tm, tn]: number[]) => m % tm === 0 && n % tn === 0;

/**
 * Which path {@link matmul} takes by default. Large products (at least 2^20 multiply-adds per
 * batch entry) take the direct path with 32-row blocks ({@link chooseBlock}) when op(A) has
 * at least 32 rows (and, transposed, a row count that is not a power of two from 256 on),
 * op(B) at least 64 columns (on lavapipe 1.3-2x faster than the tiled path at BERT and
 * tiny-BERT shapes), else the tiled path
 * (uniform-buffer windows); small products, those with fewer than 16 rows or columns and
 * batched ones (attention) take the direct path with small blocks. {@link matmul} also falls
 * back to the tiled path when a large direct product cannot use vec4 loads ({@link canVec4})
 * and records a transposed A whose M is a power of two as C^T ({@link swapsToTransposedC}).
 *
 * @example
 * ```ts
 * import { choosePath } from "./matmul.ts";
 * console.log(choosePath(512, 768, 768, 1), choosePath(1024, 48, 128, 1)); // "direct" "tiled"
 * console.log(choosePath(1024, 9, 128, 1)); // "direct" (16x4 blocks)
 * console.log(choosePath(384, 128, 1024, 1, true)); // "direct" (dW = dY^T X)
 * console.log(choosePath(512, 128, 1024, 1, true)); // "tiled" (M a power of two)
 * console.log(choosePath(2, 2, 2, 1)); // "direct"
 * ```
 */
export function choosePath(
  m: number,
  n: number,
  k: number,
  batch: number,
  transA = false,
): "direct" | "tiled" {
  // per batch entry: the tiled path dispatches per entry and tile, so small batched
  // products (attention) stay direct however large the batch
  if (largeDirect(m, n, k, batch, transA)) return "direct";
  return m * n * k >= LARGE && m >= 16 && n >= 16 && k >= 8 ? "tiled" : "direct";
}

/**
 * The WGSL that packs op(X) of a product into tiles: tile `(panel, chunk)` is a row-major
 * `r x kc` block of rows `panel*r ..` and k `chunk*kc ..`, zero past the edges. `trans`: X is
 * stored `[K, rows]` rather than `[rows, K]`. Bindings: src, dst (vec4), uniforms
 * `{ rows, K, stride, off, r, kc4, q, total, tile4, batch4, pad, pad }`.
 *
 * @example
 * ```ts
 * import { packKernel } from "./matmul.ts";
 * console.log(packKernel(true).name); // "matmul_pack_t"
 * ```
 */
export const packKernel: (trans: boolean) => Kernel = memo(function (trans: boolean) {
  const index = (k: string) => trans ? `${k} * u.rows + row` : `row * u.K + ${k}`;
  const code = `${FLAT_INDEX}
@group(0) @binding(0) var<storage, read> src: array<f32>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<f32>>;
struct U { rows: u32, K: u32, stride: u32, off: u32, r: u32, kc4: u32, q: u32, total: u32,
  tile4: u32, batch4: u32, pad0: u32, pad1: u32 }
@group(0) @binding(2) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = flatIndex(gid, nwg);
  if (g >= u.total) { return; }
  let per = u.r * u.kc4;
  let tile = g / per;
  let within = g % per;
  let row = (tile / u.q) * u.r + within / u.kc4;
  let k0 = (tile % u.q) * u.kc4 * 4u + (within % u.kc4) * 4u;
  let base = u.off + gid.z * u.stride;
  var v = vec4<f32>(0.0);
  if (row < u.rows) {
${
    [0, 1, 2, 3].map((c) =>
      `    if (k0 + ${c}u < u.K) { v.${COMP[c]} = src[base + ${index(`(k0 + ${c}u)`)}]; }`
    ).join("\n")
  }
  }
  dst[gid.z * u.batch4 + tile * u.tile4 + within] = v;
}
`;
  return { name: `matmul_pack_${trans ? "t" : "n"}`, code };
});

/**
 * What a tiled compute kernel is specialised for: the epilogue, the block, `windows` K chunks
 * per dispatch and `c4` (C, its offset and N are multiples of 4: vec4 stores).
 *
 * @example
 * ```ts
 * import type { TiledVariant } from "./matmul.ts";
 * const v: TiledVariant = { activation: "none", bias: false, accumulate: false, tm: 8, tn: 8,
 *   wx: 8, wy: 1, windows: 3, c4: true };
 * ```
 */
export type TiledVariant =
  & Pick<
    MatmulVariant,
    "activation" | "bias" | "accumulate" | "tm" | "tn" | "wx" | "wy"
  >
  & { windows: number; panels?: number; c4: boolean };

/**
 * The WGSL of the tiled compute kernel: reads `windows` packed tiles of op(A) and of op(B)
 * from uniform windows (`array<vec4<f32>, 4096>` each); each invocation computes a `tm x tn`
 * block of the `r x nd` tile. When K takes several dispatches, partial sums go through the
 * scratch T: uniform `readT` adds T to the sums, `toC` (last dispatch) writes C with the
 * epilogue instead of writing T. Bindings: WA0.., WB0.., [bias,] C, T, uniforms
 * `{ M, N, kc4, row0, col0, cOff, offBias, alpha, ldt4, readT, toC, r }`.
 *
 * @example
 * ```ts
 * import { tiledKernel } from "./matmul.ts";
 * const k = tiledKernel({ activation: "none", bias: false, accumulate: false, tm: 8, tn: 8,
 *   wx: 8, wy: 1, windows: 1, c4: true });
 * console.log(k.name); // "matmul_tiled_none_8x8_8x1_w1_c4"
 * ```
 */
export const tiledKernel: (v: TiledVariant) => Kernel = memo(function (v: TiledVariant) {
  const { tm, tn, wx, wy, windows, c4 } = v;
  const panels = v.panels ?? 1;
  if (!Number.isInteger(tm) || tm < 1 || !Number.isInteger(tn) || tn < 4 || tn % 4 !== 0) {
    throw new Error(`lib/gpu/kernels/matmul.ts: block ${tm}x${tn} (tn must be a multiple of 4)`);
  }
  if (windows * panels + windows + 1 > MAX_UNIFORM_BUFFERS) {
    throw new Error(
      `lib/gpu/kernels/matmul.ts: ${windows} windows x ${panels} panels need more than ` +
        `${MAX_UNIFORM_BUFFERS} uniform buffers`,
    );
  }
  const tn4 = tn / 4;
  const name = `matmul_tiled_${v.activation}${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}` +
    `_${tm}x${tn}_${wx}x${wy}_w${windows}${panels > 1 ? `_p${panels}` : ""}${c4 ? "_c4" : ""}`;
  const L: string[] = [];
  let bind = 0;
  for (const [x, count] of [["A", windows * panels], ["B", windows]] as const) {
    for (let w = 0; w < count; w++) {
      L.push(
        `@group(0) @binding(${bind++}) var<uniform> W${x}${w}: array<vec4<f32>, ${WINDOW / 4}>;`,
      );
    }
  }
  const cElem = c4 ? "vec4<f32>" : "f32";
  if (v.bias) L.push(`@group(0) @binding(${bind++}) var<storage, read> bias: array<${cElem}>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read_write> C: array<${cElem}>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read_write> T: array<vec4<f32>>;`);
  L.push(`struct U { M: u32, N: u32, kc4: u32, row0: u32, col0: u32, cOff: u32, offBias: u32,
  alpha: f32, ldt4: u32, readT: u32, toC: u32, r: u32 }`);
  L.push(`@group(0) @binding(${bind++}) var<uniform> u: U;`);
  L.push(activationWgsl(v.activation), ACT4);
  L.push(`@compute @workgroup_size(${wx}, ${wy})`);
  L.push(`fn main(@builtin(global_invocation_id) gid: vec3<u32>,`);
  L.push(`  @builtin(workgroup_id) wid: vec3<u32>) {`);
  // With one row of invocations per workgroup the A rows come from workgroup_id, which the
  // compiler knows to be uniform: lavapipe then loads them once and broadcasts.
  L.push(`  let lr = ${wy === 1 ? "wid.y" : "gid.y"} * ${tm}u;`);
  L.push(`  let lc = gid.x * ${tn}u;`);
  // row panel z of this dispatch reads A windows z * windows ..; its rows start at z * r
  L.push(`  let pr = ${panels > 1 ? "wid.z * u.r + " : ""}lr;`);
  L.push(`  let row0 = u.row0 + pr;`);
  L.push(`  let col0 = u.col0 + lc;`);
  for (let i = 0; i < tm; i++) L.push(`  let ar${i} = (lr + ${i}u) * u.kc4;`);
  for (let j = 0; j < tn; j++) L.push(`  let bc${j} = (lc + ${j}u) * u.kc4;`);
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < tn4; j++) L.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
  }
  // Lavapipe runs both sides of a branch under a lane mask, so a panel's loop is skipped by
  // giving it no iterations instead.
  for (let z = 0; z < panels; z++) {
    if (panels > 1) L.push(`  let kz${z} = select(0u, u.kc4, wid.z == ${z}u);`);
  }
  for (let c = 0; c < windows * panels; c++) {
    const z = Math.floor(c / windows), w = c % windows;
    L.push(`  for (var k4 = 0u; k4 < ${panels > 1 ? `kz${z}` : "u.kc4"}; k4 = k4 + 1u) {`);
    for (let i = 0; i < tm; i++) L.push(`    let a${i} = WA${c}[ar${i} + k4];`);
    for (let j = 0; j < tn; j++) L.push(`    let b${j} = WB${w}[bc${j} + k4];`);
    for (let kk = 0; kk < 4; kk++) {
      for (let i = 0; i < tm; i++) {
        for (let j = 0; j < tn4; j++) {
          const b = [0, 1, 2, 3].map((q) => `b${4 * j + q}.${COMP[kk]}`).join(", ");
          L.push(
            `    c${i}_${j} = fma(vec4<f32>(a${i}.${COMP[kk]}), vec4<f32>(${b}), c${i}_${j});`,
          );
        }
      }
    }
    L.push(`  }`);
  }
  if (v.bias) {
    for (let j = 0; j < tn4; j++) {
      if (c4) {
        L.push(`  let bias${j} = bias[u.offBias / 4u + min(col0 / 4u + ${j}u, u.N / 4u - 1u)];`);
      } else {
        const e = [0, 1, 2, 3].map((q) => `bias[u.offBias + min(col0 + ${4 * j + q}u, u.N - 1u)]`);
        L.push(`  let bias${j} = vec4<f32>(${e.join(", ")});`);
      }
    }
  }
  L.push(`  if (u.readT != 0u) {`);
  for (let i = 0; i < tm; i++) {
    L.push(`    let t${i} = (pr + ${i}u) * u.ldt4 + lc / 4u;`);
    for (let j = 0; j < tn4; j++) L.push(`    c${i}_${j} = c${i}_${j} + T[t${i} + ${j}u];`);
  }
  L.push(`  }`);
  L.push(`  if (u.toC == 0u) {`);
  for (let i = 0; i < tm; i++) {
    L.push(`    let t${i} = (pr + ${i}u) * u.ldt4 + lc / 4u;`);
    for (let j = 0; j < tn4; j++) L.push(`    T[t${i} + ${j}u] = c${i}_${j};`);
  }
  L.push(`    return;`);
  L.push(`  }`);
  for (let i = 0; i < tm; i++) {
    L.push(`  if (row0 + ${i}u < u.M) {`);
    L.push(`    let ci = u.cOff + (row0 + ${i}u) * u.N + col0;`);
    for (let j = 0; j < tn4; j++) {
      storeC(L, j, `act4(u.alpha * c${i}_${j}${v.bias ? ` + bias${j}` : ""})`, v.accumulate, c4);
    }
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join("\n") + "\n" };
});

type Scratch = { a?: GPUBuffer; b?: GPUBuffer; t?: GPUBuffer };
const scratches = new WeakMap<GPUDevice, Scratch>();

/** A scratch buffer of at least `bytes` (grown by replacing it; the old one is left to GC). */
function scratch(gpu: Gpu, which: keyof Scratch, bytes: number, usage: number): GPUBuffer {
  let sc = scratches.get(gpu.device);
  if (!sc) scratches.set(gpu.device, sc = {});
  const cur = sc[which];
  if (cur && cur.size >= bytes) return cur;
  const size = Math.ceil(Math.max(bytes, (cur?.size ?? 0) * 1.5) / 65536) * 65536;
  const buf = gpu.device.createBuffer({ label: `matmul scratch ${which}`, size, usage });
  sc[which] = buf;
  return buf;
}

/** Records the packing of op(X) (`rows x k` per batch entry) into `panels` panels of tiles. */
function packInto(
  step: Step,
  src: Tensor,
  extent: number,
  dst: GPUBuffer,
  shape: { rows: number; k: number; trans: boolean; stride: number; batch: number },
  plan: TiledPlan,
  panels: number,
  panelRows: number,
): void {
  const S = bindAligned(step.gpu, src, Math.max(extent, 1), "operand");
  const kc4 = plan.kc / 4;
  const total = panels * plan.q * panelRows * kc4;
  const u = new Uint32Array([
    shape.rows,
    shape.k,
    shape.stride,
    S.offset,
    panelRows,
    kc4,
    plan.q,
    total,
    plan.tile4,
    panels * plan.q * plan.tile4,
    0,
    0,
  ]);
  const [gx, gy] = flatGrid(total);
  step.dispatch(packKernel(shape.trans), [S.binding, { buffer: dst }], [gx, gy, shape.batch], u);
}

function matmulTiled(
  step: Step,
  o: MatmulOptions,
  batch: number,
  strides: { a: number; b: number; c: number },
  eC: number,
  fallback: boolean,
): boolean {
  const gpu = step.gpu;
  const { m, n, k } = o;
  const plan = tiledPlan(m, n, k, o.block);
  const [tm, tn, wx, wy] = plan.block;
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM;
  const tileBytes = plan.tile4 * 16;
  const slack = WINDOW * 4;
  const bytesA = batch * plan.p * plan.q * tileBytes + slack;
  const bytesB = batch * plan.s * plan.q * tileBytes + slack;
  const limit = gpu.limits.maxStorageBufferBindingSize;
  if (Math.max(bytesA, bytesB) > limit) {
    if (fallback) return false;
    throw new Error(
      `lib/gpu/kernels/matmul.ts: the tiled path packs ${Math.max(bytesA, bytesB)} bytes, ` +
        `more than the device binds (${limit}); use path "direct"`,
    );
  }
  const pa = scratch(gpu, "a", bytesA, usage);
  const pb = scratch(gpu, "b", bytesB, usage);
  const eA = (batch - 1) * strides.a + m * k, eB = (batch - 1) * strides.b + k * n;
  packInto(
    step,
    o.a,
    eA,
    pa,
    {
      rows: m,
      k,
      trans: o.transA ?? false,
      stride: strides.a,
      batch,
    },
    plan,
    plan.p,
    plan.r,
  );
  packInto(
    step,
    o.b,
    eB,
    pb,
    {
      rows: n,
      k,
      trans: !(o.transB ?? false),
      stride: strides.b,
      batch,
    },
    plan,
    plan.s,
    plan.nd,
  );
  const C = bindAligned(gpu, o.c, eC, "C");
  let bias: { binding: Binding; offset: number } | undefined;
  if (o.bias) bias = bindAligned(gpu, o.bias, n, "bias");
  const groups = plan.q / plan.w;
  const tBytes = plan.pz * plan.r * plan.nd * 4;
  const t = scratch(gpu, "t", tBytes, GPUBufferUsage.STORAGE);
  const c4 = n % 4 === 0 && C.offset % 4 === 0 && (batch === 1 || strides.c % 4 === 0) &&
    (!bias || bias.offset % 4 === 0);
  // one kernel for every dispatch of the product
  const kernel = tiledKernel({
    activation: o.activation ?? "none",
    bias: o.bias !== undefined,
    accumulate: o.accumulate ?? false,
    tm,
    tn,
    wx,
    wy,
    windows: plan.w,
    panels: plan.pz,
    c4,
  });
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < plan.p; p += plan.pz) {
      const grid: [number, number, number] = [
        plan.nd / tn / wx,
        plan.r / tm / wy,
        Math.min(plan.pz, plan.p - p),
      ];
      for (let s = 0; s < plan.s; s++) {
        for (let g = 0; g < groups; g++) {
          const bindings: Binding[] = [];
          const window = (buf: GPUBuffer, panels: number, panel: number, w: number) => {
            const tile = (b * panels + Math.min(panel, panels - 1)) * plan.q + g * plan.w + w;
            bindings.push({ buffer: buf, offset: tile * tileBytes, size: WINDOW * 4 });
          };
          for (let z = 0; z < plan.pz; z++) {
            for (let w = 0; w < plan.w; w++) window(pa, plan.p, p + z, w);
          }
          for (let w = 0; w < plan.w; w++) window(pb, plan.s, s, w);
          if (bias) bindings.push(bias.binding);
          bindings.push(C.binding, { buffer: t, offset: 0, size: tBytes });
          const u = new ArrayBuffer(48);
          new Uint32Array(u).set([
            m,
            n,
            plan.kc / 4,
            p * plan.r,
            s * plan.nd,
            C.offset + b * strides.c,
            bias?.offset ?? 0,
            0,
            plan.nd / 4,
            g > 0 ? 1 : 0,
            g === groups - 1 ? 1 : 0,
            plan.r,
          ]);
          new Float32Array(u)[7] = o.alpha ?? 1;
          step.dispatch(kernel, bindings, grid, u);
        }
      }
    }
  }
  return true;
}
