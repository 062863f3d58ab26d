/**
 * The one error type every corpus reader, writer and tag converter throws: it says
 * what was wrong and where (file and line, document id, span, token position), so a
 * user can find the offending line in their own data.
 *
 * @module
 */

import type { Span } from "./types.ts";

/**
 * Where a problem is: any of file name, 1-based line number, document id, span and
 * 0-based position (of a tag or token in a sequence).
 */
export type ErrorPlace = {
  file?: string;
  line?: number;
  docId?: string;
  span?: Span;
  index?: number;
};

/**
 * Formats a place as a message prefix: `file:line: document d1: span [0, 5) PER: `.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatPlace } from "./errors.ts";
 * assert.equal(formatPlace({ file: "a.conll", line: 3 }), "a.conll:3: ");
 * assert.equal(
 *   formatPlace({ docId: "d1", span: { start: 0, end: 5, label: "PER" } }),
 *   "document d1: span [0, 5) PER: ",
 * );
 * ```
 */
export function formatPlace(place: ErrorPlace): string {
  const parts: string[] = [];
  if (place.file !== undefined && place.line !== undefined) {
    parts.push(`${place.file}:${place.line}`);
  } else if (place.file !== undefined) parts.push(place.file);
  else if (place.line !== undefined) parts.push(`line ${place.line}`);
  if (place.docId !== undefined) parts.push(`document ${place.docId}`);
  if (place.span !== undefined) {
    const s = place.span;
    parts.push(`span [${s.start}, ${s.end}) ${s.label}`);
  }
  return parts.length ? parts.join(": ") + ": " : "";
}

/**
 * An error in a user's corpus or tag sequence. `message` starts with the place
 * (see {@link formatPlace}); `detail` is the message without it, and the place's
 * fields are kept so callers can add context with {@link withPlace}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CorpusError } from "./errors.ts";
 * const e = new CorpusError("unknown tag prefix X-", { file: "a.conll", line: 3 });
 * assert.equal(e.message, "a.conll:3: unknown tag prefix X-");
 * assert.equal(e.detail, "unknown tag prefix X-");
 * assert.equal(e.line, 3);
 * ```
 */
export class CorpusError extends Error {
  /** The message without its place prefix. */
  readonly detail: string;
  /** File name, as given in the reader's options. */
  readonly file?: string;
  /** 1-based line number in the file. */
  readonly line?: number;
  /** The document's id. */
  readonly docId?: string;
  /** The span at fault. */
  readonly span?: Span;
  /** 0-based position of the tag or token at fault. */
  readonly index?: number;

  constructor(detail: string, place: ErrorPlace = {}) {
    super(formatPlace(place) + detail);
    this.name = "CorpusError";
    this.detail = detail;
    this.file = place.file;
    this.line = place.line;
    this.docId = place.docId;
    this.span = place.span;
    this.index = place.index;
  }
}

/**
 * Returns a copy of a {@link CorpusError} with more context (fields already set win
 * over the new ones, except that `undefined` never overwrites); any other error is
 * returned unchanged.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CorpusError, withPlace } from "./errors.ts";
 * const e = withPlace(new CorpusError("bad tag", { index: 2 }), { file: "a.conll", line: 7 });
 * assert.ok(e instanceof CorpusError);
 * assert.equal(e.message, "a.conll:7: bad tag");
 * assert.equal(e.index, 2);
 * ```
 */
export function withPlace(error: unknown, place: ErrorPlace): unknown {
  if (!(error instanceof CorpusError)) return error;
  return new CorpusError(error.detail, {
    file: error.file ?? place.file,
    line: error.line ?? place.line,
    docId: error.docId ?? place.docId,
    span: error.span ?? place.span,
    index: error.index ?? place.index,
  });
}

/**
 * What a reader does with a line or record it cannot read: `"error"` (the default, a
 * {@link CorpusError} that names the place and this option) or `"skip"` (it is left out
 * and listed in the {@link ReadReport}).
 */
export type InvalidPolicy = "error" | "skip";

/**
 * One line or record a reader skipped, where it is and why.
 */
export type SkippedItem = ErrorPlace & { reason: string };

/**
 * What a reader left out with `invalid: "skip"`; a caller passes an empty report in the
 * reader's options and reads it afterwards. Nothing is left out without an entry here.
 */
export type ReadReport = { skipped: SkippedItem[] };

/**
 * Handles one unreadable line or record: with `invalid: "skip"` records it in the report
 * and returns; otherwise throws a {@link CorpusError} at the place whose message names
 * the option.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { type ReadReport, skipOrThrow } from "./errors.ts";
 * const report: ReadReport = { skipped: [] };
 * skipOrThrow("empty token column", { file: "a.conll", line: 4 }, { invalid: "skip", report });
 * assert.deepEqual(report.skipped, [{ file: "a.conll", line: 4, reason: "empty token column" }]);
 * assert.throws(() => skipOrThrow("empty token column", { line: 4 }, {}), /line 4: empty token column \(invalid: "skip"/);
 * ```
 */
export function skipOrThrow(
  reason: string,
  place: ErrorPlace,
  opts: { invalid?: InvalidPolicy; report?: ReadReport },
): void {
  if (opts.invalid === "skip") {
    opts.report?.skipped.push({ ...place, reason });
    return;
  }
  throw new CorpusError(
    `${reason} (invalid: "skip", or --skip-invalid for the study, skips such lines and reports each one)`,
    place,
  );
}

/** Tag prefixes a label must not look like (IOB, IOE, IOBES and BILOU ones). */
const TAG_PREFIX = /^[BIELSU][-_]/;

/**
 * Checks an entity label as a reader gets it: not empty, no whitespace, not `"O"`, and not
 * starting with a tag prefix such as `B-` (a label like that would decode as a different
 * entity once written as tags). Throws a {@link CorpusError} at the place.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkLabel } from "./errors.ts";
 * checkLabel("PERSON", { line: 1 });
 * assert.throws(() => checkLabel("PER ", { file: "a.conll", line: 2 }), /a\.conll:2: label "PER " contains whitespace/);
 * assert.throws(() => checkLabel("B-PER", { line: 3 }), /tag prefix/);
 * ```
 */
export function checkLabel(label: string, place: ErrorPlace): void {
  let why: string | undefined;
  if (label === "") why = "is empty";
  else if (/\s/.test(label)) why = "contains whitespace";
  else if (label === "O") why = `is "O", the outside tag`;
  else if (TAG_PREFIX.test(label)) why = `starts with the tag prefix ${label.slice(0, 2)}`;
  if (why) throw new CorpusError(`label ${JSON.stringify(label)} ${why}`, place);
}
