/**
 * RoBERTa as transformers' `RobertaForTokenClassification` (without the pooler): BERT's
 * layout and `config.json` keys under the `roberta` prefix, with positions numbered from
 * `padding_idx + 1` (`create_position_ids_from_input_ids`), a padding row in the position
 * table, `<s> ... </s>` and pad id 1 (`RobertaConfig`'s defaults).
 *
 * @module
 */

import { BERT, BERT_DEFAULTS, bertNames } from "./bert.ts";
import type { FamilyRecord } from "./types.ts";

/**
 * The RoBERTa family record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ROBERTA } from "./roberta.ts";
 * assert.equal(ROBERTA.defaults.padTokenId, 1);
 * ```
 */
export const ROBERTA: FamilyRecord = {
  ...BERT,
  family: "roberta",
  displayName: "RoBERTa",
  tokenClassifierClass: "RobertaForTokenClassification",
  defaults: { ...BERT_DEFAULTS, padTokenId: 1, bosTokenId: 0, eosTokenId: 2 },
  positions: { kind: "learned", offset: "padding", sinusoidal: false },
  tokenizer: { framing: "bos-eos", eosIsLastToken: false, shipped: null },
  names: bertNames("roberta"),
};
