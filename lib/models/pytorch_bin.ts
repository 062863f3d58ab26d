/**
 * `pytorch_model.bin` (PyTorch's zip format since 1.6, as `torch.save` writes a state dict)
 * read without running any code: a safe pickle reader that interprets only the opcodes
 * `torch.save` emits and only the globals that rebuild tensors
 * (`torch._utils._rebuild_tensor_v2`, `_rebuild_tensor`, `_rebuild_parameter`, the
 * `torch.*Storage` types, `collections.OrderedDict`); any other global or opcode is refused
 * with an error naming the file. Tensors may be views (strides, storage offsets, shared
 * storages); they come out contiguous. Values match `torch.load` (checked against a fixture
 * written by `tools/make_pytorch_bin.py`).
 *
 * A hostile file cannot make the reader work or allocate much beyond its own size:
 * - the zip is read from its central directory (PKWARE's APPNOTE.TXT 6.3: 4.3.12 entries,
 *   4.3.14-4.3.16 end records, 4.5.3 zip64 sizes); only stored and deflated entries, whose
 *   declared sizes must agree (a stored entry's two sizes are equal, a deflated one declares
 *   no more than deflate's 1032:1 can give) and whose inflation stops at the first byte past
 *   the declared size; `data.pkl` may unpack to at most 64 MiB;
 * - each storage's entry must unpack to exactly the bytes the pickle claims for it (its
 *   numel times its element size), checked before it is unpacked;
 * - before any storage is unpacked, every tensor is checked against its storage: size,
 *   stride and offset are non-negative integers, and the last element a non-empty tensor
 *   reads, offset + sum((size_i - 1) * stride_i), lies inside the storage;
 * - a view may repeat elements (a stride-0 broadcast such as BERT's `position_ids`, stride
 *   (0, 1)), so tensors can hold more than their storages, but all the tensors of a file
 *   together may unpack to at most 8 times the bytes of their storages plus 64 MiB (a
 *   state dict of weights, tied weights and slices stays far below that);
 * - views are copied run by run (`TypedArray.set` for contiguous runs, `copyWithin`
 *   doubling for stride 0); only a run with a stride other than 0 or 1 (a transpose) is
 *   copied element by element, over typed arrays.
 *
 * @module
 */

import { Inflate } from "../deps/fflate.ts";
import type { TensorMap } from "./host_tensor.ts";
import { decodeTensor, type Dtype, dtypeSize, type RawTensor } from "./safetensors.ts";

type Global = { kind: "global"; module: string; name: string };
type Tuple = { kind: "tuple"; items: Value[] };
type Dict = { kind: "dict"; map: Map<string | number, Value> };
/** A storage as its persistent id names it; `numel` is checked when a tensor uses it. */
type Storage = { kind: "storage"; dtype: Dtype; key: string; numel: Value };
/** A `_rebuild_tensor` call; its numbers are checked, naming the tensor, before use. */
type TensorRef = { kind: "tensor"; storage: Storage; offset: Value; size: Value; stride: Value };
type Mark = { kind: "mark" };
type Value =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Value[]
  | Global
  | Tuple
  | Dict
  | Storage
  | TensorRef
  | Mark;

/** The storage types of `torch`, a Map so that no inherited name (`constructor`) is one. */
const STORAGES = new Map<string, Dtype>([
  ["FloatStorage", "F32"],
  ["HalfStorage", "F16"],
  ["BFloat16Storage", "BF16"],
  ["DoubleStorage", "F64"],
  ["LongStorage", "I64"],
  ["IntStorage", "I32"],
  ["ShortStorage", "I16"],
  ["CharStorage", "I8"],
  ["ByteStorage", "U8"],
  ["BoolStorage", "BOOL"],
]);

const REBUILDERS = new Set([
  "torch._utils._rebuild_tensor_v2",
  "torch._utils._rebuild_tensor",
  "torch._utils._rebuild_parameter",
  "collections.OrderedDict",
]);

function isObj<K extends string>(v: Value, kind: K): v is Extract<Value, { kind: K }> {
  return typeof v === "object" && v !== null && !Array.isArray(v) &&
    !(v instanceof Uint8Array) && (v as { kind: string }).kind === kind;
}

/** A count or index: a non-negative integer below 2^53 (LONG1 gives bigints only beyond). */
function count(v: Value, what: string, where: string): number {
  if (typeof v === "number" && Number.isSafeInteger(v) && v >= 0) return v;
  const shown = typeof v === "bigint" || typeof v === "number" ? String(v) : typeof v;
  throw new Error(`${where}: ${what} ${shown} is not a non-negative integer below 2^53`);
}

function counts(v: Value, what: string, where: string): number[] {
  if (!isObj(v, "tuple")) throw new Error(`${where}: ${what} is not a tuple`);
  const shown = v.items.map((x) => typeof x === "number" || typeof x === "bigint" ? x : typeof x);
  if (!v.items.every((x) => typeof x === "number" && Number.isSafeInteger(x) && x >= 0)) {
    throw new Error(
      `${where}: ${what} (${
        shown.join(", ")
      }) has an entry that is not a non-negative integer below 2^53`,
    );
  }
  return v.items as number[];
}

/**
 * Interpret the pickle of `data.pkl`, refusing everything but the tensor-rebuilding subset.
 */
function unpickle(bytes: Uint8Array, file: string): Value {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const latin1 = new TextDecoder("latin1");
  const utf8 = new TextDecoder("utf-8");
  const stack: Value[] = [];
  const memo = new Map<number, Value>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new Error(`${file}: data.pkl is truncated at byte ${pos}`);
  };
  const u8 = () => {
    need(1);
    return bytes[pos++];
  };
  const u16 = () => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = () => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const take = (n: number) => {
    need(n);
    const s = bytes.subarray(pos, pos + n);
    pos += n;
    return s;
  };
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new Error(`${file}: data.pkl is truncated in a GLOBAL`);
    const s = latin1.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): Value => {
    if (stack.length === 0) throw new Error(`${file}: data.pkl pops an empty stack`);
    return stack.pop() as Value;
  };
  const popMark = (): Value[] => {
    for (let i = stack.length - 1; i >= 0; i--) {
      if (isObj(stack[i], "mark")) {
        const items = stack.splice(i);
        items.shift();
        return items;
      }
    }
    throw new Error(`${file}: data.pkl has no MARK to pop to`);
  };
  const dictKey = (k: Value): string | number => {
    if (typeof k === "string" || typeof k === "number") return k;
    throw new Error(`${file}: data.pkl has a dictionary key that is not a string or number`);
  };
  const global = (module: string, name: string): Global => {
    const full = `${module}.${name}`;
    if (module === "torch" && STORAGES.has(name)) return { kind: "global", module, name };
    if (REBUILDERS.has(full)) return { kind: "global", module, name };
    throw new Error(
      `${file}: refusing to load global "${full}": only tensors, storages and OrderedDicts are allowed in a checkpoint`,
    );
  };
  const reduce = (f: Value, args: Value): Value => {
    if (!isObj(f, "global") || !isObj(args, "tuple")) {
      throw new Error(`${file}: data.pkl calls something that is not an allowed global`);
    }
    const full = `${f.module}.${f.name}`;
    const a = args.items;
    if (full === "collections.OrderedDict") {
      if (a.length !== 0) throw new Error(`${file}: OrderedDict with arguments is not supported`);
      return { kind: "dict", map: new Map() };
    }
    if (full === "torch._utils._rebuild_parameter") {
      if (!isObj(a[0], "tensor")) throw new Error(`${file}: _rebuild_parameter without a tensor`);
      return a[0];
    }
    // _rebuild_tensor(storage, offset, size, stride) and _rebuild_tensor_v2(..., requires_grad, hooks[, meta])
    if (!isObj(a[0], "storage") || a.length < 4) {
      throw new Error(`${file}: ${full} without a storage, offset, size and stride`);
    }
    return { kind: "tensor", storage: a[0], offset: a[1], size: a[2], stride: a[3] };
  };
  const setItems = (target: Value, kv: Value[]) => {
    if (!isObj(target, "dict")) throw new Error(`${file}: SETITEM on something not a dict`);
    for (let i = 0; i + 1 < kv.length; i += 2) target.map.set(dictKey(kv[i]), kv[i + 1]);
  };

  while (true) {
    const op = u8();
    switch (op) {
      case 0x80: // PROTO
        u8();
        break;
      case 0x95: // FRAME
        take(8);
        break;
      case 0x2e: // STOP
        return pop();
      case 0x28: // MARK
        stack.push({ kind: "mark" });
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push({ kind: "tuple", items: [] });
        break;
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({ kind: "dict", map: new Map() });
        break;
      case 0x74: // TUPLE
        stack.push({ kind: "tuple", items: popMark() });
        break;
      case 0x85: // TUPLE1
        stack.push({ kind: "tuple", items: [pop()] });
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        stack.push({ kind: "tuple", items: [pop(), b] });
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        stack.push({ kind: "tuple", items: [pop(), b, c] });
        break;
      }
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: { // APPEND
        const v = pop();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) throw new Error(`${file}: APPEND to something not a list`);
        list.push(v);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        const list = stack[stack.length - 1];
        if (!Array.isArray(list)) throw new Error(`${file}: APPENDS to something not a list`);
        for (const item of items) list.push(item);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(stack[stack.length - 1], [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const kv = popMark();
        setItems(stack[stack.length - 1], kv);
        break;
      }
      case 0x71: // BINPUT
        memo.set(u8(), stack[stack.length - 1]);
        break;
      case 0x72: // LONG_BINPUT
        memo.set(u32(), stack[stack.length - 1]);
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, stack[stack.length - 1]);
        break;
      case 0x68: // BINGET
      case 0x6a: { // LONG_BINGET
        const i = op === 0x68 ? u8() : u32();
        if (!memo.has(i)) throw new Error(`${file}: data.pkl reads memo ${i} before writing it`);
        stack.push(memo.get(i) as Value);
        break;
      }
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x55: // SHORT_BINSTRING
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x54: // BINSTRING
        stack.push(latin1.decode(take(u32())));
        break;
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: { // BININT
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      }
      case 0x8a: { // LONG1
        const n = u8();
        const b = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
        if (n > 0 && b[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(
          v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)
            ? Number(v)
            : v,
        );
        break;
      }
      case 0x47: { // BINFLOAT
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      }
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x63: { // GLOBAL
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") {
          throw new Error(`${file}: STACK_GLOBAL without strings`);
        }
        stack.push(global(module, name));
        break;
      }
      case 0x52: { // REDUCE
        const args = pop();
        stack.push(reduce(pop(), args));
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (
          !isObj(pid, "tuple") || pid.items.length !== 5 || pid.items[0] !== "storage" ||
          !isObj(pid.items[1], "global") || pid.items[1].module !== "torch" ||
          !STORAGES.has(pid.items[1].name)
        ) {
          throw new Error(
            `${file}: persistent id is not a ('storage', torch.<type>Storage, key, location, numel) tuple`,
          );
        }
        const key = pid.items[2];
        if (typeof key !== "string" || !/^\w+$/.test(key)) {
          throw new Error(`${file}: storage key ${JSON.stringify(key)} is not a plain name`);
        }
        const dtype = STORAGES.get(pid.items[1].name) as Dtype;
        stack.push({ kind: "storage", dtype, key, numel: pid.items[4] });
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        const target = stack[stack.length - 1];
        // A state dict's `_metadata` attribute: nothing to rebuild.
        if (!isObj(target, "dict") || !isObj(state, "dict")) {
          throw new Error(`${file}: BUILD is only allowed to set attributes of a dict`);
        }
        break;
      }
      default:
        throw new Error(
          `${file}: pickle opcode 0x${
            op.toString(16).padStart(2, "0")
          } at byte ${(pos - 1)} is not one torch.save writes for a state dict; refusing to load`,
        );
    }
  }
}

const MiB = 2 ** 20;
/** The most `data.pkl` may unpack to (a state dict of 100,000 tensors pickles to ~20 MB). */
const PICKLE_LIMIT = 64 * MiB;
/** All tensors together unpack to at most this many times the bytes of their storages... */
const VIEW_FACTOR = 8;
/** ...plus this, so that small broadcast views of a tiny model are allowed. */
const VIEW_SLACK = 64 * MiB;
/** Deflate's largest expansion: a 258-byte match coded in 2 bits. */
const DEFLATE_RATIO = 1032;
/** Compressed bytes handed to the inflater at a time: each push gives at most ~16 MiB. */
const INFLATE_CHUNK = 1 << 14;

/** A zip entry as the central directory describes it (APPNOTE.TXT 4.3.12), and where its data starts. */
type ZipEntry = { name: string; method: number; csize: number; usize: number; start: number };

/** The entries of a zip, read from its central directory without unpacking anything. */
function zipEntries(bytes: Uint8Array, file: string): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string) => new Error(`${file}: cannot unzip (${why})`);
  const at = (pos: number, n: number) => {
    if (pos + n > bytes.length) throw bad(`byte ${pos} + ${n} is past the end; truncated file?`);
    return pos;
  };
  const u16 = (p: number) => view.getUint16(at(p, 2), true);
  const u32 = (p: number) => view.getUint32(at(p, 4), true);
  const u64 = (p: number) => {
    const v = view.getBigUint64(at(p, 8), true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw bad(`the number at byte ${p} is too large`);
    return Number(v);
  };
  let eocd = -1; // end of central directory record (4.3.16), before a comment of < 64 KiB
  for (let p = bytes.length - 22; p >= 0 && p >= bytes.length - 22 - 0xffff; p--) {
    if (view.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw bad("no end of central directory record; truncated file?");
  let entryCount = u16(eocd + 10);
  let p = u32(eocd + 16);
  if (entryCount === 0xffff || p === 0xffffffff) { // zip64 locator (4.3.15) and record (4.3.14)
    if (eocd < 20 || u32(eocd - 20) !== 0x07064b50) throw bad("no zip64 locator");
    const record = u64(eocd - 12);
    if (u32(record) !== 0x06064b50) throw bad("no zip64 end of central directory record");
    entryCount = u64(record + 32);
    p = u64(record + 48);
  }
  const utf8 = new TextDecoder();
  const entries = new Map<string, ZipEntry>();
  for (let i = 0; i < entryCount; i++) {
    if (u32(p) !== 0x02014b50) throw bad(`no central directory entry ${i} at byte ${p}`);
    const [flags, method] = [u16(p + 8), u16(p + 10)];
    let [csize, usize, local] = [u32(p + 20), u32(p + 24), u32(p + 42)];
    const [n, m, k] = [u16(p + 28), u16(p + 30), u16(p + 32)];
    const name = utf8.decode(bytes.subarray(at(p + 46, n), p + 46 + n));
    const extraEnd = at(p + 46 + n, m) + m;
    for (let e = p + 46 + n; e + 4 <= extraEnd; e += 4 + u16(e + 2)) {
      if (u16(e) !== 1) continue; // zip64 extended information (4.5.3), fields in this order
      let q = e + 4;
      if (usize === 0xffffffff) [usize, q] = [u64(q), q + 8];
      if (csize === 0xffffffff) [csize, q] = [u64(q), q + 8];
      if (local === 0xffffffff) local = u64(q);
    }
    if (flags & 1) throw bad(`entry ${name} is encrypted`);
    if (entries.has(name)) throw bad(`entry ${name} appears twice`);
    if (u32(local) !== 0x04034b50) throw bad(`entry ${name} has no local header at byte ${local}`);
    const start = local + 30 + u16(local + 26) + u16(local + 28);
    at(start, csize);
    entries.set(name, { name, method, csize, usize, start });
    p = extraEnd + k;
  }
  return entries;
}

/** The bytes of a zip entry: never more than it declares, and exactly that many. */
function unpack(bytes: Uint8Array, e: ZipEntry, file: string, tensor?: string): Uint8Array {
  const where = `${file}: ${tensor === undefined ? "" : `tensor "${tensor}": `}zip entry ${e.name}`;
  const data = bytes.subarray(e.start, e.start + e.csize);
  if (e.method === 0) {
    if (e.csize === e.usize) return data;
    throw new Error(`${where} is stored but declares ${e.csize} bytes stored, ${e.usize} unpacked`);
  }
  if (e.method !== 8) {
    throw new Error(
      `${where} uses compression method ${e.method}; only 0 and 8 (deflate) are read`,
    );
  }
  if (e.usize > DEFLATE_RATIO * e.csize + 1024) {
    throw new Error(`${where} declares ${e.usize} bytes from ${e.csize}, more than deflate gives`);
  }
  const out = new Uint8Array(e.usize);
  let filled = 0;
  const over = new Error(`${where} inflates to more than the ${e.usize} bytes it declares`);
  const inflater = new Inflate((chunk: Uint8Array) => {
    if (filled + chunk.length > out.length) throw over;
    out.set(chunk, filled);
    filled += chunk.length;
  });
  try {
    for (let i = 0; i < data.length; i += INFLATE_CHUNK) {
      inflater.push(data.subarray(i, i + INFLATE_CHUNK), i + INFLATE_CHUNK >= data.length);
    }
  } catch (err) {
    if (err === over) throw over;
    throw new Error(`${where} cannot be inflated (${(err as Error).message})`);
  }
  if (filled !== out.length) {
    throw new Error(`${where} inflates to ${filled} bytes but declares ${e.usize}`);
  }
  return out;
}

/** A tensor checked against its storage: plain numbers, and its element count. */
type View = { offset: number; size: number[]; stride: number[]; numel: number };

/**
 * Check a tensor against its storage (`storageNumel` elements) before anything is allocated:
 * non-negative integers, and a non-empty tensor's last element inside the storage. `limit`
 * caps the element count so that the product stays an exact integer.
 */
function checkView(t: TensorRef, storageNumel: number, limit: number, where: string): View {
  const offset = count(t.offset, "storage offset", where);
  const size = counts(t.size, "size", where);
  const stride = counts(t.stride, "stride", where);
  if (size.length !== stride.length) {
    throw new Error(`${where}: ${size.length} sizes but ${stride.length} strides`);
  }
  const shape = `size (${size.join(", ")}) with stride (${
    stride.join(", ")
  }) from offset ${offset}`;
  if (size.includes(0)) return { offset, size, stride, numel: 0 };
  let last = offset; // inexact only once it is past 2^53, so past any storage
  for (let d = 0; d < size.length; d++) last += (size[d] - 1) * stride[d];
  if (last >= storageNumel) {
    throw new Error(
      `${where}: ${shape} reads up to element ${last} of storage ${t.storage.key}, which holds ${storageNumel}`,
    );
  }
  let numel = 1;
  for (const s of size) {
    numel *= s;
    if (numel > limit) {
      throw new Error(`${where}: ${shape} has more than ${limit} elements, the most allowed here`);
    }
  }
  return { offset, size, stride, numel };
}

/**
 * Copy a strided view of `src` (elements of `es` bytes) into a new contiguous array: size-1
 * dimensions dropped, dimensions that nest contiguously merged (a stride-0 tensor becomes one
 * dimension), then contiguous runs copied with `set`, stride-0 dimensions filled by doubling
 * with `copyWithin`, and only other innermost strides element by element.
 */
function gather(src: Uint8Array, es: number, v: View): Uint8Array {
  const out = new Uint8Array(v.numel * es);
  if (v.numel === 0) return out;
  const dims: [number, number][] = []; // [size, stride], outermost first
  v.size.forEach((s, d) => {
    const outer = dims[dims.length - 1];
    if (s === 1) return;
    if (outer && outer[1] === s * v.stride[d]) dims[dims.length - 1] = [outer[0] * s, v.stride[d]];
    else dims.push([s, v.stride[d]]);
  });
  if (dims.length === 0) dims.push([1, 1]);
  const unit = Math.min(es, 4);
  const words = es / unit;
  const typed = (b: Uint8Array) => {
    if (unit === 1) return b;
    if (b.byteOffset % unit !== 0) b = b.slice();
    const at = [b.buffer, b.byteOffset, b.byteLength / unit] as const;
    return unit === 2 ? new Uint16Array(...at) : new Uint32Array(...at);
  };
  let typedViews: [ReturnType<typeof typed>, ReturnType<typeof typed>] | undefined;
  const blocks = dims.map((_, k) => dims.slice(k + 1).reduce((a, [s]) => a * s, 1));
  const repeat = (at: number, block: number, times: number) => {
    const [begin, end] = [at * es, (at + block * times) * es];
    for (let done = block * es; done < end - begin; done *= 2) {
      out.copyWithin(begin + done, begin, Math.min(begin + done, end - done));
    }
  };
  const copy = (k: number, s: number, d: number): void => {
    const [n, stride] = dims[k];
    if (k < dims.length - 1) {
      if (stride === 0) {
        copy(k + 1, s, d);
        repeat(d, blocks[k], n);
      } else for (let i = 0; i < n; i++) copy(k + 1, s + i * stride, d + i * blocks[k]);
    } else if (stride === 1) {
      out.set(src.subarray(s * es, (s + n) * es), d * es);
    } else if (stride === 0) {
      out.set(src.subarray(s * es, (s + 1) * es), d * es);
      repeat(d, 1, n);
    } else {
      // Typed views made once, and only here (an unaligned storage is copied to align it).
      const [from, to] = typedViews ??= [typed(src), typed(out)];
      for (let i = 0; i < n; i++) {
        for (let w = 0; w < words; w++) {
          to[(d + i) * words + w] = from[(s + i * stride) * words + w];
        }
      }
    }
  };
  copy(0, v.offset, 0);
  return out;
}

/**
 * Parse the bytes of a `pytorch_model.bin` into raw tensors (each tensor's own dtype,
 * contiguous), in the state dict's order. `file` names the source in errors; an error about
 * a tensor names its key in the state dict too.
 *
 * @example
 * ```ts ignore
 * // A state dict saved by torch.save, e.g. a checkpoint's from the Hugging Face Hub.
 * const raw = parsePytorchBin(await Deno.readFile("pytorch_model.bin"), "pytorch_model.bin");
 * for (const [name, t] of raw) console.log(name, t.dtype, t.shape);
 * ```
 */
export function parsePytorchBin(
  bytes: Uint8Array,
  file = "pytorch_model.bin",
): Map<string, RawTensor> {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1] <= 5) {
    throw new Error(
      `${file}: this is PyTorch's legacy (pre-1.6) format; re-save it with a newer torch or convert it to safetensors`,
    );
  }
  if (bytes.length < 4 || bytes[0] !== 0x50 || bytes[1] !== 0x4b) {
    throw new Error(`${file}: not a zip archive (PyTorch >= 1.6 format expected)`);
  }
  const zip = zipEntries(bytes, file);
  const pkls = [...zip.values()].filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pkls.length !== 1) {
    throw new Error(`${file}: ${pkls.length} <archive>/data.pkl entries in the zip, 1 expected`);
  }
  const pkl = pkls[0];
  if (pkl.usize > PICKLE_LIMIT) {
    throw new Error(
      `${file}: ${pkl.name} unpacks to ${pkl.usize} bytes, more than the 64 MiB read`,
    );
  }
  const prefix = pkl.name.slice(0, -"data.pkl".length);
  const order = zip.get(`${prefix}byteorder`);
  if (
    order &&
    (order.usize > 16 || new TextDecoder().decode(unpack(bytes, order, file)).trim() !== "little")
  ) {
    throw new Error(`${file}: byteorder is not "little"; big-endian checkpoints are not supported`);
  }
  const root = unpickle(unpack(bytes, pkl, file), file);
  if (!isObj(root, "dict")) throw new Error(`${file}: the pickled object is not a state dict`);

  // Every tensor and storage is checked before any storage is unpacked.
  const storages = new Map<string, { dtype: Dtype; numel: number; entry: ZipEntry; by: string }>();
  const tensors: [string, TensorRef][] = [];
  let storageBytes = 0;
  for (const [key, t] of root.map) {
    const where = `${file}: tensor "${String(key)}"`;
    if (!isObj(t, "tensor")) {
      throw new Error(`${file}: entry "${String(key)}" of the state dict is not a tensor`);
    }
    const { key: id, dtype } = t.storage;
    const numel = count(t.storage.numel, `the element count of storage ${id}`, where);
    const seen = storages.get(id);
    if (seen && (seen.dtype !== dtype || seen.numel !== numel)) {
      throw new Error(
        `${where}: storage ${id} is ${numel} ${dtype} here but ${seen.numel} ${seen.dtype} before`,
      );
    }
    if (!seen) {
      const entry = zip.get(`${prefix}data/${id}`);
      if (!entry) throw new Error(`${where} needs storage ${id}, missing from the zip`);
      const claimed = numel * dtypeSize(dtype);
      if (entry.usize !== claimed) {
        throw new Error(
          `${where}: zip entry ${entry.name} unpacks to ${entry.usize} bytes, but the pickle says storage ${id} holds ${numel} ${dtype} elements (${claimed} bytes)`,
        );
      }
      storages.set(id, { dtype, numel, entry, by: String(key) });
      storageBytes += claimed;
    }
    tensors.push([String(key), t]);
  }
  const budget = VIEW_FACTOR * storageBytes + VIEW_SLACK;
  const views: View[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    const es = dtypeSize(t.storage.dtype);
    const where = `${file}: tensor "${name}"`;
    const v = checkView(t, storages.get(t.storage.key)!.numel, Math.floor(budget / es), where);
    total += v.numel * es;
    if (total > budget) {
      throw new Error(
        `${where}: the tensors up to this one unpack to ${total} bytes, more than ${VIEW_FACTOR} times the ${storageBytes} bytes of the storages plus 64 MiB (views that repeat elements?)`,
      );
    }
    views.push(v);
  }

  const data = new Map<string, Uint8Array>();
  for (const [id, s] of storages) data.set(id, unpack(bytes, s.entry, file, s.by));
  const out = new Map<string, RawTensor>();
  tensors.forEach(([name, t], i) => {
    const { dtype } = t.storage;
    const bytes = gather(data.get(t.storage.key)!, dtypeSize(dtype), views[i]);
    out.set(name, { dtype, shape: [...views[i].size], bytes });
  });
  return out;
}

/**
 * Read the bytes of a `pytorch_model.bin` into float32 tensors.
 *
 * @example
 * ```ts ignore
 * // A state dict saved by torch.save, e.g. a checkpoint's from the Hugging Face Hub.
 * const tensors = readPytorchBin(await Deno.readFile("pytorch_model.bin"));
 * console.log(tensors.get("classifier.weight")?.shape);
 * ```
 */
export function readPytorchBin(bytes: Uint8Array, file = "pytorch_model.bin"): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, raw] of parsePytorchBin(bytes, file)) out.set(name, decodeTensor(raw));
  return out;
}
