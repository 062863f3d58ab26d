/**
 * Matmul throughput: our WebGPU kernel (lib/gpu/kernels/matmul.ts) against PyTorch CPU
 * (float32, 2 threads, OpenBLAS) measured in the same run by bench/matmul_torch.py.
 *
 * Run: `DENO_WEBGPU_BACKEND=vulkan deno run -A bench/matmul_bench.ts [--block=TMxTN]`.
 * Shapes are m x n x k for C[m,n] = A[m,k] @ B[k,n]. Ours: 8 products recorded in one
 * command buffer per submit, timed to completion, 5 submits, median (nothing subtracted;
 * the ~11 ms GPU wait is spread over the 8). Torch: median of 7 timed loops.
 *
 * Measured on this machine (Mesa lavapipe, LLVM 15, 256-bit, LP_NUM_THREADS default = 2
 * cores, AMD EPYC; other jobs were running, so numbers varied by up to 2x between runs):
 * - pure fma loop (no loads): ~75 GFLOP/s on 2 threads — the ceiling for any kernel;
 * - register-blocked, vec4 loads, block 8x8 / 16x16 / 32x16 / 32x32 at 512x768x768:
 *   ~17 / 18 / 21 / 25 GFLOP/s (best of runs); scalar loads instead of vec4: about half;
 *   32x32 takes 12-17 s to compile per variant, 16x16 ~1.5 s (the default);
 * - workgroups of 8x1 (one SIMD row) beat 16x1, 64x1 and 4x2 at the same block;
 * - A rows through a uniform buffer, one dispatch per 16-row block: ~26 GFLOP/s, no gain;
 * - LP_NUM_THREADS=4 on 2 cores: no gain.
 * The target of 35 GFLOP/s at the BERT shapes was NOT reached. One run of this script
 * (GFLOP/s, ours default 16x16 / ours --block=32x32 / PyTorch 1.13 OpenBLAS 2 threads):
 *   512x768x768 15.1 / 26.1 / 200;  512x3072x768 18.1 / 22.1 / 182;
 *   512x768x3072 16.5 / 17.0 / 192; 1024^3 15.5 / 25.1 / 189;
 *   512x128x128 6.4 / 5.7 / 156;    512x128x512 (32x32 run) 11.2 / 174.
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { release, tensor } from "../lib/gpu/tensor.ts";
import { step } from "../lib/gpu/kernel.ts";
import { matmul } from "../lib/gpu/kernels/matmul.ts";

const SHAPES: [number, number, number][] = [
  [512, 768, 768],
  [512, 3072, 768],
  [512, 768, 3072],
  [1024, 1024, 1024],
  [512, 128, 128],
  [512, 128, 512],
];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const blockArg = Deno.args.find((a) => a.startsWith("--block="));
const block = blockArg
  ? (() => {
    const [tm, tn] = blockArg.slice(8).split("x").map(Number);
    return [tm, tn, 8, 1] as [number, number, number, number];
  })()
  : undefined;

const gpu = await getGpu();
console.log(`adapter: ${gpu.adapterName} (backend ${gpu.backend})`);
const ours: number[] = [];
for (const [m, n, k] of SHAPES) {
  const a = tensor(gpu, [m, k], Float32Array.from({ length: m * k }, (_, i) => (i % 17) / 17));
  const b = tensor(gpu, [k, n], Float32Array.from({ length: k * n }, (_, i) => (i % 13) / 13));
  const c = tensor(gpu, [m, n]);
  const o = { a, b, c, m, n, k, block };
  const warm = step(gpu); // compiles the pipeline
  matmul(warm, o);
  const warmRead = warm.read(c);
  await warm.submit();
  await warmRead;
  const per = 8, times: number[] = [];
  for (let r = 0; r < 5; r++) {
    const s = step(gpu);
    for (let i = 0; i < per; i++) matmul(s, o);
    const done = s.read(c);
    const t0 = performance.now();
    await s.submit();
    await done;
    times.push((performance.now() - t0) / per);
  }
  ours.push(2 * m * n * k / median(times) / 1e6);
  for (const t of [a, b, c]) release(t);
}

let torch: { torch: string; results: { shape: string; gflops: number }[] } | undefined;
try {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [
      new URL("./matmul_torch.py", import.meta.url).pathname,
      ...SHAPES.map((s) => s.join("x")),
    ],
    env: { OMP_NUM_THREADS: "2" },
    stderr: "inherit",
  }).output();
  if (out.success) torch = JSON.parse(new TextDecoder().decode(out.stdout));
} catch (e) {
  console.error(`PyTorch reference not run: ${e instanceof Error ? e.message : e}`);
}

console.log(`\nm x n x k            ours GFLOP/s   torch ${torch?.torch ?? "n/a"} GFLOP/s   ratio`);
SHAPES.forEach(([m, n, k], i) => {
  const t = torch?.results[i]?.gflops;
  console.log(
    `${`${m}x${n}x${k}`.padEnd(20)} ${ours[i].toFixed(1).padStart(13)}   ${
      t === undefined ? "n/a".padStart(19) : t.toFixed(1).padStart(19)
    }   ${t === undefined ? "n/a" : (ours[i] / t).toFixed(3)}`,
  );
});
