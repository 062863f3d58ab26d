import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { download, tensor } from "../../lib/gpu/tensor.ts";
import { columnSum } from "../../lib/gpu/kernels/column_sum.ts";
import * as ref from "../../lib/gpu/reference/column_sum.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { bothKernelForms, randf } from "./gpu_helpers.ts";

Deno.test("columnSum matches the reference and accumulates (both kernel forms)", async () => {
  for (
    const [gpu, rows, cols] of bothKernelForms(await getGpu()).flatMap((g) =>
      [[1, 5], [333, 67], [64, 3071], [7, 12]].map(([r, c]) => [g, r, c] as const)
    )
  ) {
    const x = randf(1, rows * cols), into = randf(2, cols);
    const t = tensor(gpu, [cols], into);
    const s = step(gpu);
    columnSum(s, { x: tensor(gpu, [rows, cols], x), rows, cols, into: t });
    await s.submit();
    const expected = into.slice();
    ref.columnSum(x, rows, cols, expected);
    assert.ok(
      maxError(await download(gpu, t), expected) < 1e-4,
      `[${rows}, ${cols}] fallback ${gpu.isFallback}`,
    );
  }
  const gpu = await getGpu();
  assert.throws(
    () => columnSum(step(gpu), { x: tensor(gpu, [6]), rows: 2, cols: 2, into: tensor(gpu, [2]) }),
    /^Error: columnSum: x has 6 elements and into 2 for \[2, 2\]/,
  );
});
