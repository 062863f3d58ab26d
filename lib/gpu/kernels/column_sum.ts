/**
 * Column sums of `[rows, cols]` added into `[cols]`: the bias gradient of a linear layer.
 * One invocation per column walks down the rows (neighbouring invocations read
 * neighbouring addresses; no barriers, no races). CPU reference:
 * `lib/gpu/reference/column_sum.ts`.
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";
import { columnLanesGrid, columnLanesKernel } from "./column_lanes.ts";

// f32 for any width; vec4 (4 columns per invocation) when cols is a multiple of 4.
function head(T: string): string {
  return `struct U { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read> x: array<${T}>;
@group(0) @binding(1) var<storage, read_write> into: array<${T}>;
@group(0) @binding(2) var<uniform> u: U;`;
}

function kernel(vec: boolean): Kernel {
  const T = vec ? "vec4<f32>" : "f32";
  return {
    name: `column-sum-${T}`,
    code: `${head(T)}
${flatMain("c")}
  if (c >= u.cols) { return; }
  var sum = ${T}(0.0);
  for (var r = 0u; r < u.rows; r++) { sum += x[r * u.cols + c]; }
  into[c] += sum;
}`,
  };
}

/** The hardware-GPU form: 16 row lanes per column (column_lanes.ts). */
function lanesKernel(vec: boolean): Kernel {
  const T = vec ? "vec4<f32>" : "f32";
  return columnLanesKernel({
    name: `column-sum-lanes-${T}`,
    head: head(T),
    T,
    sums: ["sum"],
    row: "sum += x[r * u.cols + c];",
    finish: "into[c] += sum;",
  });
}

const SCALAR = kernel(false);
const VEC4 = kernel(true);
const LANES_SCALAR = lanesKernel(false);
const LANES_VEC4 = lanesKernel(true);

/**
 * Records `into[c] += sum_r x[r, c]` for `x` `[rows, cols]`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { columnSum } from "./column_sum.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), db = tensor(gpu, [2], [10, 20]);
 * columnSum(s, { x: tensor(gpu, [2, 2], [1, 2, 3, 4]), rows: 2, cols: 2, into: db });
 * const r = s.read(db);
 * await s.submit();
 * assert.deepEqual(await r, Float32Array.of(14, 26)); // [10 + 1 + 3, 20 + 2 + 4]
 * ```
 */
export function columnSum(
  s: Step,
  o: { x: Tensor; rows: number; cols: number; into: Tensor },
): void {
  if (o.x.size !== o.rows * o.cols || o.into.size !== o.cols) {
    throw new Error(
      `columnSum: x has ${o.x.size} elements and into ${o.into.size} ` +
        `for [${o.rows}, ${o.cols}]`,
    );
  }
  const w = o.cols % 4 === 0 ? 4 : 1;
  const u = packUniforms("uu", [o.rows, o.cols / w]);
  if (!s.gpu.isFallback) {
    s.dispatch(w === 4 ? LANES_VEC4 : LANES_SCALAR, [o.x, o.into], columnLanesGrid(o.cols / w), u);
  } else s.dispatch(w === 4 ? VEC4 : SCALAR, [o.x, o.into], flatGrid(o.cols / w), u);
}
