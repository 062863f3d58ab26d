/**
 * Tests of lib/models/pytorch_bin.ts. The fixture tests/fixtures/models/tiny_pytorch_model.bin
 * was written by tools/make_pytorch_bin.py with torch 1.13 (`torch.save` of an
 * OrderedDict); the expected values below are the formulas in that script. The hostile files
 * are built here, byte by byte: a pickle of the opcodes torch.save writes (protocol 2) and a
 * zip from fflate, patched where a lying zip is wanted.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
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

// ---- hostile checkpoints, built by hand ----

const enc = new TextEncoder();
const u32le = (n: number) => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
const str = (s: string) => [0x58, ...u32le(enc.encode(s).length), ...enc.encode(s)];
const glob = (module: string, name: string) => [0x63, ...enc.encode(`${module}\n${name}\n`)];
const tuple = (...items: number[][]) => [0x28, ...items.flat(), 0x74];
/** An int as LONG1 with 16 bytes (two's complement), or a float as BINFLOAT. */
function num(x: number | bigint): number[] {
  if (typeof x === "number" && !Number.isInteger(x)) {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x);
    return [0x47, ...b];
  }
  let v = BigInt.asUintN(128, BigInt(x));
  const out = [0x8a, 16];
  for (let i = 0; i < 16; i++, v >>= 8n) out.push(Number(v & 255n));
  return out;
}

type Spec = {
  name: string;
  size: (number | bigint)[];
  stride: (number | bigint)[];
  offset?: number | bigint;
  storage?: { module?: string; type?: string; key?: string; numel: number | bigint };
};

/** The pickle torch.save writes for a dict of `_rebuild_tensor_v2` calls. */
function statePickle(specs: Spec[]): Uint8Array {
  const out = [0x80, 0x02, 0x7d, 0x28]; // PROTO 2, EMPTY_DICT, MARK
  for (const t of specs) {
    const s = t.storage ?? { numel: 4 };
    const pid = tuple(
      str("storage"),
      glob(s.module ?? "torch", s.type ?? "FloatStorage"),
      str(s.key ?? "0"),
      str("cpu"),
      num(s.numel),
    );
    out.push(...str(t.name), ...glob("torch._utils", "_rebuild_tensor_v2"));
    out.push(0x28, ...pid, 0x51, ...num(t.offset ?? 0)); // MARK, persistent id, BINPERSID
    out.push(...tuple(...t.size.map(num)), ...tuple(...t.stride.map(num)), 0x89);
    out.push(...glob("collections", "OrderedDict"), 0x29, 0x52, 0x74, 0x52); // (), REDUCE
  }
  out.push(0x75, 0x2e); // SETITEMS, STOP
  return new Uint8Array(out);
}

const f32 = (...xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

/** A checkpoint zip: data.pkl stored, storages stored or deflated (`level`). */
function checkpoint(specs: Spec[], storages: Record<string, Uint8Array>, level = 0): Uint8Array {
  const files: Record<string, [Uint8Array, { level: 0 | 9 }]> = {
    "archive/data.pkl": [statePickle(specs), { level: 0 }],
  };
  for (const [k, v] of Object.entries(storages)) files[`archive/data/${k}`] = [v, { level: 0 }];
  for (const k of Object.keys(storages)) files[`archive/data/${k}`][1].level = level as 0 | 9;
  return zipSync(files);
}

/** Overwrite a 32-bit field of the central directory entry named `name` (APPNOTE 4.3.12). */
function patchCentral(zip: Uint8Array, name: string, field: "csize" | "usize", value: number) {
  const dv = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const want = enc.encode(name);
  for (let p = 0; p + 46 < zip.length; p++) {
    if (dv.getUint32(p, true) !== 0x02014b50 || dv.getUint16(p + 28, true) !== want.length) {
      continue;
    }
    if (want.every((b, i) => zip[p + 46 + i] === b)) {
      dv.setUint32(p + (field === "csize" ? 20 : 24), value, true);
      return zip;
    }
  }
  throw new Error(`no central directory entry ${name}`);
}

/**
 * A stored zip written with zip64 records, as torch writes past 4 GiB: sizes and offsets of
 * 0xffffffff in the headers and the real ones in the zip64 extra field (APPNOTE 4.5.3), and
 * the zip64 end of central directory record and locator (4.3.14, 4.3.15). Python's zipfile
 * lists such a file with the same names, sizes and offsets (CRCs are left 0 here).
 */
function zip64(files: Record<string, Uint8Array>): Uint8Array {
  const u16 = (n: number) => [n & 255, n >>> 8];
  const u64 = (n: number) => [...u32le(n % 2 ** 32), ...u32le(Math.floor(n / 2 ** 32))];
  const [out, central]: number[][] = [[], []];
  const full = u32le(0xffffffff);
  for (const [name, data] of Object.entries(files)) {
    const [nm, offset, sizes] = [enc.encode(name), out.length, [
      ...u64(data.length),
      ...u64(data.length),
    ]];
    out.push(
      ...u32le(0x04034b50),
      ...u16(45),
      0,
      0,
      0,
      0,
      ...u32le(0),
      ...u32le(0),
      ...full,
      ...full,
    );
    out.push(...u16(nm.length), ...u16(20), ...nm, ...u16(1), ...u16(16), ...sizes, ...data);
    central.push(...u32le(0x02014b50), ...u16(45), ...u16(45), 0, 0, 0, 0, ...u32le(0));
    central.push(...u32le(0), ...full, ...full, ...u16(nm.length), ...u16(28), 0, 0, 0, 0, 0, 0);
    central.push(...u32le(0), ...full, ...nm, ...u16(1), ...u16(24), ...sizes, ...u64(offset));
  }
  const [n, at] = [Object.keys(files).length, out.length];
  out.push(...central, ...u32le(0x06064b50), ...u64(44), ...u16(45), ...u16(45), ...u32le(0));
  out.push(...u32le(0), ...u64(n), ...u64(n), ...u64(central.length), ...u64(at));
  out.push(...u32le(0x07064b50), ...u32le(0), ...u64(at + central.length), ...u32le(1));
  out.push(...u32le(0x06054b50), 0, 0, 0, 0, 255, 255, 255, 255, ...full, ...full, 0, 0);
  return new Uint8Array(out);
}

Deno.test("a zip64 checkpoint reads as the plain zip of the same files", () => {
  const specs: Spec[] = [{ name: "w", size: [2, 2], stride: [1, 2] }];
  const files = { "archive/data.pkl": statePickle(specs), "archive/data/0": f32(1, 2, 3, 4) };
  const t = readPytorchBin(zip64(files), "z64.bin");
  assert.deepEqual([...t.get("w")!.data], [1, 3, 2, 4]);
  assert.deepEqual(t, readPytorchBin(zipSync(files, { level: 0 }), "z.bin"));
});

Deno.test("a hand-built checkpoint reads as torch.load would (checks the builders)", () => {
  const specs: Spec[] = [
    { name: "w", size: [2, 2], stride: [2, 1] },
    { name: "t", size: [2, 2], stride: [1, 2] },
    { name: "ids", size: [2], stride: [1], storage: { type: "LongStorage", key: "1", numel: 2 } },
  ];
  const ids = new Uint8Array(new BigInt64Array([-3n, 5n]).buffer);
  const t = readPytorchBin(checkpoint(specs, { "0": f32(1, 2, 3, 4), "1": ids }, 9), "h.bin");
  assert.deepEqual([...t.get("w")!.data], [1, 2, 3, 4]);
  assert.deepEqual([...t.get("t")!.data], [1, 3, 2, 4]);
  assert.deepEqual([...t.get("ids")!.data], [-3, 5]);
});

Deno.test("a stride-0 view too large to be a weight is refused before anything is allocated", () => {
  // The 547-byte file of issue 18: (32768, 32768) with stride (0, 0) over 4 floats ran 99 s
  // and allocated ~8 GiB. 2^30 float32 elements are 4 GiB; 8 x 16 bytes + 64 MiB allowed.
  const bomb = checkpoint([{ name: "w", size: [32768, 32768], stride: [0, 0] }], {
    "0": f32(1, 2, 3, 4),
  });
  assert.throws(
    () => parsePytorchBin(bomb, "bomb.bin"),
    /^Error: bomb\.bin: tensor "w": size \(32768, 32768\) with stride \(0, 0\) from offset 0 has more than 16777248 elements/,
  );
  // A size of 2^40 with stride 0 likewise; with stride 1 it reads past its storage.
  const big = (stride: number) =>
    checkpoint([{ name: "x", size: [2 ** 40], stride: [stride] }], { "0": f32(1, 2, 3, 4) });
  assert.throws(() => parsePytorchBin(big(0), "b.bin"), /b\.bin: tensor "x": .* has more than/);
  assert.throws(
    () => parsePytorchBin(big(1), "b.bin"),
    /b\.bin: tensor "x": size \(1099511627776\) .* reads up to element 1099511627775 of storage 0, which holds 4$/,
  );
  // Tied views of one storage: each within bounds, but all together past the limit (the
  // fifth tensor of 4 MiB elements makes 80 MiB from 16 bytes of storage).
  const tied = [0, 1, 2, 3, 4].map((i) => ({ name: `t${i}`, size: [1 << 22], stride: [0] }));
  assert.throws(
    () => parsePytorchBin(checkpoint(tied, { "0": f32(1, 2, 3, 4) }), "tied.bin"),
    /tied\.bin: tensor "t4": the tensors up to this one unpack to 83886080 bytes, more than 8 times the 16 bytes/,
  );
});

Deno.test("negative, fractional and huge sizes, strides and offsets name the tensor", () => {
  const one = (t: Partial<Spec>) =>
    parsePytorchBin(
      checkpoint([{ name: "enc.w", size: [2], stride: [1], ...t }], { "0": f32(1, 2, 3, 4) }),
      "n.bin",
    );
  const notCount = /n\.bin: tensor "enc\.w": .*not a non-negative integer below 2\^53/;
  assert.throws(() => one({ size: [-4] }), notCount);
  assert.throws(() => one({ size: [2, -4], stride: [1, 1] }), /size \(2, -4\) has an entry/);
  assert.throws(() => one({ stride: [-1] }), /stride \(-1\) has an entry/);
  assert.throws(() => one({ offset: -1 }), /storage offset -1 is not/);
  assert.throws(() => one({ size: [1.5] }), notCount);
  assert.throws(() => one({ size: [2n ** 70n] }), /size \(1180591620717411303424\)/);
  assert.throws(() => one({ stride: [1, 1] }), /n\.bin: tensor "enc\.w": 1 sizes but 2 strides/);
  assert.throws(() => one({ offset: 3 }), /from offset 3 reads up to element 4 of storage 0/);
  assert.throws(
    () => one({ storage: { numel: -1 } }),
    /tensor "enc\.w": the element count of storage 0 -1 is not/,
  );
  // Empty tensors read nothing, wherever they point (as torch allows).
  assert.deepEqual(one({ size: [0, 5], stride: [9, 9], offset: 99 }).get("enc.w")?.shape, [0, 5]);
});

Deno.test("broadcast views (stride 0) come out repeated", () => {
  const specs: Spec[] = [
    // BERT's position_ids: arange(4).expand((1, -1)) has stride (0, 1).
    { name: "position_ids", size: [1, 4], stride: [0, 1] },
    { name: "rows", size: [3, 2], stride: [0, 1], offset: 2 },
    { name: "cols", size: [2, 3], stride: [1, 0] },
    { name: "fill", size: [1024, 1024], stride: [0, 0], offset: 3 },
  ];
  const t = readPytorchBin(checkpoint(specs, { "0": f32(0, 1, 2, 3) }), "p.bin");
  assert.deepEqual([...t.get("position_ids")!.data], [0, 1, 2, 3]);
  assert.deepEqual([...t.get("rows")!.data], [2, 3, 2, 3, 2, 3]);
  assert.deepEqual([...t.get("cols")!.data], [0, 0, 0, 1, 1, 1]);
  const fill = t.get("fill")!.data;
  assert.equal(fill.length, 1 << 20);
  assert.ok(fill.every((x) => x === 3));
});

/** The bytes of a strided view, one element at a time, straight from the definition. */
function naiveView(src: Uint8Array, es: number, v: Spec): Uint8Array {
  const size = v.size.map(Number);
  const n = size.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n * es);
  for (let i = 0; i < n; i++) {
    let [rest, at] = [i, Number(v.offset ?? 0)];
    for (let d = size.length - 1; d >= 0; d--) {
      at += (rest % size[d]) * Number(v.stride[d]);
      rest = Math.floor(rest / size[d]);
    }
    out.set(src.subarray(at * es, (at + 1) * es), i * es);
  }
  return out;
}

Deno.test("any view either comes out as its definition says or fails naming the tensor", () => {
  const types = [["FloatStorage", 4], ["HalfStorage", 2], ["LongStorage", 8], ["ByteStorage", 1]];
  const view = fc.record({
    dims: fc.array(fc.record({ size: fc.nat(4), stride: fc.nat(5) }), { maxLength: 4 }),
    offset: fc.nat(6),
    numel: fc.integer({ min: 1, max: 40 }),
    type: fc.constantFrom(...types),
    seed: fc.nat(255),
  });
  fc.assert(
    fc.property(view, ({ dims, offset, numel, type: [type, es], seed }) => {
      const data = Uint8Array.from({ length: numel * Number(es) }, (_, i) => (i * 37 + seed) & 255);
      const spec: Spec = {
        name: "v",
        size: dims.map((d) => d.size),
        stride: dims.map((d) => d.stride),
        offset,
        storage: { type: String(type), numel },
      };
      const bin = checkpoint([spec], { "0": data });
      const last = dims.reduce((a, d) => a + (d.size - 1) * d.stride, offset);
      if (dims.some((d) => d.size === 0) || last < numel) {
        const got = parsePytorchBin(bin, "v.bin").get("v")!;
        assert.deepEqual(got.shape, spec.size);
        assert.deepEqual(got.bytes, naiveView(data, Number(es), spec));
      } else {
        assert.throws(() => parsePytorchBin(bin, "v.bin"), /v\.bin: tensor "v": .* reads up to/);
      }
    }),
    { numRuns: 400 },
  );
});

Deno.test("zip entries unpack to no more than the pickle claims, naming file and entry", () => {
  const w: Spec[] = [{ name: "w", size: [4], stride: [1] }];
  // The zip bomb: 8 MiB of zeros deflate to a few KiB; the pickle claims 16 bytes.
  const bomb = checkpoint(w, { "0": new Uint8Array(8 << 20) }, 9);
  assert.ok(bomb.length < 20_000);
  assert.throws(
    () => parsePytorchBin(bomb, "z.bin"),
    /^Error: z\.bin: tensor "w": zip entry archive\/data\/0 unpacks to 8388608 bytes, but the pickle says storage 0 holds 4 F32 elements \(16 bytes\)$/,
  );
  // The same bomb declaring 16 bytes: inflation stops at the 17th.
  assert.throws(
    () => parsePytorchBin(patchCentral(bomb, "archive/data/0", "usize", 16), "z.bin"),
    /^Error: z\.bin: tensor "w": zip entry archive\/data\/0 inflates to more than the 16 bytes it declares$/,
  );
  // Declaring more than deflate can give from so few bytes.
  const claimsBig = checkpoint([{ ...w[0], storage: { numel: 1 << 28 } }], {
    "0": new Uint8Array(8 << 20),
  }, 9);
  assert.throws(
    () => parsePytorchBin(patchCentral(claimsBig, "archive/data/0", "usize", 2 ** 30), "z.bin"),
    /z\.bin: tensor "w": zip entry archive\/data\/0 declares 1073741824 bytes from \d+, more than deflate gives/,
  );
  // A short deflate stream: fewer bytes than declared.
  const short = checkpoint(w, { "0": f32(1, 2, 3) }, 9);
  assert.throws(
    () => parsePytorchBin(patchCentral(short, "archive/data/0", "usize", 16), "z.bin"),
    /zip entry archive\/data\/0 inflates to 12 bytes but declares 16/,
  );
  // A stored entry whose two sizes disagree.
  const stored = patchCentral(
    checkpoint(w, { "0": f32(1, 2, 3, 4) }),
    "archive/data/0",
    "usize",
    8,
  );
  assert.throws(
    () => parsePytorchBin(patchCentral(stored, "archive/data/0", "csize", 16), "z.bin"),
    /zip entry archive\/data\/0 unpacks to 8 bytes, but the pickle says/,
  );
  const storedLie = checkpoint([{ ...w[0], storage: { numel: 8 } }], { "0": f32(1, 2, 3, 4) });
  assert.throws(
    () => parsePytorchBin(patchCentral(storedLie, "archive/data/0", "usize", 32), "z.bin"),
    /zip entry archive\/data\/0 is stored but declares 16 bytes stored, 32 unpacked/,
  );
  // A stored entry declaring more bytes than the file holds.
  assert.throws(
    () => parsePytorchBin(patchCentral(storedLie, "archive/data/0", "csize", 1 << 30), "z.bin"),
    /z\.bin: cannot unzip \(byte \d+ \+ 1073741824 is past the end; truncated file\?\)/,
  );
  // data.pkl itself: at most 64 MiB.
  const pkl = patchCentral(
    checkpoint(w, { "0": f32(1, 2, 3, 4) }),
    "archive/data.pkl",
    "usize",
    2 ** 27,
  );
  assert.throws(
    () => parsePytorchBin(pkl, "z.bin"),
    /archive\/data\.pkl unpacks to 134217728 bytes/,
  );
});

Deno.test("storage types are looked up as own names: constructor and toString are refused", () => {
  for (const type of ["constructor", "toString", "__proto__", "hasOwnProperty"]) {
    const bin = checkpoint([{ name: "w", size: [4], stride: [1], storage: { type, numel: 4 } }], {
      "0": f32(1, 2, 3, 4),
    });
    assert.throws(
      () => parsePytorchBin(bin, "p.bin"),
      new RegExp(`p\\.bin: refusing to load global "torch\\.${type}"`),
    );
  }
  // A storage type from another module in the persistent id.
  const storage = { module: "collections", type: "OrderedDict", numel: 4 };
  const other = checkpoint([{ name: "w", size: [4], stride: [1], storage }], { "0": f32(1) });
  assert.throws(
    () => parsePytorchBin(other, "p.bin"),
    /p\.bin: persistent id is not a \('storage', torch\.<type>Storage/,
  );
});
