import assert from "node:assert/strict";
import { clipFactor, globalNorm } from "../../lib/gpu/reference/grad_norm.ts";

Deno.test("globalNorm and clipFactor match torch clip_grad_norm_", () => {
  // clip_grad_norm_([a, c], 1.0) with grads [3, 4] and [12]: total norm 13, grads become
  // [0.23076921301775288, 0.3076922840236705] and [0.9230768520710115] (torch 1.13, float64).
  const norm = globalNorm([new Float64Array([3, 4]), new Float64Array([12])]);
  assert.equal(norm, 13);
  const f = clipFactor(norm, 1);
  assert.ok(Math.abs(3 * f - 0.23076921301775288) < 1e-16);
  assert.ok(Math.abs(12 * f - 0.9230768520710115) < 1e-15);
  assert.equal(clipFactor(0.5, 1), 1);
});
