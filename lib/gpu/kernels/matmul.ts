/**
 * Matrix multiplication on the GPU: `C = act(alpha * op(A) @ op(B) + bias) (+ C)`, with
 * either operand transposed, batched with strides, and an optional accumulate into C.
 * The CPU reference is `lib/gpu/reference/matmul.ts` (same conventions; see there).
 *
 * Design (tuned for Mesa lavapipe, where a GPU "lane" is one SIMD lane of a CPU core):
 * register blocking without shared memory or barriers. Each invocation computes a
 * `TM x TN` block of C in vec4 accumulators with `fma`; per step of k it loads TM values
 * of A and TN values of B, so loads per multiply-add fall as 1/TM + 1/TN. Rows and columns
 * past the edge are clamped on load and skipped on store, so any shape works. The WGSL
 * is generated from a small template per (transA, transB, activation, bias, accumulate,
 * block); pipelines are cached by code in `lib/gpu/kernel.ts`.
 *
 * Measured on this machine's lavapipe (LLVM 15, 256-bit, 2 threads; see
 * bench/matmul_bench.ts for the full table): pure fma throughput of a lavapipe lane tops out
 * near 75 GFLOP/s (2 threads), and each per-lane load costs ~25 fma, so bigger blocks
 * win until register spills dominate: at 512x768x768 blocks of 8x8 / 16x16 / 32x16 /
 * 32x32 gave ~17 / 18 / 21 / 25 GFLOP/s. Loading A rows through a uniform buffer (one
 * dispatch per row block) was no faster (~26). The default block is chosen per shape by
 * {@link chooseBlock}.
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { Binding, Kernel, Step } from "../kernel.ts";
import type { Activation } from "../reference/matmul.ts";

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
};

const COMP = ["x", "y", "z", "w"];

/**
 * Whether a product can use the vec4-load kernel: K, the contiguous dimension of A (K, or
 * M when transposed) and of B (N, or K when transposed), the batch strides and the element
 * offsets of A and B are all multiples of 4.
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
}): boolean {
  const four = (x: number) => x % 4 === 0;
  return four(p.k) && four(p.sA) && four(p.sB) && four(p.offA) && four(p.offB) &&
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

/** Accumulator declarations and the k loop of the vec4-load kernel. */
function vec4Loop(L: string[], v: MatmulVariant): void {
  const { tm, tn } = v;
  const tn4 = tn / 4, tm4 = tm / 4;
  L.push(`  let K4 = u.K / 4u;`);
  L.push(`  let aOff4 = aOff / 4u;`);
  L.push(`  let bOff4 = bOff / 4u;`);
  if (v.transA) {
    // A^T stored [K, M]: row k of it holds M/4 vec4s; this block's rows are vec4 columns.
    L.push(`  let M4 = u.M / 4u;`);
    for (let i = 0; i < tm4; i++) L.push(`  let ac${i} = aOff4 + min(row0 / 4u + ${i}u, M4 - 1u);`);
  } else {
    for (let i = 0; i < tm; i++) L.push(`  let ar${i} = aOff4 + min(row0 + ${i}u, mLast) * K4;`);
  }
  if (v.transB) {
    for (let j = 0; j < tn; j++) L.push(`  let bc${j} = bOff4 + min(col0 + ${j}u, nLast) * K4;`);
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
        L.push(`    let a${kk}_${i} = A[ac${i} + (k4 * 4u + ${kk}u) * M4];`);
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
        L.push(`    let b${kk}_${j} = B[bc${j} + (k4 * 4u + ${kk}u) * N4];`);
      }
    }
    b = (kk, j4) => `b${kk}_${j4}`;
  }
  for (let kk = 0; kk < 4; kk++) {
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < tn4; j++) {
        L.push(`    c${i}_${j} = fma(vec4<f32>(${a(i, kk)}), ${b(kk, j)}, c${i}_${j});`);
      }
    }
  }
  L.push(`  }`);
}

/**
 * The WGSL of one matmul variant. Bindings: A, B, [bias,] C, uniforms
 * `{ M, N, K, sA, sB, sC, offA, offB, offC, offBias, alpha }`.
 *
 * @example
 * ```ts
 * import { matmulKernel } from "./matmul.ts";
 * const k = matmulKernel({ transA: false, transB: false, activation: "relu", bias: true,
 *   accumulate: false, tm: 4, tn: 4, wx: 8, wy: 1 });
 * console.log(k.name); // "matmul_nn_relu_bias_4x4_8x1"
 * ```
 */
export function matmulKernel(v: MatmulVariant): Kernel {
  const { tm, tn, wx, wy } = v;
  if (!Number.isInteger(tm) || tm < 1 || !Number.isInteger(tn) || tn < 4 || tn % 4 !== 0) {
    throw new Error(`lib/gpu/kernels/matmul.ts: block ${tm}x${tn} (tn must be a multiple of 4)`);
  }
  if (v.vec4 && v.transA && tm % 4 !== 0) {
    throw new Error(`lib/gpu/kernels/matmul.ts: vec4 loads of A^T need tm % 4 == 0 (tm ${tm})`);
  }
  const tn4 = tn / 4;
  const name = `matmul_${v.transA ? "t" : "n"}${v.transB ? "t" : "n"}_${v.activation}` +
    `${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}_${tm}x${tn}_${wx}x${wy}` +
    (v.vec4 ? "_v4" : "");
  const L: string[] = [];
  let bind = 0;
  const elem = v.vec4 ? "vec4<f32>" : "f32";
  L.push(`@group(0) @binding(${bind++}) var<storage, read> A: array<${elem}>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read> B: array<${elem}>;`);
  if (v.bias) L.push(`@group(0) @binding(${bind++}) var<storage, read> bias: array<f32>;`);
  L.push(`@group(0) @binding(${bind++}) var<storage, read_write> C: array<f32>;`);
  L.push(`struct U { M: u32, N: u32, K: u32, sA: u32, sB: u32, sC: u32, offA: u32, offB: u32,
  offC: u32, offBias: u32, alpha: f32, pad: u32 }`);
  L.push(`@group(0) @binding(${bind++}) var<uniform> u: U;`);
  L.push(activationWgsl(v.activation));
  L.push(`@compute @workgroup_size(${wx}, ${wy})`);
  L.push(`fn main(@builtin(global_invocation_id) gid: vec3<u32>) {`);
  L.push(`  let row0 = gid.y * ${tm}u;`);
  L.push(`  let col0 = gid.x * ${tn}u;`);
  L.push(`  if (row0 >= u.M || col0 >= u.N) { return; }`);
  L.push(`  let aOff = u.offA + gid.z * u.sA;`);
  L.push(`  let bOff = u.offB + gid.z * u.sB;`);
  L.push(`  let cOff = u.offC + gid.z * u.sC;`);
  L.push(`  let mLast = u.M - 1u;`);
  L.push(`  let nLast = u.N - 1u;`);
  if (v.vec4) vec4Loop(L, v);
  else {
    // A is [M, K] (a[r*K + k]) or, transposed, [K, M] (a[k*M + r]).
    for (let i = 0; i < tm; i++) {
      L.push(`  let ar${i} = aOff + min(row0 + ${i}u, mLast)${v.transA ? "" : " * u.K"};`);
    }
    // B is [K, N] (b[k*N + c]) or, transposed, [N, K] (b[c*K + k]).
    for (let j = 0; j < tn; j++) {
      L.push(`  let bc${j} = bOff + min(col0 + ${j}u, nLast)${v.transB ? " * u.K" : ""};`);
    }
    for (let i = 0; i < tm; i++) {
      for (let j = 0; j < tn4; j++) L.push(`  var c${i}_${j} = vec4<f32>(0.0);`);
    }
    L.push(`  for (var k = 0u; k < u.K; k = k + 1u) {`);
    L.push(`    let ka = k${v.transA ? " * u.M" : ""};`);
    L.push(`    let kb = k${v.transB ? "" : " * u.N"};`);
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
  for (let i = 0; i < tm; i++) {
    L.push(`  if (row0 + ${i}u < u.M) {`);
    L.push(`    let ci = cOff + (row0 + ${i}u) * u.N + col0;`);
    for (let j = 0; j < tn; j++) {
      const acc = `c${i}_${Math.floor(j / 4)}.${COMP[j % 4]}`;
      const bias = v.bias ? ` + bias[u.offBias + col0 + ${j}u]` : "";
      const old = v.accumulate ? `C[ci + ${j}u] + ` : "";
      L.push(
        `    if (col0 + ${j}u < u.N) { C[ci + ${j}u] = ${old}act(u.alpha * ${acc}${bias}); }`,
      );
    }
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join("\n") + "\n" };
}

/**
 * A block size `[tm, tn, wx, wy]` for a product: 16x16 when that still gives at least 64
 * invocations (so both CPU threads and all SIMD lanes have work), else 8x8, else 4x4.
 * Larger blocks (32x16, 32x32) ran up to ~20% faster at BERT shapes but took 4-17 s to
 * compile per variant on lavapipe, so they are opt-in through `block`.
 *
 * @example
 * ```ts
 * import { chooseBlock } from "./matmul.ts";
 * console.log(chooseBlock(512, 768, 1)); // [16, 16, 8, 1]
 * console.log(chooseBlock(7, 13, 1)); // [4, 4, 8, 1]
 * ```
 */
export function chooseBlock(m: number, n: number, batch: number): [number, number, number, number] {
  for (const t of [16, 8]) {
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
 * declare const x: Tensor, w: Tensor, y: Tensor, b: Tensor;
 * const linear: MatmulOptions = { a: x, b: w, c: y, m: 64, n: 3072, k: 768, bias: b,
 *   activation: "gelu_erf" };
 * ```
 */
export type MatmulOptions = {
  a: Tensor;
  b: Tensor;
  c: Tensor;
  m: number;
  n: number;
  k: number;
  /** A is stored `[k, m]` and used transposed. */
  transA?: boolean;
  /** B is stored `[n, k]` and used transposed. */
  transB?: boolean;
  /** Scale of the product (default 1), applied before the bias. */
  alpha?: number;
  bias?: Tensor;
  activation?: Activation;
  /** Add the result to C instead of overwriting it (gradient accumulation). */
  accumulate?: boolean;
  batch?: number;
  /** Element strides between batch entries (defaults: m*k, k*n, m*n). */
  strides?: { a?: number; b?: number; c?: number };
  /** Use vec4 loads when the shape allows (default true; false forces scalar loads). */
  vec4?: boolean;
  /** Override the block `[tm, tn, wx, wy]` (default {@link chooseBlock}). */
  block?: [number, number, number, number];
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
  const gpu = step.gpu;
  const { m, n, k } = o;
  const batch = o.batch ?? 1;
  for (const [name, v] of [["m", m], ["n", n], ["k", k], ["batch", batch]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new Error(`lib/gpu/kernels/matmul.ts: ${name} = ${v} is not a non-negative integer`);
    }
  }
  const sA = o.strides?.a ?? m * k, sB = o.strides?.b ?? k * n, sC = o.strides?.c ?? m * n;
  const need = (what: string, t: Tensor, stride: number, size: number): number => {
    const extent = batch === 0 || size === 0 ? 0 : (batch - 1) * stride + size;
    if (t.size < extent) {
      throw new Error(
        `lib/gpu/kernels/matmul.ts: ${what} [${t.shape.join(", ")}] has ${t.size} elements, ` +
          `the product (m=${m}, n=${n}, k=${k}, batch=${batch}) needs ${extent}`,
      );
    }
    return extent;
  };
  const eA = need("A", o.a, sA, m * k), eB = need("B", o.b, sB, k * n);
  const eC = need("C", o.c, sC, m * n);
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
  const [tm, tn, wx, wy] = o.block ?? chooseBlock(m, n, batch);
  const A = bindAligned(gpu, o.a, Math.max(eA, 1), "A");
  const B = bindAligned(gpu, o.b, Math.max(eB, 1), "B");
  const vec4 = (o.vec4 ?? true) && tm % 4 === 0 && canVec4({
    m,
    n,
    k,
    transA: o.transA,
    transB: o.transB,
    sA: batch > 1 ? sA : 0,
    sB: batch > 1 ? sB : 0,
    offA: A.offset,
    offB: B.offset,
  });
  const kernel = matmulKernel({
    vec4,
    transA: o.transA ?? false,
    transB: o.transB ?? false,
    activation: o.activation ?? "none",
    bias: o.bias !== undefined,
    accumulate: o.accumulate ?? false,
    tm,
    tn,
    wx,
    wy,
  });
  const C = bindAligned(gpu, o.c, eC, "C");
  const bindings: Binding[] = [A.binding, B.binding];
  let offBias = 0;
  if (o.bias) {
    const bb = bindAligned(gpu, o.bias, n, "bias");
    bindings.push(bb.binding);
    offBias = bb.offset;
  }
  bindings.push(C.binding);
  const uniforms = new ArrayBuffer(48);
  new Uint32Array(uniforms, 0, 10).set([
    m,
    n,
    k,
    sA,
    sB,
    sC,
    A.offset,
    B.offset,
    C.offset,
    offBias,
  ]);
  new Float32Array(uniforms, 40, 1)[0] = o.alpha ?? 1;
  const gx = Math.ceil(Math.ceil(n / tn) / wx), gy = Math.ceil(Math.ceil(m / tm) / wy);
  step.dispatch(kernel, bindings, [gx, gy, batch], uniforms);
}
