/**
 * onnx-proto, pinned (see arquero.ts for why lib/deps names versions): ONNX's `onnx.proto`
 * (IR version 8, ONNX 1.10) compiled by protobufjs into static encoders and decoders.
 * The package is CommonJS (`module.exports = root`), so its namespace comes through the
 * default export, loaded when first needed; its types through the named one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadOnnx } from "./onnx_proto.ts";
 * const onnx = await loadOnnx();
 * const bytes = onnx.ModelProto.encode({ irVersion: 8, producerName: "nerss" }).finish();
 * assert.equal(onnx.ModelProto.decode(bytes).producerName, "nerss");
 * ```
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- the pin must hold without the import map
import type { onnx as types } from "npm:onnx-proto@8.0.1";

/** Not a literal in `import()`, so that Deno leaves the package out of the module graph. */
const SPECIFIER = "npm:onnx-proto@8.0.1";

let loaded: Promise<typeof types> | undefined;

/** The `onnx` namespace (`ModelProto`, `TensorProto`, `AttributeProto`, ...), loaded on first
 * use: in the module graph, protobufjs made a program that imports the toolkit from a new
 * folder print Deno's "Ignored build scripts" box, export or not. */
export function loadOnnx(): Promise<typeof types> {
  return loaded ??= import(SPECIFIER).then((m: { default: { onnx: typeof types } }) =>
    m.default.onnx
  );
}

/** The shapes the encoders take (`onnx.IModelProto`, ...). */
export type { types as OnnxTypes };
