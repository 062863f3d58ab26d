/**
 * The WebGPU engine: device, pooled tensors, one-command-buffer steps, packs of models that
 * step together (one dispatch per operation for all), and the kernels (each with its plain
 * TypeScript reference under `reference`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { download, getGpu, matmul, step, tensor, zeros } from "./mod.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), c = zeros(gpu, [1, 1]);
 * matmul(s, { a: tensor(gpu, [1, 2], [1, 2]), b: tensor(gpu, [2, 1], [3, 4]), c, m: 1, n: 1, k: 2 });
 * await s.submit();
 * assert.deepEqual(await download(gpu, c), Float32Array.of(11)); // 1 * 3 + 2 * 4
 * ```
 *
 * @module
 */
export * from "./device.ts";
export * from "./tensor.ts";
export * from "./kernel.ts";
export * from "./grouped.ts";
export * from "./step_pack.ts";
export * from "./kernels/matmul.ts";
export * from "./kernels/elementwise.ts";
export * from "./kernels/column_sum.ts";
export * from "./kernels/layernorm.ts";
export * from "./kernels/gelu.ts";
export * from "./kernels/attention.ts";
export * from "./kernels/rotary.ts";
export * from "./kernels/gated.ts";
export * from "./kernels/repeat_kv.ts";
export * from "./kernels/embedding.ts";
export * from "./kernels/dropout.ts";
export * from "./kernels/cross_entropy.ts";
export * from "./kernels/grad_norm.ts";
export * from "./kernels/adamw.ts";
