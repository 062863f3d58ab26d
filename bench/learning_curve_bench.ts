/**
 * Benchmark: learning curves on a study of 2,500 runs (the paper's scale) — the power-law
 * fit, the three curve models, a bootstrap of 200 refits, and the whole annotation plan of
 * one model (three fits, three backtests, the health checks, three targets) — against
 * SciPy 1.10's `curve_fit` (Debian's /usr/bin/python3) doing the fit and the same bootstrap
 * on the same data and weights, timed inside Python (start-up excluded). SciPy is given a
 * start (max F1, 1, 0.5) and the analytic Jacobian; our fit finds its own start on a grid
 * of 60 exponents (a linear least-squares solve each), which is most of its time, and
 * finishes with Gauss-Newton steps and the covariance by QR; the bootstrap refits start
 * from the fit, as SciPy's do. The two are measured alternately in five rounds, as the
 * build machine's two cores are shared; each prints its best and the range over the
 * rounds, and the ratio of the bests.
 *
 * Run: deno run -A bench/learning_curve_bench.ts
 *
 * @module
 */
import {
  bootstrapLearningCurve,
  fitLearningCurve,
  type LearningCurveModel,
} from "../lib/stats/learning_curve.ts";
import { planAnnotation } from "../lib/study/planner.ts";
import { createRandom } from "../lib/core/random.ts";
import { medianMs } from "./support/timing.ts";

const N = 2500, B = 200, ROUNDS = 5, REPS = 5;
const rng = createRandom(7);
const x = Array.from({ length: N }, () => 20 + rng.int(1981));
const y = x.map((n) => 0.9 - 2 * n ** -0.5 + (0.004 / Math.sqrt(n / 1000)) * rng.normal());
const MODELS: LearningCurveModel[] = ["inverse-power-law", "exponential", "logarithmic"];

const fit = fitLearningCurve(x, y);
if (!fit.converged) throw new Error(`the benchmark's fit did not converge: ${fit.reason}`);
const ours = () => ({
  fit: medianMs(() => fitLearningCurve(x, y), REPS),
  three: medianMs(() => MODELS.map((model) => fitLearningCurve(x, y, { model })), REPS),
  bootstrap: medianMs(() => bootstrapLearningCurve(fit, { replicates: B, seed: 1 }), 3),
  plan: medianMs(() => planAnnotation(x, y, { targets: [0.8, 0.85, 0.88], cost: 0.5 }), 3),
});

const SCRIPT = `
import json, sys, time
import numpy as np
from scipy.optimize import curve_fit
d = json.load(open(sys.argv[1]))
x, y = np.array(d["x"], float), np.array(d["y"], float)
def f(n, a, b, c): return a - b * n ** -c
def jac(n, a, b, c):
    g = n ** -c
    return np.stack([np.ones_like(n), -g, b * g * np.log(n)], axis=1)
def fit(x, y, p0):
    w = x / x.max()
    return curve_fit(f, x, y, p0=p0, sigma=1 / np.sqrt(w), jac=jac, maxfev=10000)[0]
def median(g, reps):
    g(); t = []
    for _ in range(reps):
        t0 = time.perf_counter(); g(); t.append((time.perf_counter() - t0) * 1000)
    return sorted(t)[reps // 2]
start = [y.max(), 1.0, 0.5]
p = fit(x, y, start)
rng = np.random.default_rng(1)
def boot():
    for _ in range(${B}):
        i = rng.integers(0, len(x), len(x))
        fit(x[i], y[i], p)
print(json.dumps({"fit": median(lambda: fit(x, y, start), ${REPS}), "bootstrap": median(boot, 3),
                  "a": p[0], "b": p[1], "c": p[2]}))
`;

type Times = { fit: number; bootstrap: number; a?: number; b?: number; c?: number };

const dir = await Deno.makeTempDir();
async function scipy(): Promise<Times | null> {
  try {
    const out = await new Deno.Command("/usr/bin/python3", {
      args: [`${dir}/ref.py`, `${dir}/runs.json`],
      stderr: "piped",
    }).output();
    if (!out.success) {
      console.log("SciPy reference skipped:", new TextDecoder().decode(out.stderr).slice(-300));
      return null;
    }
    return JSON.parse(new TextDecoder().decode(out.stdout));
  } catch (e) {
    console.log("SciPy reference skipped:", e instanceof Error ? e.message : e);
    return null;
  }
}

try {
  await Deno.writeTextFile(`${dir}/runs.json`, JSON.stringify({ x, y }));
  await Deno.writeTextFile(`${dir}/ref.py`, SCRIPT);
  const mine: ReturnType<typeof ours>[] = [], theirs: Times[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    mine.push(ours());
    const t = await scipy();
    if (t) theirs.push(t);
  }
  const best = (v: number[]) => Math.min(...v);
  const range = (v: number[]) =>
    `${best(v).toFixed(1)} (${best(v).toFixed(1)}–${Math.max(...v).toFixed(1)})`;
  console.log(`${N} runs, ${B} bootstrap refits; ms, best of ${ROUNDS} alternating rounds (range)`);
  const line = (name: string, ts: number[], py?: number[]) =>
    console.log(
      name.padEnd(44) + range(ts).padStart(22) +
        (py && py.length
          ? range(py).padStart(22) + `${(best(ts) / best(py)).toFixed(2)}x`.padStart(9)
          : ""),
    );
  console.log(
    "".padEnd(44) + "TypeScript".padStart(22) + "SciPy curve_fit".padStart(22) +
      "ratio".padStart(9),
  );
  line("power-law fit", mine.map((m) => m.fit), theirs.map((t) => t.fit));
  line(`bootstrap, ${B} refits`, mine.map((m) => m.bootstrap), theirs.map((t) => t.bootstrap));
  line("three curve models", mine.map((m) => m.three));
  line("annotation plan (3 fits, 3 backtests, health)", mine.map((m) => m.plan));
  const total = best(mine.map((m) => m.fit + m.bootstrap));
  console.log(`fit + bootstrap: ${total.toFixed(0)} ms (target: well under a second)`);
  if (theirs[0]) {
    const p = fit.parameters, q = theirs[0];
    const rel = Math.max(
      ...(["a", "b", "c"] as const).map((k) => Math.abs(p[k] - q[k]!) / Math.abs(q[k]!)),
    );
    console.log(`parameters against SciPy's: largest relative difference ${rel.toExponential(1)}`);
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}
