/**
 * Benchmark of segmented regression, Davies' test and the smoothers on a study-sized
 * learning curve (2,500 subsamples, as in Majdik et al.), against R (segmented 1.6,
 * mgcv 1.8, stats::loess / lowess) measured in the same run when `Rscript` is on PATH.
 *
 * Run: deno run -A bench/stats_smooth.ts
 *
 * @module
 */
import { daviesTest, segmentedRegression } from "../lib/stats/segmented.ts";
import { loess, lowess, smoothSpline } from "../lib/stats/smooth.ts";

const n = 2500;
// Same integer-formula data in both languages: sentences 100..2600, F1 saturating.
const x = Array.from({ length: n }, (_, k) => 100 + ((k + 1) * 37) % n);
const y = x.map((v, k) =>
  0.95 - 0.4 * 300 / (300 + v) +
  0.03 * ((((k + 1) * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5)
);

function time(f: () => unknown, reps: number): number {
  f(); // warm-up
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    f();
    t.push(performance.now() - t0);
  }
  return t.sort((a, b) => a - b)[Math.floor(reps / 2)];
}

const cases: [string, () => unknown, number, string][] = [
  [
    "segmented (10 restarts)",
    () => segmentedRegression(x, y),
    5,
    "segmented(lm(y ~ x), seg.Z = ~x)",
  ],
  [
    "segmented (n.boot = 0)",
    () => segmentedRegression(x, y, { nBoot: 0 }),
    5,
    "segmented(lm(y ~ x), seg.Z = ~x, control = seg.control(n.boot = 0))",
  ],
  ["davies.test", () => daviesTest(x, y), 5, "davies.test(lm(y ~ x))"],
  [
    "gam s(x, bs = cr)",
    () => smoothSpline(x, y),
    5,
    'predict(gam(y ~ s(x, bs = "cr")), data.frame(x = seq(100, 2599, length = 100)), se.fit = TRUE)',
  ],
  [
    "loess direct",
    () => loess(x, y, { grid: 100 }),
    3,
    'predict(loess(y ~ x, control = loess.control(surface = "direct")), data.frame(x = seq(100, 2599, length = 100)), se = TRUE)',
  ],
  ["lowess", () => lowess(x, y), 5, "lowess(x, y)"],
];

const ts = cases.map(([name, f, reps]) => [name, time(f, reps)] as const);

let rTimes: number[] | null = null;
try {
  const script = `suppressMessages({library(segmented); library(mgcv)})
n <- ${n}; k <- 1:n
x <- 100 + (k * 37) %% n
y <- 0.95 - 0.4 * 300 / (300 + x) + 0.03 * (((k * 1103515245 + 12345) %% 2147483648) / 2147483648 - 0.5)
tm <- function(e, reps) { f <- function() eval(e); f(); t <- replicate(reps, system.time(f())[["elapsed"]]); median(t) * 1000 }
${cases.map(([, , reps, expr]) => `cat(tm(quote(${expr}), ${reps}), "\\n")`).join("\n")}`;
  const out = await new Deno.Command("Rscript", { args: ["-e", script] }).output();
  if (out.success) rTimes = new TextDecoder().decode(out.stdout).trim().split(/\s+/).map(Number);
} catch {
  rTimes = null;
}

console.log(`n = ${n} points; median wall time in ms`);
console.log(
  "case".padEnd(26) + "TypeScript".padStart(12) + "R".padStart(12) + "TS / R".padStart(10),
);
ts.forEach(([name, t], i) => {
  const r = rTimes?.[i];
  console.log(
    name.padEnd(26) + t.toFixed(1).padStart(12) +
      (r === undefined ? "n/a" : r.toFixed(1)).padStart(12) +
      (r === undefined ? "" : (t / r).toFixed(2)).padStart(10),
  );
});
