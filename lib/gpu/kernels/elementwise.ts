/**
 * Elementwise kernels: residual add, gradient accumulation, in-place scaling and filling
 * (zeroing gradients). Each runs chunk by chunk (core's `chunkBindings`), so tensors
 * larger than `maxStorageBufferBindingSize` work, and takes four elements per invocation
 * where the sizes allow (see `vec4Width` of `./grid.ts`); the values are the same. CPU reference:
 * `lib/gpu/reference/elementwise.ts`.
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import { dispatchElementwise, ELEMENTWISE_MAIN, packUniforms } from "./grid.ts";

/**
 * A kernel in its scalar and vec4 forms: `decl(T)` declares the bindings over elements of
 * type `T`, `body(T)` is the statement on element `i`.
 */
function kernels(
  name: string,
  uniforms: string,
  decl: (t: string) => string,
  body: (t: string) => string,
): readonly [Kernel, Kernel] {
  const make = (t: string): Kernel => ({
    name: t === "f32" ? name : `${name}-vec4`,
    code: `struct U { count: u32${uniforms} }
${decl(t)}
fn one(i: u32) { ${body(t)} }
${ELEMENTWISE_MAIN}`,
  });
  return [make("f32"), make("vec4<f32>")];
}

const ADD = kernels(
  "add",
  "",
  (t) =>
    `@group(0) @binding(0) var<storage, read> a: array<${t}>;
@group(0) @binding(1) var<storage, read> b: array<${t}>;
@group(0) @binding(2) var<storage, read_write> out: array<${t}>;
@group(0) @binding(3) var<uniform> u: U;`,
  () => "out[i] = a[i] + b[i];",
);

const ACCUMULATE = kernels(
  "accumulate",
  ", alpha: f32",
  (t) =>
    `@group(0) @binding(0) var<storage, read_write> dst: array<${t}>;
@group(0) @binding(1) var<storage, read> src: array<${t}>;
@group(0) @binding(2) var<uniform> u: U;`,
  (t) => `dst[i] = fma(${t}(u.alpha), src[i], dst[i]);`,
);

const inPlace = (t: string) =>
  `@group(0) @binding(0) var<storage, read_write> x: array<${t}>;
@group(0) @binding(1) var<uniform> u: U;`;
const SCALE = kernels("scale", ", alpha: f32", inPlace, () => "x[i] = u.alpha * x[i];");
const FILL = kernels("fill", ", value: f32", inPlace, (t) => `x[i] = ${t}(u.value);`);

function sameSize(what: string, ts: Tensor[]): void {
  for (const t of ts) {
    if (t.size !== ts[0].size) {
      throw new Error(
        `${what}: sizes differ (${ts.map((x) => x.size).join(", ")})`,
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
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { add } from "./elementwise.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), out = tensor(gpu, [2]);
 * add(s, { gpu, a: tensor(gpu, [2], [1, 2]), b: tensor(gpu, [2], [3, 4]), out });
 * const r = s.read(out);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(4, 6));
 * ```
 */
export function add(
  s: Step,
  o: { gpu: Gpu; a: Tensor; b: Tensor; out: Tensor; chunkBytes?: number },
): void {
  sameSize("add", [o.a, o.b, o.out]);
  dispatchElementwise(s, [o.a, o.b, o.out], ADD, (n) => packUniforms("u", [n]), o);
}

/**
 * Records `dst += alpha * src` in place (gradient accumulation; the backward of a
 * residual add).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { accumulate } from "./elementwise.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dst = tensor(gpu, [2], [1, 1]);
 * accumulate(s, { gpu, dst, src: tensor(gpu, [2], [2, 4]), alpha: 0.5 });
 * const r = s.read(dst);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(2, 3)); // [1 + 0.5 * 2, 1 + 0.5 * 4]
 * ```
 */
export function accumulate(
  s: Step,
  o: { gpu: Gpu; dst: Tensor; src: Tensor; alpha?: number; chunkBytes?: number },
): void {
  sameSize("accumulate", [o.dst, o.src]);
  const u = (n: number) => packUniforms("uf", [n, o.alpha ?? 1]);
  dispatchElementwise(s, [o.dst, o.src], ACCUMULATE, u, o);
}

/**
 * Records `x *= alpha` in place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { scale } from "./elementwise.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [2], [1, -2]);
 * scale(s, { gpu, x, alpha: 3 });
 * const r = s.read(x);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(3, -6));
 * ```
 */
export function scale(
  s: Step,
  o: { gpu: Gpu; x: Tensor; alpha: number; chunkBytes?: number },
): void {
  dispatchElementwise(s, [o.x], SCALE, (n) => packUniforms("uf", [n, o.alpha]), o);
}

/**
 * Records `x[i] = value` for every element (zeroing gradients with `value` 0), four
 * elements per invocation when the size is a multiple of 4 (about 4x faster on lavapipe),
 * else one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { fill } from "./elementwise.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), g = tensor(gpu, [3], [1, 2, 3]);
 * fill(s, { gpu, x: g, value: 0 });
 * const r = s.read(g);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(0, 0, 0));
 * ```
 */
export function fill(
  s: Step,
  o: { gpu: Gpu; x: Tensor; value: number; chunkBytes?: number },
): void {
  const u = (count: number) => packUniforms("uf", [count, o.value]);
  dispatchElementwise(s, [o.x], FILL, u, o);
}
