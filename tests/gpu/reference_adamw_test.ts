import assert from "node:assert/strict";
import { adamwUpdate } from "../../lib/gpu/reference/adamw.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";

Deno.test("adamwUpdate matches torch.optim.AdamW over three steps", () => {
  // torch.optim.AdamW([p], lr=0.01, betas=(0.9, 0.99), eps=1e-6, weight_decay=0.1), float64,
  // three steps with these gradients (torch 1.13).
  const param = new Float64Array([1, -2, 0.5]);
  const m = new Float64Array(3), v = new Float64Array(3);
  const grads = [[0.1, -0.2, 0.3], [0.5, 0.5, -0.1], [-0.3, 0.2, 0]];
  grads.forEach((g, i) =>
    adamwUpdate({ param, grad: Float64Array.from(g), m, v }, {
      lr: 0.01,
      beta1: 0.9,
      beta2: 0.99,
      eps: 1e-6,
      weightDecay: 0.1,
      step: i + 1,
    })
  );
  assert.ok(maxError(param, [0.9759464376933246, -1.993866010699736, 0.4814097446549622]) < 1e-14);
  assert.ok(maxError(m, [0.0231, 0.0488, 0.0153]) < 1e-14);
  assert.ok(maxError(v, [0.00347301, 0.00326704, 0.00098109]) < 1e-14);
});

Deno.test("adamwUpdate applies gradScale to the gradient", () => {
  const a = new Float64Array([1]), b = new Float64Array([1]);
  const o = { lr: 0.1, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 };
  const m1 = new Float64Array(1), v1 = new Float64Array(1);
  const m2 = new Float64Array(1), v2 = new Float64Array(1);
  adamwUpdate({ param: a, grad: new Float64Array([0.2]), m: m1, v: v1 }, { ...o, gradScale: 0.5 });
  adamwUpdate({ param: b, grad: new Float64Array([0.1]), m: m2, v: v2 }, o);
  assert.deepEqual([a, m1, v1], [b, m2, v2]);
  assert.throws(
    () => adamwUpdate({ param: a, grad: a, m: m1, v: v1 }, { ...o, step: 0 }),
    /count from 1/,
  );
});
