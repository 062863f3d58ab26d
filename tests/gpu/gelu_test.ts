import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { step } from "../../lib/gpu/kernel.ts";
import { tensor } from "../../lib/gpu/tensor.ts";
import { geluBackward, geluForward } from "../../lib/gpu/kernels/gelu.ts";
import * as ref from "../../lib/gpu/reference/gelu.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

Deno.test("gelu forward and backward match the reference (erf and tanh, big inputs)", async () => {
  const gpu = await getGpu();
  // n = 3001: scalar kernel; 3000: vec4 kernel (both also in 2 KiB chunks)
  for (const n of [3001, 3000]) {
    const x = randf(1, n, 4);
    x.set([0, -30, 30, -1e4, 1e4, 1e-7]);
    const dout = randf(2, n);
    for (const kind of ["erf", "tanh"] as const) {
      for (const chunkBytes of [undefined, 2048]) {
        const tx = tensor(gpu, [n], x), out = tensor(gpu, [n]), dx = tensor(gpu, [n]);
        const s = step(gpu);
        geluForward(s, { gpu, x: tx, out, kind, chunkBytes });
        geluBackward(s, { gpu, x: tx, dout: tensor(gpu, [n], dout), dx, kind, chunkBytes });
        const [a, b] = [s.read(out), s.read(dx)];
        await s.submit();
        const ga = await a, gb = await b;
        assert.ok(
          maxError(ga, ref.geluForward(Float64Array.from(x), kind)) < 1e-5,
          `${kind} forward`,
        );
        assert.ok(
          maxError(gb, ref.geluBackward(Float64Array.from(x), Float64Array.from(dout), kind)) <
            1e-5,
          `${kind} backward`,
        );
        assert.ok(ga.every(Number.isFinite) && gb.every(Number.isFinite));
      }
    }
  }
});
