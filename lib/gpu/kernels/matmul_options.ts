/**
 * The options of one `matmul` call: the shape of `lib/gpu/reference/matmul.ts`, the tensors,
 * the epilogue and, for tests and benchmarks, overrides of the path and block that
 * `matmul_path.ts` would choose.
 *
 * @module
 */
import type { Tensor } from "../tensor.ts";
import type { MatmulShape } from "../reference/matmul.ts";

/**
 * Options of `matmul`. `a`, `b`, `c` hold op(A) `[m, k]`, op(B) `[k, n]` and C
 * `[m, n]` (times `batch`, at element strides `strides`); `bias` has `n` entries.
 */
export type MatmulOptions = MatmulShape & {
  a: Tensor;
  b: Tensor;
  c: Tensor;
  /** Scale of the product (default 1), applied before the bias. */
  alpha?: number;
  bias?: Tensor;
  /** Add the result to C instead of overwriting it (gradient accumulation). */
  accumulate?: boolean;
  /** Use vec4 loads when the shape allows (default true; false forces scalar loads). */
  vec4?: boolean;
  /**
   * Override the block `[tm, tn, wx, wy]` of the path taken (defaults: `chooseBlock`,
   * 16x8 for the tiled path); a block without a `path` selects the direct path.
   */
  block?: [number, number, number, number];
  /**
   * `"tiled"`: pack op(A) and op(B) into uniform-buffer windows first (`tiledPlan`);
   * `"direct"`: read the storage buffers in place; `"shared"`: stage tiles in workgroup
   * memory (lib/gpu/kernels/matmul_shared.ts). Default: `"shared"` on a hardware GPU; on a
   * software adapter (lavapipe) `choosePath`, falling back to direct when the packed
   * operands would not fit one storage binding.
   */
  path?: "direct" | "tiled" | "shared";
};
