/**
 * A classifier exported for JavaScript runtimes: a folder in the layout transformers.js
 * loads (`config.json` as `saveModel` writes it, with id2label/label2id; the tokenizer's
 * `tokenizer.json` and `tokenizer_config.json`, with its other files; `onnx/model.onnx`,
 * the graph of lib/models/onnx.ts, and with `quantize` its int8 form
 * `onnx/model_quantized.onnx`, see lib/models/onnx_quantize.ts), which onnxruntime-web
 * 1.30's wasm backend runs in Deno or a browser without Python; every family the toolkit
 * fine-tunes (BERT, RoBERTa, DistilBERT, GPT-2, ModernBERT, Llama, Qwen2).
 * tests/train/export_onnx_test.ts checks the exported model's logits in onnxruntime-web
 * against the classifier's own on the GROBID test statements, and the int8 model's logits,
 * size, tags and F1 against the float32 model's.
 *
 * @module
 */
import { configToJson, type ModelConfig } from "../models/config.ts";
import { modelTensors } from "../models/gpu_model.ts";
import { replaceFolder } from "../models/checkpoint.ts";
import { TOKENIZER_FILES } from "../models/hub.ts";
import { skippedPositions } from "../models/families/registry.ts";
import { onnxModel, onnxUnsupported } from "../models/onnx.ts";
import { savedConfig, type TokenClassifier } from "./classifier.ts";

/**
 * Options of {@link exportOnnx}.
 */
export type ExportOnnxOptions = {
  /** Also write `onnx/model_quantized.onnx`, the graph with int8 dynamic quantisation
   * (lib/models/onnx_quantize.ts), which transformers.js loads with `dtype: "q8"` (or
   * `quantized: true`). */
  quantize?: boolean;
};

async function stat(path: string): Promise<Deno.FileInfo | null> {
  try {
    return await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  }
}

/** The tokenizer files of `dir` a transformers.js folder takes (both JSON files required). */
async function tokenizerFiles(dir: string): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  for (const name of TOKENIZER_FILES) {
    if ((await stat(`${dir}/${name}`))?.isFile) {
      files.set(name, await Deno.readFile(`${dir}/${name}`));
    }
  }
  for (const name of ["tokenizer.json", "tokenizer_config.json"]) {
    if (!files.has(name)) throw new Error(`exportOnnx: the tokenizer folder ${dir} has no ${name}`);
  }
  return files;
}

/**
 * `tokenizer_config.json` with `model_max_length` no more than the subtokens the model's
 * positions take, since transformers.js truncates its inputs to it (a 64-position model
 * given the tokenizer's 512 fails on a longer text); the bytes as they were when it fits.
 */
function fitTokenizerConfig(bytes: Uint8Array, config: ModelConfig): Uint8Array {
  const limit = config.maxPositions - skippedPositions(config);
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new Error(`exportOnnx: the tokenizer's tokenizer_config.json: ${(e as Error).message}`);
  }
  const max = json.model_max_length;
  if (typeof max === "number" && max <= limit) return bytes;
  return new TextEncoder().encode(
    JSON.stringify({ ...json, model_max_length: limit }, null, 2) + "\n",
  );
}

/**
 * Exports a classifier to `dir` for transformers.js and onnxruntime-web (written to a
 * temporary folder, then renamed into place; an earlier export there is replaced, any
 * other folder with files in it is refused). A family whose graph lib/models/onnx.ts does
 * not express (none of today's, see `onnxUnsupported`) is refused by name. With `quantize`,
 * `onnx/model_quantized.onnx` is written beside `onnx/model.onnx`. `tokenizer_config.json`'s `model_max_length`, to which transformers.js
 * truncates a text, is cut down to the subtokens the model's positions take.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { exportOnnx } from "./export_onnx.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, entityTypes: ["ORG", "PERSON"],
 *   tokenizer: "bert-base-uncased" });
 * const dir = await Deno.makeTempDir();
 * await exportOnnx(classifier, `${dir}/web`);
 * const config = JSON.parse(await Deno.readTextFile(`${dir}/web/config.json`));
 * assert.equal(config.id2label["3"], "B-PERSON");
 * assert.ok((await Deno.stat(`${dir}/web/onnx/model.onnx`)).size > 30522 * 8 * 4);
 * assert.ok((await Deno.stat(`${dir}/web/tokenizer_config.json`)).isFile);
 * await exportOnnx(classifier, `${dir}/q8`, { quantize: true });
 * const size = async (name: string) => (await Deno.stat(`${dir}/q8/onnx/${name}`)).size;
 * assert.ok(await size("model_quantized.onnx") < 0.3 * await size("model.onnx"));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function exportOnnx(
  classifier: TokenClassifier,
  dir: string,
  opts: ExportOnnxOptions = {},
): Promise<void> {
  const reason = onnxUnsupported(classifier.config);
  if (reason) throw new Error(`exportOnnx: ${reason}`);
  const target = dir.replace(/(?<=.)\/+$/, "");
  if (!target) throw new Error("exportOnnx: no folder given");
  const there = await stat(target).catch((e) => {
    throw new Error(`exportOnnx: cannot write ${target}: ${e.message}`);
  });
  if (there && !there.isDirectory) {
    throw new Error(`exportOnnx: ${target} is a file, not a folder`);
  }
  if (there && !(await stat(`${target}/onnx/model.onnx`))) {
    for await (const _ of Deno.readDir(target)) {
      throw new Error(
        `exportOnnx: ${target} is a folder with other files in it and no onnx/model.onnx; ` +
          "give a new or empty folder, or an earlier export to replace",
      );
    }
  }
  const config = savedConfig(classifier);
  const tensors = await modelTensors(classifier.net);
  const model = await onnxModel(config, tensors);
  const quantized = opts.quantize ? await onnxModel(config, tensors, { quantize: true }) : null;
  const files = await tokenizerFiles(classifier.tokenizerDir);
  files.set(
    "tokenizer_config.json",
    fitTokenizerConfig(files.get("tokenizer_config.json")!, config),
  );

  try {
    await replaceFolder(target, async (tmp) => {
      await Deno.mkdir(`${tmp}/onnx`);
      await Deno.writeTextFile(
        `${tmp}/config.json`,
        JSON.stringify(configToJson(config), null, 2) + "\n",
      );
      for (const [name, bytes] of files) await Deno.writeFile(`${tmp}/${name}`, bytes);
      await Deno.writeFile(`${tmp}/onnx/model.onnx`, model);
      if (quantized) await Deno.writeFile(`${tmp}/onnx/model_quantized.onnx`, quantized);
    });
  } catch (e) {
    throw new Error(`exportOnnx: cannot write ${target}: ${(e as Error).message}`);
  }
}
