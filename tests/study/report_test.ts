import assert from "node:assert/strict";
import { analyzeResults } from "../../lib/study/analysis.ts";
import {
  analysisDisplay,
  analysisFigures,
  renderReport,
  summaryText,
  writeReport,
} from "../../lib/study/report.ts";
import { JUPYTER_DISPLAY } from "../../lib/plot/display.ts";
import { simulateRuns } from "./fixtures/simulated_runs.ts";
import { simulateCurve } from "./fixtures/simulated_curve.ts";

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

Deno.test("renderReport: a self-contained page with its three figures, a dot per run in each", () => {
  assert.ok(html.startsWith("<!DOCTYPE html>"));
  assert.ok(html.trimEnd().endsWith("</html>"));
  const figures = svgs(html);
  assert.equal(figures.length, 3);
  for (const svg of figures) assert.equal(svg.match(/<circle/g)?.length, runs.length);
  for (const svg of figures.slice(0, 2)) {
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
  // Summary, one OLS table per model, the threshold estimates, the planner's targets and
  // curves, and the results excerpt.
  assert.equal(html.match(/<table/g)?.length, 7);
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
  assert.equal(figures.length, 3); // sentences, EPS, the planner's (bert's curve)
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

Deno.test("renderReport: a model whose runs all scored 0 is marked 'learned nothing' and has no fit", () => {
  const zero = simulateRuns("gpt2", 12, 25).map((r) => ({
    ...r,
    micro: { ...r.micro, precision: 0, recall: 0, f1: 0 },
  }));
  const a = analyzeResults([...simulateRuns("bert", 30, 26), ...zero], { bootstrap: 10 });
  const page = renderReport(a, { title: "Zero", generatedAt: "2026-01-01" });
  const mark = '<span class="nothing">(learned nothing)</span>';
  // In the summary (with dashes for every fitted number) and in both threshold rows.
  assert.match(
    page,
    new RegExp(
      `<tr><td>gpt2 ${mark.replace(/[()]/g, "\\$&")}</td><td>12</td><td>0\\.0000 ` +
        `\\(0\\.0000–0\\.0000\\)</td><td>–</td><td>–</td><td>–</td><td>–</td><td>–</td>` +
        `<td>–</td><td>–</td></tr>`,
    ),
  );
  assert.equal(page.split(mark).length - 1, 3);
  assert.match(
    page,
    /<h3>gpt2<\/h3><p class="nothing">Learned nothing: every run scored F1 = 0, so no regression was fitted\.<\/p>/,
  );
  assert.match(page, /gpt2: every run scored F1 = 0: .* It learned nothing/);
  // No threshold is claimed for it: one threshold per figure (bert's), a dot per run.
  const figures = svgs(page);
  for (const svg of figures) {
    assert.equal(svg.match(/<circle/g)?.length, 42);
    assert.doesNotMatch(svg, /NaN/);
  }
  for (const svg of figures.slice(0, 2)) assert.equal(svg.match(/threshold \d/g)?.length, 1);
  // and no planner: the section has bert's rows only
  assert.doesNotMatch(page.match(/<table class="targets">[\s\S]*?<\/table>/)![0], /gpt2/);
  assert.doesNotMatch(page, /NaN|undefined/);
  const text = analysisDisplay(a)[JUPYTER_DISPLAY]()["text/plain"];
  assert.match(text, /\ngpt2: n = 12, learned nothing \(every run scored F1 = 0\)$/);
});

Deno.test("renderReport: runs repeating two sizes: no sentences threshold, and the spread per size", () => {
  // 7 seeds at each of 2 sizes: F1 varies across seeds; 2 sizes cannot place a threshold.
  const rs = simulateRuns("bert", 14, 27).map((r, i) => ({ ...r, sentences: i < 7 ? 100 : 800 }));
  const a = analyzeResults(rs, { bootstrap: 10 });
  const page = renderReport(a, { title: "Seeds", generatedAt: "2026-01-01" });
  assert.ok(Number.isNaN(a.models[0].sentences.threshold!.threshold));
  assert.match(page, /threshold regression of F1 on sentences: x has 2 distinct values/);
  // The summary's sentences threshold is a dash; the EPS one is a number.
  const row = page.match(/<tr><td>bert<\/td><td>14<\/td>.*?<\/tr>/)![0];
  const cells = [...row.matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]);
  assert.equal(cells[6], "–");
  assert.match(cells[8], /^\d\.\d{3} \(/);
  // The spread table: F1 at each size, worked out here.
  assert.match(page, /<h2>F1 across runs of the same size<\/h2>/);
  const spread = page.match(/<table class="spread">[\s\S]*?<\/table>/)![0];
  for (const [size, part] of [[100, rs.slice(0, 7)], [800, rs.slice(7)]] as const) {
    const f1 = part.map((r) => r.micro.f1);
    const mean = f1.reduce((s, v) => s + v, 0) / 7;
    const sd = Math.sqrt(f1.reduce((s, v) => s + (v - mean) ** 2, 0) / 6);
    assert.ok(
      spread.includes(
        `<tr><td>bert</td><td>${size}</td><td>7</td><td>${mean.toFixed(4)}</td>` +
          `<td>${sd.toFixed(4)}</td><td>${Math.min(...f1).toFixed(4)}–` +
          `${Math.max(...f1).toFixed(4)}</td></tr>`,
      ),
      `size ${size}`,
    );
  }
  assert.doesNotMatch(page.replace(/<ul class="notes">.*?<\/ul>/, ""), /NaN|undefined/);
  // In Jupyter too.
  assert.match(analysisDisplay(a)[JUPYTER_DISPLAY]()["text/html"], /<table class="spread">/);
  // Random sizes that coincide now and then are not repeated sizes: no such table.
  assert.doesNotMatch(html, /class="spread"/);
});

Deno.test("renderReport: the too-few-runs note names the minRuns option", () => {
  const a = analyzeResults(simulateRuns("bert", 6, 28), { bootstrap: 10 });
  const page = renderReport(a, { title: "Few", generatedAt: "2026-01-01" });
  assert.match(
    page,
    /bert: only 6 runs \(fewer than 10\): no regressions were fitted\. To fit them anyway, lower the minimum: analyzeResults\(rows, \{ minRuns: 6 \}\)\./,
  );
  assert.match(page, /the <code>minRuns<\/code> option of <code>analyzeResults<\/code>/);
});

Deno.test("renderReport: 'How many more sentences?' with the targets, the curves by AIC, the backtest and a figure", () => {
  const curve = simulateCurve("bert", 40, 3, { replicates: 2 });
  const a = analyzeResults(curve, {
    bootstrap: 10,
    targets: [0.8, 0.84, 0.95],
    cost: 0.5,
    current: 300,
  });
  const page = renderReport(a, { title: "Planner", generatedAt: "2026-01-01" });
  const plan = a.models[0].planner!;
  const section = page.slice(page.indexOf("<h2>How many more sentences?</h2>"));
  assert.ok(section.length < page.length);
  assert.match(section, /more than the 300 sentences of the training pool the study drew from/);
  assert.match(section, /at 0\.50 per sentence/);
  // The targets table: sizes with their interval, sentences beyond the 300 and their cost.
  const targets = section.match(/<table class="targets">[\s\S]*?<\/table>/)![0];
  const rows = targets.match(/<tr><td>bert<\/td>.*?<\/tr>/g)!;
  assert.equal(rows.length, 3);
  const whole = (v: number) => Math.round(v).toLocaleString("en-US");
  for (const [i, t] of plan.targets.entries()) {
    const cells = [...rows[i].matchAll(/<td>(.*?)<\/td>/g)].map((c) => c[1]);
    assert.equal(cells[2], t.target.toFixed(2));
    if (t.size.reachable && t.cost.reachable) {
      const s = t.size;
      assert.equal(cells[3], `${whole(s.estimate)} (${whole(s.ci[0])}–${whole(s.ci[1])})`);
      assert.equal(
        cells[4],
        `${whole(s.estimate - 300)} (${whole(Math.max(0, s.ci[0] - 300))}–${whole(s.ci[1] - 300)})`,
      );
      assert.equal(cells[5].split(" ")[0], (0.5 * (s.estimate - 300)).toFixed(2));
    } else {
      assert.deepEqual(cells.slice(3, 6), ["–", "–", "–"]);
      assert.match(cells[6], /not reachable: the fitted asymptote is/);
    }
  }
  assert.ok(plan.targets[0].size.reachable && plan.targets[1].size.reachable);
  // The three curves with their AIC, the chosen one marked, and their backtests.
  const curves = section.match(/<table class="curves">[\s\S]*?<\/table>/)![0];
  assert.equal(curves.match(/<tr><td>bert/g)?.length, 3);
  for (const c of plan.candidates) {
    assert.ok(curves.includes(`<td>${c.fit.aic.toFixed(2)}</td>`), c.model);
    const b = c.backtest!;
    assert.ok(
      curves.includes(`<td>${b.trainRuns} / ${b.heldOutRuns}</td><td>${b.mae.toFixed(4)}</td>`),
    );
  }
  assert.equal(curves.match(/\(chosen\)/g)?.length, 1);
  assert.match(section, /runs up to 50% of the largest size sampled/);
  assert.match(section, /<li>bert: the inverse-power-law curve has the lowest AIC/);
  assert.match(section, /<li>bert: backtest: fitted on \d+ runs up to \d+, predicting/);
  // The figure: the runs, the chosen curve to twice the largest size, dashed past the
  // runs, with its band and one rule per target.
  const svg = svgs(section)[0];
  assert.equal(svg.match(/<circle/g)?.length, 80);
  assert.match(svg, /stroke="#1b9e77"/);
  assert.match(svg, /stroke-dasharray="5,3"/);
  assert.equal(svg.match(/aria-label="area"/g)?.length, 2);
  for (const t of ["0.8", "0.84", "0.95"]) assert.match(svg, new RegExp(`>F1 ${t}<`));
  assert.match(
    section,
    /power-law learning-curve fit \(green line\) with its 95% confidence band, dashed past the largest size sampled; target F1 \(grey rules\)/,
  );
  assert.doesNotMatch(page, /NaN|undefined|Infinity/);
  // The spread across seeds: a table, and a rule per subsample in the figures.
  const seeds = page.match(/<table class="seeds">[\s\S]*?<\/table>/)![0];
  assert.doesNotMatch(page, /class="spread"/); // not again, size by size
  const m = a.models[0];
  assert.match(
    seeds,
    new RegExp(`<td>bert</td><td>40</td><td>80</td><td>${m.seeds.sd.toFixed(4)}</td><td>40</td>`),
  );
  const figure = analysisFigures(a);
  for (const f of [figure.sentences, figure.planner]) {
    const rules = f.svg.match(/stroke="#333">[\s\S]*?<\/g>/)![0];
    assert.equal(rules.match(/<line/g)?.length, 40);
    assert.match(
      f.text,
      /40 subsamples trained with several seeds: F1 range up to [\d.]+, pooled SD across seeds/,
    );
  }
  // Without a cost, no cost column; without targets, each model's default target.
  const plain = renderReport(analyzeResults(curve, { bootstrap: 10 }), { title: "t" });
  const header = plain.match(/<table class="targets"><thead>.*?<\/thead>/)![0];
  assert.doesNotMatch(header, /Cost/);
  assert.match(plain, /No targets were given, so each model's target is the F1 its curve reaches/);
  assert.match(plain, /<td>0\.\d\d \(default\)<\/td>/);
  assert.match(plain, /more than the largest training size of each model's runs/);
});

Deno.test("summaryText: per model its runs and F1, the threshold, and each target's sentences, in plain text", () => {
  const curve = simulateCurve("bert", 40, 3, { replicates: 2 });
  const a = analyzeResults([...curve, ...simulateRuns("roberta", 40, 22)], {
    bootstrap: 10,
    targets: [0.8, 0.95],
    cost: 0.5,
    current: 300,
  });
  const text = summaryText(a);
  assert.doesNotMatch(text, /NaN|undefined|&lt;|<td>/);
  const whole = (v: number) => Math.round(v).toLocaleString("en-US");
  for (const m of a.models) {
    const block = text.slice(text.indexOf(`${m.model}: `)).split(/\n(?! )/)[0];
    const f1s = [m.f1.mean, m.f1.min, m.f1.max].map((v) => v.toFixed(4));
    assert.ok(
      block.startsWith(`${m.model}: ${m.n} runs, F1 ${f1s[0]} (${f1s[1]} to ${f1s[2]})\n`),
      block,
    );
    const t = m.sentences.threshold!;
    assert.ok(
      block.includes(
        `  returns diminish after ${whole(t.threshold)} training sentences (95% CI ` +
          `${whole(t.ci![0])} to ${whole(t.ci![1])}; P ${t.pExists!.toFixed(3)} against no ` +
          "threshold)",
      ),
      block,
    );
    for (const target of m.planner!.targets) {
      const line = block.split("\n").find((l) =>
        l.startsWith(`  F1 ${target.target.toFixed(2)}: `)
      );
      assert.ok(line, block);
      const { size, cost } = target;
      if (size.reachable && cost.reachable && cost.additional > 0) {
        assert.ok(
          line.endsWith(
            `about ${whole(size.estimate)} sentences (${whole(size.ci[0])} to ` +
              `${whole(size.ci[1])}), ${whole(size.estimate - 300)} beyond the 300 of the ` +
              `training pool, costing ${(0.5 * (size.estimate - 300)).toFixed(2)}`,
          ),
          line,
        );
      } else if (!size.reachable) assert.ok(line.endsWith(size.note), line);
    }
  }
  // 0.95 is above both fitted asymptotes: not reachable, and why
  assert.match(text, / {2}F1 0\.95: not reachable: the fitted asymptote is/);
});
