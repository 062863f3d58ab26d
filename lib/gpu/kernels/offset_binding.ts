/**
 * Binding a tensor that may start at any element (a view into a fused projection, at the
 * key heads' column): storage bindings must start at multiples of
 * `minStorageBufferOffsetAlignment` bytes, so the binding starts at the aligned byte below
 * the tensor and the kernel adds the element offset it is given.
 *
 * @module
 */
import type { Gpu } from "../device.ts";
import type { Binding } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";

/**
 * A binding of `t` from the aligned byte at or below its start to its end, and the element
 * offset of `t`'s first element within that binding; throws (naming `what`) when the range
 * is more than the device binds at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { tensor, view } from "../tensor.ts";
 * import { bindFrom } from "./offset_binding.ts";
 * const gpu = await getGpu();
 * const { offset } = bindFrom(gpu, view(tensor(gpu, [100]), [10], 3), "example");
 * assert.equal(offset, 3); // the view starts 3 elements into its binding
 * ```
 */
export function bindFrom(gpu: Gpu, t: Tensor, what: string): { binding: Binding; offset: number } {
  const align = gpu.limits.minStorageBufferOffsetAlignment;
  const start = Math.floor(t.offset / align) * align;
  const size = Math.max(4, t.offset - start + t.size * 4);
  if (size > gpu.limits.maxStorageBufferBindingSize) {
    throw new Error(
      `${what}: a tensor of ${t.size} elements spans ${size} bytes, more than the device ` +
        `binds at once (${gpu.limits.maxStorageBufferBindingSize})`,
    );
  }
  return { binding: { buffer: t.buffer, offset: start, size }, offset: (t.offset - start) / 4 };
}
