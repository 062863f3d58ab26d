/**
 * Tests for lib/stats/optimize.ts. Expected minimisers printed by R 4.2.2 with
 * `sprintf("%.17g", optimize(f, interval)$minimum)` for the same functions.
 */
import assert from "node:assert/strict";
import { optimize } from "../../lib/stats/optimize.ts";

Deno.test("optimize takes R's steps: same minimiser to the last bit", () => {
  assert.equal(optimize((x) => (x - 1 / 3) ** 2, 0, 1).minimum, 0.33333333333333331);
  // A function with a kink and two local minima: R goes to the same one.
  const o = optimize((x) => Math.abs(x - 0.7) + Math.sin(5 * x), 0, 1);
  assert.equal(o.minimum, 0.90220575459379426);
  assert.equal(o.objective, -0.7775896851918378);
  assert.equal(optimize((x) => Math.exp(x) - 3 * x, -2, 5, 1e-10).minimum, 1.0986122961692397);
});

Deno.test("optimize finds ln 3 for exp(x) - 3x within its tolerance and checks the interval", () => {
  const o = optimize((x) => Math.exp(x) - 3 * x, -2, 5);
  assert.ok(Math.abs(o.minimum - Math.log(3)) < 1e-3);
  assert.throws(() => optimize((x) => x, 1, 0), /lower < upper/);
});
