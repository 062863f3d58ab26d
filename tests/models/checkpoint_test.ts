/**
 * Tests of lib/models/checkpoint.ts: save/load round trips, the name alignment transformers'
 * from_pretrained does (base prefix, gamma/beta, fresh classifier), pytorch_model.bin
 * folders (the zip and pickle built by hand here, as torch.save lays them out), and errors.
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { configToJson, createConfig } from "../../lib/models/config.ts";
import {
  alignTensorNames,
  initWeights,
  loadCheckpoint,
  saveCheckpoint,
} from "../../lib/models/checkpoint.ts";
import type { TensorMap } from "../../lib/models/host_tensor.ts";
import { encodeSafetensors, encodeShards } from "../../lib/models/safetensors.ts";

const tiny = (
  family: "bert" | "gpt2" | "distilbert" | "roberta",
  labels = ["O", "B-PER", "I-PER"],
) =>
  createConfig({
    family,
    vocabSize: 30,
    hiddenSize: 8,
    numHeads: 2,
    numLayers: 2,
    intermediateSize: 16,
    maxPositions: 16,
    typeVocabSize: family === "bert" ? 2 : family === "roberta" ? 1 : 0,
    labels,
  });

/** A torch.save-style zip: OrderedDict of _rebuild_tensor_v2(FloatStorage) entries. */
function torchZip(tensors: TensorMap): Uint8Array {
  const b: number[] = [0x80, 2];
  const enc = new TextEncoder();
  const str = (s: string) => {
    const e = enc.encode(s);
    b.push(0x58, e.length & 255, (e.length >> 8) & 255, 0, 0, ...e);
  };
  const int = (n: number) =>
    b.push(0x4a, n & 255, (n >> 8) & 255, (n >> 16) & 255, (n >>> 24) & 255);
  const global = (m: string, n: string) => b.push(0x63, ...enc.encode(`${m}\n${n}\n`));
  global("collections", "OrderedDict");
  b.push(0x29, 0x52, 0x28); // EMPTY_TUPLE REDUCE MARK
  const files: Record<string, Uint8Array> = {};
  let i = 0;
  for (const [name, t] of tensors) {
    str(name);
    global("torch._utils", "_rebuild_tensor_v2");
    b.push(0x28, 0x28);
    str("storage");
    global("torch", "FloatStorage");
    str(String(i));
    str("cpu");
    int(t.data.length);
    b.push(0x74, 0x51); // TUPLE BINPERSID
    int(0);
    b.push(0x28);
    t.shape.forEach(int);
    b.push(0x74, 0x28);
    t.shape.forEach((_, d) => int(t.shape.slice(d + 1).reduce((x, y) => x * y, 1)));
    b.push(0x74, 0x89);
    global("collections", "OrderedDict");
    b.push(0x29, 0x52, 0x74, 0x52); // EMPTY_TUPLE REDUCE TUPLE REDUCE
    files[`pytorch_model/data/${i}`] = new Uint8Array(t.data.slice().buffer);
    i++;
  }
  b.push(0x75, 0x2e); // SETITEMS STOP
  files["pytorch_model/data.pkl"] = new Uint8Array(b);
  files["pytorch_model/version"] = enc.encode("3\n");
  return zipSync(files, { level: 0 });
}

async function withDir(f: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("saveCheckpoint -> loadCheckpoint round trip for every family", async () => {
  await withDir(async (dir) => {
    for (const family of ["bert", "roberta", "distilbert", "gpt2"] as const) {
      const config = tiny(family);
      const tensors = initWeights(config, 3);
      await saveCheckpoint(`${dir}/${family}`, config, tensors, { "vocab.txt": "[PAD]\n[UNK]\n" });
      const ck = await loadCheckpoint(`${dir}/${family}`);
      assert.deepEqual(ck.config, config);
      assert.deepEqual(ck.tensors, tensors);
      assert.deepEqual(ck.missing, []);
      assert.deepEqual(ck.unexpected, []);
      assert.equal(ck.tokenizerDir, `${dir}/${family}`);
      assert.equal(ck.weightsFile, `${dir}/${family}/model.safetensors`);
    }
    // Saving over an existing checkpoint replaces it and leaves no temporary folders.
    const config = tiny("bert");
    await saveCheckpoint(`${dir}/bert`, config, initWeights(config, 4));
    const again = await loadCheckpoint(`${dir}/bert`);
    assert.deepEqual(again.tensors, initWeights(config, 4));
    assert.equal(again.tokenizerDir, null);
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names.sort(), ["bert", "distilbert", "gpt2", "roberta"]);
  });
});

Deno.test("a base-model checkpoint without prefix, with gamma/beta and a pooler gets aligned", async () => {
  await withDir(async (dir) => {
    const config = tiny("bert");
    const full = initWeights(config, 8);
    const file: TensorMap = new Map();
    for (const [name, t] of full) {
      if (name.startsWith("classifier")) continue;
      file.set(
        name.replace(/^bert\./, "").replace(/LayerNorm\.weight$/, "LayerNorm.gamma").replace(
          /LayerNorm\.bias$/,
          "LayerNorm.beta",
        ),
        t,
      );
    }
    file.set("pooler.dense.weight", { shape: [8, 8], data: new Float32Array(64) });
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(configToJson(config)));
    await Deno.writeFile(`${dir}/model.safetensors`, encodeSafetensors(file));
    const ck = await loadCheckpoint(dir, { seed: 5 });
    assert.deepEqual(ck.missing, ["classifier.weight", "classifier.bias"]);
    assert.deepEqual(ck.unexpected, ["pooler.dense.weight"]);
    assert.deepEqual(
      ck.tensors.get("bert.embeddings.LayerNorm.weight"),
      full.get("bert.embeddings.LayerNorm.weight"),
    );
    assert.deepEqual(
      ck.tensors.get("bert.encoder.layer.1.output.dense.weight"),
      full.get("bert.encoder.layer.1.output.dense.weight"),
    );
    assert.deepEqual(
      ck.tensors.get("classifier.weight"),
      initWeights(config, 5).get("classifier.weight"),
    );
    assert.deepEqual([...ck.tensors.keys()], [...full.keys()]);
    await assert.rejects(
      () => loadCheckpoint(dir, { strict: true }),
      /missing parameters classifier.weight/,
    );
  });
});

Deno.test("new labels replace a classifier of another size; backbone mismatches are errors", async () => {
  await withDir(async (dir) => {
    const config = tiny("gpt2", ["O", "B-X"]);
    await saveCheckpoint(dir + "/m", config, initWeights(config, 1));
    const labels = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"];
    const ck = await loadCheckpoint(dir + "/m", { labels });
    assert.deepEqual(ck.config.labels, labels);
    assert.deepEqual(ck.tensors.get("classifier.weight")?.shape, [5, 8]);
    assert.deepEqual(ck.missing, ["classifier.weight", "classifier.bias"]);
    assert.deepEqual(
      ck.tensors.get("transformer.wte.weight"),
      initWeights(config, 1).get("transformer.wte.weight"),
    );
    // config.json claims 3 layers' worth of width 16 positions but the file has 16 x 8.
    const bad = configToJson({ ...config, maxPositions: 32 });
    await Deno.writeTextFile(`${dir}/m/config.json`, JSON.stringify(bad));
    await assert.rejects(
      () => loadCheckpoint(dir + "/m"),
      /model.safetensors: tensor "transformer.wpe.weight" has shape \[16,8\] but config.json implies \[32,8\]/,
    );
  });
});

Deno.test("pytorch_model.bin and sharded safetensors folders load like model.safetensors", async () => {
  await withDir(async (dir) => {
    const config = tiny("distilbert");
    const tensors = initWeights(config, 2);
    await Deno.mkdir(`${dir}/bin`);
    await Deno.writeTextFile(`${dir}/bin/config.json`, JSON.stringify(configToJson(config)));
    await Deno.writeFile(`${dir}/bin/pytorch_model.bin`, torchZip(tensors));
    const a = await loadCheckpoint(`${dir}/bin`);
    assert.deepEqual(a.tensors, tensors);
    assert.equal(a.weightsFile, `${dir}/bin/pytorch_model.bin`);
    await Deno.mkdir(`${dir}/sharded`);
    await Deno.writeTextFile(`${dir}/sharded/config.json`, JSON.stringify(configToJson(config)));
    const { index, shards } = encodeShards(tensors, 2000);
    assert.ok(shards.size > 1);
    for (const [f, b] of shards) await Deno.writeFile(`${dir}/sharded/${f}`, b);
    await Deno.writeTextFile(`${dir}/sharded/model.safetensors.index.json`, JSON.stringify(index));
    assert.deepEqual((await loadCheckpoint(`${dir}/sharded`)).tensors, tensors);
  });
});

Deno.test("alignTensorNames adds GPT-2's transformer. prefix and reports leftovers", () => {
  const config = tiny("gpt2");
  const t = initWeights(config, 0);
  const file: TensorMap = new Map();
  for (const [k, v] of t) file.set(k.replace(/^transformer\./, ""), v);
  file.set("h.0.attn.bias", { shape: [1, 1, 16, 16], data: new Float32Array(256) });
  const r = alignTensorNames(config, file);
  assert.deepEqual(r.missing, []);
  assert.deepEqual(r.unexpected, ["h.0.attn.bias"]);
  assert.deepEqual(r.tensors, t);
});

Deno.test("loadCheckpoint errors name what is wrong", async () => {
  await assert.rejects(
    () => loadCheckpoint("./no/such/../dir"),
    /no such folder, and not a Hugging Face model id/,
  );
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify(configToJson(tiny("bert"))));
    await assert.rejects(() => loadCheckpoint(dir), /no model.safetensors, pytorch_model.bin/);
    const config = tiny("bert");
    const t = initWeights(config, 0);
    t.delete("bert.embeddings.LayerNorm.bias");
    await assert.rejects(
      () => saveCheckpoint(`${dir}/x`, config, t),
      /"bert.embeddings.LayerNorm.bias" is missing/,
    );
  });
});
