/**
 * Matmul throughput: our WebGPU kernel (lib/gpu/kernels/matmul.ts) against PyTorch CPU
 * (float32, 2 threads, OpenBLAS) measured in the same run by bench/matmul_torch.py.
 *
 * Run: `deno run -A bench/matmul_bench.ts [--compare]`
 * (`--compare` also times the direct path, the default before the tiled one). Shapes are
 * m x n x k for C[m,n] = op(A)[m,k] @ op(B)[k,n], "ta"/"tb" = A/B stored transposed, "bB" =
 * batch of B: the BERT-base shapes, then the tiny-BERT training shapes of the default study
 * (batch 16 x 64 tokens, hidden 128, intermediate 512, 2 heads of 64: forward x W^T, backward
 * dX = dY W and dW = dY^T X, attention Q K^T, P V, P^T dctx). Ours: 2-64 products (~16
 * GFLOP, 0.1-0.5 s of work) recorded in one command buffer per submit, timed to completion
 * (nothing subtracted; the ~11 ms wait on the GPU is spread over them, as it is over the steps
 * of a training run), 7 submits, median; "first" is the first call (pipeline compile
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
 * - What the JIT code is (perf + gdb on the running kernel): a lane-varying vec4 load is four
 *   ~20-instruction gathers (index extracts, bounds check, 8 scalar loads and inserts),
 *   `fma` a separate vmulps + vaddps, and a block's accumulators live on the stack (a load
 *   and a store per multiply-add); in a 16x8 tiled block ~50% of the samples are gathers, ~20%
 *   arithmetic. Big blocks amortise the loads: direct 32x32 ran 1.1-1.4x the tiled 16x8,
 *   64x32 ~1.5x (34 GFLOP/s at 512x768x768) but compiled for 42 s (128x32: 211 s); fresh
 *   compile times, MESA_SHADER_CACHE_DISABLE=true, scalar C stores: 16x16 1.6 s, 32x16 3.7 s, 32x32 11-13 s
 *   (vec4 C stores: 32x16 2.2 s, 32x32 5.2-5.6 s), 64x32 42 s, 64x64 > 2 min. A one-k-per-iteration
 *   loop compiled 4x faster at equal speed (32x32) but was slower with bigger blocks;
 *   A read by broadcast from a storage buffer (same address in all lanes) ran slower than
 *   from a uniform window; a fully unrolled K chunk (no loop) was slower too.
 * - The order of the multiply-adds in the unrolled K step: with the four updates of each
 *   accumulator in a row (row, column, then k innermost) LLVM loads and stores each spilled
 *   accumulator once per step instead of four times: 512x768x768 29 -> 40 GFLOP/s (CPU-time
 *   based), 1.1-1.4x at every large shape, the same at batched 64x64x64. Unrolling 8 k per
 *   step, columns outermost or pairs of rows inner were slower; with this order 48x32 and
 *   64x32 blocks no longer beat 32x32 (40.3 / 41.7 vs 40.8, for 11 / 18 s compiles vs 5 s).
 *   Mesa's 512-bit mode (LP_NATIVE_VECTOR_WIDTH=512, this CPU has AVX-512) ran the same
 *   kernels at 15-16 GFLOP/s.
 * - Hence: large products take the direct path with 32x32 / 64x16 / 32x16 blocks; a
 *   transposed A (dW = dY^T X) whose M is a power of two from 256 on (rows of A^T 1-16 KiB
 *   apart: the direct kernels ran at 3-14 GFLOP/s there, 22-31 at other M) is recorded as
 *   C^T (`direct^T`), and products the direct blocks cannot take (no vec4 loads, 16-31 rows,
 *   16-63 columns) the tiled path:
 *   op(A), op(B) packed into 64 KiB tiles of a STORAGE|UNIFORM scratch buffer read through
 *   uniform windows, up to 3 K-chunks per dispatch. More than 7 uniform buffers per dispatch
 *   (9-10 tried, within WebGPU's limit of 12) corrupted lavapipe's heap in about every
 *   second test run; 7 never did in 14 runs.
 * - Recording: kernel variants are generated once per process (rebuilding the WGSL for each
 *   of the tiled path's dispatches cost 9 ms per 512x768x768 product).
 * - Dispatches with few workgroups run slower (lavapipe joins its threads after each
 *   dispatch): 8 workgroups 20 GFLOP/s vs 16-256 workgroups 28-33 in the same inner loop.
 * Run of 2026-11-26 (GFLOP/s wall, CPU-time based in brackets, then PyTorch; last column:
 * wall GFLOP/s before the multiply-add order above, 2-16 products per submit):
 *   512x768x768      direct   39.2 [41.0]  210   (26.6)
 *   512x3072x768     direct   39.4 [40.7]  208   (26.9)
 *   512x768x3072     direct   39.6 [41.0]  209   (27.1)
 *   1024x1024x1024   direct   39.5 [41.1]  209   (27.0)
 *   512x128x128      direct   18.1 [29.4]  156   (the issue's tiny shapes, added this run)
 *   512x128x512      direct   29.5 [32.6]  177
 *   1024x384x128tb   direct   31.9 [34.5]  199   (18.5; 32x24 blocks)
 *   1024x128x128tb   direct   25.4 [30.0]  162   (14.2)
 *   1024x512x128tb   direct   33.8 [36.3]  199   (24.8)
 *   1024x128x512tb   direct   31.0 [32.8]  191   (23.0; 64x16 blocks)
 *   1024x128x512     direct   30.1 [31.8]  191   (22.5; 64x16)
 *   1024x512x128     direct   35.5 [37.7]  200   (23.7)
 *   512x128x1024ta   direct^T 37.4 [40.4]  177   (27.1)
 *   128x512x1024ta   direct   38.3 [41.0]  190   (27.2)
 *   384x128x1024ta   direct   32.2 [34.8]  176   (23.2; 64x16)
 *   128x128x1024ta   direct   27.4 [33.3]  166   (15.5)
 *   attention 64x64x64 x 32 (16x8 blocks): tb 12.7 [18.9], nn 15.2 [18.7], ta 17.0 [21.7] /
 *   PyTorch 69, 94, 93
 *   The 35 GFLOP/s target at the BERT shapes is met: 38.6-39.6 wall in two runs, 40-41
 *   CPU-time based (0.19x PyTorch). With 2-16 products per submit (~11 ms wait per 30-130 ms of work) the
 *   same kernels read 34.7-36.8 wall in three runs. Debian 13's Mesa 25.0 / LLVM 19
 *   lavapipe (tried in a chroot, with the earlier order) was no faster.
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import { release, tensor } from "../lib/gpu/tensor.ts";
import { step } from "../lib/gpu/kernel.ts";
import {
  choosePath,
  matmul,
  type MatmulOptions,
  swapsToTransposedC,
} from "../lib/gpu/kernels/matmul.ts";

type Shape = { m: number; n: number; k: number; ta?: boolean; tb?: boolean; batch?: number };

const BERT: Shape[] = [
  { m: 512, n: 768, k: 768 },
  { m: 512, n: 3072, k: 768 },
  { m: 512, n: 768, k: 3072 },
  { m: 1024, n: 1024, k: 1024 },
];
const TINY: Shape[] = [
  { m: 512, n: 128, k: 128 }, // the issue's tiny-BERT shapes (512 tokens)
  { m: 512, n: 128, k: 512 },
  { m: 1024, n: 384, k: 128, tb: true }, // fused qkv: x W^T
  { m: 1024, n: 128, k: 128, tb: true }, // attention output
  { m: 1024, n: 512, k: 128, tb: true }, // intermediate
  { m: 1024, n: 128, k: 512, tb: true }, // output
  { m: 1024, n: 128, k: 512 }, // dX = dY W of the intermediate layer
  { m: 1024, n: 512, k: 128 }, // dX = dY W of the output layer
  { m: 512, n: 128, k: 1024, ta: true }, // dW = dY^T X, intermediate
  { m: 128, n: 512, k: 1024, ta: true }, // dW = dY^T X, output
  { m: 384, n: 128, k: 1024, ta: true }, // dW = dY^T X, fused qkv
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
type Result = { wall: number; cpu: number; first: number; path: string };
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
  const path = !gpu.isFallback ? "shared" : swapsToTransposedC(gpu, base)
    ? "direct^T" // recorded as C^T = op(B)^T op(A)^T
    : choosePath(m, n, k, batch, s.ta ?? false);
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
  const per = Math.max(2, Math.min(64, Math.round(1.6e10 / (2 * m * n * k * batch))));
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
    path,
  })));
  for (const t of [a, b, c]) release(t);
}

let torch: { torch: string; results: { shape: string; gflops: number }[] } | undefined;
try {
  const out = await new Deno.Command(Deno.env.get("NERSS_PYTHON") ?? "/usr/bin/python3", {
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
    o.path,
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
