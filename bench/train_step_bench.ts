/**
 * Training step time of BERT token classifiers on the WebGPU engine vs the same model in
 * PyTorch on the CPU (bench/train_step_torch.py, Debian's /usr/bin/python3 with torch 1.13,
 * 2 threads), measured in the same run and printed side by side with tokens per second:
 * a 2-layer, 128-hidden, 2-head BERT (intermediate 512, vocab 30522, 9 labels) at batch
 * 16 x 64 tokens, and steps of a BERT-base-shaped model (12 layers, 768 hidden; one step on
 * a software adapter, ten on a GPU) at the same batch (skip it with `--no-base`;
 * `--base-batch N` changes its batch size). The small model is measured five times
 * alternately with PyTorch (10 steps each, after a warm-up step) and the best of each is
 * printed, as other work on the machine adds noise: the build machine's 2 cores are shared
 * (in runs whose step took 150-170 ms instead of 127-135, the same CPU time per step, and
 * lavapipe's two threads waited 12-26 ms per step on the run queue, i.e. for a core).
 *
 * Then a profile of one model's step (`--profile small` (default), `base` at the base
 * batch, or `none`): the step's operations are traced once and replayed kind by kind
 * (matmuls by shape), each group submitted on its own and timed against an empty submit,
 * to show where the time goes.
 *
 * Run: deno run -A bench/train_step_bench.ts [--no-base]
 * [--base-batch N] [--profile small|base|none] [--no-torch]
 * (`NERSS_PYTHON` names another Python with torch; `NERSS_TORCH_DEVICE=cuda` times PyTorch
 * on a GPU, for a run on a machine with one.)
 *
 * @module
 */
import { getGpu } from "../lib/gpu/device.ts";
import type { Tensor } from "../lib/gpu/tensor.ts";
import type { ModelConfig } from "../lib/models/config.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { createGpuModel, releaseModel, trainStep } from "../lib/models/gpu_model.ts";
import { gpuOps } from "../lib/models/gpu_ops.ts";
import type { Ops } from "../lib/models/ops.ts";
import { createNet } from "../lib/models/layout.ts";
import { netTrainStep } from "../lib/models/optimizer.ts";
import { bert, randomBatch } from "./support/train_step.ts";
import { numberFlag } from "./support/flags.ts";

const args = new Set(Deno.args);
const baseBatch = numberFlag("--base-batch", 16);
const profileArg = Deno.args.indexOf("--profile");
const profileWhat = profileArg >= 0 ? Deno.args[profileArg + 1] : "small";

async function gpuStepMs(config: ModelConfig, B: number, T: number, steps: number) {
  const gpu = await getGpu();
  const model = createGpuModel(gpu, config, initWeights(config, 1), { seed: 1 });
  const batch = randomBatch(B, T, config.vocabSize, config.labels.length);
  const o = { lr: 5e-5, weightDecay: 0.01 };
  await trainStep(model, batch, { ...o, readLoss: true }); // warm-up (compiles pipelines)
  const t0 = performance.now();
  for (let i = 0; i < steps - 1; i++) await trainStep(model, batch, o);
  const loss = await trainStep(model, batch, { ...o, readLoss: true });
  const ms = (performance.now() - t0) / steps;
  releaseModel(model);
  if (!Number.isFinite(loss)) throw new Error(`loss ${loss}`);
  return ms;
}

async function torchStepMs(
  c: ModelConfig,
  B: number,
  T: number,
  steps: number,
): Promise<number> {
  const cmd = new Deno.Command(Deno.env.get("NERSS_PYTHON") ?? "/usr/bin/python3", {
    args: [
      new URL("./train_step_torch.py", import.meta.url).pathname,
      ...[c.numLayers, c.hiddenSize, c.numHeads, c.intermediateSize, B, T, steps, 2].map(String),
      Deno.env.get("NERSS_TORCH_DEVICE") ?? "cpu",
    ],
    stdout: "piped",
    stderr: "inherit",
  });
  const out = await cmd.output();
  if (!out.success) throw new Error("train_step_torch.py failed");
  return JSON.parse(new TextDecoder().decode(out.stdout).trim()).msPerStep;
}

function row(name: string, B: number, T: number, gpuMs: number, torchMs: number): void {
  const tps = (ms: number) => (B * T / (ms / 1000)).toFixed(0).padStart(8);
  console.log(
    `${name.padEnd(34)} webgpu ${gpuMs.toFixed(1).padStart(9)} ms ${tps(gpuMs)} tok/s | ` +
      `torch ${torchMs.toFixed(1).padStart(9)} ms ${tps(torchMs)} tok/s | ratio ${
        (gpuMs / torchMs).toFixed(2)
      }x`,
  );
}

/** Traces one step's operations, then replays them grouped by kind and times each group. */
async function profile(config: ModelConfig, B: number, T: number, R: number): Promise<void> {
  const gpu = await getGpu();
  const base = gpuOps(gpu);
  const trace: { name: string; args: unknown[] }[] = [];
  let tracing = false;
  const skip = new Set([
    "align",
    "persistent",
    "alloc",
    "release",
    "view",
    "ints",
    "read",
    "submit",
  ]);
  const traced = new Proxy(base, {
    get(target, prop) {
      const v = Reflect.get(target, prop);
      if (typeof v !== "function" || skip.has(String(prop))) return v;
      return (...a: unknown[]) => {
        if (tracing) trace.push({ name: String(prop), args: a });
        return (v as (...x: unknown[]) => unknown).apply(target, a);
      };
    },
  }) as Ops<Tensor>;
  const net = createNet(traced, config, initWeights(config, 1), { seed: 1 });
  const batch = randomBatch(B, T, config.vocabSize, config.labels.length);
  const o = { lr: 5e-5, weightDecay: 0.01 };
  await netTrainStep(net, batch, { ...o, readLoss: true });
  tracing = true;
  await netTrainStep(net, batch, { ...o, readLoss: true });
  tracing = false;
  const key = (t: { name: string; args: unknown[] }) => {
    if (t.name !== "matmul") return t.name;
    const a = t.args[0] as { m: number; n: number; k: number; batch?: number };
    const m = t.args[0] as { transA?: boolean; transB?: boolean; accumulate?: boolean };
    return `matmul ${m.transA ? "t" : "n"}${m.transB ? "t" : "n"} m${a.m} n${a.n} k${a.k}` +
      `${a.batch ? ` x${a.batch}` : ""}${m.accumulate ? " acc" : ""}`;
  };
  const groups = new Map<string, { name: string; args: unknown[] }[]>();
  for (const t of trace) {
    const k = key(t);
    if (!groups.has(k)) groups.set(k, []);
    (groups.get(k) as { name: string; args: unknown[] }[]).push(t);
  }
  const time = async (calls: { name: string; args: unknown[] }[]) => {
    // Replayed on the traced backend (it knows the embedding plans); the step's buffers
    // went back to the pool but stay valid, so the kernels run on the same memory.
    const ops = base;
    const fns = ops as unknown as Record<string, (...x: unknown[]) => unknown>;
    for (let r = 0; r < R; r++) for (const c of calls) fns[c.name](...c.args);
    const t0 = performance.now();
    await ops.submit();
    await gpu.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  await time([]);
  let empty = 0;
  for (let i = 0; i < 5; i++) empty += await time([]) / 5;
  const rows: [string, number, number, number][] = [];
  for (const [k, calls] of groups) {
    await time(calls); // warm
    const ms = Math.max(0, (await time(calls)) - empty) / R;
    let flops = 0;
    for (const c of calls) {
      if (c.name === "matmul") {
        const a = c.args[0] as { m: number; n: number; k: number; batch?: number };
        flops += 2 * a.m * a.n * a.k * (a.batch ?? 1);
      }
    }
    rows.push([k, calls.length, ms, flops]);
  }
  const total = rows.reduce((s, r) => s + r[2], 0);
  rows.sort((a, b) => b[2] - a[2]);
  console.log(
    `\nprofile of one step (${trace.length} operations; groups replayed ${R}x, ` +
      `an empty submit+wait of ${empty.toFixed(1)} ms subtracted; sum ${total.toFixed(1)} ms):`,
  );
  for (const [k, n, ms, flops] of rows) {
    const gf = flops > 0 ? `${(flops / ms / 1e6).toFixed(1).padStart(6)} GFLOP/s` : "";
    console.log(
      `  ${k.padEnd(40)} ${String(n).padStart(4)} calls ${ms.toFixed(2).padStart(8)} ms ` +
        `${(100 * ms / total).toFixed(1).padStart(5)}% ${gf}`,
    );
  }
}

const gpu = await getGpu();
console.log(`adapter: ${gpu.adapterName} (${gpu.backend})`);
const B = 16, T = 64;
const small = bert(2, 128, 2, 512);
const baseCfg = bert(12, 768, 12, 3072);
const torch = (c: ModelConfig, b: number, steps: number) =>
  args.has("--no-torch") ? Promise.resolve(NaN) : torchStepMs(c, b, T, steps);
// The machine is shared: alternate the two five times and keep each one's best.
const ROUNDS = 5;
let smallGpu = Infinity, smallTorch = Infinity;
for (let round = 0; round < ROUNDS; round++) {
  smallGpu = Math.min(smallGpu, await gpuStepMs(small, B, T, 10));
  smallTorch = Math.min(smallTorch, await torch(small, B, 10));
}
row(`BERT 2x128, 2 heads, 16x64 (best of ${ROUNDS})`, B, T, smallGpu, smallTorch);
if (!args.has("--no-base")) {
  // one step on a software adapter (~20 s there), ten on a GPU
  const steps = gpu.isFallback ? 1 : 10;
  const baseGpu = await gpuStepMs(baseCfg, baseBatch, T, steps);
  const baseTorch = await torch(baseCfg, baseBatch, steps);
  row(`BERT-base 12x768, ${baseBatch}x64 (${steps} step)`, baseBatch, T, baseGpu, baseTorch);
}
if (profileWhat === "small") await profile(small, B, T, 5);
if (profileWhat === "base") await profile(baseCfg, baseBatch, T, 1);
