/**
 * The safetensors format (`model.safetensors` and sharded
 * `model.safetensors.index.json`), read and written as the Python `safetensors` package
 * does: an 8-byte little-endian header length, a JSON header mapping each tensor name to
 * `{dtype, shape, data_offsets}` (offsets relative to the byte buffer after the header)
 * plus an optional `__metadata__` of strings, the header padded with spaces to a multiple
 * of 8 bytes, then the tensors' bytes back to back with no holes.
 *
 * Reading decodes F32, F16, BF16, F64 and the integer and boolean types to float32;
 * {@link parseSafetensors} keeps the raw bytes, so a parse-encode round trip is bit exact.
 * As the Rust crate's `SafeTensors::deserialize` does, the header is checked
 * before any tensor is touched: known dtypes only (looked up as own keys, so `constructor`
 * is not one), shapes whose byte count is exact and fits the data, offsets that tile the
 * data with no overlap, hole or tail.
 *
 * @module
 */

import { type HostTensor, numel, type TensorMap } from "./host_tensor.ts";

/**
 * The dtypes of the safetensors format this module knows.
 */
export type Dtype = "F64" | "F32" | "F16" | "BF16" | "I64" | "I32" | "I16" | "I8" | "U8" | "BOOL";

/**
 * A tensor as stored: dtype, shape and its little-endian bytes.
 */
export type RawTensor = { dtype: Dtype; shape: number[]; bytes: Uint8Array };

/**
 * A parsed safetensors file: its `__metadata__` and its raw tensors in file order.
 */
export type SafetensorsFile = { metadata: Record<string, string>; tensors: Map<string, RawTensor> };

/** Bytes per element; read with `Object.hasOwn` first, as names come from untrusted headers. */
const DTYPE_SIZE: Record<Dtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** Typed arrays read the files' little-endian bytes as they are only on a little-endian host. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

function needLittleEndian(caller: string): void {
  if (!LITTLE_ENDIAN) {
    throw new Error(`${caller}: safetensors data is little-endian and this host is big-endian`);
  }
}

/**
 * Bytes per element of a dtype.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dtypeSize } from "./safetensors.ts";
 * assert.equal(dtypeSize("BF16"), 2);
 * assert.equal(dtypeSize("F32"), 4);
 * ```
 */
export function dtypeSize(dtype: Dtype): number {
  return DTYPE_SIZE[dtype];
}

/**
 * Parse the bytes of a safetensors file, checking the header: a clear error names `file`
 * for a truncated file, a bad header, an unknown dtype, or offsets out of bounds,
 * overlapping, leaving holes or not matching the shape.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSafetensors, parseSafetensors } from "./safetensors.ts";
 * const w = { shape: [2], data: new Float32Array([1, 2]) };
 * const bytes = encodeSafetensors(new Map([["w", w]]));
 * const f = parseSafetensors(bytes, "model.safetensors");
 * assert.deepEqual(f.metadata, { format: "pt" });
 * const raw = f.tensors.get("w")!;
 * assert.deepEqual([raw.dtype, raw.shape, raw.bytes.length], ["F32", [2], 8]);
 * assert.throws(() => parseSafetensors(bytes.subarray(0, 4), "model.safetensors"),
 *   /model\.safetensors: truncated \(4 bytes; the header length needs 8\)/);
 * ```
 */
export function parseSafetensors(bytes: Uint8Array, file = "model.safetensors"): SafetensorsFile {
  if (bytes.length < 8) {
    throw new Error(`${file}: truncated (${bytes.length} bytes; the header length needs 8)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) {
    throw new Error(
      `${file}: truncated or not safetensors (header length ${n} but only ${
        bytes.length - 8
      } bytes follow)`,
    );
  }
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new Error(`${file}: header is not valid JSON (${(e as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    throw new Error(`${file}: header is not a JSON object`);
  }
  const data = bytes.subarray(8 + n);
  const metadata: Record<string, string> = {};
  const entries: [string, RawTensor, number, number][] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof info !== "object" || info === null || Array.isArray(info)) {
        throw new Error(`${file}: __metadata__ must be an object of strings`);
      }
      for (const [k, v] of Object.entries(info)) {
        if (typeof v !== "string") throw new Error(`${file}: __metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof t !== "object" || t === null) {
      throw new Error(`${file}: tensor "${name}": header entry is not an object`);
    }
    if (typeof t.dtype !== "string" || !Object.hasOwn(DTYPE_SIZE, t.dtype)) {
      throw new Error(
        `${file}: tensor "${name}": unsupported dtype ${JSON.stringify(t.dtype)} (known: ${
          Object.keys(DTYPE_SIZE).join(", ")
        })`,
      );
    }
    const dtype = t.dtype as Dtype;
    if (
      !Array.isArray(t.shape) ||
      !t.shape.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0)
    ) {
      throw new Error(`${file}: tensor "${name}": bad shape ${JSON.stringify(t.shape)}`);
    }
    const off = t.data_offsets;
    if (
      !Array.isArray(off) || off.length !== 2 ||
      !off.every((d) => typeof d === "number" && Number.isSafeInteger(d) && d >= 0) ||
      off[1] < off[0]
    ) {
      throw new Error(`${file}: tensor "${name}": bad data_offsets ${JSON.stringify(off)}`);
    }
    const [begin, end] = off as [number, number];
    const shape = t.shape as number[];
    // Counted in bytes and stopped before it is no longer exact (a shape product overflows).
    let want = shape.includes(0) ? 0 : DTYPE_SIZE[dtype];
    for (const d of shape) {
      want *= d;
      if (want > Number.MAX_SAFE_INTEGER) {
        throw new Error(
          `${file}: tensor "${name}": ${dtype} ${JSON.stringify(shape)} needs more than 2^53 bytes`,
        );
      }
    }
    if (end - begin !== want) {
      throw new Error(
        `${file}: tensor "${name}": data_offsets [${begin}, ${end}] hold ${
          end - begin
        } bytes but ${dtype} ${JSON.stringify(shape)} needs ${want}`,
      );
    }
    if (end > data.length) {
      throw new Error(
        `${file}: tensor "${name}": data_offsets end ${end} is past the end of the data (${data.length} bytes; truncated file?)`,
      );
    }
    entries.push([name, { dtype, shape, bytes: data.subarray(begin, end) }, begin, end]);
  }
  const sorted = [...entries].sort((a, b) => a[2] - b[2] || a[3] - b[3]);
  let pos = 0;
  for (const [name, , begin, end] of sorted) {
    if (begin < pos) throw new Error(`${file}: tensor "${name}": data overlaps another tensor`);
    if (begin > pos) throw new Error(`${file}: tensor "${name}": hole in the data before it`);
    pos = end;
  }
  if (pos !== data.length) {
    throw new Error(`${file}: ${data.length - pos} bytes after the last tensor are not described`);
  }
  const tensors = new Map<string, RawTensor>();
  for (const [name, raw] of entries) tensors.set(name, raw);
  return { metadata, tensors };
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/**
 * Decode a raw tensor to float32 (F16 and BF16 exactly; F64 and 64-bit integers rounded).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeTensor } from "./safetensors.ts";
 * // 1 in BF16 is 0x3f80 (the top half of float32 0x3f800000), in F16 0x3c00; little-endian.
 * const bf16 = decodeTensor({ dtype: "BF16", shape: [1], bytes: new Uint8Array([0x80, 0x3f]) });
 * const f16 = decodeTensor({ dtype: "F16", shape: [1], bytes: new Uint8Array([0x00, 0x3c]) });
 * assert.deepEqual([bf16.data, f16.data], [new Float32Array([1]), new Float32Array([1])]);
 * ```
 */
export function decodeTensor(raw: RawTensor): HostTensor {
  needLittleEndian("decodeTensor");
  const n = numel(raw.shape);
  const b = raw.bytes;
  if (raw.dtype === "F32" && b.byteOffset % 4 === 0) {
    return { shape: [...raw.shape], data: new Float32Array(b.buffer, b.byteOffset, n).slice() };
  }
  const out = new Float32Array(n);
  const copy = b.slice().buffer;
  switch (raw.dtype) {
    case "F32":
      out.set(new Float32Array(copy));
      break;
    case "F64":
      out.set(new Float64Array(copy));
      break;
    case "F16": {
      const h = new Uint16Array(copy);
      for (let i = 0; i < n; i++) out[i] = halfToFloat(h[i]);
      break;
    }
    case "BF16": {
      const h = new Uint16Array(copy);
      const u = new Uint32Array(out.buffer);
      for (let i = 0; i < n; i++) u[i] = h[i] << 16;
      break;
    }
    case "I64": {
      const b = new BigInt64Array(copy);
      for (let i = 0; i < n; i++) out[i] = Number(b[i]);
      break;
    }
    case "I32":
      out.set(new Int32Array(copy));
      break;
    case "I16":
      out.set(new Int16Array(copy));
      break;
    case "I8":
      out.set(new Int8Array(copy));
      break;
    case "U8":
    case "BOOL":
      out.set(new Uint8Array(copy));
      break;
  }
  return { shape: [...raw.shape], data: out };
}

/**
 * Read the bytes of a safetensors file into float32 tensors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSafetensors, readSafetensors } from "./safetensors.ts";
 * const tensors = new Map([["classifier.bias", { shape: [2], data: new Float32Array([1, 2]) }]]);
 * assert.deepEqual(readSafetensors(encodeSafetensors(tensors)), tensors);
 * ```
 */
export function readSafetensors(bytes: Uint8Array, file = "model.safetensors"): TensorMap {
  needLittleEndian("readSafetensors");
  const parsed = parseSafetensors(bytes, file);
  const out: TensorMap = new Map();
  for (const [name, raw] of parsed.tensors) out.set(name, decodeTensor(raw));
  return out;
}

function isRaw(t: HostTensor | RawTensor): t is RawTensor {
  return Object.hasOwn(t, "dtype");
}

/**
 * Encode tensors as a safetensors file: float32 {@link HostTensor}s as F32, {@link RawTensor}s
 * as they are; `__metadata__` is `{"format": "pt"}` plus `metadata`. Tensors are laid out in
 * the map's order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeSafetensors } from "./safetensors.ts";
 * const w = { shape: [2], data: new Float32Array([1, 2]) };
 * const bytes = encodeSafetensors(new Map([["w", w]]));
 * const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
 * const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
 * assert.deepEqual(header, { __metadata__: { format: "pt" },
 *   w: { dtype: "F32", shape: [2], data_offsets: [0, 8] } });
 * assert.equal(bytes.length, 8 + headerLength + 8); // two float32s after the header
 * ```
 */
export function encodeSafetensors(
  tensors: Map<string, HostTensor | RawTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  needLittleEndian("encodeSafetensors");
  const header: Record<string, unknown> = { __metadata__: { format: "pt", ...metadata } };
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__") throw new Error(`encodeSafetensors: "__metadata__" is reserved`);
    let dtype: Dtype;
    let bytes: Uint8Array;
    if (isRaw(t)) {
      dtype = t.dtype;
      bytes = t.bytes;
    } else {
      dtype = "F32";
      bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    }
    const want = numel(t.shape) * DTYPE_SIZE[dtype];
    if (bytes.length !== want) {
      throw new Error(
        `encodeSafetensors: tensor "${name}" has ${bytes.length} bytes but shape ${
          JSON.stringify(t.shape)
        } ${dtype} needs ${want}`,
      );
    }
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] };
    parts.push(bytes);
    offset += bytes.length;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const p of parts) {
    out.set(p, pos);
    pos += p.length;
  }
  return out;
}

/**
 * The JSON of a sharded checkpoint's `model.safetensors.index.json`.
 */
export type ShardIndex = { metadata: { total_size: number }; weight_map: Record<string, string> };

/**
 * Split tensors into shards of at most `maxShardBytes` of data each (a tensor bigger than
 * that gets a shard of its own), named `model-00001-of-0000N.safetensors` as transformers
 * names them, with the index to write as `model.safetensors.index.json`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeShards } from "./safetensors.ts";
 * const t = { shape: [4], data: new Float32Array(4) }; // 16 bytes
 * const { index, shards } = encodeShards(new Map([["a", t], ["b", t], ["c", t]]), 32);
 * assert.deepEqual(index, { metadata: { total_size: 48 }, weight_map: {
 *   a: "model-00001-of-00002.safetensors",
 *   b: "model-00001-of-00002.safetensors",
 *   c: "model-00002-of-00002.safetensors",
 * } });
 * assert.deepEqual([...shards.keys()], ["model-00001-of-00002.safetensors",
 *   "model-00002-of-00002.safetensors"]);
 * ```
 */
export function encodeShards(
  tensors: TensorMap,
  maxShardBytes: number,
): { index: ShardIndex; shards: Map<string, Uint8Array> } {
  const groups: TensorMap[] = [];
  let size = 0;
  let total = 0;
  for (const [name, t] of tensors) {
    const b = t.data.byteLength;
    if (groups.length === 0 || (size + b > maxShardBytes && size > 0)) {
      groups.push(new Map());
      size = 0;
    }
    groups[groups.length - 1].set(name, t);
    size += b;
    total += b;
  }
  const pad = (i: number) => String(i).padStart(5, "0");
  const shards = new Map<string, Uint8Array>();
  const weightMap: Record<string, string> = {};
  groups.forEach((g, i) => {
    const file = `model-${pad(i + 1)}-of-${pad(groups.length)}.safetensors`;
    shards.set(file, encodeSafetensors(g));
    for (const name of g.keys()) weightMap[name] = file;
  });
  return { index: { metadata: { total_size: total }, weight_map: weightMap }, shards };
}

/**
 * Read a sharded checkpoint from `dir`: the index (default `model.safetensors.index.json`)
 * and every shard it names, checking each listed tensor is in its shard.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeShards, readShardedSafetensors } from "./safetensors.ts";
 * const tensors = new Map([["a", { shape: [2], data: new Float32Array([1, 2]) }],
 *   ["b", { shape: [1], data: new Float32Array([3]) }]]);
 * const dir = await Deno.makeTempDir();
 * const { index, shards } = encodeShards(tensors, 8); // a shard each
 * for (const [name, bytes] of shards) await Deno.writeFile(`${dir}/${name}`, bytes);
 * await Deno.writeTextFile(`${dir}/model.safetensors.index.json`, JSON.stringify(index));
 * assert.deepEqual(await readShardedSafetensors(dir), tensors);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readShardedSafetensors(
  dir: string,
  indexFile = "model.safetensors.index.json",
): Promise<TensorMap> {
  needLittleEndian("readShardedSafetensors");
  const path = `${dir}/${indexFile}`;
  let index: ShardIndex;
  try {
    index = JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new Error(`${path}: cannot read the shard index (${(e as Error).message})`);
  }
  if (typeof index?.weight_map !== "object" || index.weight_map === null) {
    throw new Error(`${path}: field "weight_map" is missing`);
  }
  const files = [...new Set(Object.values(index.weight_map))];
  const out: TensorMap = new Map();
  for (const f of files) {
    if (typeof f !== "string" || f.includes("/") || f.includes("\\")) {
      throw new Error(`${path}: shard name ${JSON.stringify(f)} is not a plain file name`);
    }
    const shardPath = `${dir}/${f}`;
    const tensors = readSafetensors(await Deno.readFile(shardPath), shardPath);
    for (const [name, t] of tensors) out.set(name, t);
  }
  for (const [name, f] of Object.entries(index.weight_map)) {
    if (!out.has(name)) throw new Error(`${path}: tensor "${name}" is not in shard ${f}`);
  }
  return out;
}
