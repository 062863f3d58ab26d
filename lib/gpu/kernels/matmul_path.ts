/**
 * Which kernel and block a matmul takes on a software adapter (Mesa lavapipe, where a GPU
 * "lane" is one SIMD lane of a CPU core): the direct path (`matmul_direct.ts`) with a block
 * from {@link chooseBlock}, or the tiled path (`matmul_tiled.ts`), by {@link choosePath};
 * and whether a product is recorded as its transpose ({@link swapsToTransposedC}). On a
 * hardware GPU every product takes the workgroup-tiled kernel of `matmul_shared.ts` instead.
 * The rules were tuned by measurement on lavapipe; the numbers behind each are in
 * docs/kernels.md, measured with `deno run -A bench/matmul_bench.ts --compare`.
 *
 * Why large products take 32-row direct blocks: the bigger the block, the fewer loads per
 * multiply-add, and on lavapipe loads are what costs; they beat the tiled path 1.1-2x.
 * Why not bigger blocks: 48x32 and 64x32 ran no faster and compile several times longer.
 * Why the tiled path for large products with 16-31 rows, 16-63 columns or no vec4 loads: the
 * large direct blocks need both, and the small ones lose to the tiled path there.
 * Why a transposed A whose M is a power of two from 256 on avoids the direct path: rows of
 * A^T 1-16 KiB apart ran the direct kernels at 3-14 GFLOP/s, other M at 22-31 (why is unknown).
 * Why small products aim for at least 64 invocations: so both CPU threads and all their SIMD
 * lanes have work.
 * Why narrow products take 16x4 or 8x8 blocks: they beat the tiled path 1.8-3x there.
 * Why batched products (attention) take 16x8: 5-8% faster than 8x8, 1.5x faster than 16x16.
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { MatmulOptions } from "./matmul_options.ts";

/** Multiply-adds per batch entry from which a product counts as large. */
const LARGE = 1 << 20;

/** Whether `m` is a power of two from 256 on. */
const powerOfTwoRows = (m: number) => m >= 256 && (m & (m - 1)) === 0;

/** Whether `[tm, tn, ..]` blocks tile an `m x n` C exactly. */
const tilesExactly = (m: number, n: number, [tm, tn]: number[]) => m % tm === 0 && n % tn === 0;

/**
 * Whether a product is large (at least 2^20 multiply-adds, one batch entry) and shaped for
 * the direct path's 32-row blocks: op(A) at least 32 rows, op(B) at least 64 columns, K at
 * least 8, and not a transposed A whose M is a power of two from 256 on.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { largeDirect } from "./matmul_path.ts";
 * assert.equal(largeDirect(512, 768, 768, 1, false), true);
 * assert.equal(largeDirect(512, 128, 1024, 1, true), false); // M = 512 with A transposed
 * assert.equal(largeDirect(384, 128, 1024, 1, true), true);
 * assert.equal(largeDirect(64, 64, 64, 32, false), false); // batched
 * ```
 */
export function largeDirect(
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
 * The block `[tm, tn, wx, wy]` of the direct path for a product. Large products that
 * {@link choosePath} sends here (`k` given, {@link largeDirect}) take 32x32 blocks; 32x24
 * when that fills whole workgroups of 8 blocks and 32x32 would not (N = 384); when B has
 * fewer than 256 columns 64x16 if K >= 256 and that gives at least 48 invocations, else
 * 32x16. Products with at least 64 rows and fewer than 16 columns (a classifier head) take
 * 16x4 blocks, with fewer than 16 rows and at least 64 columns 8x8. Otherwise 16x16 when that
 * still gives at least 64 invocations, else 8x8, else 4x4; batched products (attention)
 * take 16x8 first, then 8x8.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chooseBlock } from "./matmul_path.ts";
 * assert.deepEqual(chooseBlock(512, 768, 1, 768), [32, 32, 8, 1]);
 * assert.deepEqual(chooseBlock(1024, 384, 1, 128), [32, 24, 8, 1]);
 * assert.deepEqual(chooseBlock(1024, 128, 1, 512), [64, 16, 8, 1]);
 * assert.deepEqual(chooseBlock(1024, 128, 1, 128), [32, 16, 8, 1]);
 * assert.deepEqual(chooseBlock(512, 768, 1), [16, 16, 8, 1]);
 * assert.deepEqual(chooseBlock(1024, 9, 1), [16, 4, 8, 1]);
 * assert.deepEqual(chooseBlock(64, 64, 32), [16, 8, 8, 1]);
 * assert.deepEqual(chooseBlock(7, 13, 1), [4, 4, 8, 1]);
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
 * Which path `matmul` takes by default on a software adapter. Large products shaped for the
 * 32-row blocks ({@link largeDirect}) take the direct path; other large ones with at least 16
 * rows and columns the tiled path; small products, those with fewer than 16 rows or columns
 * and batched ones (attention) the direct path with small blocks. `matmul` also falls back to
 * the tiled path when a large direct product cannot use vec4 loads (`canVec4`), and records a
 * transposed A whose M is a power of two as C^T ({@link swapsToTransposedC}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosePath } from "./matmul_path.ts";
 * assert.equal(choosePath(512, 768, 768, 1), "direct");
 * assert.equal(choosePath(1024, 48, 128, 1), "tiled");
 * assert.equal(choosePath(1024, 9, 128, 1), "direct"); // 16x4 blocks
 * assert.equal(choosePath(384, 128, 1024, 1, true), "direct"); // dW = dY^T X
 * assert.equal(choosePath(512, 128, 1024, 1, true), "tiled"); // M a power of two
 * assert.equal(choosePath(2, 2, 2, 1), "direct");
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
 * Whether `matmul` records a product as C^T = op(B)^T op(A)^T stored transposed: on a
 * software adapter, dW = dY^T X whose M is a power of two from 256 on (slow on the direct
 * path, see {@link largeDirect}) when the swapped product, whose rows are N, takes the large
 * direct blocks with vec4 loads and those blocks tile C exactly (they are stored without
 * bounds checks).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { tensor } from "../tensor.ts";
 * import { swapsToTransposedC } from "./matmul_path.ts";
 * const gpu = await getGpu();
 * const [a, b, c] = [1024 * 512, 1024 * 128, 512 * 128].map((n) => tensor(gpu, [n]));
 * const swaps = swapsToTransposedC(gpu, { a, b, c, m: 512, n: 128, k: 1024, transA: true });
 * assert.equal(swaps, gpu.isFallback); // true on lavapipe, false on a hardware GPU
 * ```
 */
export function swapsToTransposedC(gpu: Gpu, o: MatmulOptions): boolean {
  const { m, n, k } = o, transB = o.transB ?? false, batch = o.batch ?? 1;
  return gpu.isFallback && !o.path && !o.block && batch === 1 && !o.ld && (o.transA ?? false) &&
    !o.bias && powerOfTwoRows(m) &&
    largeDirect(n, m, k, 1, !transB) && o.a.offset % 16 === 0 &&
    o.b.offset % 16 === 0 && k % 4 === 0 && (transB || n % 4 === 0) &&
    tilesExactly(n, m, chooseBlock(n, m, 1, k));
}
