/**
 * Symmetric int8 weights for the quantised ONNX graph of lib/models/onnx.ts
 * (`onnxModel(config, tensors, { quantize: true })`, written by `exportOnnx` as
 * `onnx/model_quantized.onnx`).
 *
 * The scheme is onnxruntime's `quantize_dynamic` (the one transformers.js's `q8` /
 * `quantized: true` files come from), with its per-channel option: each linear's input is
 * quantised at run time by `DynamicQuantizeLinear` (uint8, per tensor, asymmetric, as
 * onnxruntime's default activation type), multiplied by int8 weights in `MatMulInteger`
 * (int32 sums), and the sums scaled back by `Cast` and one `Mul` by (input scale) x
 * (weight scale per output channel), the bias added after. The weights are int8,
 * symmetric (zero point 0, so `MatMulInteger` takes no weight zero point), one scale per
 * output channel: `max |w| / 127` of that channel, values rounded to nearest and kept in
 * [-127, 127]. The word embedding table is int8 too, one scale for the whole table,
 * gathered as int8 rows and dequantised by `DequantizeLinear` after the `Gather` (as
 * onnxruntime's quantised `Gather` does), so the table, most of a small model's bytes,
 * takes a quarter of its float32 size. Norms, biases, position and token-type embeddings,
 * rotary tables, ModernBERT's prediction head and the classifier stay float32; the gated
 * feed-forward layers' linears (ModernBERT's `Wi`, Llama's `gate_proj` and `up_proj`, one
 * quantised input shared) are int8 as the others.
 *
 * Why this scheme: all its operators (`DynamicQuantizeLinear`, `MatMulInteger` with uint8 x
 * int8, `DequantizeLinear` of int8, opset 17) are in onnxruntime's CPU kernels, which
 * onnxruntime-web 1.30's wasm backend compiles (tests/train/export_onnx_test.ts runs them);
 * it is what the issue asks (dynamic quantisation) and what transformers.js users get from
 * Optimum's exports; per-channel weight scales cost nothing at run time (the scale is a
 * vector in the same `Mul`) and keep a channel of small weights from being rounded to
 * zero by another channel's large ones.
 *
 * @module
 */

/** int8 values and their scales: `w ≈ values * scales[channel]`. */
export type Int8Weights = {
  /** Row-major, in the layout the weights were given in. */
  values: Int8Array;
  /** One scale per channel (per row for `axis` 0, per column for `axis` 1). */
  scales: Float32Array;
};

/**
 * Symmetric int8 quantisation of a row-major `[rows, cols]` matrix, one scale per channel
 * along `axis` (0: per row, 1: per column; `"tensor"`: one scale for all): the scale is
 * the channel's largest |w| over 127 (1 for an all-zero channel), each value
 * `round(w / scale)` within [-127, 127].
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quantizeInt8 } from "./onnx_quantize.ts";
 * const w = new Float32Array([0.5, -1, 0.25, 0.01, 0, -0.04]); // [2, 3]
 * const rows = quantizeInt8(w, 2, 3, 0);
 * assert.deepEqual([...rows.values], [64, -127, 32, 32, 0, -127]);
 * assert.deepEqual([...rows.scales], [Math.fround(1 / 127), Math.fround(0.04 / 127)]);
 * const all = quantizeInt8(w, 2, 3, "tensor");
 * assert.deepEqual([...all.values], [64, -127, 32, 1, 0, -5]);
 * const cols = quantizeInt8(w, 2, 3, 1);
 * assert.deepEqual([...cols.values], [127, -127, 127, 3, 0, -20]);
 * assert.equal(cols.scales.length, 3);
 * ```
 */
export function quantizeInt8(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  axis: 0 | 1 | "tensor",
): Int8Weights {
  if (data.length !== rows * cols) {
    throw new Error(`quantizeInt8: ${data.length} values are not [${rows}, ${cols}]`);
  }
  const channels = axis === "tensor" ? 1 : axis === 0 ? rows : cols;
  const channel = (r: number, c: number) => axis === "tensor" ? 0 : axis === 0 ? r : c;
  const max = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = channel(r, c);
      max[k] = Math.max(max[k], Math.abs(data[r * cols + c]));
    }
  }
  const scales = Float32Array.from(max, (m) => m > 0 ? m / 127 : 1);
  const values = new Int8Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const q = Math.round(data[r * cols + c] / scales[channel(r, c)]);
      values[r * cols + c] = Math.max(-127, Math.min(127, q));
    }
  }
  return { values, scales };
}
