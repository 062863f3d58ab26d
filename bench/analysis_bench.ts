/**
 * Benchmark: the whole study analysis at the paper's scale (3 models x 2,500 runs,
 * 1,000 bootstrap replicates and 1,000 test replicates per threshold regression)
 * and the HTML report, with a breakdown per part. Reference, measured in the same
 * run when Rscript with segmented and mgcv is installed: R doing the parts R has for
 * the same data (`lm(f1 ~ sentences + eps)`, `segmented` + `davies.test` and
 * `gam(f1 ~ s(x, bs = "cr"))` per predictor; chngpt, for the threshold bootstrap, is
 * not installable here), timed inside R (start-up excluded).
 *
 * Run: deno run -A bench/analysis_bench.ts
 *
 * @module
 */
import { analyzeResults } from "../lib/study/analysis.ts";
import { renderReport } from "../lib/study/report.ts";
import type { RunResult } from "../lib/study/results.ts";
import { createRandom } from "../lib/core/random.ts";
import { ols } from "../lib/stats/ols.ts";
import { thresholdRegression } from "../lib/stats/threshold.ts";
import { daviesTest, segmentedRegression } from "../lib/stats/segmented.ts";
import { smoothSpline } from "../lib/stats/smooth.ts";

const rng = createRandom(2024);
const models = ["bert-base", "roberta-base", "gpt2"];
const runs: RunResult[] = [];
for (const [m, model] of models.entries()) {
  for (let i = 0; i < 2500; i++) {
    const sentences = 50 + rng.int(951);
    const eps = 0.8 + 1.2 * rng.next();
    const f1 = 0.88 + 0.03 * m + 0.0004 * Math.min(sentences - 480, 0) +
      0.2 * Math.min(eps - 1.37, 0) + 0.025 * rng.normal();
    runs.push({
      runId: `s${i}/${model}`,
      model,
      subsample: `s${i}`,
      documents: Math.round(sentences / 4),
      sentences,
      entities: Math.round(sentences * eps),
      eps,
      micro: { precision: f1, recall: f1, f1, support: 900 },
      byType: {},
      trainMs: 0,
      steps: 0,
      seed: i,
      finishedAt: "2026-01-01T00:00:00Z",
    });
  }
}

const time = <T>(f: () => T): [T, number] => {
  const t0 = performance.now();
  const out = f();
  return [out, performance.now() - t0];
};

const [analysis, tAnalysis] = time(() => analyzeResults(runs, { bootstrap: 1000 }));
const [html, tReport] = time(() => renderReport(analysis, { title: "Benchmark" }));
console.log(
  `analyzeResults, 3 models x 2,500 runs, B = 1,000 (+ 1,000 test replicates): ` +
    `${(tAnalysis / 1000).toFixed(2)} s`,
);
console.log(
  `renderReport: ${tReport.toFixed(0)} ms, ${(html.length / 1024).toFixed(0)} KiB of HTML`,
);

// Breakdown on one model's runs.
const one = runs.filter((r) => r.model === models[0]);
const y = one.map((r) => r.micro.f1), xs = one.map((r) => r.sentences);
const eps = one.map((r) => r.eps);
const parts: [string, () => unknown][] = [
  ["ols", () => ols(y, { sentences: xs, eps })],
  [
    "threshold (B = 1,000, test 1,000)",
    () => thresholdRegression(xs, y, { type: "upperhinge", bootstrap: 1000 }),
  ],
  ["segmented (10 restarts)", () => segmentedRegression(xs, y)],
  ["davies test", () => daviesTest(xs, y)],
  ["spline smooth (GCV)", () => smoothSpline(xs, y)],
];
for (const [name, f] of parts) {
  const [, t] = time(f);
  console.log(`  one model, ${name}: ${t.toFixed(1)} ms`);
}
// The same work as the R reference below: lm, then segmented + davies + gam per predictor.
const [, ours] = time(() => {
  ols(y, { sentences: xs, eps });
  for (const x of [xs, eps]) {
    segmentedRegression(x, y);
    daviesTest(x, y);
    smoothSpline(x, y);
  }
});

// R reference for the parts R has: lm, and segmented + davies.test + gam per predictor.
const dir = await Deno.makeTempDir();
try {
  const csv = "f1,sentences,eps\n" + one.map((r) => `${r.micro.f1},${r.sentences},${r.eps}`)
    .join("\n");
  await Deno.writeTextFile(`${dir}/runs.csv`, csv);
  const script = `suppressMessages({library(segmented); library(mgcv)})
d <- read.csv("${dir}/runs.csv")
t <- system.time(for (k in 1:3) {
  f <- lm(f1 ~ sentences + eps, data = d); s <- summary(f)
  for (v in c("sentences", "eps")) {
    d$x <- d[[v]]; l <- lm(f1 ~ x, data = d)
    sg <- segmented(l, seg.Z = ~x); davies.test(l, seg.Z = ~x)
    g <- gam(f1 ~ s(x, bs = "cr", k = 10), data = d, method = "GCV.Cp")
    predict(g, data.frame(x = seq(min(d$x), max(d$x), length.out = 100)), se.fit = TRUE)
  }
})[["elapsed"]] / 3
cat(t * 1000, "\\n")`;
  await Deno.writeTextFile(`${dir}/ref.R`, script);
  const out = await new Deno.Command("Rscript", { args: [`${dir}/ref.R`], stderr: "piped" })
    .output();
  if (out.success) {
    const rMs = Number(new TextDecoder().decode(out.stdout).trim());
    console.log(
      `one model, lm + (segmented + davies + gam) x 2 predictors: ours ${ours.toFixed(0)} ms, ` +
        `R 4.2 ${rMs.toFixed(0)} ms (ratio ${(ours / rMs).toFixed(2)})`,
    );
  } else {
    console.log("R reference skipped:", new TextDecoder().decode(out.stderr).slice(0, 200));
  }
} catch (e) {
  console.log("R reference skipped:", e instanceof Error ? e.message : e);
} finally {
  await Deno.remove(dir, { recursive: true });
}
