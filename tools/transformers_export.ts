/**
 * Developer script: saves small random token classifiers with `saveModel` (BERT and
 * DistilBERT with bert-base-uncased's WordPiece tokenizer, GPT-2 with its byte-level BPE
 * tokenizer built from vocab.json + merges.txt), each beside an `expected.json` holding a
 * few sentences as words, the ids this toolkit gives them and the logits its WebGPU
 * forward pass computes. `tools/transformers_check.py` then loads each folder with Python
 * transformers' `AutoTokenizer` and `AutoModelForTokenClassification` and compares
 * (transformers cannot be installed on the development machine; run it where it is).
 *
 * Run: `DENO_WEBGPU_BACKEND=vulkan deno run -A tools/transformers_export.ts OUT_DIR`
 *
 * @module
 */
import { createTokenClassifier, releaseClassifier, saveModel } from "../lib/train/classifier.ts";
import { predictLogits } from "../lib/models/gpu_model.ts";
import { wordPieces } from "../lib/tags/align.ts";
import type { ModelFamily } from "../lib/models/config.ts";

const out = Deno.args[0];
if (!out) throw new Error("usage: deno run -A tools/transformers_export.ts OUT_DIR");

const sentences = [
  ["Dr.", "Jane", "Smith", "received", "grants", "from", "Pfizer", "Inc."],
  [
    "Niswender",
    "reports",
    "fees",
    "from",
    "AstraZeneca",
    ",",
    "Novartis",
    "and",
    "Müller-Lüdenscheid",
  ],
  ["None", "declared", "."],
];

const models: [ModelFamily, string][] = [
  ["bert", "bert-base-uncased"],
  ["distilbert", "bert-base-uncased"],
  ["gpt2", "gpt2"],
];

for (const [family, tokenizer] of models) {
  const classifier = await createTokenClassifier({
    source: "random",
    family,
    tokenizer,
    entityTypes: ["ORG", "PERSON"],
    hiddenSize: 32,
    numHeads: 4,
    numLayers: 2,
    maxPositions: 64,
    seed: 5,
  });
  const tok = classifier.tokenizer;
  const ids = sentences.map((words) => [
    ...tok.prefixIds,
    ...words.flatMap((w, i) => wordPieces(tok, w, i === 0)),
    ...tok.suffixIds,
  ]);
  const T = Math.max(...ids.map((r) => r.length));
  const inputIds = new Int32Array(ids.length * T).fill(tok.padId);
  const attentionMask = new Int32Array(ids.length * T);
  ids.forEach((r, b) => {
    inputIds.set(r, b * T);
    attentionMask.fill(1, b * T, b * T + r.length);
  });
  const logits = await predictLogits(classifier.net, {
    size: ids.length,
    length: T,
    inputIds,
    attentionMask,
  });
  const L = classifier.labels.length;
  const dir = `${out}/${family}`;
  await saveModel(classifier, dir);
  await Deno.writeTextFile(
    `${dir}/expected.json`,
    JSON.stringify({
      words: sentences,
      input_ids: ids,
      logits: ids.map((r, b) =>
        r.map((_, t) => Array.from(logits.subarray((b * T + t) * L, (b * T + t + 1) * L)))
      ),
    }),
  );
  releaseClassifier(classifier);
  console.log(`wrote ${dir}`);
}
