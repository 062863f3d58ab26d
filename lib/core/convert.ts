/**
 * Conversion between character-offset entity spans and per-token tags in the six
 * schemes IOB1, IOB2, IOE1, IOE2, IOBES and BILOU.
 *
 * Decoding (`tagsToSpans`) has two modes:
 * - `"default"`: lenient, as conlleval reads tags and as seqeval 1.2.2's default mode
 *   (`get_entities`) does: an `I-` after `O` or after another type starts an entity,
 *   `B-`/`S-` always start one, `E-`/`S-` always end one, a change of type ends one.
 *   For IOB1, IOB2, IOE1, IOE2 and IOBES the entities are exactly seqeval's; for BILOU,
 *   `L-`/`U-` are read as IOBES's `E-`/`S-` (seqeval's default mode does not know them).
 * - `"strict"`: only entities whose tags are valid under the scheme count. The
 *   lenient chunks are kept when valid and dropped otherwise: IOB2 and IOBES/BILOU
 *   chunks must open with `B-` (or be a lone `S-`/`U-`) and IOBES/BILOU ones close with
 *   `E-`/`L-`; IOE2 chunks close with `E-`; an IOB1 chunk may open with `B-` only right
 *   after an entity of its type; an IOE1 chunk may close with `E-` only right before
 *   an entity of its type.
 *
 * @module
 */

import type { Range, Span } from "./types.ts";
import { CorpusError } from "./errors.ts";
import type { Scheme } from "./scheme.ts";
import { type ParsedTag, parseTag, type Prefix } from "./prefix.ts";

/**
 * An entity as a run of token positions: `first..last` inclusive.
 */
export type TokenChunk = { first: number; last: number; type: string };

function checkTokens(tokens: readonly Range[]): void {
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (!(t.start < t.end)) {
      throw new CorpusError(`token ${i} [${t.start}, ${t.end}) is empty`, { index: i });
    }
    if (i > 0 && t.start < tokens[i - 1].end) {
      throw new CorpusError(
        `token ${i} [${t.start}, ${t.end}) starts before token ${i - 1} ends (${
          tokens[i - 1].end
        }); tokens must be sorted and not overlap`,
        { index: i },
      );
    }
  }
}

/** First token index whose end is > offset (tokens sorted); tokens.length if none. */
function firstEndingAfter(tokens: readonly Range[], offset: number): number {
  let lo = 0, hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tokens[mid].end > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Maps spans onto token positions. Each span must cover at least one token and must
 * not start or end inside a token; spans must not overlap. Errors name the span.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spansToChunks } from "./convert.ts";
 * const tokens = [{ start: 0, end: 5 }, { start: 6, end: 11 }];
 * assert.deepEqual(spansToChunks(tokens, [{ start: 0, end: 11, label: "PER" }]), [
 *   { first: 0, last: 1, type: "PER" },
 * ]);
 * ```
 */
export function spansToChunks(tokens: readonly Range[], spans: readonly Span[]): TokenChunk[] {
  checkTokens(tokens);
  const order = spans.map((_, i) => i).sort((a, b) =>
    spans[a].start - spans[b].start || spans[a].end - spans[b].end
  );
  const chunks: TokenChunk[] = [];
  let prev: Span | undefined;
  for (const k of order) {
    const span = spans[k];
    if (!(span.start < span.end)) {
      throw new CorpusError("span is empty or reversed (start >= end)", { span });
    }
    if (span.label === "" || /\s/.test(span.label)) {
      throw new CorpusError("span label is empty or contains whitespace", { span });
    }
    if (prev !== undefined && span.start < prev.end) {
      throw new CorpusError(
        `span overlaps span [${prev.start}, ${prev.end}) ${prev.label}`,
        { span },
      );
    }
    const first = firstEndingAfter(tokens, span.start);
    if (first < tokens.length && tokens[first].start < span.start) {
      const t = tokens[first];
      throw new CorpusError(
        `span starts inside token ${first} [${t.start}, ${t.end})`,
        { span, index: first },
      );
    }
    // last token starting before span.end
    let last = firstEndingAfter(tokens, span.end - 1);
    if (last < tokens.length && tokens[last].start < span.end) {
      if (tokens[last].end > span.end) {
        const t = tokens[last];
        throw new CorpusError(
          `span ends inside token ${last} [${t.start}, ${t.end})`,
          { span, index: last },
        );
      }
    } else last -= 1;
    if (first >= tokens.length || last < first) {
      throw new CorpusError("span covers no token", { span });
    }
    chunks.push({ first, last, type: span.label });
    prev = span;
  }
  return chunks;
}

/**
 * Writes token chunks (sorted, not overlapping) as tags in a scheme.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chunksToTags } from "./convert.ts";
 * const chunks = [{ first: 0, last: 0, type: "X" }, { first: 1, last: 2, type: "X" }];
 * assert.deepEqual(chunksToTags(3, chunks, "IOB1"), ["I-X", "B-X", "I-X"]);
 * ```
 */
export function chunksToTags(
  length: number,
  chunks: readonly TokenChunk[],
  scheme: Scheme,
): string[] {
  const tags = new Array<string>(length).fill("O");
  for (let k = 0; k < chunks.length; k++) {
    const { first, last, type } = chunks[k];
    const before = chunks[k - 1];
    const after = chunks[k + 1];
    const touchBefore = before !== undefined && before.last === first - 1 && before.type === type;
    const touchAfter = after !== undefined && after.first === last + 1 && after.type === type;
    for (let i = first; i <= last; i++) tags[i] = "I-" + type;
    switch (scheme) {
      case "IOB1":
        if (touchBefore) tags[first] = "B-" + type;
        break;
      case "IOB2":
        tags[first] = "B-" + type;
        break;
      case "IOE1":
        if (touchAfter) tags[last] = "E-" + type;
        break;
      case "IOE2":
        tags[last] = "E-" + type;
        break;
      case "IOBES":
      case "BILOU": {
        const [b, e, s] = scheme === "IOBES" ? ["B-", "E-", "S-"] : ["B-", "L-", "U-"];
        if (first === last) tags[first] = s + type;
        else {
          tags[first] = b + type;
          tags[last] = e + type;
        }
        break;
      }
    }
  }
  return tags;
}

/**
 * Tags the tokens of a text with the entities of `spans` in a scheme. A token belongs
 * to a span when it lies inside it. A span that starts or ends inside a token, covers
 * no token, or overlaps another span is an error naming the span.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spansToTags } from "./convert.ts";
 * const tokens = [{ start: 0, end: 5 }, { start: 6, end: 12 }, { start: 13, end: 16 }];
 * const spans = [{ start: 0, end: 12, label: "PER" }];
 * assert.deepEqual(spansToTags(tokens, spans, "IOBES"), ["B-PER", "E-PER", "O"]);
 * ```
 */
export function spansToTags(
  tokens: readonly Range[],
  spans: readonly Span[],
  scheme: Scheme,
): string[] {
  return chunksToTags(tokens.length, spansToChunks(tokens, spans), scheme);
}

/** Prefix read as IOBES (BILOU's L/U are E/S). */
function norm(p: Prefix): Prefix {
  return p === "L" ? "E" : p === "U" ? "S" : p;
}

/**
 * Reads tags as conlleval does (lenient): every chunk, valid under the scheme or not.
 * Prefixes must be allowed in the scheme (an error names the position otherwise).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { lenientChunks } from "./convert.ts";
 * assert.deepEqual(lenientChunks(["O", "I-X", "I-X", "B-Y"], "IOB2"), [
 *   { first: 1, last: 2, type: "X" },
 *   { first: 3, last: 3, type: "Y" },
 * ]);
 * ```
 */
export function lenientChunks(tags: readonly string[], scheme: Scheme): TokenChunk[] {
  const parsed = tags.map((t, i) => parseTag(t, scheme, i));
  return chunksOfParsed(parsed);
}

function chunksOfParsed(parsed: readonly ParsedTag[]): TokenChunk[] {
  const chunks: TokenChunk[] = [];
  let prevP: Prefix = "O";
  let prevT = "";
  let begin = -1;
  for (let i = 0; i <= parsed.length; i++) {
    const p: Prefix = i < parsed.length ? norm(parsed[i].prefix) : "O";
    const t = i < parsed.length ? parsed[i].type : "";
    // end of the open chunk (seqeval's end_of_chunk)
    if (begin >= 0) {
      const end = prevP === "E" || prevP === "S" ||
        ((prevP === "B" || prevP === "I") && (p === "B" || p === "S" || p === "O")) ||
        prevT !== t;
      if (end) {
        chunks.push({ first: begin, last: i - 1, type: prevT });
        begin = -1;
      }
    }
    // start of a chunk (seqeval's start_of_chunk)
    if (p !== "O") {
      const start = begin < 0 || p === "B" || p === "S" ||
        ((prevP === "E" || prevP === "S") && (p === "E" || p === "I")) ||
        prevT !== t;
      if (start) begin = i;
    }
    prevP = p;
    prevT = t;
  }
  return chunks;
}

/** Whether a lenient chunk is a valid entity under the scheme (see module docs). */
function validChunk(parsed: readonly ParsedTag[], c: TokenChunk, scheme: Scheme): boolean {
  const first = parsed[c.first].prefix;
  const last = parsed[c.last].prefix;
  const sameType = (i: number) =>
    i >= 0 && i < parsed.length && parsed[i].prefix !== "O" && parsed[i].type === c.type;
  // interior tokens of a lenient chunk are always I- (B/S start, E/S end a chunk)
  switch (scheme) {
    case "IOB1":
      return first === "I" || (first === "B" && sameType(c.first - 1));
    case "IOB2":
      return first === "B";
    case "IOE1":
      return last === "I" || (last === "E" && sameType(c.last + 1));
    case "IOE2":
      return last === "E";
    case "IOBES":
      return c.first === c.last ? first === "S" : first === "B" && last === "E";
    case "BILOU":
      return c.first === c.last ? first === "U" : first === "B" && last === "L";
  }
}

/**
 * Decodes tags into token chunks; `mode` as in {@link tagsToSpans}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagsToChunks } from "./convert.ts";
 * assert.deepEqual(tagsToChunks(["I-X", "I-X", "O"], "IOB2", "strict"), []);
 * assert.deepEqual(tagsToChunks(["I-X", "I-X", "O"], "IOB2"), [{ first: 0, last: 1, type: "X" }]);
 * ```
 */
export function tagsToChunks(
  tags: readonly string[],
  scheme: Scheme,
  mode: "default" | "strict" = "default",
): TokenChunk[] {
  const parsed = tags.map((t, i) => parseTag(t, scheme, i));
  const chunks = chunksOfParsed(parsed);
  return mode === "strict" ? chunks.filter((c) => validChunk(parsed, c, scheme)) : chunks;
}

/**
 * Decodes per-token tags into character spans (from the first entity token's start to
 * the last one's end). `"default"` mode reads the tags leniently as conlleval and
 * seqeval's default mode do; `"strict"` keeps only entities valid under the scheme
 * (see the module docs). A tag that is malformed or whose prefix the scheme does not
 * allow is an error naming its position; so is a length mismatch.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tagsToSpans } from "./convert.ts";
 * const tokens = [{ start: 0, end: 5 }, { start: 6, end: 12 }, { start: 13, end: 16 }];
 * assert.deepEqual(tagsToSpans(tokens, ["B-PER", "I-PER", "B-ORG"], "IOB2"), [
 *   { start: 0, end: 12, label: "PER" },
 *   { start: 13, end: 16, label: "ORG" },
 * ]);
 * assert.deepEqual(tagsToSpans(tokens, ["I-PER", "I-PER", "O"], "IOB2", { mode: "strict" }), []);
 * ```
 */
export function tagsToSpans(
  tokens: readonly Range[],
  tags: readonly string[],
  scheme: Scheme,
  opts: { mode?: "default" | "strict" } = {},
): Span[] {
  if (tokens.length !== tags.length) {
    throw new CorpusError(`${tags.length} tags for ${tokens.length} tokens`);
  }
  checkTokens(tokens);
  return tagsToChunks(tags, scheme, opts.mode ?? "default").map((c) => ({
    start: tokens[c.first].start,
    end: tokens[c.last].end,
    label: c.type,
  }));
}
