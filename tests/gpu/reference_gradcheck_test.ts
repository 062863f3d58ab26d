import assert from "node:assert/strict";
import { maxError, numericGradient } from "../../lib/gpu/reference/gradcheck.ts";

Deno.test("numericGradient of a known function; maxError scale and NaN", () => {
  const g = numericGradient((x) => x[0] * x[0] * x[1] + Math.sin(x[1]), new Float64Array([2, 1]));
  assert.ok(Math.abs(g[0] - 4) < 1e-8);
  assert.ok(Math.abs(g[1] - (4 + Math.cos(1))) < 1e-8);
  assert.equal(maxError([1, 202], [1, 200]), 0.01);
  assert.equal(maxError([0.5], [0.25]), 0.25);
  assert.ok(Number.isNaN(maxError([NaN, 5], [1, 1])));
});
