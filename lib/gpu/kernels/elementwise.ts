/**
 * Elementwise kernels: residual add, gradient accumulation, in-place scaling and filling
 * (zeroing gradients). Each runs chunk by chunk (core's `chunkBindings`), so tensors
 * larger than `maxStorageBufferBindingSize` work. `fill` takes four elements per invocation
 * where the size allows (see `vec4Width` of `./grid.ts`); the values are the same. CPU reference:
 * `lib/gpu/reference/elementwise.ts`.
 *
 * @module
 */
import { chunkBindings, type Kernel, type Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms, vec4Width } from "./grid.ts";

const MAIN = `${flatMain("i")}
  if (i >= u.count) { return; }`;

const ADD: Kernel = {
  name: "add",
  code: `struct U { count: u32 }
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${MAIN}
  out[i] = a[i] + b[i];
}`,
};

const ACCUMULATE: Kernel = {
  name: "accumulate",
  code: `struct U { count: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<uniform> u: U;
${MAIN}
  dst[i] = fma(u.alpha, src[i], dst[i]);
}`,
};

const SCALE: Kernel = {
  name: "scale",
  code: `struct U { count: u32, alpha: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<uniform> u: U;
${MAIN}
  x[i] = u.alpha * x[i];
}`,
};

function fillKernel(name: string, type: string): Kernel {
  return {
    name,
    code: `struct U { count: u32, value: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<${type}>;
@group(0) @binding(1) var<uniform> u: U;
${MAIN}
  x[i] = ${type}(u.value);
}`,
  };
}

const FILL = fillKernel("fill", "f32");
const FILL4 = fillKernel("fill-vec4", "vec4<f32>");

function sameSize(what: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.size !== ts[0].size) {
      throw new Error(
        `lib/gpu/kernels/elementwise.ts ${what}: sizes differ (${
          ts.map((x) => x.size).join(", ")
        })`,
      );
    }
  }
}

/**
 * Records `out = a + b` (the residual connection). `out` must not alias `a` or `b`
 * (use {@link accumulate} for in place). `chunkBytes` caps the bytes bound at once
 * (default: the device limit; smaller values exercise chunking in tests).
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = zeros(gpu, [2]);
 * add(s, { gpu, a: tensor(gpu, [2], [1, 2]), b: tensor(gpu, [2], [3, 4]), out });
 * await s.submit(); // out = [4, 6]
 * ```
 */
export function add(
  s: Step,
  o: { gpu: Gpu; a: Tensor; b: Tensor; out: Tensor; chunkBytes?: number },
): void {
  sameSize("add", [o.a, o.b, o.out]);
  for (const c of chunkBindings(o.gpu, [o.a, o.b, o.out], o.chunkBytes)) {
    s.dispatch(ADD, c.bindings, flatGrid(c.count), packUniforms("u", [c.count]));
  }
}

/**
 * Records `dst += alpha * src` in place (gradient accumulation; the backward of a
 * residual add).
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dst = tensor(gpu, [2], [1, 1]);
 * accumulate(s, { gpu, dst, src: tensor(gpu, [2], [2, 4]), alpha: 0.5 });
 * await s.submit(); // dst = [2, 3]
 * ```
 */
export function accumulate(
  s: Step,
  o: { gpu: Gpu; dst: Tensor; src: Tensor; alpha?: number; chunkBytes?: number },
): void {
  sameSize("accumulate", [o.dst, o.src]);
  for (const c of chunkBindings(o.gpu, [o.dst, o.src], o.chunkBytes)) {
    s.dispatch(
      ACCUMULATE,
      c.bindings,
      flatGrid(c.count),
      packUniforms("uf", [c.count, o.alpha ?? 1]),
    );
  }
}

/**
 * Records `x *= alpha` in place.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [2], [1, -2]);
 * scale(s, { gpu, x, alpha: 3 });
 * await s.submit(); // x = [3, -6]
 * ```
 */
export function scale(
  s: Step,
  o: { gpu: Gpu; x: Tensor; alpha: number; chunkBytes?: number },
): void {
  for (const c of chunkBindings(o.gpu, [o.x], o.chunkBytes)) {
    s.dispatch(SCALE, c.bindings, flatGrid(c.count), packUniforms("uf", [c.count, o.alpha]));
  }
}

/**
 * Records `x[i] = value` for every element (zeroing gradients with `value` 0), four
 * elements per invocation when the size is a multiple of 4 (about 4x faster on lavapipe),
 * else one.
 *
 * @example
 * ```ts
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), g = tensor(gpu, [3], [1, 2, 3]);
 * fill(s, { gpu, x: g, value: 0 });
 * await s.submit(); // g = [0, 0, 0]
 * ```
 */
export function fill(
  s: Step,
  o: { gpu: Gpu; x: Tensor; value: number; chunkBytes?: number },
): void {
  const width = vec4Width([o.x]);
  for (const c of chunkBindings(o.gpu, [o.x], o.chunkBytes)) {
    const count = c.count / width;
    s.dispatch(
      width === 4 ? FILL4 : FILL,
      c.bindings,
      flatGrid(count),
      packUniforms("uf", [count, o.value]),
    );
  }
}
