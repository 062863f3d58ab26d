/**
 * Explicit repair of tag sequences that are invalid under their scheme (`I-PER` after
 * `O` in IOB2, a `B-` that never reaches an `E-` in IOBES, ...). The sequence is read
 * as conlleval reads it (the `"default"` mode of `tagsToSpans`) and rewritten in the
 * scheme's valid form, so the entities a lenient scorer sees do not change; every
 * changed tag is reported. Nothing is repaired behind the user's back: readers never
 * call this.
 *
 * @module
 */

import type { Scheme } from "../core/scheme.ts";
import { chunksToTags, lenientChunks } from "../core/convert.ts";

/**
 * One changed tag: its position, old and new tag, and why.
 */
export type TagChange = { index: number; from: string; to: string; reason: string };

const RULES: Record<Scheme, string> = {
  IOB1:
    "IOB1 tags entities I-, with B- only on a first token right after an entity of the same type",
  IOB2: "IOB2 starts every entity with B-",
  IOE1:
    "IOE1 tags entities I-, with E- only on a last token right before an entity of the same type",
  IOE2: "IOE2 ends every entity with E-",
  IOBES: "IOBES writes B- I-* E- or a lone S-",
  BILOU: "BILOU writes B- I-* L- or a lone U-",
};

function role(i: number, first: number, last: number): string {
  if (first === last) return "only token";
  if (i === first) return "first token";
  if (i === last) return "last token";
  return "inner token";
}

/**
 * Rewrites a tag sequence so that it is valid under `scheme`, keeping the entities
 * conlleval reads in it, and lists each change. A valid sequence comes back
 * unchanged with no changes. A tag whose prefix the scheme does not allow is an
 * error naming its position (it is not guessed at).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { repairTags } from "./repair.ts";
 * const { tags, changes } = repairTags(["O", "I-PER", "I-PER", "B-ORG"], "IOB2");
 * assert.deepEqual(tags, ["O", "B-PER", "I-PER", "B-ORG"]);
 * assert.deepEqual(changes, [{
 *   index: 1,
 *   from: "I-PER",
 *   to: "B-PER",
 *   reason: "first token of PER entity at tokens 1..2 is B-PER (IOB2 starts every entity with B-)",
 * }]);
 * ```
 */
export function repairTags(
  tags: readonly string[],
  scheme: Scheme,
): { tags: string[]; changes: TagChange[] } {
  const chunks = lenientChunks(tags, scheme);
  const fixed = chunksToTags(tags.length, chunks, scheme);
  const changes: TagChange[] = [];
  let k = 0;
  for (let i = 0; i < tags.length; i++) {
    if (fixed[i] === tags[i]) continue;
    while (k < chunks.length && chunks[k].last < i) k++;
    const c = chunks[k];
    // Only prefixes change: lenient chunks are re-encoded over the same tokens, and
    // an O stays O.
    const reason =
      `${role(i, c.first, c.last)} of ${c.type} entity at tokens ${c.first}..${c.last}` +
      ` is ${fixed[i]} (${RULES[scheme]})`;
    changes.push({ index: i, from: tags[i], to: fixed[i], reason });
  }
  return { tags: fixed, changes };
}
