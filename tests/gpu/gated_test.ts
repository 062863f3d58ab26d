import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { gatedBackward, gatedForward } from "../../lib/gpu/kernels/gated.ts";
import * as ref from "../../lib/gpu/reference/gated.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("gated forward and backward match the reference (erf, tanh, silu; scalar, vec4, chunked)", async () => {
  const gpu = await getGpu();
  const cases: [number, number, number | undefined][] = [
    [1, 1, undefined],
    [7, 13, undefined],
    [33, 64, undefined],
    [5, 1536, undefined],
    // 64-row chunks (3 of them, the last short)
    [130, 12, 64 * 2 * 12 * 4],
    [130, 13, 64 * 2 * 13 * 4],
  ];
  for (const [rows, cols, chunkBytes] of cases) {
    const x = randf(1, rows * 2 * cols, 3), dout = randf(2, rows * cols);
    x.set([0, -30, 30, 1e-7].slice(0, x.length));
    for (const activation of ["erf", "tanh", "silu"] as const) {
      const out = tensor(gpu, [rows, cols]), dx = tensor(gpu, [rows, 2 * cols]);
      const tx = tensor(gpu, [rows, 2 * cols], x);
      const s = step(gpu);
      const shape = { rows, cols, activation, chunkBytes };
      gatedForward(s, { ...shape, x: tx, out });
      gatedBackward(s, { ...shape, x: tx, dout: tensor(gpu, [rows, cols], dout), dx });
      const [a, b] = [s.read(out), s.read(dx)];
      await s.submit();
      const x64 = Float64Array.from(x);
      // f32 cancellation in the tanh form's 1 + tanh(...) near x = -4.6 costs ~1e-5
      const tol = activation === "tanh" ? 3e-5 : 1e-5;
      const label = `${activation} [${rows}, ${cols}] chunk ${chunkBytes}`;
      assert.ok(maxError(await a, ref.gatedForward(x64, shape)) < tol, `forward ${label}`);
      assert.ok(
        maxError(await b, ref.gatedBackward(x64, Float64Array.from(dout), shape)) < tol,
        `backward ${label}`,
      );
    }
  }
});
