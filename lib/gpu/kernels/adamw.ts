/**
 * The AdamW update kernel, in place on parameter, first and second moment, chunk by chunk
 * (tensors larger than `maxStorageBufferBindingSize`, e.g. BERT-base's word embeddings'
 * optimizer state, are bound in ranges). The gradient is multiplied by the clip factor that
 * `gradNorm` left on the GPU, so clipping needs no readback. CPU reference:
 * `lib/gpu/reference/adamw.ts` (PyTorch `torch.optim.AdamW`).
 *
 * Tensors whose size is a multiple of 4 (and offsets of whole vec4s) run four elements per
 * invocation: on lavapipe one invocation per element pays a per-invocation overhead that
 * four elements amortise (measured: 4.5M parameters 60 -> 15 ms; 23.4M parameters
 * 297 -> 165 ms with the CPU shared, bench/kernels_bench.ts).
 * Other sizes run the scalar kernel. Both are the same WGSL arithmetic (vector operations
 * are componentwise), so their results are bit-identical.
 *
 * With `rows`, only the listed rows of a `[rows, cols]` table are updated (the same
 * arithmetic on each of their elements): what a training step needs of a word-embedding
 * table when only the rows of tokens seen so far can have a gradient or moments (see
 * `optimizerStep` in lib/models/optimizer.ts).
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Gpu } from "../device.ts";
import type { Tensor } from "../tensor.ts";
import type { AdamWOptions } from "../reference/adamw.ts";
import {
  dispatchElementwise,
  ELEMENTWISE_MAIN,
  flatGrid,
  packUniforms,
  PER_INVOCATION,
  vec4Width,
} from "./grid.ts";

function adamwKernel(name: string, type: string, rows: boolean): Kernel {
  // With rows, invocation j updates element j % cols of the table's row rows[j / cols].
  const index = rows
    ? `fn one(j: u32) { update(rows[j / u.cols] * u.cols + j % u.cols); }
@group(0) @binding(5) var<storage, read> rows: array<u32>;`
    : "fn one(i: u32) { update(i); }";
  return {
    name,
    code: `struct U {
  count: u32, useClip: u32, beta1: f32, beta2: f32,
  eps: f32, decay: f32, stepSize: f32, bc2Sqrt: f32,
  gradScale: f32, cols: u32,
}
@group(0) @binding(0) var<storage, read_write> p: array<${type}>;
@group(0) @binding(1) var<storage, read> g: array<${type}>;
@group(0) @binding(2) var<storage, read_write> m: array<${type}>;
@group(0) @binding(3) var<storage, read_write> v: array<${type}>;
@group(0) @binding(4) var<storage, read> clip: array<f32>; // [norm, factor]
@group(0) @binding(${rows ? 6 : 5}) var<uniform> u: U; // after the bindings
fn update(i: u32) {
  let factor = select(1.0, clip[1], u.useClip != 0u) * u.gradScale;
  let grad = g[i] * factor;
  let mi = u.beta1 * m[i] + (1.0 - u.beta1) * grad;
  let vi = u.beta2 * v[i] + (1.0 - u.beta2) * grad * grad;
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] * u.decay - u.stepSize * mi / (sqrt(vi) / u.bc2Sqrt + u.eps);
}
${index}
${ELEMENTWISE_MAIN}`,
  };
}

const ADAMW = [
  adamwKernel("adamw", "f32", false),
  adamwKernel("adamw-vec4", "vec4<f32>", false),
] as const;
const ADAMW_ROWS = [
  adamwKernel("adamw-rows", "f32", true),
  adamwKernel("adamw-rows-vec4", "vec4<f32>", true),
] as const;

/**
 * Records one AdamW update of `param` with `grad`, moments `m` and `v` (all the same size;
 * `step` counts from 1). `clip` is the `[norm, factor]` tensor of `gradNorm` (omitted: no
 * clipping); `gradScale` multiplies the gradient as well. Four elements per invocation
 * when the size is a multiple of 4, else one. With `rows` (`ids`, a u32/i32 tensor of
 * row indices, and `cols`), the four tensors are `[rows, cols]` tables of which only the
 * listed rows are updated; the tables must then fit one binding.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, zeros } from "../tensor.ts";
 * import { adamw } from "./adamw.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), param = tensor(gpu, [1], [1]);
 * adamw(s, { gpu, param, grad: tensor(gpu, [1], [0.5]), m: zeros(gpu, [1]), v: zeros(gpu, [1]) },
 *   { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
 * const p = s.read(param);
 * await s.submit(); // the first step moves by lr: m / sqrt(v) = 1 after bias correction
 * assert.ok(Math.abs((await p)[0] - 0.9) < 1e-6);
 * ```
 */
export function adamw(
  s: Step,
  t: {
    gpu: Gpu;
    param: Tensor;
    grad: Tensor;
    m: Tensor;
    v: Tensor;
    clip?: Tensor;
    chunkBytes?: number;
    rows?: { ids: Tensor; cols: number };
  },
  o: AdamWOptions,
): void {
  if (!(o.step >= 1)) throw new Error(`adamw: step ${o.step} must count from 1`);
  const { lr, beta1, beta2, eps, weightDecay, step: k } = o;
  const head = [
    1 - lr * weightDecay,
    lr / (1 - beta1 ** k),
    Math.sqrt(1 - beta2 ** k),
    o.gradScale ?? 1,
  ];
  const uniforms = (count: number, cols = 0) =>
    packUniforms("uufffffffu", [count, t.clip ? 1 : 0, beta1, beta2, eps, ...head, cols]);
  const tables = [t.param, t.grad, t.m, t.v];
  if (t.rows) {
    const { ids, cols } = t.rows;
    const limit = Math.min(t.chunkBytes ?? Infinity, s.gpu.limits.maxStorageBufferBindingSize);
    if (t.param.size * 4 > limit || t.param.size % cols !== 0) {
      throw new Error(
        `adamw: rows need [rows, ${cols}] tables within one binding (${limit} bytes), ` +
          `got ${t.param.size} elements`,
      );
    }
    const width = cols % 4 === 0 ? vec4Width(tables) : 1;
    const count = ids.size * cols / width;
    s.dispatch(
      ADAMW_ROWS[width === 4 ? 1 : 0],
      [...tables, t.clip ?? t.grad, ids],
      flatGrid(Math.ceil(count / PER_INVOCATION)),
      uniforms(count, cols / width),
    );
    return;
  }
  dispatchElementwise(
    s,
    tables,
    ADAMW,
    (count) => uniforms(count),
    // without clip: grad again, unread
    { chunkBytes: t.chunkBytes, extra: (c) => [t.clip ?? c.bindings[1]] },
  );
}
