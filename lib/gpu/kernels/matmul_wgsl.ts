/**
 * The WGSL pieces the matmul kernels share (`matmul_direct.ts`, `matmul_tiled_kernel.ts`,
 * `matmul_shared.ts`): the epilogue activation, the store of a block row into C, and
 * generation once per variant. The activations match `activate` of
 * `lib/gpu/reference/matmul.ts`.
 *
 * Why generate once: the tiled path records dozens of dispatches per product, and rebuilding
 * their WGSL cost more than the recording itself (docs/kernels.md, "Recording").
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";
import type { Activation } from "../reference/matmul.ts";

/**
 * The WGSL names of a vector's four components.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { COMP } from "./matmul_wgsl.ts";
 * assert.equal(`v.${COMP[2]}`, "v.z");
 * ```
 */
export const COMP: readonly string[] = ["x", "y", "z", "w"];

/**
 * `make` memoised by the JSON of its argument: a kernel variant's WGSL is generated once per
 * process, so recording a dispatch neither rebuilds nor rehashes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { memoKernel } from "./matmul_wgsl.ts";
 * let built = 0;
 * const k = memoKernel((n: number) => ({ name: `k${n}`, code: `// ${++built}` }));
 * assert.equal(k(1), k(1));
 * assert.equal(built, 1);
 * ```
 */
export function memoKernel<V>(make: (v: V) => Kernel): (v: V) => Kernel {
  const made = new Map<string, Kernel>();
  return (v) => {
    const key = JSON.stringify(v);
    let k = made.get(key);
    if (!k) made.set(key, k = make(v));
    return k;
  };
}

/**
 * The WGSL of `fn act(x: f32) -> f32`, the epilogue activation of every matmul kernel.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { activationWgsl } from "./matmul_wgsl.ts";
 * assert.equal(activationWgsl("relu"), "fn act(x: f32) -> f32 { return max(x, 0.0); }");
 * ```
 */
export function activationWgsl(activation: Activation): string {
  switch (activation) {
    case "none":
      return "fn act(x: f32) -> f32 { return x; }";
    case "relu":
      return "fn act(x: f32) -> f32 { return max(x, 0.0); }";
    case "gelu":
      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))); the argument is clamped so that
      // tanh never sees an overflowing exponent (tanh(+-10) is +-1 in f32).
      return `fn act(x: f32) -> f32 {
  let y = clamp(0.7978845608028654 * (x + 0.044715 * x * x * x), -10.0, 10.0);
  return 0.5 * x * (1.0 + tanh(y));
}`;
    case "gelu_erf":
      // x * Phi(x) = 0.5 x erfc(-x / sqrt 2), erfc by the Chebyshev fit of Numerical
      // Recipes (erfcc, fractional error < 1.2e-7), as in lib/gpu/reference/gelu.ts.
      return `fn erfc_(z: f32) -> f32 {
  let a = abs(z);
  let t = 1.0 / (1.0 + 0.5 * a);
  let p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 +
    t * (-0.82215223 + t * 0.17087277))))))));
  let r = t * exp(-a * a + p);
  return select(2.0 - r, r, z >= 0.0);
}
fn act(x: f32) -> f32 { return 0.5 * x * erfc_(-x * 0.7071067811865476); }`;
  }
}

/**
 * WGSL: `act4`, {@link activationWgsl}'s `act` on each component of a vec4.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ACT4 } from "./matmul_wgsl.ts";
 * assert.ok(ACT4.startsWith("fn act4(x: vec4<f32>) -> vec4<f32>"));
 * ```
 */
export const ACT4 =
  `fn act4(x: vec4<f32>) -> vec4<f32> { return vec4<f32>(act(x.x), act(x.y), act(x.z), act(x.w)); }`;

/**
 * Pushes onto `L` the lines that store the vec4 `val` (columns `col0 + 4j ..` of the row
 * starting at element `ci`) into C, skipping columns past N; `c4`: C is bound as vec4s. The
 * epilogue of the direct and tiled kernels.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { storeC } from "./matmul_wgsl.ts";
 * const L: string[] = [];
 * storeC(L, 1, "s", true, true);
 * assert.deepEqual(L, ["    if (col0 + 4u < u.N) { C[ci / 4u + 1u] = C[ci / 4u + 1u] + s; }"]);
 * ```
 */
export function storeC(
  L: string[],
  j: number,
  val: string,
  accumulate: boolean,
  c4: boolean,
): void {
  const add = (at: string) => accumulate ? `${at} + ` : "";
  if (c4) {
    const at = `C[ci / 4u + ${j}u]`;
    L.push(`    if (col0 + ${4 * j}u < u.N) { ${at} = ${add(at)}${val}; }`);
    return;
  }
  L.push(`    if (col0 + ${4 * j}u < u.N) {`);
  L.push(`      let v${j} = ${val};`);
  for (let q = 0; q < 4; q++) {
    const at = `C[ci + ${4 * j + q}u]`;
    L.push(`      if (col0 + ${4 * j + q}u < u.N) { ${at} = ${add(at)}v${j}.${COMP[q]}; }`);
  }
  L.push(`    }`);
}
