/**
 * Scoring speed: entity-level F1 (seqeval 1.2.2 semantics) on 1,000,000 tokens in
 * 50,000 sentences of 20 tokens, in default mode and in strict IOB2 mode. Prints
 * tokens per second for each (best of 5 runs after one warm-up). seqeval itself cannot
 * run here (no PyPI); its strict mode is reported to take over a minute for 8,700
 * tokens, so no reference is measured in the same run.
 *
 * Run: deno run -A bench/metrics_bench.ts
 *
 * @module
 */

import { f1Score } from "../lib/metrics/seqeval.ts";
import { createRandom } from "../lib/core/random.ts";

const SENTENCES = 50_000, LENGTH = 20;
const TYPES = ["PER", "ORG", "LOC", "MISC"];

function corpus(seed: number): { yTrue: string[][]; yPred: string[][] } {
  const rng = createRandom(seed);
  const yTrue: string[][] = [], yPred: string[][] = [];
  for (let s = 0; s < SENTENCES; s++) {
    const gold: string[] = [];
    let k = 0;
    while (k < LENGTH) {
      if (rng.next() < 0.2) {
        const type = TYPES[rng.int(TYPES.length)];
        const len = 1 + rng.int(3);
        for (let j = 0; j < len && k < LENGTH; j++, k++) gold.push((j === 0 ? "B-" : "I-") + type);
      } else {
        gold.push("O");
        k++;
      }
    }
    // predictions: 90% of tags copied, the rest replaced by a random tag
    const pred = gold.map((t) => {
      if (rng.next() < 0.9) return t;
      const r = rng.int(3);
      return r === 0 ? "O" : (r === 1 ? "B-" : "I-") + TYPES[rng.int(TYPES.length)];
    });
    yTrue.push(gold);
    yPred.push(pred);
  }
  return { yTrue, yPred };
}

const { yTrue, yPred } = corpus(1);
const tokens = SENTENCES * LENGTH;
for (
  const opts of [{ mode: "default" as const }, { mode: "strict" as const, scheme: "IOB2" as const }]
) {
  const c0 = performance.now();
  f1Score(yTrue, yPred, opts); // first (cold) call
  const cold = performance.now() - c0;
  let best = Infinity, f1 = 0;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    f1 = f1Score(yTrue, yPred, opts) as number;
    best = Math.min(best, performance.now() - t0);
  }
  console.log(
    `${opts.mode.padEnd(7)} ${tokens} tokens: ${best.toFixed(1)} ms, ` +
      `${(tokens / best * 1000 / 1e6).toFixed(2)} M tokens/s, first call ${cold.toFixed(1)} ms ` +
      `(micro F1 ${f1.toFixed(4)})`,
  );
}
