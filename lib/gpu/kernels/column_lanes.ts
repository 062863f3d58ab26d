/**
 * Per-column sums down the rows of a `[rows, cols]` matrix laid out for hardware GPUs:
 * a workgroup of 16 x 16 invocations takes 16 columns, each column walked by 16 row lanes
 * (rows `y, y + 16, ...`), whose partial sums meet in workgroup memory; lane 0 adds them and
 * writes the column. The lavapipe kernels (column_sum.ts, layernorm.ts) walk each column in
 * one invocation instead, as barriers are costly on a CPU; on an NVIDIA H100 that left 32
 * invocations walking 1,024 rows each, 3 ms of a 7.5 ms tiny-BERT step. Callers choose this
 * form when the adapter is not a software fallback (`!gpu.isFallback`).
 *
 * @module
 */
import type { Kernel } from "../kernel.ts";

/** Columns per workgroup, and row lanes per column. */
const LANES = 16;

/**
 * A row-lane column-reduction kernel. `head` declares the bindings and the uniform block
 * `u` (with `rows` and `cols`, in elements of type `T`); `sums` names the accumulators (of
 * type `T`), which `row` updates for row `r` and column `c`; `finish` writes them for
 * column `c`. Dispatch `[ceil(cols / 16)]` workgroups ({@link columnLanesGrid}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { packUniforms } from "./grid.ts";
 * import { columnLanesGrid, columnLanesKernel } from "./column_lanes.ts";
 * const k = columnLanesKernel({ name: "col-sum", T: "f32", sums: ["s"],
 *   head: "struct U { rows: u32, cols: u32 }\n@group(0) @binding(0) var<storage, read> x: array<f32>;\n" +
 *     "@group(0) @binding(1) var<storage, read_write> y: array<f32>;\n@group(0) @binding(2) var<uniform> u: U;",
 *   row: "s += x[r * u.cols + c];", finish: "y[c] = s;" });
 * const gpu = await getGpu();
 * const s = step(gpu), y = tensor(gpu, [3]);
 * s.dispatch(k, [tensor(gpu, [2, 3], [1, 2, 3, 4, 5, 6]), y], columnLanesGrid(3), packUniforms("uu", [2, 3]));
 * const r = s.read(y);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(5, 7, 9));
 * ```
 */
export function columnLanesKernel(o: {
  name: string;
  head: string;
  T: string;
  sums: string[];
  row: string;
  finish: string;
}): Kernel {
  const { T, sums } = o;
  const n = LANES * LANES;
  return {
    name: o.name,
    code: `${o.head}
${sums.map((s) => `var<workgroup> part_${s}: array<${T}, ${n}>;`).join("\n")}
@compute @workgroup_size(${LANES}, ${LANES})
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let c = wg.x * ${LANES}u + lid.x;
${sums.map((s) => `  var ${s} = ${T}(0.0);`).join("\n")}
  if (c < u.cols) {
    for (var r = lid.y; r < u.rows; r += ${LANES}u) { ${o.row} }
  }
${sums.map((s) => `  part_${s}[lid.y * ${LANES}u + lid.x] = ${s};`).join("\n")}
  workgroupBarrier();
  if (lid.y == 0u && c < u.cols) {
    for (var k = 1u; k < ${LANES}u; k++) {
${sums.map((s) => `      ${s} += part_${s}[k * ${LANES}u + lid.x];`).join("\n")}
    }
    ${o.finish}
  }
}`,
  };
}

/**
 * The workgroups of a {@link columnLanesKernel} dispatch over `cols` columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { columnLanesGrid } from "./column_lanes.ts";
 * assert.deepEqual(columnLanesGrid(32), [2]); // 16 columns a workgroup
 * assert.deepEqual(columnLanesGrid(33), [3]);
 * ```
 */
export function columnLanesGrid(cols: number): [number] {
  return [Math.max(1, Math.ceil(cols / LANES))];
}
