/**
 * Speed of the non-matmul kernels (lib/gpu/kernels) at BERT-base training shapes
 * (batch 16 x 64 tokens, hidden 768, 12 heads), each against its plain TypeScript reference
 * measured in the same run, plus the design check the kernels rest on: layer norm and
 * softmax with one invocation per row (no barriers) against one workgroup per row with a
 * shared-memory tree reduction. AdamW and fill run four elements per invocation where the
 * size allows; their scalar fallback is timed too (the same tensors less one element).
 *
 * Run: `deno run -A bench/kernels_bench.ts`
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { type Kernel, step } from "../lib/gpu/kernel.ts";
import { tensor, tensorU32, view } from "../lib/gpu/tensor.ts";
import { layerNormBackward, layerNormForward } from "../lib/gpu/kernels/layernorm.ts";
import { geluBackward, geluForward } from "../lib/gpu/kernels/gelu.ts";
import { softmaxBackward, softmaxForward } from "../lib/gpu/kernels/attention.ts";
import { adamw } from "../lib/gpu/kernels/adamw.ts";
import { columnSum } from "../lib/gpu/kernels/column_sum.ts";
import { fill } from "../lib/gpu/kernels/elementwise.ts";
import { packUniforms } from "../lib/gpu/kernels/grid.ts";
import * as refLn from "../lib/gpu/reference/layernorm.ts";
import * as refGelu from "../lib/gpu/reference/gelu.ts";
import * as refAtt from "../lib/gpu/reference/attention.ts";
import * as refAdam from "../lib/gpu/reference/adamw.ts";
import * as refCol from "../lib/gpu/reference/column_sum.ts";

const gpu = await getGpu();
const REPS = 20;

function rand(n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() * 2 - 1;
  return a;
}

/** ms per call of `record` (recorded REPS times in one step, one wait). */
async function gpuMs(record: (s: ReturnType<typeof step>) => void): Promise<number> {
  const warm = step(gpu);
  record(warm);
  const probe = tensor(gpu, [1]);
  await (warm.read(probe), warm.submit());
  const s = step(gpu);
  const t0 = performance.now();
  for (let i = 0; i < REPS; i++) record(s);
  const r = s.read(probe);
  await s.submit();
  await r;
  return (performance.now() - t0) / REPS;
}

function cpuMs(f: () => void): number {
  f();
  const t0 = performance.now();
  const n = 3;
  for (let i = 0; i < n; i++) f();
  return (performance.now() - t0) / n;
}

const rows = 16 * 64, cols = 768, heads = 12, seq = 64;
const x = rand(rows * cols), gamma = rand(cols), beta = rand(cols), dout = rand(rows * cols);
const tx = tensor(gpu, [rows, cols], x), tg = tensor(gpu, [cols], gamma);
const tb = tensor(gpu, [cols], beta), out = tensor(gpu, [rows, cols]);
const mean = tensor(gpu, [rows]), rstd = tensor(gpu, [rows]);
const tdout = tensor(gpu, [rows, cols], dout), dx = tensor(gpu, [rows, cols]);
const dg = tensor(gpu, [cols]), db = tensor(gpu, [cols]);
const lnF = refLn.layerNormForward({ x, gamma, beta, rows, cols, eps: 1e-12 });

const results: { kernel: string; shape: string; gpuMs: number; tsMs: number }[] = [];
const add = async (
  kernel: string,
  shape: string,
  rec: Parameters<typeof gpuMs>[0],
  ts: () => void,
) => results.push({ kernel, shape, gpuMs: await gpuMs(rec), tsMs: cpuMs(ts) });

await add(
  "layerNormForward",
  `[${rows}, ${cols}]`,
  (s) =>
    layerNormForward(s, { x: tx, gamma: tg, beta: tb, out, mean, rstd, rows, cols, eps: 1e-12 }),
  () => refLn.layerNormForward({ x, gamma, beta, rows, cols, eps: 1e-12 }),
);
await add(
  "layerNormBackward",
  `[${rows}, ${cols}]`,
  (s) =>
    layerNormBackward(s, {
      dout: tdout,
      x: tx,
      gamma: tg,
      mean,
      rstd,
      dx,
      dgamma: dg,
      dbeta: db,
      rows,
      cols,
    }),
  () =>
    refLn.layerNormBackward({
      dout,
      x,
      gamma,
      mean: lnF.mean,
      rstd: lnF.rstd,
      rows,
      cols,
      dx: new Float32Array(rows * cols),
      dgamma: new Float32Array(cols),
      dbeta: new Float32Array(cols),
    }),
);
const hx = rand(rows * 4 * cols), hd = rand(rows * 4 * cols);
const thx = tensor(gpu, [rows, 4 * cols], hx), thd = tensor(gpu, [rows, 4 * cols], hd);
const thout = tensor(gpu, [rows, 4 * cols]);
for (const kind of ["erf", "tanh"] as const) {
  await add(
    `gelu ${kind} fwd+bwd`,
    `[${rows}, ${4 * cols}]`,
    (s) => {
      geluForward(s, { gpu, x: thx, out: thout, kind });
      geluBackward(s, { gpu, x: thx, dout: thd, dx: thout, kind });
    },
    () => {
      refGelu.geluForward(hx, kind);
      refGelu.geluBackward(hx, hd, kind);
    },
  );
}
const nS = 16 * heads * seq * seq;
const sc = rand(nS), dp = rand(nS);
const tsc = tensor(gpu, [nS], sc), tp = tensor(gpu, [nS]), tdp = tensor(gpu, [nS], dp);
const tds = tensor(gpu, [nS]);
const mask = Array.from({ length: 16 * seq }, (_, i) => (i % seq < 50 ? 1 : 0));
const tmask = tensorU32(gpu, [16 * seq], mask);
const sm = { batch: 16, heads, seq, scale: 0.125 };
await add(
  "softmax fwd+bwd (masked)",
  `[${16 * heads}, ${seq}, ${seq}]`,
  (s) => {
    softmaxForward(s, { ...sm, scores: tsc, probs: tp, keyMask: tmask });
    softmaxBackward(s, { ...sm, probs: tp, dprobs: tdp, dscores: tds });
  },
  () => refAtt.softmaxBackward(refAtt.softmaxForward(sc, { ...sm, keyMask: mask }), dp, sm),
);
await add(
  "columnSum",
  `[${rows}, ${4 * cols}]`,
  (s) => columnSum(s, { x: thx, rows, cols: 4 * cols, into: tensor(gpu, [4 * cols]) }),
  () => refCol.columnSum(hx, rows, 4 * cols, new Float32Array(4 * cols)),
);
const nP = 30522 * 768; // BERT-base word embeddings, 94 MB
const pp = rand(nP), pg = rand(nP);
const tpp = tensor(gpu, [nP], pp), tpg = tensor(gpu, [nP], pg);
const tm = tensor(gpu, [nP], new Float32Array(nP)), tv = tensor(gpu, [nP], new Float32Array(nP));
const hyper = { lr: 5e-5, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, step: 1 };
await add(
  "adamw",
  `[30522, 768]`,
  (s) => adamw(s, { gpu, param: tpp, grad: tpg, m: tm, v: tv }, hyper),
  () =>
    refAdam.adamwUpdate(
      { param: pp, grad: pg, m: new Float32Array(nP), v: new Float32Array(nP) },
      hyper,
    ),
);
// The same tensors less one element: not a multiple of 4, so the scalar (one element per
// invocation) kernels run; the ratio to the rows above is the gain of the four-wide path.
const less = (t: typeof tpp) => view(t, [nP - 1]);
await add(
  "adamw (scalar, size % 4 != 0)",
  `[${nP - 1}]`,
  (s) => adamw(s, { gpu, param: less(tpp), grad: less(tpg), m: less(tm), v: less(tv) }, hyper),
  () =>
    refAdam.adamwUpdate(
      { param: pp, grad: pg, m: new Float32Array(nP), v: new Float32Array(nP) },
      hyper,
    ),
);
await add(
  "fill",
  `[30522, 768]`,
  (s) => fill(s, { gpu, x: tpg, value: 0 }),
  () => pg.fill(0),
);
await add(
  "fill (scalar, size % 4 != 0)",
  `[${nP - 1}]`,
  (s) => fill(s, { gpu, x: less(tpg), value: 0 }),
  () => pg.fill(0),
);

// Design check: one workgroup (64 invocations) per row with a shared-memory tree reduction.
const LN_WG: Kernel = {
  name: "layernorm-forward-workgroup",
  code: `struct U { rows: u32, cols: u32, eps: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> gamma: array<f32>;
@group(0) @binding(2) var<storage, read> beta: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> u: U;
var<workgroup> part: array<f32, 64>;
fn reduce(v: f32, l: u32) -> f32 {
  part[l] = v;
  workgroupBarrier();
  for (var w = 32u; w > 0u; w = w / 2u) {
    if (l < w) { part[l] += part[l + w]; }
    workgroupBarrier();
  }
  let r = part[0];
  workgroupBarrier();
  return r;
}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) l: u32) {
  let base = wid.x * u.cols;
  var s = 0.0;
  for (var c = l; c < u.cols; c += 64u) { s += x[base + c]; }
  let m = reduce(s, l) / f32(u.cols);
  var q = 0.0;
  for (var c = l; c < u.cols; c += 64u) { let d = x[base + c] - m; q += d * d; }
  let r = inverseSqrt(reduce(q, l) / f32(u.cols) + u.eps);
  for (var c = l; c < u.cols; c += 64u) { out[base + c] = (x[base + c] - m) * r * gamma[c] + beta[c]; }
}`,
};
const wgMs = await gpuMs((s) =>
  s.dispatch(LN_WG, [tx, tg, tb, out], [rows], packUniforms("uuf", [rows, cols, 1e-12]))
);
results.push({
  kernel: "layerNormForward, workgroup per row",
  shape: `[${rows}, ${cols}]`,
  gpuMs: wgMs,
  tsMs: NaN,
});

console.log(`device: ${gpu.adapterName} (${gpu.backend}); ${REPS} calls per timing, one wait`);
console.log(
  "kernel".padEnd(38) + "shape".padEnd(18) + "GPU ms".padStart(9) + "TS ms".padStart(9) +
    "  TS/GPU",
);
for (const r of results) {
  console.log(
    r.kernel.padEnd(38) + r.shape.padEnd(18) + r.gpuMs.toFixed(2).padStart(9) +
      (Number.isNaN(r.tsMs)
        ? ""
        : r.tsMs.toFixed(2).padStart(9) + (r.tsMs / r.gpuMs).toFixed(1).padStart(8)),
  );
}
