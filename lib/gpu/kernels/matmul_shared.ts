/**
 * The matmul kernel for hardware GPUs (the `shared` path of `matmul`, its default on any
 * adapter that is not a software fallback): the classic workgroup-tiled product. A
 * workgroup of 16 x 16 invocations computes a 64 x 64 tile of C; for each slice of 16 values
 * of K it stages the 64 x 16 panels of op(A) and op(B) in workgroup memory (each invocation
 * loads 4 elements of each, coalesced for either transpose), waits at a barrier, and each
 * invocation accumulates a 4 x 4 block of C (rows `ty + 16i`, columns `tx + 16j`, so that
 * neighbouring invocations read neighbouring workgroup-memory words and store neighbouring
 * elements of C). Edges are zero-padded on load and skipped on store; the epilogue (alpha,
 * bias, activation, accumulate) and the bindings and uniforms are those of the direct path.
 *
 * On lavapipe this design is slow (barriers join a workgroup's lanes, see ENVIRONMENT.md),
 * which is why the lavapipe paths of `matmul.ts` avoid workgroup memory; there it runs only
 * when asked for with `path: "shared"` (the tests do). On an NVIDIA H100 through Vulkan the
 * register-blocked lavapipe kernels ran at 22-90 GFLOP/s.
 *
 * @module
 */
import type { Activation } from "../reference/matmul.ts";
import type { Kernel } from "../kernel.ts";

/** Rows and columns of C per workgroup. */
export const SHARED_TILE = 64;
/** Values of K staged per barrier. */
const SLICE = 16;
/** Invocations per workgroup side (each computes TILE / SIDE = 4 rows and columns). */
const SIDE = 16;

/**
 * What a shared-path kernel is specialised for.
 *
 * @example
 * ```ts
 * import type { SharedVariant } from "./matmul_shared.ts";
 * const v: SharedVariant = { transA: true, transB: false, activation: "none", bias: false,
 *   accumulate: true };
 * ```
 */
export type SharedVariant = {
  transA: boolean;
  transB: boolean;
  activation: Activation;
  bias: boolean;
  accumulate: boolean;
};

const made = new Map<string, Kernel>();

/**
 * The WGSL of one shared-path variant, `act` the WGSL of `fn act(x: f32) -> f32` for its
 * activation. Bindings: A, B, [bias,] C, uniforms `{ M, N, K, sA, sB, sC, offA, offB, offC,
 * offBias, alpha }` (as the direct path's); dispatch `[ceil(N / 64), ceil(M / 64), batch]`.
 *
 * @example
 * ```ts
 * import { sharedMatmulKernel } from "./matmul_shared.ts";
 * const k = sharedMatmulKernel({ transA: false, transB: true, activation: "none", bias: false,
 *   accumulate: false }, "fn act(x: f32) -> f32 { return x; }");
 * console.log(k.name); // "matmul_shared_nt_none"
 * ```
 */
export function sharedMatmulKernel(v: SharedVariant, act: string): Kernel {
  const name = `matmul_shared_${v.transA ? "t" : "n"}${v.transB ? "t" : "n"}_${v.activation}` +
    `${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}`;
  let kernel = made.get(name);
  if (kernel) return kernel;
  const T = SHARED_TILE, S = SLICE, per = T / SIDE, loads = (T * S) / (SIDE * SIDE);
  let bind = 0;
  const L: string[] = [
    `@group(0) @binding(${bind++}) var<storage, read> A: array<f32>;`,
    `@group(0) @binding(${bind++}) var<storage, read> B: array<f32>;`,
  ];
  if (v.bias) L.push(`@group(0) @binding(${bind++}) var<storage, read> bias: array<f32>;`);
  L.push(
    `@group(0) @binding(${bind++}) var<storage, read_write> C: array<f32>;`,
    `struct U { M: u32, N: u32, K: u32, sA: u32, sB: u32, sC: u32, offA: u32, offB: u32,
  offC: u32, offBias: u32, alpha: f32, pad: u32 }`,
    `@group(0) @binding(${bind++}) var<uniform> u: U;`,
    act,
    // [k][row] and [k][col]: a slice's values for one k lie side by side
    `var<workgroup> As: array<f32, ${T * S}>;`,
    `var<workgroup> Bs: array<f32, ${T * S}>;`,
    `@compute @workgroup_size(${SIDE}, ${SIDE})`,
    `fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) t: u32) {`,
    `  let row0 = wg.y * ${T}u;`,
    `  let col0 = wg.x * ${T}u;`,
    `  let aOff = u.offA + wg.z * u.sA;`,
    `  let bOff = u.offB + wg.z * u.sB;`,
    `  let cOff = u.offC + wg.z * u.sC;`,
  );
  for (let i = 0; i < per; i++) {
    for (let j = 0; j < per; j++) L.push(`  var c${i}_${j} = 0.0;`);
  }
  L.push(`  for (var k0 = 0u; k0 < u.K; k0 = k0 + ${S}u) {`);
  // Element e of this invocation's share: along K first when K is the operand's contiguous
  // dimension (A not transposed, B transposed), else along rows / columns.
  for (let e = 0; e < loads; e++) {
    const idx = `(t + ${e * SIDE * SIDE}u)`;
    const [ar, ak] = v.transA ? [`${idx} % ${T}u`, `${idx} / ${T}u`] : [
      `${idx} / ${S}u`,
      `${idx} % ${S}u`,
    ];
    const [bc, bk] = v.transB ? [`${idx} / ${S}u`, `${idx} % ${S}u`] : [
      `${idx} % ${T}u`,
      `${idx} / ${T}u`,
    ];
    const aAt = v.transA ? "aOff + gk * u.M + gr" : "aOff + gr * u.K + gk";
    const bAt = v.transB ? "bOff + gc * u.K + gk" : "bOff + gk * u.N + gc";
    L.push(
      `    {`,
      `      let r = ${ar}; let kk = ${ak}; let gr = row0 + r; let gk = k0 + kk;`,
      `      var x = 0.0;`,
      `      if (gr < u.M && gk < u.K) { x = A[${aAt}]; }`,
      `      As[kk * ${T}u + r] = x;`,
      `    }`,
      `    {`,
      `      let c = ${bc}; let kk = ${bk}; let gc = col0 + c; let gk = k0 + kk;`,
      `      var x = 0.0;`,
      `      if (gc < u.N && gk < u.K) { x = B[${bAt}]; }`,
      `      Bs[kk * ${T}u + c] = x;`,
      `    }`,
    );
  }
  L.push(`    workgroupBarrier();`);
  L.push(`    for (var kk = 0u; kk < ${S}u; kk = kk + 1u) {`);
  for (let i = 0; i < per; i++) L.push(`      let a${i} = As[kk * ${T}u + lid.y + ${SIDE * i}u];`);
  for (let j = 0; j < per; j++) L.push(`      let b${j} = Bs[kk * ${T}u + lid.x + ${SIDE * j}u];`);
  for (let i = 0; i < per; i++) {
    for (let j = 0; j < per; j++) L.push(`      c${i}_${j} = fma(a${i}, b${j}, c${i}_${j});`);
  }
  L.push(`    }`, `    workgroupBarrier();`, `  }`);
  for (let j = 0; j < per; j++) {
    L.push(`  let cc${j} = col0 + lid.x + ${SIDE * j}u;`);
    if (v.bias) L.push(`  let bias${j} = bias[u.offBias + min(cc${j}, u.N - 1u)];`);
  }
  for (let i = 0; i < per; i++) {
    L.push(`  let rr${i} = row0 + lid.y + ${SIDE * i}u;`);
    L.push(`  if (rr${i} < u.M) {`);
    for (let j = 0; j < per; j++) {
      const at = `C[cOff + rr${i} * u.N + cc${j}]`;
      const val = `act(u.alpha * c${i}_${j}${v.bias ? ` + bias${j}` : ""})`;
      L.push(`    if (cc${j} < u.N) { ${at} = ${v.accumulate ? `${at} + ` : ""}${val}; }`);
    }
    L.push(`  }`);
  }
  L.push(`}`);
  kernel = { name, code: L.join("\n") + "\n" };
  made.set(name, kernel);
  return kernel;
}
