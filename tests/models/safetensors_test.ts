/**
 * Tests of lib/models/safetensors.ts. Files are built by hand from the format's
 * description (8-byte little-endian header length, JSON header, data); the F16 and BF16
 * bit patterns and their values come from torch 1.13
 * (`torch.tensor([1.0, -2.5, 0.1], dtype=torch.float16).view(torch.int16)` = [15360, -16128, 11878],
 * float16 0.1 = 0.0999755859375; bfloat16 0.1 = bits 15821 = 0.10009765625).
 */
import assert from "node:assert/strict";
import {
  decodeTensor,
  encodeSafetensors,
  encodeShards,
  parseSafetensors,
  type RawTensor,
  readSafetensors,
  readShardedSafetensors,
} from "../../lib/models/safetensors.ts";
import type { TensorMap } from "../../lib/models/host_tensor.ts";

function handMade(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

Deno.test("a hand-made file with F32, F16, BF16 and I64 tensors decodes to float32", () => {
  const data = new Uint8Array(8 + 6 + 2 + 16);
  const dv = new DataView(data.buffer);
  dv.setFloat32(0, 1.25, true);
  dv.setFloat32(4, -3, true);
  [15360, -16128, 11878].forEach((b, i) => dv.setInt16(8 + 2 * i, b, true));
  dv.setInt16(14, 15821, true);
  dv.setBigInt64(16, 1234567n, true);
  dv.setBigInt64(24, -2n, true);
  const file = handMade({
    b: { dtype: "F16", shape: [3], data_offsets: [8, 14] },
    a: { dtype: "F32", shape: [1, 2], data_offsets: [0, 8] },
    c: { dtype: "BF16", shape: [], data_offsets: [14, 16] },
    d: { dtype: "I64", shape: [2], data_offsets: [16, 32] },
    __metadata__: { format: "pt", note: "x" },
  }, data);
  const parsed = parseSafetensors(file);
  assert.deepEqual(parsed.metadata, { format: "pt", note: "x" });
  const t = readSafetensors(file);
  assert.deepEqual(t.get("a"), { shape: [1, 2], data: new Float32Array([1.25, -3]) });
  assert.deepEqual([...t.get("b")!.data], [1, -2.5, 0.0999755859375]);
  assert.deepEqual(t.get("c"), { shape: [], data: new Float32Array([0.10009765625]) });
  assert.deepEqual([...t.get("d")!.data], [1234567, -2]);
});

Deno.test("F16 subnormals, infinities and NaN decode exactly", () => {
  const bits = new Uint16Array([0x0001, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3bff]);
  const raw: RawTensor = { dtype: "F16", shape: [6], bytes: new Uint8Array(bits.buffer) };
  const v = [...decodeTensor(raw).data];
  assert.equal(v[0], 2 ** -24);
  assert.ok(Object.is(v[1], -0));
  assert.equal(v[2], Infinity);
  assert.equal(v[3], -Infinity);
  assert.ok(Number.isNaN(v[4]));
  assert.equal(v[5], 1 - 2 ** -11);
});

Deno.test("encode -> parse is bit exact and the header follows the format", () => {
  const special = new Float32Array([NaN, -0, 1e-45, -Infinity, 3.4028234663852886e38, 0.1]);
  const tensors: TensorMap = new Map([
    ["x.weight", { shape: [2, 3], data: special }],
    ["y", { shape: [1], data: new Float32Array([7]) }],
  ]);
  const bytes = encodeSafetensors(tensors, { step: "3" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  assert.deepEqual(header.__metadata__, { format: "pt", step: "3" });
  assert.deepEqual(header["x.weight"], { dtype: "F32", shape: [2, 3], data_offsets: [0, 24] });
  assert.deepEqual(header.y, { dtype: "F32", shape: [1], data_offsets: [24, 28] });
  assert.equal(bytes.length, 8 + n + 28);
  const back = readSafetensors(bytes);
  const a = new Uint8Array(back.get("x.weight")!.data.buffer);
  assert.deepEqual([...a], [...new Uint8Array(special.buffer)]);
  // Raw tensors of other dtypes round-trip byte for byte.
  const raw = parseSafetensors(bytes).tensors;
  raw.set("h", { dtype: "BF16", shape: [2], bytes: new Uint8Array([1, 2, 3, 4]) });
  const again = parseSafetensors(encodeSafetensors(raw)).tensors;
  assert.deepEqual([...again.get("h")!.bytes], [1, 2, 3, 4]);
  assert.deepEqual(again.get("x.weight")!.bytes, raw.get("x.weight")!.bytes);
});

Deno.test("truncated files and bad headers are rejected with the file name", () => {
  const good = encodeSafetensors(new Map([["w", { shape: [4], data: new Float32Array(4) }]]));
  assert.throws(() => parseSafetensors(good.subarray(0, 5), "m.st"), /m.st: truncated/);
  assert.throws(() => parseSafetensors(good.subarray(0, 20), "m.st"), /m.st: truncated or not/);
  assert.throws(
    () => parseSafetensors(good.subarray(0, good.length - 4), "m.st"),
    /m.st: tensor "w": data_offsets end 16 is past the end/,
  );
  const d = new Uint8Array(8);
  const bad = (h: Record<string, unknown>) => parseSafetensors(handMade(h, d), "f");
  assert.throws(() => bad({ w: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }), /needs 12/);
  assert.throws(() => bad({ w: { dtype: "Q4", shape: [2], data_offsets: [0, 8] } }), /dtype "Q4"/);
  assert.throws(() => bad({ w: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }), /hole/);
  assert.throws(
    () =>
      bad({
        a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
        b: { dtype: "F32", shape: [1], data_offsets: [4, 8] },
      }),
    /overlaps/,
  );
  assert.throws(
    () => bad({ w: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }),
    /4 bytes after/,
  );
  assert.throws(() => bad({ w: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }), /bad shape/);
  const notJson = handMade({}, d);
  notJson[8] = 0x7b + 1;
  assert.throws(() => parseSafetensors(notJson, "j"), /j: header is not valid JSON/);
});

Deno.test("sharded checkpoints: encodeShards + readShardedSafetensors round trip", async () => {
  const tensors: TensorMap = new Map();
  for (let i = 0; i < 5; i++) {
    tensors.set(`t${i}`, { shape: [3], data: new Float32Array([i, i + 0.5, -i]) });
  }
  const { index, shards } = encodeShards(tensors, 24);
  assert.deepEqual([...shards.keys()], [
    "model-00001-of-00003.safetensors",
    "model-00002-of-00003.safetensors",
    "model-00003-of-00003.safetensors",
  ]);
  assert.equal(index.metadata.total_size, 60);
  assert.equal(index.weight_map.t4, "model-00003-of-00003.safetensors");
  const dir = await Deno.makeTempDir();
  try {
    for (const [f, b] of shards) await Deno.writeFile(`${dir}/${f}`, b);
    await Deno.writeTextFile(`${dir}/model.safetensors.index.json`, JSON.stringify(index));
    const back = await readShardedSafetensors(dir);
    assert.deepEqual(back, tensors);
    index.weight_map.t9 = "model-00001-of-00003.safetensors";
    await Deno.writeTextFile(`${dir}/model.safetensors.index.json`, JSON.stringify(index));
    await assert.rejects(() => readShardedSafetensors(dir), /tensor "t9" is not in shard/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dtypes are own names of the table: constructor, toString and __proto__ are unknown", () => {
  const d = new Uint8Array(8);
  for (const dtype of ["constructor", "toString", "__proto__", "valueOf", "Q4"]) {
    assert.throws(
      () => parseSafetensors(handMade({ w: { dtype, shape: [2], data_offsets: [0, 8] } }, d), "f"),
      new RegExp(
        `^Error: f: tensor "w": unsupported dtype "${dtype}" \\(known: F64, F32, F16, BF16`,
      ),
    );
  }
});

Deno.test("shapes whose byte count overflows and offsets past 2^53 are refused", () => {
  const d = new Uint8Array(8);
  const bad = (h: Record<string, unknown>) => parseSafetensors(handMade(h, d), "f");
  // 2^40 * 2^40 * 4 bytes is not an exact double: it must not be compared as one.
  assert.throws(
    () => bad({ w: { dtype: "F32", shape: [2 ** 40, 2 ** 40], data_offsets: [0, 8] } }),
    /^Error: f: tensor "w": F32 \[1099511627776,1099511627776\] needs more than 2\^53 bytes$/,
  );
  // 2^60 + 8 rounds to 2^60 as a double; such offsets are refused, not subtracted.
  assert.throws(
    () => bad({ w: { dtype: "F32", shape: [2], data_offsets: [2 ** 60, 2 ** 60 + 8] } }),
    /f: tensor "w": bad data_offsets/,
  );
  assert.throws(
    () => bad({ w: { dtype: "F32", shape: [2 ** 53], data_offsets: [0, 8] } }),
    /bad shape/,
  );
  // An empty tensor with a huge dimension is fine: no bytes.
  const empty = { dtype: "F32", shape: [0, 2 ** 52], data_offsets: [0, 0] };
  const ok = handMade({ e: empty, w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } }, d);
  assert.deepEqual(parseSafetensors(ok).tensors.get("e")?.shape, [0, 2 ** 52]);
});

Deno.test("__metadata__ as a list is refused, not read as keys 0, 1, ...", () => {
  const file = handMade({ __metadata__: ["pt"] }, new Uint8Array(0));
  assert.throws(() => parseSafetensors(file, "m"), /^Error: m: __metadata__ must be an object/);
});
