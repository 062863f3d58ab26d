/**
 * Qwen2 as transformers' `Qwen2ForTokenClassification`: Llama's record (`llama.ts`) with
 * biases on the query, key and value projections (not on `o_proj`), and without the
 * optional sliding-window layers (`use_sliding_window` must be false). Defaults are
 * `Qwen2Config`'s.
 *
 * @module
 */

import { decoderConfig, LLAMA } from "./llama.ts";
import { refuseUnlike } from "./config_reads.ts";
import type { FamilyRecord } from "./types.ts";

/**
 * The Qwen2 family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { QWEN2 } from "./qwen2.ts";
 * assert.deepEqual(QWEN2.bias, { qkv: true, o: false, mlp: false });
 * ```
 */
export const QWEN2: FamilyRecord = {
  ...LLAMA,
  family: "qwen2",
  displayName: "Qwen2",
  tokenClassifierClass: "Qwen2ForTokenClassification",
  defaults: {
    ...LLAMA.defaults,
    vocabSize: 151936,
    intermediateSize: 22016,
    maxPositions: 32768,
    bosTokenId: null,
    eosTokenId: null,
  },
  config: decoderConfig((r) => {
    refuseUnlike(r, "use_sliding_window", false, "Qwen2 is built with global attention only");
  }),
  bias: { qkv: true, o: false, mlp: false },
};
