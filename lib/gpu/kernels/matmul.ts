/**
 * Matrix multiplication on the GPU: `C = alpha * op(A) @ op(B) + bias (+ C)`, with
 * either operand transposed, batched with strides, and an optional accumulate into C.
 * Row strides (`ld`) and heads within groups (`heads`, `headStrides`) let a product read and
 * write matrices in place inside wider ones: attention's heads in the fused QKV projection.
 * The CPU reference is `lib/gpu/reference/matmul.ts` (same conventions; see there).
 *
 * This module checks a product and records it on one of three paths:
 * - shared (`matmul_shared.ts`): workgroup-tiled, every product on a hardware GPU;
 * - direct (`matmul_direct.ts`): register-blocked, reading the storage buffers in place;
 * - tiled (`matmul_tiled.ts`, kernels in `matmul_tiled_kernel.ts`): operands packed into
 *   uniform-buffer windows first;
 * the last two for software adapters (Mesa lavapipe), chosen by shape in `matmul_path.ts`.
 * The kernels share the uniform block of `matmul_uniforms.ts` and the WGSL pieces of
 * `matmul_wgsl.ts`. Design and measurements: docs/kernels.md.
 *
 * Why a path per adapter: lavapipe's costs (per-lane loads, thread joins after each dispatch
 * and barrier) differ from a GPU's, and each path was tuned for one (docs/kernels.md).
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import type { Binding, Step } from "../kernel.ts";
import { matmulLayout } from "../reference/matmul.ts";
import { bindAligned } from "./matmul_binding.ts";
import { canVec4, matmulKernel } from "./matmul_direct.ts";
import type { MatmulOptions } from "./matmul_options.ts";
import { chooseBlock, choosePath, largeDirect, swapsToTransposedC } from "./matmul_path.ts";
import { SHARED_TILE, sharedMatmulKernel } from "./matmul_shared.ts";
import { matmulTiled } from "./matmul_tiled.ts";
import { packMatmulUniforms } from "./matmul_uniforms.ts";

export { canVec4, matmulKernel, type MatmulVariant } from "./matmul_direct.ts";
export type { MatmulOptions } from "./matmul_options.ts";
export { chooseBlock, choosePath, swapsToTransposedC } from "./matmul_path.ts";
export { type TiledPlan, tiledPlan } from "./matmul_tiled.ts";
export { packKernel, tiledKernel, type TiledVariant } from "./matmul_tiled_kernel.ts";

/**
 * Records `C = alpha * op(A) @ op(B) + bias (+ C)` into `step`. Tensors may be views
 * at any element offset; C must not share a buffer with A, B or bias.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
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
 * assert.deepEqual(Array.from(await out), [19, 22, 43, 50]);
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
      throw new Error(`matmul: ${name} = ${v} is not a non-negative integer`);
    }
  }
  const layout = matmulLayout(o), { heads } = layout;
  const [la, lb, lc] = [layout.a, layout.b, layout.c];
  const [sA, sB, sC] = [la.stride, lb.stride, lc.stride];
  const need = (what: string, t: Tensor, extent: number): number => {
    if (t.size < extent) {
      throw new Error(
        `matmul: ${what} [${t.shape.join(", ")}] has ${t.size} elements, ` +
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
    throw new Error("matmul: the tiled path takes neither ld nor heads");
  }
  if (o.bias && o.bias.size < n) {
    throw new Error(`matmul: bias has ${o.bias.size} elements, needs n=${n}`);
  }
  for (const [what, t] of [["A", o.a], ["B", o.b], ["bias", o.bias]] as const) {
    if (t && t.buffer === o.c.buffer && !step.sharedBuffers) {
      throw new Error(
        `matmul: C shares a buffer with ${what}; WebGPU cannot bind one ` +
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
  const transA = o.transA ?? false;
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
    bias: o.bias !== undefined,
    accumulate: o.accumulate ?? false,
  };
  if (path === "shared") {
    const kernel = sharedMatmulKernel(epilogue);
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
