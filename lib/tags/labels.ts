/**
 * The label vocabulary of a token classifier: the tags of a scheme for a set of entity
 * labels, in a fixed order, so that a tag's id is its position in the list. `"O"` is
 * always id 0; then, for each entity label in the order given, the scheme's prefixes
 * in the order B, I, E, S (IOB1/IOB2: B, I; IOE1/IOE2: I, E; IOBES: B, I, E, S;
 * BILOU: B, I, L, U). This is the order of Hugging Face `id2label` maps built the
 * same way; the list is what a checkpoint's `config.json` should store.
 *
 * @module
 */

import type { Doc } from "../core/types.ts";
import type { Scheme } from "../core/scheme.ts";
import { ALLOWED_PREFIXES } from "../core/prefix.ts";

/**
 * The tags of `scheme` for the entity `labels`, `"O"` first: a tag's id is its index.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelList } from "./labels.ts";
 * assert.deepEqual(labelList(["ORG", "PERSON"], "IOB2"), [
 *   "O", "B-ORG", "I-ORG", "B-PERSON", "I-PERSON",
 * ]);
 * assert.deepEqual(labelList(["ORG"], "BILOU"), ["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG"]);
 * ```
 */
export function labelList(labels: readonly string[], scheme: Scheme): string[] {
  const seen = new Set<string>();
  for (const label of labels) {
    if (label === "" || /\s/.test(label)) {
      throw new Error(`label ${JSON.stringify(label)} is empty or contains white space`);
    }
    if (seen.has(label)) throw new Error(`label ${JSON.stringify(label)} is listed twice`);
    seen.add(label);
  }
  const prefixes = ALLOWED_PREFIXES[scheme].filter((p) => p !== "O");
  return ["O", ...labels.flatMap((label) => prefixes.map((p) => `${p}-${label}`))];
}

/**
 * Tag to id map of a label list (ids are positions); repeated tags are an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelIndex } from "./labels.ts";
 * assert.equal(labelIndex(["O", "B-ORG", "I-ORG"]).get("I-ORG"), 2);
 * ```
 */
export function labelIndex(list: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  list.forEach((tag, i) => {
    if (index.has(tag)) throw new Error(`tag ${JSON.stringify(tag)} is listed twice`);
    index.set(tag, i);
  });
  return index;
}

/**
 * The distinct entity labels of a corpus, sorted (the usual input of {@link labelList}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelsOf } from "./labels.ts";
 * const doc = { id: "d", text: "Ann at NIH", spans: [{ start: 7, end: 10, label: "ORG" },
 *   { start: 0, end: 3, label: "PERSON" }] };
 * assert.deepEqual(labelsOf([doc]), ["ORG", "PERSON"]);
 * ```
 */
export function labelsOf(docs: readonly Doc[]): string[] {
  return [...new Set(docs.flatMap((d) => d.spans.map((s) => s.label)))].sort();
}
