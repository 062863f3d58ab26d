/**
 * Tests of lib/models/pytorch_bin.ts. The fixture tests/fixtures/models/tiny_pytorch_model.bin
 * was written by tools/make_pytorch_bin.py with torch 1.13 (`torch.save` of an
 * OrderedDict); the expected values below are the formulas in that script.
 */
import assert from "node:assert/strict";
import { zipSync } from "fflate";
import { parsePytorchBin, readPytorchBin } from "../../lib/models/pytorch_bin.ts";
import { encodeSafetensors, parseSafetensors } from "../../lib/models/safetensors.ts";

const fixture = new URL("../fixtures/models/tiny_pytorch_model.bin", import.meta.url).pathname;

Deno.test("readPytorchBin rebuilds every tensor of a torch.save state dict", async () => {
  const t = readPytorchBin(await Deno.readFile(fixture), fixture);
  assert.deepEqual([...t.keys()], [
    "a.weight",
    "a.bias",
    "half",
    "bf16",
    "double",
    "ids",
    "t.weight",
    "tied",
    "slice",
    "scalar",
    "flag",
  ]);
  const a = [0, 1, 2, 3, 4, 5].map((i) => i / 4 - 0.5);
  assert.deepEqual(t.get("a.weight")?.shape, [2, 3]);
  assert.deepEqual([...t.get("a.weight")!.data], a);
  assert.deepEqual([...t.get("a.bias")!.data], [1.5, -2.25, Math.fround(1e-3)]);
  assert.deepEqual([...t.get("half")!.data], [0.5, -1, 65504, 2 ** -24]);
  assert.deepEqual([...t.get("bf16")!.data], [1, -3.140625]);
  assert.deepEqual([...t.get("double")!.data], [Math.fround(0.1), -Infinity]);
  assert.deepEqual([...t.get("ids")!.data], [0, 7, -5]);
  // The transpose: a non-contiguous view comes out contiguous.
  assert.deepEqual(t.get("t.weight")?.shape, [3, 2]);
  assert.deepEqual([...t.get("t.weight")!.data], [a[0], a[3], a[1], a[4], a[2], a[5]]);
  assert.deepEqual([...t.get("tied")!.data], a);
  assert.deepEqual([...t.get("slice")!.data], [a[4], a[5]]);
  assert.deepEqual(t.get("scalar"), { shape: [], data: new Float32Array([42]) });
  assert.deepEqual([...t.get("flag")!.data], [1, 0]);
});

Deno.test("pytorch_model.bin -> safetensors -> parse keeps dtypes and bytes", async () => {
  const raw = parsePytorchBin(await Deno.readFile(fixture), fixture);
  assert.equal(raw.get("half")?.dtype, "F16");
  assert.equal(raw.get("bf16")?.dtype, "BF16");
  assert.equal(raw.get("ids")?.dtype, "I64");
  const back = parseSafetensors(encodeSafetensors(raw)).tensors;
  for (const [name, r] of raw) {
    const b = back.get(name)!;
    assert.equal(b.dtype, r.dtype, name);
    assert.deepEqual(b.shape, r.shape, name);
    assert.deepEqual([...b.bytes], [...r.bytes], name);
  }
});

function zipPickle(pickle: number[] | Uint8Array): Uint8Array {
  return zipSync({
    "archive/data.pkl": new Uint8Array(pickle),
    "archive/version": new Uint8Array([51, 10]),
  }, { level: 0 });
}

Deno.test("a pickle that calls anything but tensor rebuilders is refused", () => {
  // pickle.dumps of a call to os.system, protocol 0 style GLOBAL + REDUCE.
  const evil = new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR.");
  assert.throws(
    () => parsePytorchBin(zipPickle(evil), "evil.bin"),
    /evil.bin: refusing to load global "os.system"/,
  );
  const builtins = [0x80, 0x02, ...new TextEncoder().encode("cbuiltins\neval\n.")];
  assert.throws(
    () => parsePytorchBin(zipPickle(builtins), "e.bin"),
    /refusing to load global "builtins.eval"/,
  );
  // INST (0x69) is not an opcode torch.save writes.
  assert.throws(
    () => parsePytorchBin(zipPickle([0x80, 0x02, 0x69]), "i.bin"),
    /opcode 0x69 at byte 2/,
  );
});

Deno.test("broken files give clear errors", async () => {
  const bytes = await Deno.readFile(fixture);
  assert.throws(() => parsePytorchBin(bytes.subarray(0, 1000), "cut.bin"), /cut.bin: cannot unzip/);
  assert.throws(() => parsePytorchBin(new Uint8Array([1, 2, 3, 4]), "x.bin"), /x.bin: not a zip/);
  assert.throws(() => parsePytorchBin(new Uint8Array([0x80, 0x02, 0x8a]), "old.bin"), /legacy/);
  // A state dict whose value is not a tensor: {"a": 1}
  const notTensor = [0x80, 0x02, 0x7d, 0x58, 1, 0, 0, 0, 0x61, 0x4b, 1, 0x73, 0x2e];
  assert.throws(
    () => parsePytorchBin(zipPickle(notTensor), "n.bin"),
    /entry "a" of the state dict is not a tensor/,
  );
});
