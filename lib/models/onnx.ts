/**
 * A token classifier as an ONNX graph (opset 17, IR version 8): the inference forward of
 * `referenceLogits` (lib/models/reference.ts: transformers' eager `*ForTokenClassification`
 * modules, no dropout) written as ONNX nodes, with the parameters as float32 initializers
 * under transformers' tensor names, so that onnxruntime-web 1.30 (wasm backend) and
 * transformers.js run the classifier without Python. Every family of lib/models/families/
 * is expressed: BERT, RoBERTa, DistilBERT, GPT-2, ModernBERT, Llama and Qwen2.
 *
 * The graph is built from the family's record, not from its name, one function per kind
 * of block:
 * - embeddings: the word table, learned positions (numbered `0..T-1`, or from
 *   `padding_idx + 1` over non-padding tokens as RoBERTa's
 *   `create_position_ids_from_input_ids`), token types, the embedding norm;
 * - norms: `LayerNormalization` with or without bias, or `LlamaRMSNorm` spelled out
 *   (`x * 1 / sqrt(mean(x^2) + eps) * weight`: opset 17 has no RMS norm);
 * - linears: `nn.Linear` (`Gemm` with `transB`) or `Conv1D` storage, biases as the record
 *   says;
 * - rotary positions (rotate-half, positions `0..T-1` of each row, padding or not, on every
 *   query and key head, the base of the layer: ModernBERT's local layers have their own):
 *   cos and sin tables `[max positions, head / 2]` per base, stored as initializers and
 *   sliced to `T`, with the numbers of lib/gpu/reference/rotary.ts (angles in float32 as
 *   transformers). Tables rather than `Cos`/`Sin` in the graph: the same numbers on every
 *   execution provider (WGSL's `cos` has no accuracy promise away from `[-pi, pi]`, the
 *   reason the toolkit's own kernel reads a host table too), for `maxPositions * headDim *
 *   4` bytes per base (2 MiB for ModernBERT-base's or SmolLM2's 8192 x 64);
 * - attention: scaled dot products with grouped key/value heads repeated per group
 *   (`repeat_kv`: `Expand` of each key/value head), the additive key mask as transformers
 *   adds it, `(1 - mask) * finfo(float32).min`, and float32's minimum in place of it where
 *   a key follows the query (causal: GPT-2, Llama, Qwen2) or lies beyond
 *   `floor(local_attention / 2)` of it (ModernBERT's local layers);
 * - feed-forward: the configuration's activation between two linears (exact GELU through
 *   `Erf`, the tanh form through `Tanh`), or gated (GeGLU, SwiGLU: `act(first half or
 *   gate) * (second half or up)`);
 * - after the blocks: the final norm, ModernBERT's prediction head (dense, activation, norm)
 *   and the classifier.
 * Inputs are `input_ids`, `attention_mask` and, where the family has token types,
 * `token_type_ids` (int64, dynamic `batch_size` and `sequence_length`); the output is
 * `logits` `[batch_size, sequence_length, labels]` in float32, as Optimum's
 * token-classification export names them.
 *
 * With `quantize`, the same graph is written with int8 dynamic quantisation (the scheme
 * and why: lib/models/onnx_quantize.ts): each block's linears (the gated feed-forward's
 * too) as `DynamicQuantizeLinear` + `MatMulInteger` on int8 weights, the word table int8
 * through `DequantizeLinear` after its `Gather`; the rest float32.
 *
 * Tested in onnxruntime-web 1.30 (wasm): tests/models/onnx_test.ts against PyTorch's
 * logits of every family's fixture (tests/fixtures/models/, written by
 * tools/reference_logits.py) and against `referenceLogits` on padded batches;
 * tests/train/export_onnx_test.ts against the GPU model's logits on GROBID test statements.
 *
 * @module
 */

import type { Activation, ModelConfig } from "./config.ts";
import type { HostTensor, TensorMap } from "./host_tensor.ts";
import { familyRecord } from "./families/registry.ts";
import { parameterShapes } from "./layout.ts";
import { loadOnnx, type OnnxTypes } from "../deps/onnx_proto.ts";
import { quantizeInt8 } from "./onnx_quantize.ts";
import { rotaryTable } from "../gpu/reference/rotary.ts";
import type { AttentionSpec, MlpSpec, NormSpec, PositionSpec } from "./families/types.ts";

/** The ONNX operator set the graphs use (17: the first with `LayerNormalization`). */
export const ONNX_OPSET = 17;

/** The ONNX IR version written (8, the newest `onnx-proto` 8.0.1 encodes; opset 17 needs 8). */
export const ONNX_IR_VERSION = 8;

/** torch.finfo(torch.float32).min, the mask value transformers adds. */
const F32_MIN = -3.4028234663852886e38;

// onnx.proto's TensorProto.DataType and AttributeProto.AttributeType numbers (fixed by the
// format; tests/models/onnx_test.ts reads them back through onnx-proto's decoder)
const FLOAT = 1, INT8 = 3, INT64 = 7;
const ATTRIBUTE = { FLOAT: 1, INT: 2, INTS: 7 } as const;

/** The kinds of each part of a family record that the graph writes. */
const EXPRESSED: {
  norm: readonly NormSpec["kind"][];
  positions: readonly PositionSpec["kind"][];
  attention: readonly AttentionSpec["kind"][];
  mlp: readonly MlpSpec["kind"][];
} = {
  norm: ["layernorm", "rmsnorm"],
  positions: ["learned", "rotary"],
  attention: ["bidirectional", "causal", "local-global"],
  mlp: ["activation", "gated"],
};

/**
 * Why a model's graph cannot be written (the kinds of its family record that the graph
 * does not express), or null when it can: null for every family the toolkit has today; a
 * record with a new kind of norm, positions, attention or feed-forward is refused by name
 * until the graph writes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { onnxUnsupported } from "./onnx.ts";
 * for (const family of ["bert", "gpt2", "modernbert", "llama", "qwen2"] as const) {
 *   assert.equal(onnxUnsupported(createConfig({ family, labels: ["O"] })), null);
 * }
 * ```
 */
export function onnxUnsupported(config: ModelConfig): string | null {
  const f = familyRecord(config.family);
  const missing: string[] = [];
  if (!EXPRESSED.norm.includes(f.norm.kind)) missing.push(`${f.norm.kind} norms`);
  if (!EXPRESSED.positions.includes(f.positions.kind)) {
    missing.push(`${f.positions.kind} positions`);
  }
  if (!EXPRESSED.attention.includes(f.attention.kind)) {
    missing.push(`${f.attention.kind} attention`);
  }
  if (!EXPRESSED.mlp.includes(f.mlp.kind)) missing.push(`${f.mlp.kind} feed-forward layers`);
  if (missing.length === 0) return null;
  return `${f.displayName} models cannot be exported to ONNX yet (${missing.join(", ")})`;
}

/**
 * The graph's input names for a configuration: `input_ids`, `attention_mask` and, where
 * the family has token types, `token_type_ids`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { onnxInputNames } from "./onnx.ts";
 * assert.deepEqual(onnxInputNames(createConfig({ family: "bert", labels: ["O"] })),
 *   ["input_ids", "attention_mask", "token_type_ids"]);
 * assert.deepEqual(onnxInputNames(createConfig({ family: "distilbert", labels: ["O"] })),
 *   ["input_ids", "attention_mask"]);
 * ```
 */
export function onnxInputNames(config: ModelConfig): string[] {
  const f = familyRecord(config.family);
  const names = ["input_ids", "attention_mask"];
  if (f.tokenTypes && f.names.tokenType) names.push("token_type_ids");
  return names;
}

type Attribute = OnnxTypes.IAttributeProto;

const int = (name: string, i: number): Attribute => ({
  name,
  type: ATTRIBUTE.INT,
  i,
});
const ints = (name: string, v: number[]): Attribute => ({
  name,
  type: ATTRIBUTE.INTS,
  ints: v,
});
const float = (name: string, f: number): Attribute => ({
  name,
  type: ATTRIBUTE.FLOAT,
  f,
});

type Values = Float32Array | BigInt64Array | Int8Array;

/** Little-endian bytes of a typed array (the byte order of ONNX's `raw_data`). */
function rawBytes(data: Values): Uint8Array {
  if (data instanceof Int8Array) return new Uint8Array(data.buffer, data.byteOffset, data.length);
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

/** Nodes and initializers of a graph under construction, with unique value names. */
function graphBuilder() {
  const node: OnnxTypes.INodeProto[] = [];
  const initializer: OnnxTypes.ITensorProto[] = [];
  const constants = new Map<string, string>();
  let count = 0;
  const tensor = (name: string, dims: number[], data: Values) => {
    initializer.push({
      name,
      dims,
      dataType: data instanceof Float32Array ? FLOAT : data instanceof Int8Array ? INT8 : INT64,
      rawData: rawBytes(data),
    });
    return name;
  };
  /** A constant initializer (shared between uses); `dims` [] is a scalar. */
  const constant = (
    type: "f32" | "i64" | "i8",
    values: number[],
    dims: number[] = [values.length],
  ) => {
    const key = `${type}:${dims.join(",")}:${values.join(",")}`;
    let name = constants.get(key);
    if (!name) {
      name = `const_${type}_${constants.size}`;
      tensor(
        name,
        dims,
        type === "f32"
          ? new Float32Array(values)
          : type === "i8"
          ? new Int8Array(values)
          : BigInt64Array.from(values, BigInt),
      );
      constants.set(key, name);
    }
    return name;
  };
  /** Adds a node; its one output is `output`, or a fresh name. */
  const op = (
    opType: string,
    input: string[],
    attribute: Attribute[] = [],
    output = `${opType.toLowerCase()}_${count}`,
  ): string => {
    node.push({ opType, input, output: [output], name: `${opType}_${count++}`, attribute });
    return output;
  };
  /** Splits `v` along `axis` into parts of the given sizes (one output each). */
  const split = (v: string, sizes: number[], axis: number): string[] => {
    const id = count++;
    const output = sizes.map((_, i) => `split_${id}_${i}`);
    const input = [v, constant("i64", sizes)];
    node.push({
      opType: "Split",
      input,
      output,
      name: `Split_${id}`,
      attribute: [int("axis", axis)],
    });
    return output;
  };
  return { node, initializer, tensor, constant, op, split };
}

/** The transpose of a row-major `[rows, cols]` matrix. */
function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  }
  return out;
}

/**
 * Options of {@link onnxModel}.
 */
export type OnnxModelOptions = {
  /** int8 dynamic quantisation (lib/models/onnx_quantize.ts): the linears of the blocks
   * as `DynamicQuantizeLinear` + `MatMulInteger` on per-channel int8 weights, the word
   * embedding table int8; norms, biases, other embeddings, rotary tables, the prediction
   * head and the classifier float32. */
  quantize?: boolean;
};

/** Checks that `tensors` holds every parameter of the classifier, in its shape. */
function checkTensors(config: ModelConfig, tensors: TensorMap): void {
  for (const [name, shape] of parameterShapes(config)) {
    const t = tensors.get(name);
    if (!t) throw new Error(`onnxModel: tensor "${name}" is missing`);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new Error(
        `onnxModel: tensor "${name}" has shape ${JSON.stringify(t.shape)}, expected ${
          JSON.stringify(shape)
        }`,
      );
    }
  }
}

/**
 * The ONNX model (serialised `ModelProto`) of a token classifier in inference mode, from
 * its configuration and transformers-named parameters (e.g. `modelTensors` of a GPU model,
 * or `initWeights`). The parameters are stored as float32 initializers under their
 * transformers names.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadOnnx } from "../deps/onnx_proto.ts";
 * import { createConfig } from "./config.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { onnxModel } from "./onnx.ts";
 * const config = createConfig({ family: "bert", vocabSize: 50, hiddenSize: 8, numHeads: 2,
 *   numLayers: 1, intermediateSize: 16, maxPositions: 16, labels: ["O", "B", "I"] });
 * const bytes = await onnxModel(config, initWeights(config, 1));
 * const onnx = await loadOnnx();
 * const model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number });
 * assert.deepEqual(model.opsetImport, [{ domain: "", version: 17 }]);
 * const g = model.graph;
 * assert.deepEqual(g.input.map((i: { name: string }) => i.name),
 *   ["input_ids", "attention_mask", "token_type_ids"]);
 * assert.deepEqual(g.output[0].type.tensorType.shape.dim,
 *   [{ dimParam: "batch_size" }, { dimParam: "sequence_length" }, { dimValue: 3 }]);
 * const ops = new Set(g.node.map((n: { opType: string }) => n.opType));
 * assert.ok(ops.has("LayerNormalization") && ops.has("Erf")); // BERT's norms, its exact GELU
 * ```
 */
export async function onnxModel(
  config: ModelConfig,
  tensors: TensorMap,
  o: OnnxModelOptions = {},
): Promise<Uint8Array> {
  const reason = onnxUnsupported(config);
  if (reason) throw new Error(`onnxModel: ${reason}`);
  checkTensors(config, tensors);
  const f = familyRecord(config.family);
  const names = f.names;
  const H = config.hiddenSize;
  const I = config.intermediateSize;
  const heads = config.numHeads;
  const kvHeads = config.numKeyValueHeads;
  const d = H / heads;
  const L = config.labels.length;
  const g = graphBuilder();

  const added = new Set<string>();
  const param = (name: string): string => {
    if (!added.has(name)) {
      const t = tensors.get(name) as HostTensor;
      g.tensor(name, t.shape, t.data);
      added.add(name);
    }
    return name;
  };
  const i64 = (values: number[], dims?: number[]) => g.constant("i64", values, dims);
  const f32 = (value: number) => g.constant("f32", [value], []);

  // the int8 weights of the quantised graph (lib/models/onnx_quantize.ts): per output
  // channel for the linears, as MatMulInteger's [in, out]; one scale for the word table
  const int8 = (
    name: string,
    rows: number,
    cols: number,
    data: Float32Array,
    axis: 1 | "tensor",
  ) => {
    if (!added.has(name)) {
      const { values, scales } = quantizeInt8(data, rows, cols, axis);
      g.tensor(`${name}_quantized`, [rows, cols], values);
      g.tensor(`${name}_scale`, axis === "tensor" ? [] : [cols], scales);
      added.add(name);
    }
    return [`${name}_quantized`, `${name}_scale`];
  };
  // each linear input quantised once at run time (uint8, its scale and zero point)
  const dynamic = new Map<string, string[]>();
  const quantizedInput = (v: string) => {
    let out = dynamic.get(v);
    if (!out) {
      out = [`${v}_quantized`, `${v}_scale`, `${v}_zero_point`];
      g.node.push({
        opType: "DynamicQuantizeLinear",
        input: [v],
        output: out,
        name: `DynamicQuantizeLinear_${v}`,
      });
      dynamic.set(v, out);
    }
    return out;
  };

  // [B, T] of the ids, T as a scalar and as [T]
  const idsShape = g.op("Shape", ["input_ids"], [], "ids_shape");
  const T = g.op("Gather", [idsShape, i64([1], [])], [int("axis", 0)], "sequence_length");
  const T1 = g.op("Unsqueeze", [T, i64([0])]);
  const at = g.op("Range", [i64([0], []), T, i64([1], [])], [], "positions");

  // embeddings, then hidden states as [B * T, H] rows
  let x: string;
  if (o.quantize) {
    const w = tensors.get(names.word) as HostTensor;
    const [table, scale] = int8(names.word, w.shape[0], w.shape[1], w.data, "tensor");
    const zero = g.constant("i8", [0], []);
    x = g.op("DequantizeLinear", [g.op("Gather", [table, "input_ids"]), scale, zero]);
  } else x = g.op("Gather", [param(names.word), "input_ids"]);
  if (names.position) {
    let positions = at;
    if (f.positions.kind === "learned" && f.positions.offset === "padding") {
      const pad = i64([config.padTokenId ?? 1], []);
      const real = g.op("Cast", [g.op("Not", [g.op("Equal", ["input_ids", pad])])], [
        int("to", INT64),
      ]);
      const counts = g.op("CumSum", [real, i64([1], [])]);
      positions = g.op("Add", [g.op("Mul", [counts, real]), pad], [], "position_ids");
    }
    x = g.op("Add", [x, g.op("Gather", [param(names.position), positions])]);
  }
  if (f.tokenTypes && names.tokenType) {
    x = g.op("Add", [x, g.op("Gather", [param(names.tokenType), "token_type_ids"])]);
  }
  x = g.op("Reshape", [x, i64([-1, H])], [], "embeddings");

  // LayerNorm (its bias where the family has one), or LlamaRMSNorm:
  // x * (1 / sqrt(mean(x^2) + eps)) * weight
  const norm = (v: string, name: string) => {
    const eps = config.layerNormEps;
    if (f.norm.kind === "rmsnorm") {
      const ms = g.op("ReduceMean", [g.op("Mul", [v, v])], [
        ints("axes", [-1]),
        int("keepdims", 1),
      ]);
      const inv = g.op("Reciprocal", [g.op("Sqrt", [g.op("Add", [ms, f32(eps)])])]);
      return g.op("Mul", [g.op("Mul", [v, inv]), param(`${name}.weight`)]);
    }
    const inputs = [v, param(`${name}.weight`)];
    if (f.norm.bias) inputs.push(param(`${name}.bias`));
    return g.op("LayerNormalization", inputs, [int("axis", -1), float("epsilon", eps)]);
  };
  // a float32 linear as stored: nn.Linear [out, in] (transB) or Conv1D [in, out]
  const gemm = (v: string, name: string, bias: boolean, storage: "linear" | "conv1d") => {
    const inputs = [v, param(`${name}.weight`)];
    if (bias) inputs.push(param(`${name}.bias`));
    return g.op("Gemm", inputs, [int("transB", storage === "linear" ? 1 : 0)]);
  };
  // a block's linear: float32, or with quantize int8 weights and a dynamically quantised input
  const linear = (v: string, name: string, bias: boolean) => {
    if (!o.quantize) return gemm(v, name, bias, f.linear);
    const w = tensors.get(`${name}.weight`) as HostTensor;
    const [a, b] = w.shape;
    // MatMulInteger's weights are [in, out]: nn.Linear's [out, in] transposed
    const data = f.linear === "linear" ? transpose(w.data, a, b) : w.data;
    const [rows, cols] = f.linear === "linear" ? [b, a] : [a, b];
    const [wq, ws] = int8(`${name}.weight`, rows, cols, data, 1);
    const [xq, xs, xz] = quantizedInput(v);
    const sums = g.op("Cast", [g.op("MatMulInteger", [xq, wq, xz])], [int("to", FLOAT)]);
    const y = g.op("Mul", [sums, g.op("Mul", [xs, ws])]);
    return bias ? g.op("Add", [y, param(`${name}.bias`)]) : y;
  };
  const activation = (v: string, act: Activation) => {
    switch (act) {
      case "gelu": // 0.5 x (1 + erf(x / sqrt 2))
        return g.op("Mul", [
          g.op("Mul", [v, f32(0.5)]),
          g.op("Add", [f32(1), g.op("Erf", [g.op("Mul", [v, f32(Math.SQRT1_2)])])]),
        ]);
      case "gelu_new":
      case "gelu_pytorch_tanh": { // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        const cube = g.op("Mul", [g.op("Mul", [v, v]), v]);
        const inner = g.op("Add", [v, g.op("Mul", [cube, f32(0.044715)])]);
        const t = g.op("Tanh", [g.op("Mul", [inner, f32(Math.sqrt(2 / Math.PI))])]);
        return g.op("Mul", [g.op("Mul", [v, f32(0.5)]), g.op("Add", [f32(1), t])]);
      }
      case "relu":
        return g.op("Relu", [v]);
      case "silu":
        return g.op("Mul", [v, g.op("Sigmoid", [v])]);
    }
  };

  // rotary cos and sin of positions 0..T-1 as [1, T, 1, d / 2], one table pair per base
  const rotaryTables = new Map<number, string[]>();
  const cosSin = (theta: number): string[] => {
    let cs = rotaryTables.get(theta);
    if (!cs) {
      const P = config.maxPositions, table = rotaryTable(P, d, theta), n = rotaryTables.size;
      cs = ["cos", "sin"].map((name, k) => {
        const values = Float32Array.from({ length: P * d / 2 }, (_, i) => table[2 * i + k]);
        const rows = g.op("Slice", [
          g.tensor(`rotary_${name}_${n}`, [P, d / 2], values),
          i64([0]),
          T1,
        ]);
        return g.op("Unsqueeze", [rows, i64([0, 2])]);
      });
      rotaryTables.set(theta, cs);
    }
    return cs;
  };
  // heads [B, T, n, d] turned by their positions (rotate-half):
  // [x1 cos - x2 sin, x2 cos + x1 sin]
  const rotate = (v: string, theta: number) => {
    const [cos, sin] = cosSin(theta);
    const [x1, x2] = g.split(v, [d / 2, d / 2], -1);
    return g.op("Concat", [
      g.op("Sub", [g.op("Mul", [x1, cos]), g.op("Mul", [x2, sin])]),
      g.op("Add", [g.op("Mul", [x2, cos]), g.op("Mul", [x1, sin])]),
    ], [int("axis", -1)]);
  };

  // the additive masks [B, 1, T, T] (or [B, 1, 1, T]): 0 where a query sees a key, else
  // float32's minimum (not twice: a row with no key to see stays finite, as in transformers)
  const keep = g.op("Unsqueeze", [
    g.op("Cast", ["attention_mask"], [int("to", FLOAT)]),
    i64([1, 2]),
  ]);
  const keyMask = g.op("Mul", [g.op("Sub", [f32(1), keep]), f32(F32_MIN)], [], "key_mask");
  const query = g.op("Unsqueeze", [at, i64([1])]), key = g.op("Unsqueeze", [at, i64([0])]);
  const hide = (hidden: string, name: string) =>
    g.op("Where", [hidden, f32(F32_MIN), keyMask], [], name);
  const globalMask = f.attention.kind === "causal"
    ? hide(g.op("Greater", [key, query]), "causal_mask")
    : keyMask;
  // a layer's mask and rotary base, as transformer.ts's layerAttention: ModernBERT's local
  // layers (index not a multiple of `every`) hide keys beyond floor(window / 2)
  const local = config.localAttention;
  let localMask: string | null = null;
  const layerAttention = (l: number) => {
    if (!local || l % local.every === 0) return { mask: globalMask, theta: config.ropeTheta };
    localMask ??= hide(
      g.op("Greater", [
        g.op("Abs", [g.op("Sub", [key, query])]),
        i64([Math.floor(local.window / 2)], []),
      ]),
      "local_mask",
    );
    return { mask: localMask, theta: local.ropeTheta };
  };

  // [B * T, n * d] rows -> [B, T, n, d]
  const headShapes = new Map<number, string>();
  const toHeads = (v: string, n: number) => {
    let shape = headShapes.get(n);
    if (!shape) {
      shape = g.op("Concat", [idsShape, i64([n, d])], [int("axis", 0)], `heads_${n}_shape`);
      headShapes.set(n, shape);
    }
    return g.op("Reshape", [v, shape]);
  };
  // repeat_kv: [B, T, kvHeads, d] -> [B, T, heads, d], query head h reading kv head
  // floor(h / groups)
  const groups = heads / kvHeads;
  let repeatShape: string | null = null;
  const repeatKv = (v: string) => {
    if (groups === 1) return v;
    repeatShape ??= g.op("Concat", [idsShape, i64([kvHeads, groups, d])], [int("axis", 0)]);
    const repeated = g.op("Expand", [g.op("Unsqueeze", [v, i64([3])]), repeatShape]);
    return toHeads(repeated, heads);
  };

  const selfAttention = (h: string, l: number) => {
    const a = names.block(l).attention;
    const kvW = kvHeads * d;
    const [q, k, v] = "qkv" in a
      ? g.split(linear(h, a.qkv, f.bias.qkv), [H, kvW, kvW], 1)
      : [a.q, a.k, a.v].map((name) => linear(h, name, f.bias.qkv));
    const { mask, theta } = layerAttention(l);
    let qh = toHeads(q, heads), kh = toHeads(k, kvHeads);
    if (f.positions.kind === "rotary") [qh, kh] = [rotate(qh, theta), rotate(kh, theta)];
    // [B, T, heads, d] -> [B, heads, T, d] (keys: [B, heads, d, T])
    const scores = g.op("Mul", [
      g.op("MatMul", [
        g.op("Transpose", [qh], [ints("perm", [0, 2, 1, 3])]),
        g.op("Transpose", [repeatKv(kh)], [ints("perm", [0, 2, 3, 1])]),
      ]),
      f32(1 / Math.sqrt(d)),
    ]);
    const probs = g.op("Softmax", [g.op("Add", [scores, mask])], [int("axis", -1)]);
    const vh = g.op("Transpose", [repeatKv(toHeads(v, kvHeads))], [ints("perm", [0, 2, 1, 3])]);
    const merged = g.op("Transpose", [g.op("MatMul", [probs, vh])], [ints("perm", [0, 2, 1, 3])]);
    return g.op("Reshape", [merged, i64([-1, H])]);
  };
  // act(f1 x) then f2; gated (GeGLU, SwiGLU): act(first half or gate) * (second half or up)
  const feedForward = (h: string, l: number) => {
    const n = names.block(l);
    let inner: string;
    if (f.mlp.kind === "gated") {
      const [a, b] = typeof n.f1 === "string"
        ? g.split(linear(h, n.f1, f.bias.mlp), [I, I], 1)
        : [linear(h, n.f1.gate, f.bias.mlp), linear(h, n.f1.up, f.bias.mlp)];
      inner = g.op("Mul", [activation(a, config.activation), b]);
    } else inner = activation(linear(h, n.f1 as string, f.bias.mlp), config.activation);
    return linear(inner, n.f2, f.bias.mlp);
  };

  if (f.norm.embedding && names.embeddingNorm) x = norm(x, names.embeddingNorm);
  for (let l = 0; l < config.numLayers; l++) {
    const n = names.block(l);
    if (f.norm.placement === "pre") {
      const attn = selfAttention(n.norm1 ? norm(x, n.norm1) : x, l);
      x = g.op("Add", [x, linear(attn, n.o, f.bias.o)]);
      x = g.op("Add", [x, feedForward(norm(x, n.norm2), l)], [], `layer_${l}_output`);
    } else {
      const attn = linear(selfAttention(x, l), n.o, f.bias.o);
      const a = norm(g.op("Add", [attn, x]), n.norm1 as string);
      x = norm(g.op("Add", [feedForward(a, l), a]), n.norm2);
    }
  }
  if (f.norm.final && names.finalNorm) x = norm(x, names.finalNorm);
  if (names.head) {
    // ModernBERT's prediction head: dense (no bias), the classifier activation, norm
    const dense = gemm(x, names.head.dense, false, f.linear);
    x = norm(activation(dense, config.classifierActivation), names.head.norm);
  }
  const scores = gemm(x, names.classifier, true, "linear");
  const logitsShape = g.op("Concat", [idsShape, i64([L])], [int("axis", 0)]);
  g.op("Reshape", [scores, logitsShape], [], "logits");

  const valueInfo = (name: string, type: number, dims: (string | number)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: type,
        shape: {
          dim: dims.map((v) => typeof v === "string" ? { dimParam: v } : { dimValue: v }),
        },
      },
    },
  });
  const bt = ["batch_size", "sequence_length"];
  const model: OnnxTypes.IModelProto = {
    irVersion: ONNX_IR_VERSION,
    producerName: "nerss",
    opsetImport: [{ domain: "", version: ONNX_OPSET }],
    graph: {
      name: `${f.tokenClassifierClass}`,
      node: g.node,
      initializer: g.initializer,
      input: onnxInputNames(config).map((name) => valueInfo(name, INT64, bt)),
      output: [valueInfo("logits", FLOAT, [...bt, L])],
    },
  };
  const bytes = (await loadOnnx()).ModelProto.encode(model).finish();
  // protobufjs hands back a Node Buffer under Deno; give a plain Uint8Array
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
