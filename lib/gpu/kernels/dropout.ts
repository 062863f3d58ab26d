/**
 * Dropout kernel with the counter-based hash of `lib/gpu/reference/dropout.ts`: the mask
 * of element `i` is a function of `(seed, step, i)` only, identical to the reference's
 * bit for bit, so the backward regenerates it instead of storing it.
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import {
  dropoutKey,
  type DropoutOptions,
  dropoutScale,
  dropoutThreshold,
} from "../reference/dropout.ts";
import { dispatchElementwise, ELEMENTWISE_MAIN, packUniforms } from "./grid.ts";

// One element per invocation, or (vec4) four: lavapipe loads and stores lane by lane, so
// vec4 accesses are ~4x fewer. Element i's draw is the same either way.
function dropoutKernel(vec: boolean): Kernel {
  const T = vec ? "vec4<f32>" : "f32";
  const keep = (e: string, q: string) =>
    `select(0.0, ${q} * u.scale, (pcg(pcg((${e} + u.elementOffset) ^ u.key) + u.key) >> 8u) >= u.threshold)`;
  const body = vec
    ? `  let v = x[i];
  out[i] = vec4<f32>(${
      ["x", "y", "z", "w"].map((c, q) => keep(`i * 4u + ${q}u`, `v.${c}`)).join(",\n    ")
    });`
    : `  out[i] = ${keep("i", "x[i]")};`;
  return {
    name: `dropout-${T}`,
    code: `struct U { count: u32, elementOffset: u32, key: u32, threshold: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> x: array<${T}>;
@group(0) @binding(1) var<storage, read_write> out: array<${T}>;
@group(0) @binding(2) var<uniform> u: U;
fn pcg(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}
fn one(i: u32) {
${body}
}
${ELEMENTWISE_MAIN}`,
  };
}

const DROPOUT = [dropoutKernel(false), dropoutKernel(true)] as const;

/**
 * Records dropout of `x` into `out` (`out` must not alias `x`): kept elements scaled by
 * `1 / (1 - p)`, dropped ones 0. The backward is the same call on `dout` (into `dx`) with
 * the same options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { dropoutForward } from "../reference/dropout.ts";
 * import { dropout } from "./dropout.ts";
 * const gpu = await getGpu();
 * const x = Float32Array.of(1, 2, 3, 4, 5, 6, 7, 8);
 * const s = step(gpu), out = tensor(gpu, [8]);
 * dropout(s, { gpu, x: tensor(gpu, [8], x), out, p: 0.5, seed: 42, step: 0 });
 * const r = s.read(out);
 * await s.submit(); // the reference's mask, bit for bit
 * assert.deepEqual(await r, dropoutForward(x, { p: 0.5, seed: 42, step: 0 }));
 * ```
 */
export function dropout(
  s: Step,
  o: DropoutOptions & { gpu: Gpu; x: Tensor; out: Tensor; chunkBytes?: number },
): void {
  const key = dropoutKey(o.seed, o.step);
  const threshold = dropoutThreshold(o.p);
  const scale = dropoutScale(o.p);
  dispatchElementwise(
    s,
    [o.x, o.out],
    DROPOUT,
    (count, c) => packUniforms("uuuuf", [count, c.elementOffset, key, threshold, scale]),
    o,
  );
}
