import assert from "node:assert/strict";
import { analyzeResults } from "../../lib/study/analysis.ts";
import {
  analysisDisplay,
  analysisFigures,
  renderReport,
  writeReport,
} from "../../lib/study/report.ts";
import { JUPYTER_DISPLAY } from "../../lib/plot/display.ts";
import { simulateRuns } from "./fixtures/simulated_runs.ts";

const runs = [
  ...simulateRuns("bert", 120, 21),
  ...simulateRuns("roberta", 120, 22, { base: 0.92 }),
];
const analysis = analyzeResults(runs, { bootstrap: 50 });
const html = renderReport(analysis, {
  title: "Sample size <study>",
  study: { seed: 3, models: ["bert", "roberta"], sizes: [[50, 1000]] },
  resultsPath: "out/results.jsonl",
  generatedAt: "2026-01-02T03:04:05Z",
});

/** The `<svg ...>...</svg>` elements of an HTML string (Plot's SVGs do not nest). */
function svgs(text: string): string[] {
  return text.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
}

Deno.test("renderReport: a self-contained page with both figures, a dot per run in each", () => {
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.trimEnd().endsWith("</html>"));
  const figures = svgs(html);
  assert.equal(figures.length, 2);
  for (const svg of figures) {
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(svg.match(/<circle/g)?.length, runs.length);
    // Per model: a threshold fit line and a smooth line, a band, a threshold rule.
    assert.equal(svg.match(/stroke="#d95f02" fill="none"><path d=/g)?.length, 2);
    assert.equal(svg.match(/stroke="steelblue" fill="none"><path d=/g)?.length, 2);
    assert.equal(svg.match(/aria-label="area"/g)?.length, 1);
    assert.equal(svg.match(/threshold \d/g)?.length, 2);
  }
  assert.match(figures[0], /Training sentences/);
  assert.match(figures[1], /Entities per sentence \(EPS\)/);
  // Nothing loaded from elsewhere.
  assert.doesNotMatch(html, /<script|<link|<img|src=|url\(http/i);
  assert.match(html, /<style>/);
});

Deno.test("renderReport: tables, methods, configuration, and no NaN or undefined", () => {
  // Summary, one OLS table per model, the threshold estimates and the results excerpt.
  assert.equal(html.match(/<table/g)?.length, 5);
  assert.match(html, /<title>Sample size &lt;study&gt;<\/title>/);
  assert.match(html, /<h1>Sample size &lt;study&gt;<\/h1>/);
  assert.match(
    html,
    /Generated 2026-01-02T03:04:05Z by nerss \d+\.\d+\.\d+ on Deno \d+\.\d+\.\d+ from <code>out\/results\.jsonl<\/code>: 240 runs of 2 models/,
  );
  assert.ok(html.includes("<pre>{\n  &quot;seed&quot;: 3,\n  &quot;models&quot;: ["));
  assert.match(html, /percentile interval of 50 bootstrap case resamples \(seed 1\)/);
  assert.match(html, /The first 20 of 240 runs\./);
  assert.equal(html.match(/<tr><td>s\d{4}\/(bert|roberta)<\/td>/g)?.length, 20);
  assert.doesNotMatch(html, /NaN|undefined|Infinity/);
});

Deno.test("renderReport: the summary row shows the analysis' numbers", () => {
  for (const m of analysis.models) {
    const o = m.ols!, t = m.sentences.threshold!;
    const row = html.match(new RegExp(`<tr><td>${m.model}</td><td>120</td>.*?</tr>`))?.[0];
    assert.ok(row, m.model);
    assert.ok(row.includes(`<td>${o.r2.toFixed(4)}</td>`));
    assert.ok(row.includes(`${o.f.toFixed(1)} (2, 117)`));
    assert.ok(row.includes(`${t.threshold.toFixed(1)} (${t.ci![0].toFixed(1)} to `));
    // The OLS table lists each coefficient estimate with 6 decimals.
    for (const c of o.coefficients) assert.ok(html.includes(`<td>${c.estimate.toFixed(6)}</td>`));
  }
});

Deno.test("renderReport: too few runs and a constant EPS show dashes and notes, not NaN", () => {
  const a = analyzeResults([
    ...simulateRuns("bert", 30, 23, { eps: 1.1 }),
    ...simulateRuns("tiny <gpt>", 4, 24),
  ], { bootstrap: 10 });
  const page = renderReport(a, { title: "Edge cases", generatedAt: "2026-01-01" });
  // OLS's own warning says the EPS coefficient "is NaN"; nothing else may.
  const notes = page.match(/<ul class="notes">.*?<\/ul>/)?.[0] ?? "";
  assert.match(notes, /&quot;eps&quot; is a linear combination/);
  assert.doesNotMatch(page.replace(notes, ""), /NaN|undefined/);
  assert.match(page, /eps is constant \(1\.1\)/);
  assert.match(page, /tiny &lt;gpt&gt;: only 4 runs/);
  assert.match(
    page,
    /<tr><td>tiny &lt;gpt&gt;<\/td><td>4<\/td><td>[\d.]+ \([\d.]+–[\d.]+\)<\/td><td>–<\/td>/,
  );
  const figures = svgs(page);
  assert.equal(figures.length, 2);
  for (const svg of figures) assert.equal(svg.match(/<circle/g)?.length, 34);
  // bert has a sentences threshold, but no EPS one; tiny has neither.
  assert.equal(figures[0].match(/threshold \d/g)?.length, 1);
  assert.equal(figures[1].match(/threshold \d/g), null);
});

Deno.test("writeReport writes the page atomically", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/report.html`;
    await writeReport(path, html);
    assert.equal(await Deno.readTextFile(path), html);
    const names = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.deepEqual(names, ["report.html"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("analysisDisplay and analysisFigures: HTML for Jupyter with the summary and figures", () => {
  const bundle = analysisDisplay(analysis)[JUPYTER_DISPLAY]();
  assert.equal(svgs(bundle["text/html"]).length, 2);
  assert.equal(bundle["text/html"].match(/<table/g)?.length, 1);
  const lines = bundle["text/plain"].split("\n");
  assert.equal(lines.length, 2);
  const m = analysis.models[0];
  assert.equal(
    lines[0],
    `bert: n = 120, R² = ${m.ols!.r2.toFixed(4)}, sentences threshold = ${
      m.sentences.threshold!.threshold.toFixed(1)
    }, EPS threshold = ${m.eps.threshold!.threshold.toFixed(3)}`,
  );
  const figs = analysisFigures(analysis);
  assert.equal(figs.sentences.svg.match(/<circle/g)?.length, 240);
  assert.equal(figs.eps.svg.match(/<circle/g)?.length, 240);
});

Deno.test("renderReport: where the runs were trained and their total time", () => {
  const some = simulateRuns("bert", 3, 5).map((r, i) => ({
    ...r,
    trainMs: 30000,
    device: i < 2 ? "llvmpipe <LLVM 15> (vulkan)" : "NVIDIA H100 (vulkan)",
  }));
  const page = renderReport(analyzeResults(some, { bootstrap: 10 }), { title: "t" });
  assert.match(
    page,
    /Trained on llvmpipe &lt;LLVM 15&gt; \(vulkan\) \(2 runs\), NVIDIA H100 \(vulkan\) \(1 run\); training and scoring took 1\.5 min in all\./,
  );
  const unrecorded = renderReport(analyzeResults(simulateRuns("bert", 2, 5), { bootstrap: 10 }), {
    title: "t",
  });
  assert.match(unrecorded, /Trained on an unrecorded device \(2 runs\)/);
});
