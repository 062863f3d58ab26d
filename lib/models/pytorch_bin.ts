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
 * @module
 */

import { unzipSync } from "../deps/fflate.ts";
import type { TensorMap } from "./host_tensor.ts";
import { decodeTensor, type Dtype, dtypeSize, type RawTensor } from "./safetensors.ts";

type Global = { kind: "global"; module: string; name: string };
type Tuple = { kind: "tuple"; items: Value[] };
type Dict = { kind: "dict"; map: Map<string | number, Value> };
type Storage = { kind: "storage"; dtype: Dtype; key: string };
type TensorRef = {
  kind: "tensor";
  storage: Storage;
  offset: number;
  size: number[];
  stride: number[];
};
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

const STORAGES: Record<string, Dtype> = {
  FloatStorage: "F32",
  HalfStorage: "F16",
  BFloat16Storage: "BF16",
  DoubleStorage: "F64",
  LongStorage: "I64",
  IntStorage: "I32",
  ShortStorage: "I16",
  CharStorage: "I8",
  ByteStorage: "U8",
  BoolStorage: "BOOL",
};

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

function toInt(v: Value, what: string, file: string): number {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return Number(v);
  throw new Error(`${file}: ${what} is not an integer`);
}

function intTuple(v: Value, what: string, file: string): number[] {
  if (!isObj(v, "tuple")) throw new Error(`${file}: ${what} is not a tuple`);
  return v.items.map((x) => toInt(x, what, file));
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
    if (module === "torch" && name in STORAGES) return { kind: "global", module, name };
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
    if (!isObj(a[0], "storage")) throw new Error(`${file}: ${full} without a storage`);
    return {
      kind: "tensor",
      storage: a[0],
      offset: toInt(a[1], "storage offset", file),
      size: intTuple(a[2], "tensor size", file),
      stride: intTuple(a[3], "tensor stride", file),
    };
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
        list.push(...items);
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
          !isObj(pid, "tuple") || pid.items[0] !== "storage" || !isObj(pid.items[1], "global") ||
          !(pid.items[1].name in STORAGES)
        ) {
          throw new Error(`${file}: persistent id is not a ('storage', type, key, ...) tuple`);
        }
        const key = pid.items[2];
        if (typeof key !== "string" || !/^\w+$/.test(key)) {
          throw new Error(`${file}: storage key ${JSON.stringify(key)} is not a plain name`);
        }
        stack.push({ kind: "storage", dtype: STORAGES[pid.items[1].name], key });
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

function materialize(
  t: TensorRef,
  storages: Map<string, Uint8Array>,
  name: string,
  file: string,
): RawTensor {
  const data = storages.get(t.storage.key);
  if (!data) throw new Error(`${file}: tensor "${name}" needs storage ${t.storage.key}, missing`);
  const es = dtypeSize(t.storage.dtype);
  const n = t.size.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n * es);
  if (t.size.length !== t.stride.length) {
    throw new Error(`${file}: tensor "${name}" has ${t.size.length} sizes but strides differ`);
  }
  let contiguous = true;
  for (let d = t.size.length - 1, step = 1; d >= 0; d--) {
    if (t.size[d] !== 1 && t.stride[d] !== step) contiguous = false;
    step *= t.size[d];
  }
  if (contiguous) {
    if (t.offset < 0 || (t.offset + n) * es > data.length) {
      throw new Error(`${file}: tensor "${name}" reads past the end of storage ${t.storage.key}`);
    }
    out.set(data.subarray(t.offset * es, (t.offset + n) * es));
    return { dtype: t.storage.dtype, shape: [...t.size], bytes: out };
  }
  const idx = new Array(t.size.length).fill(0);
  for (let i = 0; i < n; i++) {
    let off = t.offset;
    for (let d = 0; d < idx.length; d++) off += idx[d] * t.stride[d];
    if (off < 0 || (off + 1) * es > data.length) {
      throw new Error(`${file}: tensor "${name}" reads past the end of storage ${t.storage.key}`);
    }
    out.set(data.subarray(off * es, (off + 1) * es), i * es);
    for (let d = idx.length - 1; d >= 0; d--) {
      if (++idx[d] < t.size[d]) break;
      idx[d] = 0;
    }
  }
  return { dtype: t.storage.dtype, shape: [...t.size], bytes: out };
}

/**
 * Parse the bytes of a `pytorch_model.bin` into raw tensors (each tensor's own dtype,
 * contiguous), in the state dict's order. `file` names the source in errors.
 *
 * @example
 * ```ts
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
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new Error(`${file}: cannot unzip (${(e as Error).message}); truncated file?`);
  }
  const pkl = Object.keys(entries).find((k) => /^[^/]+\/data\.pkl$/.test(k));
  if (!pkl) throw new Error(`${file}: no <archive>/data.pkl in the zip`);
  const prefix = pkl.slice(0, -"data.pkl".length);
  const order = entries[`${prefix}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== "little") {
    throw new Error(`${file}: big-endian checkpoints are not supported`);
  }
  const storages = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(entries)) {
    if (k.startsWith(`${prefix}data/`)) storages.set(k.slice(prefix.length + 5), v);
  }
  const root = unpickle(entries[pkl], file);
  if (!isObj(root, "dict")) throw new Error(`${file}: the pickled object is not a state dict`);
  const out = new Map<string, RawTensor>();
  for (const [name, v] of root.map) {
    if (!isObj(v, "tensor")) {
      throw new Error(`${file}: entry "${String(name)}" of the state dict is not a tensor`);
    }
    out.set(String(name), materialize(v, storages, String(name), file));
  }
  return out;
}

/**
 * Read the bytes of a `pytorch_model.bin` into float32 tensors.
 *
 * @example
 * ```ts
 * const tensors = readPytorchBin(await Deno.readFile("pytorch_model.bin"));
 * console.log(tensors.get("classifier.weight")?.shape);
 * ```
 */
export function readPytorchBin(bytes: Uint8Array, file = "pytorch_model.bin"): TensorMap {
  const out: TensorMap = new Map();
  for (const [name, raw] of parsePytorchBin(bytes, file)) out.set(name, decodeTensor(raw));
  return out;
}
