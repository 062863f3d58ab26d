/**
 * The registry of model families: each family's record by its `model_type`, and the few
 * rules every part of the toolkit derives from a record (position ids, the position rows a
 * family never uses).
 *
 * Position ids follow transformers: `arange` for every family but those that number from
 * `padding_idx + 1` over non-padding tokens (RoBERTa's `create_position_ids_from_input_ids`).
 *
 * @module
 */

import type { ModelConfig } from "../model_config.ts";
import { BERT } from "./bert.ts";
import { DISTILBERT } from "./distilbert.ts";
import { GPT2 } from "./gpt2.ts";
import { LLAMA } from "./llama.ts";
import { MODERNBERT } from "./modernbert.ts";
import { QWEN2 } from "./qwen2.ts";
import { ROBERTA } from "./roberta.ts";
import type { FamilyRecord, ModelFamily } from "./types.ts";

/**
 * Every family the toolkit knows, by `model_type`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FAMILIES } from "./registry.ts";
 * assert.deepEqual(Object.keys(FAMILIES), [
 *   "bert",
 *   "roberta",
 *   "distilbert",
 *   "gpt2",
 *   "modernbert",
 *   "llama",
 *   "qwen2",
 * ]);
 * ```
 */
export const FAMILIES: Readonly<Record<ModelFamily, FamilyRecord>> = {
  bert: BERT,
  roberta: ROBERTA,
  distilbert: DISTILBERT,
  gpt2: GPT2,
  modernbert: MODERNBERT,
  llama: LLAMA,
  qwen2: QWEN2,
};

/**
 * Whether `name` is a known family (`model_type`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isModelFamily } from "./registry.ts";
 * assert.ok(isModelFamily("gpt2"));
 * assert.ok(!isModelFamily("toString"));
 * ```
 */
export function isModelFamily(name: unknown): name is ModelFamily {
  return typeof name === "string" && Object.hasOwn(FAMILIES, name);
}

/**
 * The record of a family, or an error listing the known ones.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { familyRecord } from "./registry.ts";
 * assert.equal(familyRecord("roberta").displayName, "RoBERTa");
 * assert.throws(() => familyRecord("t5"), /unknown model family "t5"/);
 * ```
 */
export function familyRecord(family: string): FamilyRecord {
  if (!isModelFamily(family)) {
    throw new Error(
      `familyRecord: unknown model family ${JSON.stringify(family)}; known: ${
        Object.keys(FAMILIES).join(", ")
      }`,
    );
  }
  return FAMILIES[family];
}

/**
 * The position rows a family never uses at the start of its table: `pad_token_id + 1`
 * where positions count from `padding_idx + 1` (RoBERTa), else 0.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { skippedPositions } from "./registry.ts";
 * assert.equal(skippedPositions({ family: "roberta", padTokenId: 1 }), 2);
 * assert.equal(skippedPositions({ family: "bert", padTokenId: 0 }), 0);
 * ```
 */
export function skippedPositions(config: Pick<ModelConfig, "family" | "padTokenId">): number {
  const p = familyRecord(config.family).positions;
  return p.kind === "learned" && p.offset === "padding" ? (config.padTokenId ?? 1) + 1 : 0;
}

/**
 * Position ids counted from `padding_idx + 1` over the non-padding tokens, padding at
 * `padding_idx` (transformers' `create_position_ids_from_input_ids`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { paddingOffsetPositions } from "./registry.ts";
 * assert.deepEqual(paddingOffsetPositions([0, 5, 6, 2, 1, 1], 1), [2, 3, 4, 5, 1, 1]);
 * ```
 */
export function paddingOffsetPositions(ids: readonly number[], paddingIdx: number): number[] {
  let count = 0;
  return ids.map((id) => {
    if (id === paddingIdx) return paddingIdx;
    count++;
    return count + paddingIdx;
  });
}

/**
 * The position id of each token of one row, as the family's embeddings number them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { positionIds } from "./registry.ts";
 * assert.deepEqual(positionIds({ family: "bert", padTokenId: 0 }, [101, 7, 0]), [0, 1, 2]);
 * assert.deepEqual(positionIds({ family: "roberta", padTokenId: 1 }, [0, 7, 1]), [2, 3, 1]);
 * ```
 */
export function positionIds(
  config: Pick<ModelConfig, "family" | "padTokenId">,
  ids: readonly number[],
): number[] {
  const p = familyRecord(config.family).positions;
  if (p.kind === "learned" && p.offset === "padding") {
    return paddingOffsetPositions(ids, config.padTokenId ?? 1);
  }
  return ids.map((_, t) => t);
}
