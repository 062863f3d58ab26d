import assert from "node:assert/strict";
import { DEFAULT_STUDY, parseStudyConfig, readStudyConfig } from "../../lib/study/config.ts";

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

Deno.test("parseStudyConfig: data of one's own, its path relative to the study file, named after the file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(
    `${dir}/coi.study.json`,
    JSON.stringify({ data: { path: "corpus/a.jsonl", format: "label-studio" } }),
  );
  const study = await readStudyConfig(`${dir}/coi.study.json`);
  assert.equal(study.name, "coi");
  assert.deepEqual(study.data, { path: `${dir}/corpus/a.jsonl`, format: "label-studio" });
  assert.equal(study.dataset, undefined);
  // without a study file the data file names the study; a name given wins
  assert.equal(parseStudyConfig({ data: { path: "/x/notes.conll" } }).name, "notes");
  assert.equal(parseStudyConfig({ data: { path: "/x/wikigold.conll.txt" } }).name, "wikigold");
  assert.equal(parseStudyConfig({ data: { path: "/x/brat-folder" } }).name, "brat-folder");
  assert.equal(parseStudyConfig({ name: "n", data: { path: "/x/notes.conll" } }).name, "n");
  // the default study keeps its name and dataset
  assert.equal(parseStudyConfig({}).name, DEFAULT_STUDY.name);
  await Deno.remove(dir, { recursive: true });
  const bad: [unknown, RegExp][] = [
    [{ data: { path: "a", fromat: "conll" } }, /s.json: data.fromat: unknown field/],
    [{ data: { path: "a", format: "csv" } }, /data.format: expected one of conll, doccano/],
    [{ data: { path: "a" }, dataset: "wikigold" }, /dataset: give dataset or data, not both/],
    [{ data: { path: "a" }, labels: {} }, /labels: give the labels inside data/],
    [{ data: { path: "a", labels: { PER: "A B" } } }, /data.labels.PER: expected a label/],
    [{ data: { path: "a", documents: "para" } }, /data.documents: expected one of auto/],
    [{ data: { path: "a", sha256: "abc" } }, /data.sha256: expected 64 lowercase hex/],
    [{ data: "a.jsonl" }, /data: expected an object like/],
  ];
  for (const [json, re] of bad) assert.throws(() => parseStudyConfig(json, "s.json"), re);
});

Deno.test("parseStudyConfig: data.invalid, and the skipped lines a prepared study records", () => {
  const skipped = [{ line: 4, reason: "column 0 is empty" }];
  const study = parseStudyConfig({ data: { path: "/x/a.conll", invalid: "skip", skipped } });
  assert.deepEqual(study.data, { path: "/x/a.conll", invalid: "skip", skipped });
  assert.equal(
    parseStudyConfig({ data: { path: "/x/a", invalid: "error" } }).data?.invalid,
    "error",
  );
  const bad: [unknown, RegExp][] = [
    [
      { data: { path: "a", invalid: "ignore" } },
      /^Error: s.json: data.invalid: expected "error" or "skip", got "ignore"$/,
    ],
    [{ data: { path: "a", invalid: true } }, /data.invalid: expected "error" or "skip", got true/],
    [
      { data: { path: "a", skipped } },
      /^Error: s.json: data.skipped: recorded only with invalid: "skip"$/,
    ],
    [{ data: { path: "a", invalid: "skip", skipped: "none" } }, /data.skipped: expected the list/],
    [
      { data: { path: "a", invalid: "skip", skipped: [{ line: 4 }] } },
      /data.skipped\[0\]: expected/,
    ],
    [{ data: { path: "a", invalid: "skipp" } }, /data.invalid: expected "error" or "skip"/],
    // the labels a mapping produces pass the readers' label check
    [
      { data: { path: "a", labels: { PER: "B-PER" } } },
      /data.labels.PER: expected a label or null: label "B-PER" starts with the tag prefix B-/,
    ],
    [
      { data: { path: "a", labels: { PER: "O" } } },
      /data.labels.PER: expected a label or null: label "O" is "O"/,
    ],
    [
      { data: { path: "a", labels: { PER: 3 } } },
      /data.labels.PER: expected a label or null: got 3/,
    ],
  ];
  for (const [json, re] of bad) assert.throws(() => parseStudyConfig(json, "s.json"), re);
});

Deno.test("parseStudyConfig: typos anywhere are unknown fields with the nearest key; flags are named", () => {
  const cases: [unknown, RegExp][] = [
    [
      { test: { fractoin: 0.2 } },
      /^Error: s.json: test.fractoin: unknown field \(did you mean "fraction"\?\)$/,
    ],
    [
      { models: [{ name: "m", source: "x", hiddenSzie: 64 }] },
      /^Error: s.json: models\[0\].hiddenSzie: unknown field \(did you mean "hiddenSize"\?\)$/,
    ],
    [{ plan: { cuont: 3 } }, /plan.cuont: unknown field \(did you mean "count"\?\)/],
    [{ seeed: 3 }, /^Error: s.json: seeed: unknown field \(did you mean "seed"\?\)$/],
    [{ training: { colour: 1 } }, /training.colour: unknown field \(known: epochs, batchSize,/],
  ];
  for (const [json, re] of cases) assert.throws(() => parseStudyConfig(json, "s.json"), re);
  // a field set by a flag is blamed on the flag, not on the file
  assert.throws(
    () =>
      parseStudyConfig({ plan: { count: -5 } }, "s.json", { flags: { "plan.count": "--count" } }),
    /^Error: --count: expected a positive integer, got -5$/,
  );
});

Deno.test("parseStudyConfig: plan.replicates, analysis.targets and analysis.cost, checked and named in errors", () => {
  const s = parseStudyConfig({
    plan: { replicates: 3 },
    analysis: { targets: [0.8, 0.85], cost: 0.5 },
  });
  assert.equal(s.plan.replicates, 3);
  assert.deepEqual(s.analysis, { ...DEFAULT_STUDY.analysis, targets: [0.8, 0.85], cost: 0.5 });
  // without them, nothing is added: a study written before them reads and writes the same
  const plain = parseStudyConfig({ plan: { replicates: 1 } });
  assert.equal(JSON.stringify(plain), JSON.stringify(DEFAULT_STUDY));
  assert.ok(!("targets" in plain.analysis) && !("cost" in plain.analysis));
  const bad: [unknown, RegExp][] = [
    [
      { plan: { replicates: 0 } },
      /^Error: s.json: plan.replicates: expected a positive integer, got 0$/,
    ],
    [{ plan: { replicates: 1.5 } }, /plan.replicates: expected a positive integer, got 1.5/],
    [{ plan: { replicates: "2" } }, /plan.replicates: expected a positive integer, got "2"/],
    [{ plan: { replicate: 2 } }, /plan.replicate: unknown field \(did you mean "replicates"\?\)/],
    [
      { analysis: { targets: 0.8 } },
      /^Error: s.json: analysis.targets: expected F1 values like \[0.8, 0.85\], got 0.8$/,
    ],
    [{ analysis: { targets: [] } }, /analysis.targets: expected F1 values like/],
    [
      { analysis: { targets: [0.8, 1.2] } },
      /^Error: s.json: analysis.targets: target 2: expected an F1 in \(0, 1\), got 1.2$/,
    ],
    [{ analysis: { targets: [0] } }, /target 1: expected an F1 in \(0, 1\), got 0/],
    [{ analysis: { targets: ["0.9"] } }, /target 1: expected an F1 in \(0, 1\), got "0.9"/],
    [
      { analysis: { cost: 0 } },
      /^Error: s.json: analysis.cost: expected a positive number, got 0$/,
    ],
    [{ analysis: { cost: -1 } }, /analysis.cost: expected a positive number, got -1/],
    [{ analysis: { costs: 1 } }, /analysis.costs: unknown field \(did you mean "cost"\?\)/],
  ];
  for (const [json, re] of bad) assert.throws(() => parseStudyConfig(json, "s.json"), re);
  // set by flags, they are the flags' errors
  const flags = {
    "plan.replicates": "--replicates",
    "analysis.targets": "--target",
    "analysis.cost": "--cost",
  };
  const flagged: [unknown, RegExp][] = [
    [{ plan: { replicates: 0 } }, /^Error: --replicates: expected a positive integer, got 0$/],
    [
      { analysis: { targets: [0.8, 1.2] } },
      /^Error: --target: target 2: expected an F1 in \(0, 1\), got 1.2$/,
    ],
    [{ analysis: { cost: 0 } }, /^Error: --cost: expected a positive number, got 0$/],
  ];
  for (const [json, re] of flagged) {
    assert.throws(() => parseStudyConfig(json, "s.json", { flags }), re);
  }
});

Deno.test("parseStudyConfig: a study names random ModernBERT and Llama models (grouped heads)", () => {
  const models = [
    { name: "m", source: "random", family: "modernbert", tokenizer: "bert-base-uncased" },
    { name: "l", source: "random", family: "llama", tokenizer: "gpt2", numKeyValueHeads: 1 },
  ];
  assert.deepEqual(parseStudyConfig({ models }, "s.json").models, models);
  assert.throws(
    () => parseStudyConfig({ models: [{ ...models[1], numKeyValueHeads: 0 }] }, "s.json"),
    /models\[0\]\.numKeyValueHeads/,
  );
});
