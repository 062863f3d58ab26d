/**
 * Helpers for the GPU kernel tests (not a test itself): f32 copies of seeded data, and the
 * device in both kernel forms.
 *
 * @module
 */
import type { Gpu } from "../../lib/gpu/device.ts";
import { randn } from "./test_data.ts";

/**
 * Seeded normal numbers as f32.
 *
 * @example
 * ```ts
 * const x = randf(1, 10);
 * ```
 */
export function randf(seed: number, n: number, sd = 1): Float32Array {
  return Float32Array.from(randn(seed, n, sd));
}

/**
 * The device twice: as it is, and flagged the other way round as a software fallback, so
 * that a test runs both the lavapipe kernels and the hardware-GPU ones (shared-memory
 * matmul, row-lane column sums) whichever adapter it is on.
 *
 * @example
 * ```ts
 * import { getGpu } from "../../lib/gpu/device.ts";
 * for (const gpu of bothKernelForms(await getGpu())) console.log(gpu.isFallback);
 * ```
 */
export function bothKernelForms(gpu: Gpu): Gpu[] {
  return [gpu, { ...gpu, isFallback: !gpu.isFallback }];
}
