/**
 * The tiled path's kernels: {@link packKernel} copies op(A) and op(B) into zero-padded
 * 64 KiB tiles of a scratch buffer that is also a uniform buffer, and {@link tiledKernel}
 * multiplies them reading the tiles through uniform windows, each invocation a `tm x tn`
 * block of C in vec4 accumulators. How a product is cut into tiles and dispatches is
 * `matmul_tiled.ts`; the CPU reference is `lib/gpu/reference/matmul.ts`.
 *
 * Why uniform windows: on lavapipe a load whose address is the same in every lane is one
 * scalar load and a broadcast from a uniform buffer, but a per-lane gather from storage.
 * Why at most 7 uniform buffers per dispatch: with more, lavapipe 22.3 corrupted its heap.
 * Why the A rows come from `workgroup_id` when a workgroup is one row of invocations: the
 * compiler then knows them uniform and loads them once.
 * Why a row panel's loop is skipped by giving it no iterations rather than by a branch:
 * lavapipe runs both sides of a branch under a lane mask.
 * (Measurements: docs/kernels.md.)
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";
import { FLAT_INDEX } from "./grid.ts";
import type { MatmulVariant } from "./matmul_direct.ts";
import { COMP, memoKernel, storeC } from "./matmul_wgsl.ts";

/**
 * Floats in one uniform-buffer window: 64 KiB, WebGPU's default maxUniformBufferBindingSize.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { WINDOW } from "./matmul_tiled_kernel.ts";
 * assert.equal(WINDOW * 4, 65536);
 * ```
 */
export const WINDOW = 16384;

/**
 * Most uniform buffers one dispatch binds (WebGPU allows 12; lavapipe 22.3 corrupted its heap
 * with 9 or 10, never with 5 or 7).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MAX_UNIFORM_BUFFERS } from "./matmul_tiled_kernel.ts";
 * assert.ok(MAX_UNIFORM_BUFFERS <= 12);
 * ```
 */
export const MAX_UNIFORM_BUFFERS = 7;

/**
 * The WGSL that packs op(X) of a product into tiles: tile `(panel, chunk)` is a row-major
 * `r x kc` block of rows `panel*r ..` and k `chunk*kc ..`, zero past the edges. `trans`: X is
 * stored `[K, rows]` rather than `[rows, K]`. Bindings: src, dst (vec4), uniforms
 * `{ rows, K, stride, off, r, kc4, q, total, tile4, batch4, pad, pad }`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packKernel } from "./matmul_tiled_kernel.ts";
 * assert.equal(packKernel(true).name, "matmul_pack_t");
 * ```
 */
export const packKernel: (trans: boolean) => Kernel = memoKernel(function (trans: boolean) {
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
 */
export type TiledVariant =
  & Pick<MatmulVariant, "bias" | "accumulate" | "tm" | "tn" | "wx" | "wy">
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
 * import assert from "node:assert/strict";
 * import { tiledKernel } from "./matmul_tiled_kernel.ts";
 * const k = tiledKernel({ bias: false, accumulate: false, tm: 8, tn: 8, wx: 8, wy: 1,
 *   windows: 1, c4: true });
 * assert.equal(k.name, "matmul_tiled_8x8_8x1_w1_c4");
 * ```
 */
export const tiledKernel: (v: TiledVariant) => Kernel = memoKernel(function (v: TiledVariant) {
  const { tm, tn, wx, wy, windows, c4 } = v;
  const panels = v.panels ?? 1;
  if (!Number.isInteger(tm) || tm < 1 || !Number.isInteger(tn) || tn < 4 || tn % 4 !== 0) {
    throw new Error(`tiledKernel: block ${tm}x${tn} (tn must be a multiple of 4)`);
  }
  if (windows * panels + windows + 1 > MAX_UNIFORM_BUFFERS) {
    throw new Error(
      `tiledKernel: ${windows} windows x ${panels} panels need more than ` +
        `${MAX_UNIFORM_BUFFERS} uniform buffers`,
    );
  }
  const tn4 = tn / 4;
  const name = `matmul_tiled${v.bias ? "_bias" : ""}${v.accumulate ? "_acc" : ""}` +
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
      storeC(L, j, `u.alpha * c${i}_${j}${v.bias ? ` + bias${j}` : ""}`, v.accumulate, c4);
    }
    L.push(`  }`);
  }
  L.push(`}`);
  return { name, code: L.join("\n") + "\n" };
});
