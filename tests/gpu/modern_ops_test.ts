/**
 * The operations added for ModernBERT and Llama-style decoders (rotary, RMSNorm, layer norm
 * without bias, gated activation, repeated key/value heads, windowed softmax) give the same
 * numbers on the GPU backend as on the CPU backend, called through `Ops` as the transformer
 * calls them (views into a fused projection included).
 */
import assert from "node:assert/strict";
import { getGpu } from "../../lib/gpu/device.ts";
import { gpuOps } from "../../lib/models/gpu_ops.ts";
import { cpuOps } from "../../lib/models/cpu_ops.ts";
import type { Ops } from "../../lib/models/ops.ts";
import { maxError } from "../../lib/gpu/reference/gradcheck.ts";
import { randf } from "./gpu_helpers.ts";

async function program<X>(ops: Ops<X>): Promise<Float32Array[]> {
  // 2 sequences of 5 tokens; 4 query heads and 2 key/value heads of 4: rows [q 16 | k 8 | v 8]
  const B = 2, T = 5, N = B * T, d = 4, Hq = 4, Hkv = 2, ld = (Hq + 2 * Hkv) * d;
  const qkv = ops.persistent([N, ld], randf(1, N * ld));
  ops.rotary({ x: qkv, rows: N, seq: T, heads: Hq + Hkv, headDim: d, ld, theta: 1e4 });
  const kv = ops.alloc([N, 2, Hq, d]);
  const keys = ops.view(qkv, [N * ld - Hq * d], Hq * d);
  ops.repeatKv({ x: keys, out: kv, rows: N, parts: 2, kvHeads: Hkv, groups: 2, headDim: d, ld });
  const dqkv = ops.persistent([N, ld], new Float32Array(N * ld));
  ops.repeatKvBackward({
    dout: kv,
    dx: ops.view(dqkv, [N * ld - Hq * d], Hq * d),
    rows: N,
    parts: 2,
    kvHeads: Hkv,
    groups: 2,
    headDim: d,
    ld,
  });
  ops.rotary({
    x: dqkv,
    rows: N,
    seq: T,
    heads: Hq + Hkv,
    headDim: d,
    ld,
    theta: 1e4,
    inverse: true,
  });
  const H = 12, x = ops.persistent([N, H], randf(2, N * H)), w = ops.persistent([H], randf(3, H));
  const out = ops.alloc([N, H]), rstd = ops.alloc([N]), mean = ops.alloc([N]);
  ops.rmsNormForward({ x, weight: w, out, rstd, rows: N, cols: H, eps: 1e-6 });
  const dx = ops.persistent([N, H], new Float32Array(N * H)),
    dw = ops.persistent([H], new Float32Array(H));
  ops.rmsNormBackward({ dout: x, x: out, weight: w, rstd, dx, dweight: dw, rows: N, cols: H });
  const ln = ops.alloc([N, H]);
  ops.layerNormForward({ x, gamma: w, out: ln, mean, rstd, rows: N, cols: H, eps: 1e-5 });
  const g = ops.alloc([N, H / 2]), dg = ops.alloc([N, H]);
  ops.gated({ x: ln, out: g, rows: N, cols: H / 2, activation: "silu" });
  ops.gatedBackward({ x: ln, dout: g, dx: dg, rows: N, cols: H / 2, activation: "erf" });
  const scores = ops.persistent([B * 2, T, T], randf(4, B * 2 * T * T)),
    probs = ops.alloc([B * 2, T, T]);
  const keyMask = ops.ints(new Int32Array([1, 1, 1, 1, 1, 1, 1, 1, 0, 0]));
  ops.softmaxForward({ scores, probs, batch: B, heads: 2, seq: T, scale: 0.5, keyMask, window: 2 });
  const reads = [qkv, kv, dqkv, out, dx, dw, ln, g, dg, probs].map((t) => ops.read(t));
  await ops.submit();
  return await Promise.all(reads);
}

Deno.test("the new operations give the same numbers on the GPU and CPU backends", async () => {
  const [g, c] = [await program(gpuOps(await getGpu())), await program(cpuOps())];
  const names = [
    "qkv",
    "kv",
    "dqkv",
    "rms",
    "rms dx",
    "rms dweight",
    "ln",
    "gated",
    "gated dx",
    "probs",
  ];
  names.forEach((name, i) => assert.ok(maxError(g[i], c[i]) < 1e-5, name));
  // rotating back the gradients of the copies: the key/value columns hold group sums, the
  // query columns stay zero
  assert.ok(c[2].subarray(0, 16).every((v) => v === 0));
});
