/**
 * Benchmark: threshold regression (upperhinge) on 2,500 points with 1,000 bootstrap
 * replicates (target: under 2 s), against refitting by QR at every candidate (the
 * brute force the fast grid search replaces), measured in the same run; and OLS on
 * 2,500 x 3 predictors against statsmodels 0.13 (timed inside /usr/bin/python3,
 * interpreter start-up excluded) when that is available.
 *
 * Run: deno run -A bench/stats_bench.ts
 *
 * @module
 */
import { thresholdRegression } from "../lib/stats/threshold.ts";
import { ols } from "../lib/stats/ols.ts";
import { fromColumns, leastSquares } from "../lib/stats/linalg.ts";
import { createRandom } from "../lib/core/random.ts";
import { medianMs } from "./support/timing.ts";

const rng = createRandom(1);
const n = 2500;
const x = Array.from({ length: n }, () => 50 + 950 * rng.next());
const y = x.map((v) => 0.9 + 0.0003 * Math.min(v - 480, 0) + 0.02 * rng.normal());

// One fit: fast grid vs brute force.
const tFast = medianMs(() => thresholdRegression(x, y, { type: "upperhinge" }), 9);
const tBrute = medianMs(() => {
  const sorted = [...x].sort((a, b) => a - b);
  const cands = sorted.slice(Math.round(n * 0.05), Math.round(n * 0.95));
  let best = Infinity;
  for (const e of cands) {
    const f = x.map((v) => Math.min(v - e, 0));
    const fit = leastSquares(fromColumns([x.map(() => 1), f]), y);
    if (fit.rss < best) best = fit.rss;
  }
}, 1);
console.log(
  `threshold fit, n = ${n}: fast grid ${tFast.toFixed(1)} ms, brute-force refits ` +
    `${tBrute.toFixed(0)} ms (${(tBrute / tFast).toFixed(0)}x)`,
);

let fit = thresholdRegression(x, y, { type: "upperhinge", bootstrap: 10, testReplicates: 0 });
const t0 = performance.now();
fit = thresholdRegression(x, y, {
  type: "upperhinge",
  bootstrap: 1000,
  seed: 1,
  testReplicates: 0,
});
const tBoot = performance.now() - t0;
console.log(
  `threshold + 1,000 bootstrap replicates, n = ${n}: ${tBoot.toFixed(0)} ms ` +
    `(target < 2000 ms); e = ${fit.threshold.toFixed(1)}, CI [${fit.ci![0].toFixed(1)}, ` +
    `${fit.ci![1].toFixed(1)}]`,
);
const t1 = performance.now();
fit = thresholdRegression(x, y, { type: "upperhinge", bootstrap: 1000, seed: 1 });
console.log(
  `  with the sup-F test (1,000 parametric replicates too): ${
    (performance.now() - t1).toFixed(0)
  } ms, ` +
    `pExists = ${fit.pExists!.toPrecision(3)}`,
);

const X = {
  a: Array.from({ length: n }, () => rng.normal()),
  b: Array.from({ length: n }, () => rng.next()),
  c: Array.from({ length: n }, () => rng.int(5)),
};
const yo = X.a.map((v, i) => 1 + 2 * v - X.b[i] + 0.3 * X.c[i] + rng.normal());
const tOls = medianMs(() => ols(yo, X), 21);
const tHc3 = medianMs(() => ols(yo, X, { robust: "HC3" }), 21);
console.log(`ols 2,500 x 3: ${tOls.toFixed(2)} ms (HC3 ${tHc3.toFixed(2)} ms)`);

try {
  const script = `
import json, sys, time
import numpy as np, statsmodels.api as sm
d = json.load(sys.stdin)
X = sm.add_constant(np.column_stack([d["a"], d["b"], d["c"]])); y = np.array(d["y"])
sm.OLS(y, X).fit().summary()
ts = []
for _ in range(21):
    t0 = time.perf_counter(); r = sm.OLS(y, X).fit(); r.bse; r.pvalues; r.fvalue; r.conf_int(); r.condition_number
    ts.append(time.perf_counter() - t0)
print(sorted(ts)[10] * 1000)
`;
  const proc = new Deno.Command("/usr/bin/python3", {
    args: ["-c", script],
    stdin: "piped",
    stdout: "piped",
  })
    .spawn();
  const w = proc.stdin.getWriter();
  await w.write(new TextEncoder().encode(JSON.stringify({ ...X, y: yo })));
  await w.close();
  const out = await proc.output();
  const ms = Number(new TextDecoder().decode(out.stdout).trim());
  console.log(
    `statsmodels OLS (same data, fit + bse/p/F/CI/cond): ${ms.toFixed(2)} ms -> ratio ${
      (tOls / ms).toFixed(2)
    }`,
  );
} catch (e) {
  console.log(`statsmodels reference not run: ${(e as Error).message}`);
}
