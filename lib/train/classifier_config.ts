/**
 * What a classifier's config.json says about running it, read without a GPU or files (so
 * that a browser reading an exported model decides as `predict` does): the subtokens per
 * example its position table takes, and the tag decoding saved with it.
 *
 * @module
 */
import type { ModelConfig } from "../models/model_config.ts";
import { skippedPositions } from "../models/families/registry.ts";
import type { TagDecoding } from "../encode/align.ts";

/** config.json's key for the decoding (kept by transformers as an unknown attribute). */
export const DECODING_KEY = "ner_decoding";

/**
 * The decoding saved in a checkpoint's or export's config (`ner_decoding`), when it was made
 * for exactly these labels; the key is taken out of `config.extra` either way. A malformed
 * one is an error naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "../models/config.ts";
 * import { savedDecoding } from "./classifier_config.ts";
 * const labels = ["O", "B-ORG", "I-ORG"];
 * const config = createConfig({ family: "bert", labels });
 * config.extra.ner_decoding = { words: "first", labels, transitions: [[0, -1, -9], [0, -1, 0],
 *   [0, -1, 0], [0, -1, -9]] };
 * const decoding = savedDecoding(config, labels);
 * assert.deepEqual(decoding?.transitions?.logProbs[0], [0, -1, -9]);
 * assert.equal(config.extra.ner_decoding, undefined);
 * ```
 */
export function savedDecoding(config: ModelConfig, labels: string[]): TagDecoding | undefined {
  const saved = config.extra[DECODING_KEY] as
    | { words?: "first" | "mean"; labels?: string[]; transitions?: number[][] }
    | undefined;
  delete config.extra[DECODING_KEY];
  if (saved?.labels?.join("\n") !== labels.join("\n")) return undefined;
  if (saved.words !== undefined && saved.words !== "first" && saved.words !== "mean") {
    throw new Error(
      `config.json: ${DECODING_KEY}.words must be "first" or "mean", got ${
        JSON.stringify(saved.words)
      }`,
    );
  }
  const n = labels.length, t = saved.transitions;
  if (t && !(t.length === n + 1 && t.every((r) => r.length === n && r.every(Number.isFinite)))) {
    throw new Error(
      `config.json: ${DECODING_KEY}.transitions must be ${n + 1} rows of ${n} numbers`,
    );
  }
  return {
    words: saved.words,
    transitions: t && { labels, logProbs: t },
  };
}

/** Subtokens per example when none is asked for (a sentence or window of one). */
const DEFAULT_MAX_LENGTH = 128;

/**
 * The subtokens per example (special tokens included) to use on a model: `maxLength`
 * (default 128), but no more than its position table allows (`max_position_embeddings`,
 * GPT-2's `n_positions`, less the rows RoBERTa skips: its positions start at
 * `padding_idx + 1`). A `maxLength` asked for that is more is cut down, and `onClamp` told.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "../models/config.ts";
 * import { fitMaxLength } from "./classifier_config.ts";
 * const roberta = createConfig({ family: "roberta", maxPositions: 514, labels: ["O"] });
 * const said: string[] = [];
 * assert.equal(fitMaxLength(roberta, 1024, (m) => said.push(m)), 512);
 * assert.match(said[0], /^maxLength 1024 is more than the 512 subtokens/);
 * assert.equal(fitMaxLength(roberta, undefined, (m) => said.push(m)), 128);
 * const small = createConfig({ family: "bert", maxPositions: 64, labels: ["O"] });
 * assert.equal(fitMaxLength(small, undefined, (m) => said.push(m)), 64);
 * assert.equal(said.length, 1);
 * ```
 */
export function fitMaxLength(
  config: Pick<ModelConfig, "family" | "maxPositions" | "padTokenId">,
  maxLength: number | undefined,
  onClamp: (message: string) => void,
): number {
  const skipped = skippedPositions(config);
  const limit = config.maxPositions - skipped;
  if (maxLength === undefined) return Math.min(DEFAULT_MAX_LENGTH, limit);
  if (maxLength <= limit) return maxLength;
  onClamp(
    `maxLength ${maxLength} is more than the ${limit} subtokens the model's ` +
      `${config.maxPositions} positions take${
        skipped ? ` (the first ${skipped} are never used)` : ""
      }: using ${limit}`,
  );
  return limit;
}
