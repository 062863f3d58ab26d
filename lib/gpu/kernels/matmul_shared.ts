/**
 * The matmul kernel for hardware GPUs (the `shared` path of `matmul`, its default on any
 * adapter that is not a software fallback): the classic workgroup-tiled product. A
 * workgroup of 16 x 16 invocations computes a 64 x 64 tile of C; for each slice of 16 values
 * of K it stages the 64 x 16 panels of op(A) and op(B) in workgroup memory (each invocation
 * loads 4 elements of each, coalesced for either transpose), waits at a barrier, and each
 * invocation accumulates a 4 x 4 block of C (rows `4 ty ..`, columns `4 tx ..`), reading
 * its 4 values of op(A) and of op(B) at each k as one vec4 of workgroup memory (a quarter
 * of the scalar reads; invocations of a row share the A read, and neighbouring ones store
 * neighbouring elements of C). Edges are zero-padded on load and skipped on store; the epilogue
 * (alpha, bias, accumulate) and the bindings and uniforms are those of the direct path.
 *
 * Why not on lavapipe: barriers join a workgroup's lanes there, so the lavapipe paths of
 * `matmul.ts` avoid workgroup memory; there it runs only when asked for with
 * `path: "shared"` (the tests do).
 * Why on a hardware GPU: on an NVIDIA H100 it ran over 100x the register-blocked lavapipe
 * kernels (docs/kernels.md).
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";
import { entryOffsets, MATMUL_UNIFORMS } from "./matmul_uniforms.ts";

/** Rows and columns of C per workgroup. */
export const SHARED_TILE = 64;
/** Values of K staged per barrier. */
const SLICE = 16;
/** Invocations per workgroup side (each computes TILE / SIDE = 4 rows and columns). */
const SIDE = 16;

/**
 * What a shared-path kernel is specialised for.
 */
export type SharedVariant = {
  transA: boolean;
  transB: boolean;
  bias: boolean;
  accumulate: boolean;
};

const made = new Map<string, Kernel>();

/**
 * The WGSL of one shared-path variant. Bindings: A, B, [bias,] C, the uniform block of `matmul_uniforms.ts` (as the
 * direct path's); dispatch `[ceil(N / 64), ceil(M / 64), batch]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sharedMatmulKernel } from "./matmul_shared.ts";
 * const k = sharedMatmulKernel({ transA: false, transB: true, bias: false, accumulate: false });
 * assert.equal(k.name, "matmul_shared_nt");
 * ```
 */
export function sharedMatmulKernel(v: SharedVariant): Kernel {
  const name = `matmul_shared_${v.transA ? "t" : "n"}${v.transB ? "t" : "n"}` +
    `${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}`;
  let kernel = made.get(name);
  if (kernel) return kernel;
  const T = SHARED_TILE, S = SLICE, T4 = T / 4, loads = (T * S) / (SIDE * SIDE);
  let bind = 0;
  const L: string[] = [
    `@group(0) @binding(${bind++}) var<storage, read> A: array<f32>;`,
    `@group(0) @binding(${bind++}) var<storage, read> B: array<f32>;`,
  ];
  if (v.bias) L.push(`@group(0) @binding(${bind++}) var<storage, read> bias: array<f32>;`);
  L.push(
    `@group(0) @binding(${bind++}) var<storage, read_write> C: array<f32>;`,
    MATMUL_UNIFORMS,
    `@group(0) @binding(${bind++}) var<uniform> u: U;`,
    // [k][row / 4] and [k][col / 4]: one vec4 holds an invocation's 4 rows (columns) at one k
    `var<workgroup> As: array<vec4<f32>, ${T4 * S}>;`,
    `var<workgroup> Bs: array<vec4<f32>, ${T4 * S}>;`,
    `@compute @workgroup_size(${SIDE}, ${SIDE})`,
    `fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(local_invocation_index) t: u32) {`,
    `  let row0 = wg.y * ${T}u;`,
    `  let col0 = wg.x * ${T}u;`,
    entryOffsets("wg.z"),
    `  var c0 = vec4<f32>(0.0); var c1 = vec4<f32>(0.0);`,
    `  var c2 = vec4<f32>(0.0); var c3 = vec4<f32>(0.0);`,
    `  for (var k0 = 0u; k0 < u.K; k0 = k0 + ${S}u) {`,
  );
  // Element e of this invocation's share of op(X)'s 64 x 16 panel (A by rows, B by
  // columns) into X's workgroup copy: along K first when K is X's contiguous dimension
  // (A not transposed, B transposed), else along rows / columns.
  const stage = (x: "A" | "B", kFirst: boolean, e: number) => {
    const idx = `(t + ${e * SIDE * SIDE}u)`;
    const [p, kk] = kFirst ? [`${idx} / ${S}u`, `${idx} % ${S}u`] : [
      `${idx} % ${T}u`,
      `${idx} / ${T}u`,
    ];
    const [first, extent, off, ld] = x === "A"
      ? ["row0", "u.M", "aOff", "u.lda"]
      : ["col0", "u.N", "bOff", "u.ldb"];
    const at = kFirst ? `${off} + g * ${ld} + gk` : `${off} + gk * ${ld} + g`;
    L.push(
      `    {`,
      `      let p = ${p}; let kk = ${kk}; let g = ${first} + p; let gk = k0 + kk;`,
      `      var x = 0.0;`,
      `      if (g < ${extent} && gk < u.K) { x = ${x}[${at}]; }`,
      `      ${x}s[kk * ${T4}u + p / 4u][p % 4u] = x;`,
      `    }`,
    );
  };
  for (let e = 0; e < loads; e++) {
    stage("A", !v.transA, e);
    stage("B", v.transB, e);
  }
  L.push(
    `    workgroupBarrier();`,
    `    for (var kk = 0u; kk < ${S}u; kk = kk + 1u) {`,
    `      let a = As[kk * ${T4}u + lid.y];`,
    `      let b = Bs[kk * ${T4}u + lid.x];`,
    `      c0 = fma(vec4<f32>(a.x), b, c0);`,
    `      c1 = fma(vec4<f32>(a.y), b, c1);`,
    `      c2 = fma(vec4<f32>(a.z), b, c2);`,
    `      c3 = fma(vec4<f32>(a.w), b, c3);`,
    `    }`,
    `    workgroupBarrier();`,
    `  }`,
    `  let col = col0 + lid.x * 4u;`,
  );
  if (v.bias) {
    const e = [0, 1, 2, 3].map((q) => `bias[u.offBias + min(col + ${q}u, u.N - 1u)]`);
    L.push(`  let bias4 = vec4<f32>(${e.join(", ")});`);
  }
  for (let i = 0; i < 4; i++) {
    L.push(`  let rr${i} = row0 + lid.y * 4u + ${i}u;`);
    L.push(`  if (rr${i} < u.M) {`);
    L.push(`    let v = u.alpha * c${i}${v.bias ? " + bias4" : ""};`);
    for (let q = 0; q < 4; q++) {
      const at = `C[cOff + rr${i} * u.ldc + col + ${q}u]`;
      const val = `v[${q}]`;
      L.push(`    if (col + ${q}u < u.N) { ${at} = ${v.accumulate ? `${at} + ` : ""}${val}; }`);
    }
    L.push(`  }`);
  }
  L.push(`}`);
  kernel = { name, code: L.join("\n") + "\n" };
  made.set(name, kernel);
  return kernel;
}
