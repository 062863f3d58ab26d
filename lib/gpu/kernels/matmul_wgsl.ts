/**
 * The WGSL pieces the matmul kernels share (`matmul_direct.ts`, `matmul_tiled_kernel.ts`,
 * `matmul_shared.ts`): the store of a block row into C, and generation once per variant.
 *
 * Why generate once: the tiled path records dozens of dispatches per product, and rebuilding
 * their WGSL cost more than the recording itself (docs/kernels.md, "Recording").
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";

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
