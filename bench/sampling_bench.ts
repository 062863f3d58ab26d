/**
 * Benchmark: planning 2,500 subsamples from 1,286 synthetic documents (1-6 sentences,
 * 0-8 entities), random and EPS-stratified designs, plus a stratified test split.
 * Target: under 1 s per plan. No external reference exists for this procedure.
 *
 * Run: deno run -A bench/sampling_bench.ts
 *
 * @module
 */
import { createRandom } from "../lib/core/random.ts";
import { planSubsamples, planToJson } from "../lib/sampling/plan.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { eps } from "../lib/sampling/doc_size.ts";

const rng = createRandom(2024);
const docs = Array.from({ length: 1286 }, (_, i) => ({
  id: `doc${i}`,
  sentences: 1 + rng.int(6),
  entities: rng.int(9),
}));
const sizes: [number, number][] = [[50, 150], [150, 300], [300, 500], [500, 750], [750, 1000]];

function time<T>(label: string, f: () => T, reps = 5): T {
  let out = f(); // warm-up
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    out = f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  console.log(`${label}: median ${t[reps >> 1].toFixed(1)} ms (min ${t[0].toFixed(1)} ms)`);
  return out;
}

const split = time(
  "splitTestSet 1,286 docs, 20% test",
  () => splitTestSet(docs, { testFraction: 0.2, seed: 1 }),
);
const train = split.train;
for (const design of ["random", "eps-stratified"] as const) {
  const plan = time(
    `planSubsamples 2,500 from ${train.length} docs (${design})`,
    () => planSubsamples(train, { count: 2500, sizes, seed: 7, design }),
  );
  const e = plan.map((s) => s.eps);
  const m = e.reduce((a, b) => a + b, 0) / e.length;
  const sd = Math.sqrt(e.reduce((a, b) => a + (b - m) ** 2, 0) / (e.length - 1));
  console.log(
    `  ${design}: mean documents ${
      (plan.reduce((a, s) => a + s.documents, 0) / plan.length).toFixed(1)
    }, ` +
      `EPS mean ${m.toFixed(3)} sd ${sd.toFixed(3)} (corpus EPS ${
        eps({
          sentences: train.reduce((a, d) => a + d.sentences, 0),
          entities: train.reduce((a, d) => a + d.entities, 0),
        }).toFixed(3)
      })`,
  );
  time(`  planToJson (${design})`, () => planToJson(plan).length);
}
