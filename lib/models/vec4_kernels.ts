/**
 * Four-wide (vec4) versions of the two elementwise kernels that dominate a training step
 * of a model with a large vocabulary after the matmuls: the AdamW update and the fill that
 * zeroes the gradients, both over the flat parameter buffers of `lib/models/transformer.ts`
 * (sizes and chunk offsets are multiples of 64 elements, so always of 4).
 *
 * Same arithmetic as `lib/gpu/kernels/adamw.ts` and `fill` of
 * `lib/gpu/kernels/elementwise.ts` (WGSL vector operations are componentwise, so the
 * results are bit-identical); CPU reference `lib/gpu/reference/adamw.ts` (PyTorch
 * `torch.optim.AdamW`). On lavapipe one invocation per element pays a per-invocation
 * overhead that four elements per invocation amortise: measured 4.5M parameters, AdamW
 * 60 -> 15 ms, on this machine (bench/train_step_bench.ts profiles a whole step).
 * Tensors larger than the binding limit run chunk by chunk.
 *
 * @module
 */
import { chunkBindings, type Kernel, type Step } from "../gpu/kernel.ts";
import type { Gpu } from "../gpu/device.ts";
import type { Tensor } from "../gpu/tensor.ts";
import type { AdamWOptions } from "../gpu/reference/adamw.ts";
import { FLAT_INDEX, flatGrid, packUniforms } from "../gpu/kernels/grid.ts";

const ADAMW4: Kernel = {
  name: "adamw-vec4",
  code: `${FLAT_INDEX}
struct U {
  count: u32, useClip: u32, beta1: f32, beta2: f32,
  eps: f32, decay: f32, stepSize: f32, bc2Sqrt: f32,
  gradScale: f32,
}
@group(0) @binding(0) var<storage, read_write> p: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> m: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> clip: array<f32>; // [norm, factor]
@group(0) @binding(5) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= u.count) { return; }
  let factor = select(1.0, clip[1], u.useClip != 0u) * u.gradScale;
  let grad = g[i] * factor;
  let mi = u.beta1 * m[i] + (1.0 - u.beta1) * grad;
  let vi = u.beta2 * v[i] + (1.0 - u.beta2) * grad * grad;
  m[i] = mi;
  v[i] = vi;
  p[i] = p[i] * u.decay - u.stepSize * mi / (sqrt(vi) / u.bc2Sqrt + u.eps);
}`,
};

const FILL4: Kernel = {
  name: "fill-vec4",
  code: `${FLAT_INDEX}
struct U { count: u32, value: f32 }
@group(0) @binding(0) var<storage, read_write> x: array<vec4<f32>>;
@group(0) @binding(1) var<uniform> u: U;
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= u.count) { return; }
  x[i] = vec4<f32>(u.value);
}`,
};

function checkVec4(what: string, gpu: Gpu, ts: Tensor[], chunkBytes?: number): void {
  for (const t of ts) {
    if (t.size % 4 !== 0 || t.size !== ts[0].size) {
      throw new Error(
        `lib/models/vec4_kernels.ts ${what}: sizes must be equal multiples of 4 (${
          ts.map((x) => x.size).join(", ")
        })`,
      );
    }
  }
  const limit = Math.min(chunkBytes ?? Infinity, gpu.limits.maxStorageBufferBindingSize);
  if (Math.floor(limit / gpu.limits.minStorageBufferOffsetAlignment) < 1) {
    throw new Error(`lib/models/vec4_kernels.ts ${what}: chunkBytes ${chunkBytes} is too small`);
  }
}

/**
 * Records one AdamW update (as `adamw` of `lib/gpu/kernels/adamw.ts`, four elements per
 * invocation) of `param` with `grad` and moments `m`, `v` (equal sizes, multiples of 4),
 * the gradient scaled by the clip factor `clip[1]` when `clip` is given.
 *
 * @example
 * ```ts
 * import { getGpu } from "../gpu/device.ts";
 * import { step } from "../gpu/kernel.ts";
 * import { tensor, zeros } from "../gpu/tensor.ts";
 * import { adamwVec4 } from "./vec4_kernels.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), param = tensor(gpu, [4], [1, 1, 1, 1]);
 * adamwVec4(s, { gpu, param, grad: tensor(gpu, [4], [0.5, 0.5, 0.5, 0.5]), m: zeros(gpu, [4]),
 *   v: zeros(gpu, [4]) }, { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0, step: 1 });
 * await s.submit(); // param ~ [0.9, 0.9, 0.9, 0.9]
 * ```
 */
export function adamwVec4(
  s: Step,
  t: {
    gpu: Gpu;
    param: Tensor;
    grad: Tensor;
    m: Tensor;
    v: Tensor;
    clip?: Tensor;
    chunkBytes?: number;
  },
  o: AdamWOptions,
): void {
  checkVec4("adamwVec4", t.gpu, [t.param, t.grad, t.m, t.v], t.chunkBytes);
  const { lr, beta1, beta2, eps, weightDecay, step: k } = o;
  if (!(k >= 1)) {
    throw new Error(`lib/models/vec4_kernels.ts adamwVec4: step ${k} must count from 1`);
  }
  const head = [
    1 - lr * weightDecay,
    lr / (1 - beta1 ** k),
    Math.sqrt(1 - beta2 ** k),
    o.gradScale ?? 1,
  ];
  for (const c of chunkBindings(t.gpu, [t.param, t.grad, t.m, t.v], t.chunkBytes)) {
    const count = c.count / 4;
    s.dispatch(
      ADAMW4,
      [...c.bindings, t.clip ?? c.bindings[1]], // without clip: grad again, unread
      flatGrid(count),
      packUniforms("uufffffff", [count, t.clip ? 1 : 0, beta1, beta2, eps, ...head]),
    );
  }
}

/**
 * Records `x[i] = value` for every element, four per invocation (`x.size` a multiple of
 * 4, offset aligned for binding).
 *
 * @example
 * ```ts
 * import { getGpu } from "../gpu/device.ts";
 * import { step } from "../gpu/kernel.ts";
 * import { tensor } from "../gpu/tensor.ts";
 * import { fillVec4 } from "./vec4_kernels.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), x = tensor(gpu, [8]);
 * fillVec4(s, { gpu, x, value: 0 });
 * await s.submit();
 * ```
 */
export function fillVec4(
  s: Step,
  o: { gpu: Gpu; x: Tensor; value: number; chunkBytes?: number },
): void {
  checkVec4("fillVec4", o.gpu, [o.x], o.chunkBytes);
  for (const c of chunkBindings(o.gpu, [o.x], o.chunkBytes)) {
    const count = c.count / 4;
    s.dispatch(FILL4, c.bindings, flatGrid(count), packUniforms("uf", [count, o.value]));
  }
}
