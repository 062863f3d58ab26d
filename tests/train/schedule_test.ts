import assert from "node:assert/strict";
import { linearSchedule } from "../../lib/train/schedule.ts";

Deno.test("linearSchedule: transformers' linear warmup then decay, by hand", () => {
  const o = { peak: 5e-5, warmupSteps: 10, totalSteps: 100 };
  // lr_lambda = step / warmup below warmup, else (total - step) / (total - warmup).
  assert.equal(linearSchedule(0, o), 0);
  assert.equal(linearSchedule(5, o), 2.5e-5);
  assert.equal(linearSchedule(10, o), 5e-5);
  assert.ok(Math.abs(linearSchedule(55, o) - 2.5e-5) < 1e-20);
  assert.equal(linearSchedule(100, o), 0);
  assert.equal(linearSchedule(120, o), 0);
  // No warmup: full rate at step 0, decaying linearly.
  assert.equal(linearSchedule(0, { ...o, warmupSteps: 0 }), 5e-5);
  assert.ok(Math.abs(linearSchedule(25, { ...o, warmupSteps: 0 }) - 3.75e-5) < 1e-20);
});
