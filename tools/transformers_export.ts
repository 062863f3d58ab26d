/**
 * Developer script: saves small random token classifiers with `saveModel`, one per family
 * with a shipped tokenizer (BERT, DistilBERT and ModernBERT with bert-base-uncased's
 * WordPiece tokenizer; GPT-2, Llama and Qwen2 with GPT-2's byte-level BPE tokenizer built
 * from vocab.json + merges.txt; Llama and Qwen2 with 2 key/value heads of 4), each beside an `expected.json` holding a
 * few sentences as the toolkit splits them into words, the ids it gives them
 * (`encodeFor`) and the logits its WebGPU forward pass computes (`exampleLogits`).
 * `tools/transformers_check.py` then loads each folder with Python transformers'
 * `AutoTokenizer` and `AutoModelForTokenClassification` and compares (transformers cannot
 * be installed on the development machine; run it where it is).
 *
 * Run: `deno run -A tools/transformers_export.ts OUT_DIR`
 *
 * @module
 */
import { createTokenClassifier, releaseClassifier, saveModel } from "../lib/train/classifier.ts";
import { encodeFor, exampleLogits } from "../lib/train/predict.ts";
import { FAMILIES } from "../lib/models/families/registry.ts";

const out = Deno.args[0];
if (!out) throw new Error("usage: deno run -A tools/transformers_export.ts OUT_DIR");

const texts = [
  "Dr. Jane Smith received grants from Pfizer Inc.",
  "Niswender reports fees from AstraZeneca, Novartis and Müller-Lüdenscheid.",
  "None declared.",
];

for (const { family, tokenizer: { shipped }, config } of Object.values(FAMILIES)) {
  if (shipped === null) continue;
  const classifier = await createTokenClassifier({
    source: "random",
    family,
    tokenizer: shipped,
    numKeyValueHeads: config.keys.includes("num_key_value_heads") ? 2 : undefined,
    entityTypes: ["ORG", "PERSON"],
    hiddenSize: 32,
    numHeads: 4,
    numLayers: 2,
    maxPositions: 64,
    seed: 5,
  });
  // the toolkit's own encoding (sentences, words, subtokens) and forward pass
  const examples = encodeFor(classifier, texts.map((text, i) => ({ id: `${i}`, text, spans: [] })));
  const logits = await exampleLogits(classifier, examples);
  const L = classifier.labels.length;
  const dir = `${out}/${family}`;
  await saveModel(classifier, dir);
  await Deno.writeTextFile(
    `${dir}/expected.json`,
    JSON.stringify({
      words: examples.map((ex) =>
        ex.words.map((w) => texts[Number(ex.docId)].slice(w.start, w.end))
      ),
      input_ids: examples.map((ex) => ex.inputIds),
      logits: examples.map((ex, k) =>
        ex.inputIds.map((_, t) => Array.from(logits[k].subarray(t * L, (t + 1) * L)))
      ),
    }),
  );
  releaseClassifier(classifier);
  console.log(`wrote ${dir}`);
}
