/**
 * Benchmark of lib/models on the CPU: initialising, writing and reading a
 * MiniLM-sized BERT (6 layers, hidden 384, vocabulary 30522, ~22.7 M parameters) as
 * model.safetensors, and the float64 reference forward of a 2-layer / 128-hidden BERT on
 * 16 x 64 tokens. With Debian's python3-torch available it also times PyTorch's
 * `torch.load` of the same tensors saved as pytorch_model.bin and our reader of that file
 * (the same run, same machine).
 *
 * Run: `deno run -A bench/models_bench.ts`
 *
 * @module
 */

import { createConfig } from "../lib/models/config.ts";
import { initWeights } from "../lib/models/init_weights.ts";
import { encodeSafetensors, readSafetensors } from "../lib/models/safetensors.ts";
import { readPytorchBin } from "../lib/models/pytorch_bin.ts";
import { referenceLogits } from "../lib/models/reference.ts";

const time = async <T>(f: () => T | Promise<T>): Promise<[T, number]> => {
  const t0 = performance.now();
  const v = await f();
  return [v, (performance.now() - t0) / 1000];
};

const config = createConfig({
  family: "bert",
  hiddenSize: 384,
  numLayers: 6,
  numHeads: 12,
  intermediateSize: 1536,
});
const [tensors, tInit] = await time(() => initWeights(config, 0));
const params = [...tensors.values()].reduce((a, t) => a + t.data.length, 0);
const [bytes, tEnc] = await time(() => encodeSafetensors(tensors));
const [, tDec] = await time(() => readSafetensors(bytes));
const mb = bytes.length / 2 ** 20;
console.log(`parameters: ${(params / 1e6).toFixed(1)} M (${mb.toFixed(0)} MiB)`);
console.log(`initWeights: ${tInit.toFixed(2)} s`);
console.log(`encodeSafetensors: ${tEnc.toFixed(3)} s (${(mb / tEnc).toFixed(0)} MiB/s)`);
console.log(`readSafetensors: ${tDec.toFixed(3)} s (${(mb / tDec).toFixed(0)} MiB/s)`);

const dir = await Deno.makeTempDir();
try {
  await Deno.writeFile(`${dir}/model.safetensors`, bytes);
  const script = `
import json, struct, time, torch
raw = open("${dir}/model.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
h = json.loads(raw[8:8 + n])
sd = {k: torch.frombuffer(bytearray(raw[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]), dtype=torch.float32).reshape(v["shape"]) for k, v in h.items() if k != "__metadata__"}
torch.save(sd, "${dir}/pytorch_model.bin")
t = time.perf_counter(); torch.load("${dir}/pytorch_model.bin"); print(time.perf_counter() - t)
`;
  const out = await new Deno.Command("/usr/bin/python3", { args: ["-c", script] }).output();
  if (out.success) {
    const tTorch = Number(new TextDecoder().decode(out.stdout).trim());
    const bin = await Deno.readFile(`${dir}/pytorch_model.bin`);
    const [, tBin] = await time(() => readPytorchBin(bin));
    console.log(
      `readPytorchBin: ${tBin.toFixed(3)} s; torch.load: ${tTorch.toFixed(3)} s; ratio ${
        (tBin / tTorch).toFixed(1)
      }x`,
    );
  } else {
    console.log("python3-torch not available: pytorch_model.bin comparison skipped");
  }
} finally {
  await Deno.remove(dir, { recursive: true });
}

const small = createConfig({
  family: "bert",
  hiddenSize: 128,
  numLayers: 2,
  numHeads: 2,
  intermediateSize: 512,
  vocabSize: 30522,
});
const w = initWeights(small, 1);
const ids = Array.from(
  { length: 16 },
  (_, b) => Array.from({ length: 64 }, (_, t) => (b * 64 + t) % 30522),
);
const [, tRef] = await time(() => referenceLogits(small, w, ids));
console.log(`referenceLogits 2x128 BERT, 16 x 64 tokens: ${tRef.toFixed(2)} s`);
