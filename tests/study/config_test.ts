import assert from "node:assert/strict";
import { DEFAULT_STUDY, parseStudyConfig } from "../../lib/study/config.ts";

Deno.test("parseStudyConfig: an empty object is the default study", () => {
  assert.deepEqual(parseStudyConfig({}), DEFAULT_STUDY);
});

Deno.test("parseStudyConfig: partial sections keep the other defaults", () => {
  const s = parseStudyConfig({ plan: { count: 10 }, training: { epochs: 2 }, seed: 7 });
  assert.equal(s.plan.count, 10);
  assert.deepEqual(s.plan.sizes, DEFAULT_STUDY.plan.sizes);
  assert.equal(s.training.epochs, 2);
  assert.equal(s.training.batchSize, DEFAULT_STUDY.training.batchSize);
  assert.equal(s.seed, 7);
});

Deno.test("parseStudyConfig: errors name the file and the field", () => {
  const cases: [unknown, RegExp][] = [
    [[], /s\.json: \(top level\): expected a JSON object/],
    [{ plan: { count: 0 } }, /s\.json: plan\.count: expected a positive integer/],
    [{ plan: { sizes: [[10, 5]] } }, /plan\.sizes\[0\]: expected \[min, max\]/],
    [{ training: { scheme: "IOB3" } }, /training\.scheme: unknown scheme "IOB3"/],
    [{ training: { lr: 1 } }, /training\.lr: unknown field/],
    [
      { training: { decoding: "crf" } },
      /training\.decoding: expected "viterbi" or "argmax", got "crf"/,
    ],
    [{ models: [{ name: "a", source: "random" }] }, /models\[0\]\.family: a random model needs/],
    [
      { models: [{ name: "a", source: "random", family: "bert" }] },
      /models\[0\]\.tokenizer: a random model needs a tokenizer/,
    ],
    [
      { models: [{ name: "a", source: "x/y" }, { name: "a", source: "x/z" }] },
      /models\[1\]\.name: "a" appears twice/,
    ],
    [{ test: { fraction: 0.2, size: 10 } }, /test: give fraction or size, not both/],
    [{ colour: 1 }, /colour: unknown field/],
  ];
  for (const [json, message] of cases) {
    assert.throws(() => parseStudyConfig(json, "s.json"), message);
  }
});
