/**
 * Inference time per sentence of an exported classifier (`exportOnnx`, f32 and int8) in
 * onnxruntime-web 1.30's wasm backend (one thread), against the toolkit's own WebGPU
 * logits of the same sentences one at a time, measured in the same run: the default
 * study's tiny BERT (2 x 128) with random weights, on the 575 test sentences of the
 * default study's split, after 20 warm-up sentences each. Alternates the three twice and
 * prints each one's best.
 *
 * Run: deno run -A bench/onnx_inference_bench.ts [--tokenizer gpt2|bert-base-uncased]
 *
 * @module
 */
import * as ort from "onnxruntime-web";
import { DEFAULT_STUDY } from "../lib/study/config.ts";
import { prepareStudy } from "../lib/study/prepare.ts";
import { labelsOf } from "../lib/tags/labels.ts";
import { createTokenClassifier } from "../lib/train/classifier.ts";
import { exportOnnx } from "../lib/train/export_onnx.ts";
import { encodeFor, exampleLogits } from "../lib/train/predict.ts";

ort.env.wasm.numThreads = 1;
const tokArg = Deno.args.indexOf("--tokenizer");
const tokenizer = tokArg >= 0 ? Deno.args[tokArg + 1] : "gpt2";
const prepared = await prepareStudy(DEFAULT_STUDY);
const classifier = await createTokenClassifier({
  ...DEFAULT_STUDY.models[0],
  tokenizer,
  entityTypes: labelsOf(prepared.docs),
  scheme: "IOB1",
  seed: 1,
});
const dir = await Deno.makeTempDir();
await exportOnnx(classifier, `${dir}/model`, { quantize: true });
const examples = encodeFor(classifier, prepared.test, 128, { onWarning: () => {} });
type Example = (typeof examples)[number];
const tokens = examples.reduce((s, e) => s + e.inputIds.length, 0) / examples.length;

async function onnxRunner(file: string) {
  const bytes = await Deno.readFile(`${dir}/model/onnx/${file}`);
  const session = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
  const tensor = (a: number[]) =>
    new ort.Tensor("int64", BigInt64Array.from(a, BigInt), [1, a.length]);
  return {
    name: `onnxruntime-web wasm, ${file} (${(bytes.length / 1e6).toFixed(1)} MB)`,
    run: async ({ inputIds: ids }: Example) => {
      const feeds: Record<string, ort.Tensor> = {
        input_ids: tensor(ids),
        attention_mask: tensor(ids.map(() => 1)),
      };
      if (session.inputNames.includes("token_type_ids")) {
        feeds.token_type_ids = tensor(ids.map(() => 0));
      }
      await session.run(feeds);
    },
  };
}

const runners = [
  {
    name: "toolkit, WebGPU (reference)",
    run: async (e: Example) => {
      await exampleLogits(classifier, [e]);
    },
  },
  await onnxRunner("model.onnx"),
  await onnxRunner("model_quantized.onnx"),
];
const best = runners.map(() => Infinity);
for (let round = 0; round < 2; round++) {
  for (const [i, r] of runners.entries()) {
    for (const e of examples.slice(0, 20)) await r.run(e);
    const t0 = performance.now();
    for (const e of examples) await r.run(e);
    best[i] = Math.min(best[i], (performance.now() - t0) / examples.length);
  }
}
console.log(
  `${examples.length} sentences one at a time (mean ${tokens.toFixed(0)} tokens), ` +
    `${tokenizer} vocabulary; best of 2 alternating rounds:`,
);
for (const [i, r] of runners.entries()) {
  console.log(
    `  ${r.name.padEnd(52)} ${best[i].toFixed(2).padStart(7)} ms per sentence ` +
      `${(best[i] / best[0]).toFixed(2)}x`,
  );
}
await Deno.remove(dir, { recursive: true });
