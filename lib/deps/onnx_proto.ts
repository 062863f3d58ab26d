/**
 * onnx-proto, pinned (see arquero.ts for why lib/deps names versions): ONNX's `onnx.proto`
 * (IR version 8, ONNX 1.10) compiled by protobufjs into static encoders and decoders.
 * The package is CommonJS (`module.exports = root`), so its namespace comes through the
 * default import; its types through the named one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { onnx } from "./onnx_proto.ts";
 * const bytes = onnx.ModelProto.encode({ irVersion: 8, producerName: "nerss" }).finish();
 * assert.equal(onnx.ModelProto.decode(bytes).producerName, "nerss");
 * ```
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the pin must hold without the import map
import root from "npm:onnx-proto@8.0.1";
// deno-lint-ignore no-import-prefix -- as above
import type { onnx as types } from "npm:onnx-proto@8.0.1";

/** The `onnx` namespace: `ModelProto`, `TensorProto`, `AttributeProto`, ... */
export const onnx: typeof types = root.onnx;

/** The shapes the encoders take (`onnx.IModelProto`, ...). */
export type { types as OnnxTypes };
