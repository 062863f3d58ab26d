/**
 * The F1 a tiny BERT trained from random weights reaches on the GROBID acknowledgements
 * (PERSON/ORG): an 80/20 split by document (stratified by EPS, seed 1), fine-tuned with
 * the given epochs and learning rate, scored with seqeval's numbers on the held-out fifth.
 * The README records its output.
 *
 * Run: DENO_WEBGPU_BACKEND=vulkan deno run -A tools/grobid_f1.ts [epochs=10] [lr=0.002]
 *
 * @module
 */
import { loadDataset } from "../lib/corpus/dataset.ts";
import { docSizes } from "../lib/corpus/stats.ts";
import { splitTestSet } from "../lib/sampling/split.ts";
import { createTokenClassifier } from "../lib/train/classifier.ts";
import { fineTune } from "../lib/train/fine_tune.ts";
import { evaluate } from "../lib/train/predict.ts";

const epochs = Number(Deno.args[0] ?? 10);
const learningRate = Number(Deno.args[1] ?? 2e-3);
const docs = await loadDataset("grobid-acknowledgements");
const sizes = new Map(docSizes(docs).map((s) => [s.id, s]));
const { train, test } = splitTestSet(docs, {
  testFraction: 0.2,
  seed: 1,
  sizes: (d) => sizes.get(d.id)!,
});
const classifier = await createTokenClassifier({
  source: "random",
  family: "bert",
  hiddenSize: 128,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 512,
  entityTypes: ["ORG", "PERSON"],
  tokenizer: "bert-base-uncased",
  seed: 1,
});
const result = await fineTune(classifier, train, {
  epochs,
  learningRate,
  warmupRatio: 0.1,
  weightDecay: 0.01,
  seed: 1,
  evalDocs: test,
});
console.log(
  `${train.length} training documents, ${test.length} test documents, ${result.steps} steps in ` +
    `${(result.trainMs / 1000).toFixed(0)} s (${
      (result.trainMs / result.steps).toFixed(0)
    } ms/step)`,
);
for (const e of result.evaluations) {
  console.log(`epoch ${e.epoch}: test micro F1 ${e.micro.f1.toFixed(4)}`);
}
console.log((await evaluate(classifier, test)).report);
