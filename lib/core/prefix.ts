/**
 * Parsing of single tags (`O`, `B-PER`, `I-creative-work`, ...) and the prefixes each
 * tagging scheme allows. The tag is split at its first `-`, so types may contain
 * hyphens (WNUT 2017's `creative-work`); this is how seqeval 1.2.2 reads prefix tags.
 *
 * @module
 */

import type { Scheme } from "./scheme.ts";
import { CorpusError } from "./errors.ts";

/**
 * A tag prefix: the letter before the `-`, or `O` for outside.
 */
export type Prefix = "O" | "B" | "I" | "E" | "S" | "L" | "U";

/**
 * A parsed tag: its prefix and entity type (`""` for `O`).
 */
export type ParsedTag = { prefix: Prefix; type: string };

/**
 * The prefixes each scheme allows (`O` included).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ALLOWED_PREFIXES } from "./prefix.ts";
 * assert.deepEqual(ALLOWED_PREFIXES.IOBES, ["O", "B", "I", "E", "S"]);
 * ```
 */
export const ALLOWED_PREFIXES: Readonly<Record<Scheme, readonly Prefix[]>> = {
  IOB1: ["O", "B", "I"],
  IOB2: ["O", "B", "I"],
  IOE1: ["O", "I", "E"],
  IOE2: ["O", "I", "E"],
  IOBES: ["O", "B", "I", "E", "S"],
  BILOU: ["O", "B", "I", "L", "U"],
};

const PREFIXES = new Set<string>(["O", "B", "I", "E", "S", "L", "U"]);

/**
 * Parses one tag and checks that the scheme allows its prefix. Throws a
 * {@link CorpusError} carrying `index` (the tag's position) when the tag is malformed
 * (`"B"`, `"B-"`, `"O-PER"`, `"X-PER"`) or its prefix is not one of the scheme's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseTag } from "./prefix.ts";
 * assert.deepEqual(parseTag("I-creative-work", "IOB2", 3), { prefix: "I", type: "creative-work" });
 * assert.deepEqual(parseTag("O", "IOB2", 0), { prefix: "O", type: "" });
 * assert.throws(() => parseTag("S-PER", "IOB2", 4), /position 4: prefix S- is not allowed in IOB2/);
 * ```
 */
export function parseTag(tag: string, scheme: Scheme, index: number): ParsedTag {
  if (tag === "O") return { prefix: "O", type: "" };
  const dash = tag.indexOf("-");
  const head = dash < 0 ? tag : tag.slice(0, dash);
  const type = dash < 0 ? "" : tag.slice(dash + 1);
  if (!PREFIXES.has(head) || head === "O" || type === "") {
    throw new CorpusError(
      `tag ${JSON.stringify(tag)} at position ${index} is not "O" or PREFIX-TYPE`,
      { index },
    );
  }
  const prefix = head as Prefix;
  if (!ALLOWED_PREFIXES[scheme].includes(prefix)) {
    throw new CorpusError(
      `tag ${
        JSON.stringify(tag)
      } at position ${index}: prefix ${prefix}- is not allowed in ${scheme} (allowed: ${
        ALLOWED_PREFIXES[scheme].join(", ")
      })`,
      { index },
    );
  }
  return { prefix, type };
}
