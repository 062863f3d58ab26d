import assert from "node:assert/strict";
import { accumulate, add, scale } from "../../lib/gpu/reference/elementwise.ts";

Deno.test("add, accumulate and scale", () => {
  assert.deepEqual(Array.from(add(new Float64Array([1, 2]), new Float64Array([3, -4]))), [4, -2]);
  const d = new Float64Array([1, 1]);
  accumulate(d, new Float64Array([2, 3]), 0.5);
  assert.deepEqual(Array.from(d), [2, 2.5]);
  scale(d, -2);
  assert.deepEqual(Array.from(d), [-4, -5]);
  assert.throws(() => add(new Float64Array(2), new Float64Array(3)), /lengths differ/);
});
