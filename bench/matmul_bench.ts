/**
 * Matmul throughput: our WebGPU kernel (lib/gpu/kernels/matmul.ts) against PyTorch CPU
 * (float32, 2 threads, OpenBLAS) measured in the same run by bench/matmul_torch.py.
 *
 * Run: `DENO_WEBGPU_BACKEND=vulkan deno run -A bench/matmul_bench.ts [--compare]`
 * (`--compare` also times the direct path, the default before the tiled one). Shapes are
 * m x n x k for C[m,n] = op(A)[m,k] @ op(B)[k,n], "ta"/"tb" = A/B stored transposed, "bB" =
 * batch of B: the BERT-base shapes, then the tiny-BERT training shapes of the default study
 * (batch 16 x 64 tokens, hidden 128, intermediate 512, 2 heads of 64: forward x W^T, backward
 * dX = dY W and dW = dY^T X, attention Q K^T, P V, P^T dctx). Ours: 2-16 products recorded
 * in one command buffer per submit, timed to completion (nothing subtracted; the ~11 ms GPU
 * wait is spread over them), 7 submits, median; "first" is the first call (pipeline compile
 * unless Mesa's disk cache holds it, plus one product). Torch: median of 7 timed loops.
 * "cpu" is GFLOP/s from the CPU time this process used (2 threads' worth), less sensitive to
 * other jobs on the machine than wall time.
 *
 * Measured on this machine (Mesa 22.3.6 lavapipe, LLVM 15, 256-bit, 2 threads, AMD EPYC,
 * 2 cores shared with other jobs: load average 1-6 while measuring, so wall-time GFLOP/s
 * varied by up to 2x between runs; comparisons were interleaved in one process and the
 * CPU-time-based "cpu" column is steadier):
 * - What a lane's load costs: Mesa 22.3 reads a storage buffer one SIMD lane at a time
 *   (a loop over the 8 lanes with a bounds check per component), ~20-40 ns per 8-lane vec4
 *   load (2 threads) whether or not the address is the same for all lanes, about the time of
 *   50 vec4 fma; f32 loads ~9 ns. An 8x8-block inner loop ran at 51 GFLOP/s (CPU-time based)
 *   from uniform buffers vs 21 from storage buffers (27 / 35 with only A / only B uniform);
 *   textures (textureLoad) 28; workgroup memory no better than storage; mat4x4 loads no
 *   better than 4 vec4 loads.
 * - Hence the tiled path (default for >= 2^20 multiply-adds per batch entry): op(A), op(B)
 *   packed into 64 KiB tiles (r x kc, nd x kc, kc <= 128) of a STORAGE|UNIFORM scratch
 *   buffer, read through uniform windows, up to 3 K-chunks (or 5 row panels when K <= 128)
 *   per dispatch. Packing costs ~8% of a 1024x768x128 product. More than 7 uniform buffers
 *   per dispatch (9-10 tried, within WebGPU's limit of 12) corrupted lavapipe's heap in
 *   about every second test run; 7 never did in 14 runs.
 * - Stores cost about as much as loads (16 guarded vec4 stores of an 8x8 block ~ 30 k4
 *   iterations), and dispatches with few workgroups run at half speed (lavapipe joins its
 *   threads after each dispatch): in isolation 32 workgroups per dispatch 5-11 GFLOP/s vs 256
 *   workgroups 11-17. Both hold the tiled path back at small K. kc 64 vs 128: a wash.
 * - Tiled block 16x8 beat 8x8 by ~10% (10.0 vs 9.2 at 1024x128x128tb, 8.0 vs 6.6 at
 *   128x512x1024ta); compile + first run of a 16x8 variant ~1.4 s cold under load (8x8
 *   ~0.7 s; the old direct 16x16 2-4 s); a 16x16 tiled variant took 9 s: not used.
 * - Direct path for batched attention: 8x8 blocks beat 16x16 (64x64x64 x 32: 6.8 vs 4.3 tb,
 *   11.3 vs 7.1 nn, 6.6 vs 4.0 ta); the tiled path (a dispatch per entry) was slower (~4.9).
 * - Older direct-path facts: block 8x8 / 16x16 / 32x16 / 32x32 at 512x768x768 gave ~17 / 18 /
 *   21 / 25 GFLOP/s; scalar loads half of vec4; workgroups of 8x1 beat 16x1, 64x1 and 4x2;
 *   LP_NUM_THREADS=4 on 2 cores no gain; a pure fma loop reaches ~75 GFLOP/s.
 * Two runs of `--compare` (GFLOP/s wall: tiled / direct / PyTorch; the second run on a
 * busier machine, load ~2.5, with its CPU-time-based tiled / direct in brackets):
 *   512x768x768      19.0 / 18.0 / 210   12.3 / 7.8  [26.3 / 18.6]
 *   512x3072x768     20.4 / 17.7 / 204   13.9 / 9.1  [27.6 / 18.2]
 *   512x768x3072     24.3 / 18.4 / 203   13.4 / 7.6  [27.6 / 16.4]
 *   1024x1024x1024   24.4 / 17.6 / 206   13.2 / 8.3  [27.6 / 18.6]
 *   1024x384x128tb   12.3 / 13.4 / 199    8.7 / 7.2  [22.3 / 16.9]
 *   1024x128x128tb   12.6 / 12.5 / 158    8.0 / 5.0  [19.7 / 16.6]
 *   1024x512x128tb   18.2 / 12.1 / 200   10.9 / 8.1  [23.0 / 17.0]
 *   1024x128x512tb   19.6 / 17.4 / 192    9.1 / 7.4  [20.4 / 18.5]
 *   1024x128x512     19.0 / 17.4 / 191    9.7 / 7.5  [20.6 / 19.0]
 *   1024x512x128     17.7 / 15.5 / 202    9.8 / 8.1  [21.7 / 16.7]
 *   512x128x1024ta   18.0 /  6.6 / 177   15.2 / 6.2  [20.8 /  9.8]
 *   128x128x1024ta   10.5 /  2.2 / 164   10.9 / 2.0  [18.1 /  4.1]
 *   attention 64x64x64 x 32 (direct, 8x8): tb 9.2, nn 9.1, ta 9.1 / PyTorch 70, 94, 93
 *   (the first run used 4 K-windows and 8-row panels, since cut to 3 and 5 for the crash
 *   above). The 35 GFLOP/s target was NOT reached on this Mesa: ~20-28 at BERT shapes.
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { release, tensor } from "../lib/gpu/tensor.ts";
import { step } from "../lib/gpu/kernel.ts";
import { choosePath, matmul, type MatmulOptions } from "../lib/gpu/kernels/matmul.ts";

type Shape = { m: number; n: number; k: number; ta?: boolean; tb?: boolean; batch?: number };

const BERT: Shape[] = [
  { m: 512, n: 768, k: 768 },
  { m: 512, n: 3072, k: 768 },
  { m: 512, n: 768, k: 3072 },
  { m: 1024, n: 1024, k: 1024 },
];
const TINY: Shape[] = [
  { m: 1024, n: 384, k: 128, tb: true }, // fused qkv: x W^T
  { m: 1024, n: 128, k: 128, tb: true }, // attention output
  { m: 1024, n: 512, k: 128, tb: true }, // intermediate
  { m: 1024, n: 128, k: 512, tb: true }, // output
  { m: 1024, n: 128, k: 512 }, // dX = dY W of the intermediate layer
  { m: 1024, n: 512, k: 128 }, // dX = dY W of the output layer
  { m: 512, n: 128, k: 1024, ta: true }, // dW = dY^T X, intermediate
  { m: 128, n: 128, k: 1024, ta: true }, // dW = dY^T X, attention output
  { m: 64, n: 64, k: 64, tb: true, batch: 32 }, // scores = Q K^T
  { m: 64, n: 64, k: 64, batch: 32 }, // context = P V
  { m: 64, n: 64, k: 64, ta: true, batch: 32 }, // dV = P^T dctx
];
const SHAPES = [...BERT, ...TINY];

/** "MxNxK" plus "ta" / "tb" and "bB", as bench/matmul_torch.py reads it. */
function spec(s: Shape): string {
  const b = (s.batch ?? 1) > 1 ? `b${s.batch}` : "";
  return `${s.m}x${s.n}x${s.k}${s.ta ? "ta" : ""}${s.tb ? "tb" : ""}${b}`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** CPU time (ns) used so far by all threads of this process. */
function cpuNs(): number {
  let t = 0;
  for (const e of Deno.readDirSync("/proc/self/task")) {
    try {
      t += Number(Deno.readTextFileSync(`/proc/self/task/${e.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return t;
}

const compare = Deno.args.includes("--compare");
const gpu = await getGpu();
console.log(`adapter: ${gpu.adapterName} (backend ${gpu.backend})`);
type Result = { wall: number; cpu: number; first: number };
const ours: Result[][] = [];
for (const s of SHAPES) {
  const batch = s.batch ?? 1, { m, n, k } = s;
  const fill = (len: number, d: number) =>
    Float32Array.from({ length: len }, (_, i) => (i % d) / d);
  const a = tensor(gpu, [batch * m * k], fill(batch * m * k, 17));
  const b = tensor(gpu, [batch * k * n], fill(batch * k * n, 13));
  const c = tensor(gpu, [batch * m * n]);
  const base: MatmulOptions = { a, b, c, m, n, k, transA: s.ta, transB: s.tb, batch };
  const variants: MatmulOptions[] = compare ? [base, { ...base, path: "direct" }] : [base];
  const first: number[] = [];
  for (const o of variants) {
    const t0 = performance.now();
    const warm = step(gpu);
    matmul(warm, o);
    const read = warm.read(c);
    await warm.submit();
    await read;
    first.push(performance.now() - t0);
  }
  const per = Math.max(2, Math.min(16, Math.round(4e9 / (2 * m * n * k * batch))));
  const wall: number[][] = variants.map(() => []), cpu: number[][] = variants.map(() => []);
  for (let r = 0; r < 7; r++) {
    for (let v = 0; v < variants.length; v++) {
      const st = step(gpu);
      for (let i = 0; i < per; i++) matmul(st, variants[v]);
      const done = st.read(c);
      const c0 = cpuNs(), t0 = performance.now();
      await st.submit();
      await done;
      wall[v].push((performance.now() - t0) / per);
      cpu[v].push((cpuNs() - c0) / 1e6 / 2 / per);
    }
  }
  const gf = (ms: number) => 2 * m * n * k * batch / ms / 1e6;
  ours.push(variants.map((_, v) => ({
    wall: gf(median(wall[v])),
    cpu: gf(median(cpu[v])),
    first: first[v],
  })));
  for (const t of [a, b, c]) release(t);
}

let torch: { torch: string; results: { shape: string; gflops: number }[] } | undefined;
try {
  const out = await new Deno.Command("/usr/bin/python3", {
    args: [new URL("./matmul_torch.py", import.meta.url).pathname, ...SHAPES.map(spec)],
    env: { OMP_NUM_THREADS: "2" },
    stderr: "inherit",
  }).output();
  if (out.success) torch = JSON.parse(new TextDecoder().decode(out.stdout));
} catch (e) {
  console.error(`PyTorch reference not run: ${e instanceof Error ? e.message : e}`);
}

const head = ["shape", "path", "ours", "(cpu)", "first ms"];
if (compare) head.push("direct", "(cpu)");
head.push(`torch ${torch?.torch ?? "n/a"}`, "ours/torch");
const widths = [18, 7, 7, 7, 9, 7, 7, 17, 10];
const line = (cells: string[]) =>
  cells.map((x, i) => i === 0 ? x.padEnd(widths[0]) : x.padStart(widths[i] ?? 8)).join(" ");
console.log(`\nGFLOP/s (median); ${torch ? `PyTorch ${torch.torch}, 2 threads` : "no PyTorch"}`);
console.log(line(head));
SHAPES.forEach((s, i) => {
  const [o, d] = ours[i];
  const t = torch?.results[i]?.gflops;
  const cells = [
    spec(s),
    choosePath(s.m, s.n, s.k, s.batch ?? 1, s.ta ?? false),
    o.wall.toFixed(1),
    o.cpu.toFixed(1),
    o.first.toFixed(0),
  ];
  if (d) cells.push(d.wall.toFixed(1), d.cpu.toFixed(1));
  cells.push(
    t === undefined ? "n/a" : t.toFixed(1),
    t === undefined ? "n/a" : (o.wall / t).toFixed(3),
  );
  console.log(line(cells));
});
