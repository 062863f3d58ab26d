/**
 * The tiled matmul path for software adapters (Mesa lavapipe): op(A) and op(B) are packed
 * ({@link packKernel}) into zero-padded 64 KiB tiles (`r x kc` and `nd x kc`, kc <= 128;
 * {@link tiledPlan}) of a scratch buffer that is also a uniform buffer; the compute kernel
 * ({@link tiledKernel}) reads up to 3 K-chunks per dispatch from 2 x 3 uniform windows (or,
 * when K is one chunk, up to 5 row panels), each invocation a 16x8 block; longer K carries
 * partial sums through a scratch buffer. Sums over K run in f32 in a different order than the
 * direct path (per chunk, then across chunks), within the tests' 1e-4 relative tolerance.
 * `matmul_path.ts` says which products take it; it takes neither `ld` nor `heads`.
 *
 * Why pack first: lavapipe loads a uniform-buffer value that is the same in all lanes once,
 * where storage-buffer loads go lane by lane (docs/kernels.md).
 * Why 3 K-chunks (or 5 row panels) per dispatch: 7 uniform buffers is the most lavapipe
 * binds safely ({@link MAX_UNIFORM_BUFFERS}), and fewer dispatches join threads less often.
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { Binding, Step } from "../kernel.ts";
import { flatGrid } from "./grid.ts";
import { bindAligned } from "./matmul_binding.ts";
import type { MatmulOptions } from "./matmul_options.ts";
import { MAX_UNIFORM_BUFFERS, packKernel, tiledKernel, WINDOW } from "./matmul_tiled_kernel.ts";

/** Largest K chunk (one window) of the tiled path. */
const KC_MAX = 128;
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
 * import assert from "node:assert/strict";
 * import { tiledPlan } from "./matmul_tiled.ts";
 * const p = tiledPlan(1024, 128, 768);
 * assert.deepEqual([p.kc, p.q, p.w, p.pz, p.r, p.p, p.nd, p.s], [128, 6, 3, 1, 128, 8, 128, 1]);
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
      `tiledPlan: block ${tm}x${tn} (${wx}x${wy}) does not fit a K chunk of ${kc}`,
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

/**
 * Records `o` on the tiled path (its shape already checked by `matmul`): packs op(A) and
 * op(B), then dispatches the tiled kernel per batch entry, row panel group, column panel and
 * group of K chunks. `strides` are the batch strides, `eC` the elements C spans. When the
 * packed operands would not fit one storage binding it returns false if `fallback` (the
 * caller then takes the direct path), else throws.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { step } from "../kernel.ts";
 * import { matmulTiled } from "./matmul_tiled.ts";
 * const gpu = await getGpu();
 * const a = tensor(gpu, [2, 2], [1, 2, 3, 4]), b = tensor(gpu, [2, 2], [5, 6, 7, 8]);
 * const c = zeros(gpu, [2, 2]);
 * const s = step(gpu);
 * matmulTiled(s, { a, b, c, m: 2, n: 2, k: 2 }, 1, { a: 4, b: 4, c: 4 }, 4, false);
 * const out = s.read(c);
 * await s.submit();
 * assert.deepEqual(Array.from(await out), [19, 22, 43, 50]);
 * ```
 */
export function matmulTiled(
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
      `matmul: the tiled path packs ${Math.max(bytesA, bytesB)} bytes, ` +
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
