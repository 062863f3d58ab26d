/**
 * Tag logic above the ground floor: repair of invalid sequences, label lists (a tag's id
 * is its position) and Viterbi decoding under tag-bigram probabilities. The schemes, tag
 * parsing and spans-to-tags conversion themselves are in lib/core.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelList, repairTags } from "./mod.ts";
 * assert.deepEqual(labelList(["PER"], "IOB2"), ["O", "B-PER", "I-PER"]);
 * assert.deepEqual(repairTags(["O", "I-PER", "I-PER"], "IOB2").tags, ["O", "B-PER", "I-PER"]);
 * ```
 *
 * @module
 */
export { repairTags, type TagChange } from "./repair.ts";
export { labelIndex, labelList, labelsOf } from "./labels.ts";
export { estimateTransitions, type TagTransitions, viterbiPath } from "./viterbi.ts";
