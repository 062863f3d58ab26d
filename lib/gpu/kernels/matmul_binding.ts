/**
 * How a matmul operand is bound: a tensor view at any element offset becomes a binding that
 * starts at the device's storage-offset alignment, plus the element offset of the view
 * within it (which the kernels read from their uniforms).
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { Binding } from "../kernel.ts";

/**
 * The binding of `extent` elements of `t` from an aligned start, and `t`'s element offset
 * within it; `what` names the operand in the error thrown when the binding would be larger
 * than the device binds.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { tensor, view } from "../tensor.ts";
 * import { bindAligned } from "./matmul_binding.ts";
 * const gpu = await getGpu();
 * const t = view(tensor(gpu, [1024]), [8], 3);
 * const { offset } = bindAligned(gpu, t, 8, "A");
 * assert.equal(offset, 3); // the view's start within its aligned binding
 * ```
 */
export function bindAligned(gpu: Gpu, t: Tensor, extent: number, what: string): {
  binding: Binding;
  offset: number;
} {
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor(t.offset / align) * align;
  const offset = (t.offset - start) / 4;
  const size = Math.max(4, (offset + extent) * 4);
  if (size > gpu.limits.maxStorageBufferBindingSize) {
    throw new Error(
      `matmul: ${what} spans ${size} bytes, more than the device binds ` +
        `(${gpu.limits.maxStorageBufferBindingSize})`,
    );
  }
  return { binding: { buffer: t.buffer, offset: start, size }, offset };
}
