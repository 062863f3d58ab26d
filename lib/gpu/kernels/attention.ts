/**
 * Attention kernels besides the matmuls: the scaled, masked softmax over scores
 * `[B*H, T, T]` (padding key mask per batch row, optional causal mask and sliding window)
 * and its backward.
 * CPU reference: `lib/gpu/reference/attention.ts`.
 *
 * Not fused (no flash attention): QK^T and PV go through core's register-blocked batched
 * matmul, the fast design on lavapipe, which reads and writes the heads in place in the
 * token-major `[B, T, (3,) H, d]` tensors (its `ld` and `heads` options), while a fused
 * kernel needs shared-memory tiles and workgroup barriers, which are slow on a CPU. At the sequence lengths of the study
 * (T <= 512) the `[B*H, T, T]` scores fit in memory easily. The softmax runs one invocation
 * per row (three passes over T values, no barriers).
 *
 * @module
 */
import type { Kernel, Step } from "../kernel.ts";
import type { Tensor } from "../tensor.ts";
import { flatGrid, flatMain, packUniforms } from "./grid.ts";

function softmaxKernel(masked: boolean): Kernel {
  return {
    name: `attention-softmax${masked ? "-masked" : ""}`,
    code: `struct U { rows: u32, heads: u32, seq: u32, causal: u32, scale: f32, radius: u32 }
@group(0) @binding(0) var<storage, read> scores: array<f32>;
@group(0) @binding(1) var<storage, read_write> probs: array<f32>;
${masked ? "@group(0) @binding(2) var<storage, read> keyMask: array<u32>;" : ""}
@group(0) @binding(${masked ? 3 : 2}) var<uniform> u: U;
fn visible(b: u32, i: u32, j: u32) -> bool {
  if (u.causal != 0u && j > i) { return false; }
  if (max(i, j) - min(i, j) > u.radius) { return false; }
  ${masked ? "return keyMask[b * u.seq + j] != 0u;" : "return true;"}
}
${flatMain("r")} // row of [B*H*T, T]
  if (r >= u.rows) { return; }
  let i = r % u.seq;
  let b = r / (u.seq * u.heads);
  let base = r * u.seq;
  var mx = -3.0e38;
  var seen = false;
  for (var j = 0u; j < u.seq; j++) {
    if (visible(b, i, j)) { mx = max(mx, u.scale * scores[base + j]); seen = true; }
  }
  var sum = 0.0;
  for (var j = 0u; j < u.seq; j++) {
    var e = 0.0;
    if (visible(b, i, j)) { e = exp(u.scale * scores[base + j] - mx); }
    probs[base + j] = e;
    sum += e;
  }
  let inv = select(0.0, 1.0 / sum, seen);
  for (var j = 0u; j < u.seq; j++) { probs[base + j] *= inv; }
}`,
  };
}

const SOFTMAX = softmaxKernel(false);
const SOFTMAX_MASKED = softmaxKernel(true);

const SOFTMAX_BACKWARD: Kernel = {
  name: "attention-softmax-backward",
  code: `struct U { rows: u32, seq: u32, scale: f32 }
@group(0) @binding(0) var<storage, read> probs: array<f32>;
@group(0) @binding(1) var<storage, read> dprobs: array<f32>;
@group(0) @binding(2) var<storage, read_write> dscores: array<f32>;
@group(0) @binding(3) var<uniform> u: U;
${flatMain("r")}
  if (r >= u.rows) { return; }
  let base = r * u.seq;
  var pd = 0.0;
  for (var j = 0u; j < u.seq; j++) { pd = fma(probs[base + j], dprobs[base + j], pd); }
  for (var j = 0u; j < u.seq; j++) {
    dscores[base + j] = u.scale * probs[base + j] * (dprobs[base + j] - pd);
  }
}`,
};

/**
 * Options of the attention softmax: `scores` and `probs` `[batch*heads, seq, seq]`,
 * `keyMask` a u32 tensor `[batch*seq]` (nonzero = real token) or omitted, `causal`, and
 * `window` (ModernBERT's `local_attention`: keys at most `floor(window / 2)` positions away
 * on either side, omitted = all).
 */
export type SoftmaxOptions = {
  scores: Tensor;
  probs: Tensor;
  batch: number;
  heads: number;
  seq: number;
  scale: number;
  keyMask?: Tensor;
  causal?: boolean;
  window?: number;
};

function checkScores(what: string, o: SoftmaxOptions, ts: Tensor[]): number {
  const rows = o.batch * o.heads * o.seq;
  for (const t of ts) {
    if (t.size !== rows * o.seq) {
      throw new Error(
        `${what}: tensor [${t.shape.join(", ")}] is not ` +
          `[${o.batch}*${o.heads}, ${o.seq}, ${o.seq}]`,
      );
    }
  }
  return rows;
}

/**
 * Records `probs = softmax(scale * scores)` over each row's visible keys (hidden keys get
 * 0; a row with no visible key is all zeros).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor, tensorU32 } from "../tensor.ts";
 * import { softmaxForward } from "./attention.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), probs = tensor(gpu, [1, 2, 2]);
 * softmaxForward(s, { scores: tensor(gpu, [1, 2, 2], [1, 2, 3, 4]), probs, batch: 1, heads: 1,
 *   seq: 2, scale: 1, keyMask: tensorU32(gpu, [2], [1, 1]), causal: true });
 * const r = s.read(probs);
 * await s.submit(); // query 0 sees key 0 only; query 1: softmax([3, 4])
 * const want = [1, 0, 1 / (1 + Math.E), Math.E / (1 + Math.E)]; // [1, 0, 0.2689, 0.7311]
 * assert.ok((await r).every((p, i) => Math.abs(p - want[i]) < 1e-6));
 * ```
 */
export function softmaxForward(s: Step, o: SoftmaxOptions): void {
  const rows = checkScores("softmaxForward", o, [o.scores, o.probs]);
  if (o.keyMask && o.keyMask.size !== o.batch * o.seq) {
    throw new Error(
      `softmaxForward: keyMask has ${o.keyMask.size} elements, ` +
        `needs batch*seq = ${o.batch * o.seq}`,
    );
  }
  if (o.window !== undefined && !(Number.isInteger(o.window) && o.window >= 0)) {
    throw new Error(`softmaxForward: window ${o.window} is not a non-negative integer`);
  }
  // no window: a radius no distance exceeds
  const radius = o.window === undefined ? 0xffffffff : Math.floor(o.window / 2);
  const u = packUniforms("uuuufu", [rows, o.heads, o.seq, o.causal ? 1 : 0, o.scale, radius]);
  if (o.keyMask) s.dispatch(SOFTMAX_MASKED, [o.scores, o.probs, o.keyMask], flatGrid(rows), u);
  else s.dispatch(SOFTMAX, [o.scores, o.probs], flatGrid(rows), u);
}

/**
 * Records the softmax backward `dscores = scale * p * (dprobs - sum(p * dprobs))` per row
 * (written, not accumulated). Masks need no handling: hidden keys have `p = 0`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getGpu } from "../device.ts";
 * import { step } from "../kernel.ts";
 * import { tensor } from "../tensor.ts";
 * import { softmaxBackward } from "./attention.ts";
 * const gpu = await getGpu();
 * const s = step(gpu), dscores = tensor(gpu, [1, 1, 1]);
 * softmaxBackward(s, { probs: tensor(gpu, [1, 1, 1], [1]), dprobs: tensor(gpu, [1, 1, 1], [5]),
 *   dscores, batch: 1, heads: 1, seq: 1, scale: 1 });
 * const r = s.read(dscores);
 * await s.submit(); // one key: p = 1 whatever the score, so no gradient
 * assert.deepEqual(await r, Float32Array.of(0));
 * ```
 */
export function softmaxBackward(s: Step, o: {
  probs: Tensor;
  dprobs: Tensor;
  dscores: Tensor;
  batch: number;
  heads: number;
  seq: number;
  scale: number;
}): void {
  const rows = checkScores("softmaxBackward", { ...o, scores: o.probs }, [
    o.probs,
    o.dprobs,
    o.dscores,
  ]);
  s.dispatch(
    SOFTMAX_BACKWARD,
    [o.probs, o.dprobs, o.dscores],
    flatGrid(rows),
    packUniforms("uuf", [rows, o.seq, o.scale]),
  );
}
