import assert from "node:assert/strict";
import { gatedBackward, gatedForward } from "../../lib/gpu/reference/gated.ts";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";
import { dot, randn } from "./test_data.ts";

Deno.test("gatedForward activates the first half and multiplies by the second (worked by hand)", () => {
  // rows [1, -2 | 3, 0.5] and [0, 4 | 7, -1]
  const x = new Float64Array([1, -2, 3, 0.5, 0, 4, 7, -1]);
  // exact GELU (Python: x * (1 + math.erf(x / math.sqrt(2))) / 2)
  const gelu1 = 0.8413447460685429, geluM2 = -0.04550026389635842, gelu4 = 3.999873301534917;
  const erf = gatedForward(x, { rows: 2, cols: 2, activation: "erf" });
  assert.ok(maxError(erf, [gelu1 * 3, geluM2 * 0.5, 0, -gelu4]) < 1e-6);
  // SiLU: x / (1 + e^-x)
  const silu = gatedForward(x, { rows: 2, cols: 2, activation: "silu" });
  const s = (v: number) => v / (1 + Math.exp(-v));
  assert.deepEqual(Array.from(silu), [s(1) * 3, s(-2) * 0.5, 0, -s(4)]);
});

Deno.test("gatedBackward matches finite differences (erf, tanh, silu)", () => {
  const rows = 3, cols = 5;
  const x = randn(1, rows * 2 * cols, 2.5), w = randn(2, rows * cols);
  for (const activation of ["erf", "tanh", "silu"] as const) {
    const s = { rows, cols, activation };
    const numeric = numericGradient((v) => dot(gatedForward(v, s), w), x);
    assert.ok(maxError(gatedBackward(x, w, s), numeric) < 1e-6, activation);
  }
});

Deno.test("gatedForward names a mis-sized input", () => {
  assert.throws(
    () => gatedForward(new Float64Array(5), { rows: 1, cols: 3, activation: "silu" }),
    /gatedForward: x has 5 elements, \[1, 2 \* 3\] needs 6/,
  );
});
