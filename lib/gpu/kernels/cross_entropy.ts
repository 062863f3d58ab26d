/**
 * Softmax cross-entropy over class logits `[rows, classes]` with i32 targets (-100 =
 * ignore), fused with its backward. CPU reference: `lib/gpu/reference/cross_entropy.ts`
 * (PyTorch `F.cross_entropy`, `ignore_index=-100`, mean reduction).
 *
 * Three dispatches, no host round trip: one invocation counts the rows not ignored, one
 * invocation per row computes its loss and `dlogits` (already divided by the count), and
 * one invocation adds the row losses in order (deterministic) into the mean.
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";

const DECLS = `struct U { rows: u32, classes: u32, gradScale: f32, nanBits: u32 }
@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<i32>;
@group(0) @binding(2) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(3) var<storage, read_write> losses: array<f32>;
@group(0) @binding(4) var<storage, read_write> loss: array<f32>; // [mean loss, count]
@group(0) @binding(5) var<uniform> u: U;
`;

const COUNT: Kernel = {
  name: "cross-entropy-count",
  code: `${DECLS}
@compute @workgroup_size(1)
fn main() {
  var n = 0u;
  for (var r = 0u; r < u.rows; r++) { n += select(0u, 1u, targets[r] != -100); }
  loss[1] = f32(n);
}`,
};

const ROWS: Kernel = {
  name: "cross-entropy-rows",
  code: `${DECLS}
${flatMain("r")}
  if (r >= u.rows) { return; }
  let base = r * u.classes;
  let t = targets[r];
  if (t == -100) {
    losses[r] = 0.0;
    for (var c = 0u; c < u.classes; c++) { dlogits[base + c] = 0.0; }
    return;
  }
  var mx = -3.0e38;
  for (var c = 0u; c < u.classes; c++) { mx = max(mx, logits[base + c]); }
  var sum = 0.0;
  for (var c = 0u; c < u.classes; c++) { sum += exp(logits[base + c] - mx); }
  let lse = mx + log(sum);
  losses[r] = lse - logits[base + u32(t)];
  let g = u.gradScale / loss[1];
  for (var c = 0u; c < u.classes; c++) {
    let p = exp(logits[base + c] - lse);
    dlogits[base + c] = g * (p - select(0.0, 1.0, c == u32(t)));
  }
}`,
};

const MEAN: Kernel = {
  name: "cross-entropy-mean",
  code: `${DECLS}
@compute @workgroup_size(1)
fn main() {
  var total = 0.0;
  for (var r = 0u; r < u.rows; r++) { total += losses[r]; }
  loss[0] = select(bitcast<f32>(u.nanBits), total / loss[1], loss[1] > 0.0);
}`,
};

/**
 * Records the cross-entropy loss and its gradient: `losses` `[rows]` (0 for ignored rows),
 * `loss` `[2]` receives `[mean loss, count of rows not ignored]` (mean NaN when all are
 * ignored), `dlogits` `[rows, classes]` = `gradScale * (softmax - onehot) / count`.
 * Targets must be -100 or a class index (check on the host; the reference's
 * `crossEntropy` names a bad one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, tensorI32 } from "../tensor.ts";
 * import { crossEntropy } from "./cross_entropy.ts";
 * const gpu = await getGpu();
 * const s = step(gpu);
 * const dlogits = tensor(gpu, [2, 2]), losses = tensor(gpu, [2]), loss = tensor(gpu, [2]);
 * crossEntropy(s, { logits: tensor(gpu, [2, 2], [0, 0, 1, 2]), targets: tensorI32(gpu, [2], [1, -100]),
 *   dlogits, losses, loss, rows: 2, classes: 2 });
 * const l = s.read(loss), d = s.read(dlogits);
 * await s.submit(); // row 0: -log(1/2); row 1 ignored
 * const [mean, count] = await l;
 * assert.ok(Math.abs(mean - Math.LN2) < 1e-6);
 * assert.equal(count, 1);
 * assert.deepEqual(await d, Float32Array.of(0.5, -0.5, 0, 0));
 * ```
 */
export function crossEntropy(s: Step, o: {
  logits: Tensor;
  targets: Tensor;
  dlogits: Tensor;
  losses: Tensor;
  loss: Tensor;
  rows: number;
  classes: number;
  gradScale?: number;
}): void {
  const { logits, targets, dlogits, losses, loss, rows, classes } = o;
  if (
    logits.size !== rows * classes || dlogits.size !== rows * classes || targets.size !== rows ||
    losses.size !== rows || loss.size !== 2
  ) {
    throw new Error(
      `crossEntropy: logits [${logits.shape.join(", ")}], targets ` +
        `[${targets.shape.join(", ")}], losses [${losses.shape.join(", ")}], loss ` +
        `[${loss.shape.join(", ")}] do not fit [${rows}, ${classes}] (loss must have 2 elements)`,
    );
  }
  const b = [logits, targets, dlogits, losses, loss];
  const u = packUniforms("uufu", [rows, classes, o.gradScale ?? 1, 0x7fc00000]);
  s.dispatch(COUNT, b, [1], u);
  s.dispatch(ROWS, b, flatGrid(rows), u);
  s.dispatch(MEAN, b, [1], u);
}
