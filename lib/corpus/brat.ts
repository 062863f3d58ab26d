/**
 * brat standoff annotations: a `.txt` file and its `.ann` file, whose text-bound
 * lines (`T1\tPERSON 0 5\tAlice`) become spans. Offsets in `.ann` files count
 * Unicode code points (brat is written in Python) and are converted to the UTF-16
 * offsets of `Span`; each mention text is checked against the text at its offsets.
 *
 * The `.txt` is taken exactly as given, since the offsets index it: brat reads it with
 * Python's `utf8` codec, which keeps a leading byte-order mark as character 0 (so a BOM
 * stays at the start of `doc.text` and counts in the offsets), and a `\r` is a character
 * too. A reader of `.txt` files must therefore decode them without dropping a BOM
 * (`Deno.readTextFile` keeps it). The `.ann` is lines: a leading BOM is dropped, and LF,
 * CRLF and CR all end a line.
 *
 * Discontinuous mentions (`T2\tORG 0 5;10 15\tAlice Smith`) are an error unless
 * `discontinuous` says what to do; each one is listed in the report either way.
 * Relations (R), events (E), attributes (A/M), normalizations (N), notes (#) and
 * equivalences (*) are not spans: they are skipped and counted in the report.
 *
 * Lines that cannot be read: the unit is the `.ann` line, one annotation. A malformed T
 * line, offsets outside the text, a mention that differs from the text, a bad label, an
 * unknown line kind, and (by default) a discontinuous mention or a span overlapping an
 * earlier one are errors naming the file, line and span; with `invalid: "skip"` that line
 * alone is left out (the document keeps its other spans) and listed in `report.skipped`.
 *
 * @module
 */

import type { Doc, Range, Span } from "../core/types.ts";
import {
  checkLabel,
  CorpusError,
  type ErrorPlace,
  type InvalidPolicy,
  skipOrThrow,
  type SkippedItem,
} from "../core/errors.ts";
import { codePointToUtf16, utf16ToCodePoint } from "./offsets.ts";

/**
 * What {@link readBrat} skipped or changed; with its `skipped` list it is a `ReadReport`.
 */
export type BratReport = {
  /** Count of skipped lines by their first letter (R, E, A, M, N, #, *). */
  ignored: Record<string, number>;
  /** Each discontinuous mention, its fragments (UTF-16 offsets) and what was done. */
  discontinuous: {
    id: string;
    line: number;
    label: string;
    fragments: Range[];
    action: "span" | "fragments" | "skip";
  }[];
  /** T lines whose type is not in `entityTypes` (event triggers, for instance). */
  otherTypes: number;
  /** Lines left out with `invalid: "skip"`: file, line, document, span (when known) and why. */
  skipped: SkippedItem[];
};

/**
 * Options of {@link readBrat}.
 */
export type ReadBratOptions = {
  /** Document id (default `"brat"`); use the file's base name. */
  id?: string;
  /** `.ann` file name for error messages. */
  file?: string;
  /**
   * Discontinuous mentions: `"error"` (default), `"span"` (one span from the first
   * fragment's start to the last one's end), `"fragments"` (one span per fragment) or
   * `"skip"`; all are reported.
   */
  discontinuous?: "error" | "span" | "fragments" | "skip";
  /** Overlapping spans: `"error"` (default) or `"keep"` (the document keeps them all). */
  overlap?: "error" | "keep";
  /** Only these T types are entities; other T lines are counted in `otherTypes`. */
  entityTypes?: readonly string[];
  /** Offset unit of the `.ann` file (default `"codepoint"`, as brat writes them). */
  offsets?: "codepoint" | "utf16";
  /** A line that cannot be read: `"error"` (default) or `"skip"` (left out, listed in the report). */
  invalid?: InvalidPolicy;
};

/** A text-bound line: `T1\tTYPE START END[;START END...]\tMENTION` (the mention may hold U+2028). */
const T_LINE = /^(T\S*)\t(\S+) ([0-9]+ [0-9]+(?:;[0-9]+ [0-9]+)*)\t(.*)$/s;

/**
 * Reads one brat document (its `.txt` and `.ann` contents) into a {@link Doc} and a
 * {@link BratReport}. Malformed T lines, offsets outside the text, a mention text
 * that differs from the text at its offsets, bad labels, unknown line kinds, and (by
 * default) discontinuous or overlapping mentions are errors naming the file, line and span;
 * with `invalid: "skip"` each such line is left out and listed in `report.skipped`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBrat } from "./brat.ts";
 * const { doc, report } = readBrat("Alice met Bob.", "T1\tPER 0 5\tAlice\nT2\tPER 10 13\tBob\nR1\tMeets Arg1:T1 Arg2:T2\n");
 * assert.deepEqual(doc.spans, [{ start: 0, end: 5, label: "PER" }, { start: 10, end: 13, label: "PER" }]);
 * assert.deepEqual(report.ignored, { R: 1 });
 * const skip = readBrat("Alice met Bob.", "T1\tPER 0 5\tAlice\nT2\tPER 10 99\tBob\n", { invalid: "skip" });
 * assert.equal(skip.doc.spans.length, 1);
 * assert.equal(skip.report.skipped[0].line, 2);
 * ```
 */
export function readBrat(
  txt: string,
  ann: string,
  opts: ReadBratOptions = {},
): { doc: Doc; report: BratReport } {
  const file = opts.file;
  const docId = opts.id ?? "brat";
  const conv = (opts.offsets ?? "codepoint") === "codepoint" ? codePointToUtf16(txt) : null;
  const limit = conv ? [...txt].length : txt.length;
  const report: BratReport = { ignored: {}, discontinuous: [], otherTypes: 0, skipped: [] };
  const policy = { invalid: opts.invalid, report };
  const hint = txt.startsWith("\uFEFF") || txt.includes("\r")
    ? " (offsets count every character of the .txt, its byte-order mark and each \\r included)"
    : "";
  const spans: (Span & { line: number; id: string })[] = [];
  const types = opts.entityTypes ? new Set(opts.entityTypes) : null;
  const lines = ann.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const place = { file, line: i + 1, docId };
    if (line.trim() === "") continue;
    try {
      const kind = line[0];
      if ("REAMN#*".includes(kind)) {
        report.ignored[kind] = (report.ignored[kind] ?? 0) + 1;
        continue;
      }
      if (kind !== "T") {
        throw new CorpusError(`unknown annotation line ${JSON.stringify(line)}`, place);
      }
      const m = T_LINE.exec(line);
      if (!m) {
        throw new CorpusError(
          `malformed text-bound line ${
            JSON.stringify(line)
          } (expected "T1\\tTYPE START END\\tTEXT")`,
          place,
        );
      }
      const [, id, label, offsets, mention] = m;
      const raw = offsets.split(";").map((f) => f.split(" ").map(Number));
      const fragments: Range[] = raw.map(([s, e]) => {
        const bad = (why: string) =>
          new CorpusError(`${id}: ${why}`, { ...place, span: { start: s, end: e, label } });
        if (s >= e) throw bad("start >= end");
        if (e > limit) throw bad(`end is past the end of the text (length ${limit})`);
        return conv ? { start: conv(s), end: conv(e) } : { start: s, end: e };
      });
      const whole = { start: fragments[0].start, end: fragments.at(-1)!.end, label };
      const got = fragments.map((f) => txt.slice(f.start, f.end)).join(" ");
      if (got !== mention) {
        throw new CorpusError(
          `${id}: mention text ${JSON.stringify(mention)} differs from the text at its offsets ${
            JSON.stringify(got)
          }${hint}`,
          { ...place, span: whole },
        );
      }
      if (types && !types.has(label)) {
        report.otherTypes++;
        continue;
      }
      checkLabel(label, { ...place, span: whole });
      if (fragments.length > 1) {
        const action = opts.discontinuous ?? "error";
        if (action === "error") {
          throw new CorpusError(
            `${id}: discontinuous mention ${offsets} (set discontinuous: "span", "fragments" or "skip")`,
            { ...place, span: whole },
          );
        }
        report.discontinuous.push({ id, line: i + 1, label, fragments, action });
        if (action === "skip") continue;
        const parts = action === "span" ? [whole] : fragments;
        for (const f of parts) spans.push({ start: f.start, end: f.end, label, line: i + 1, id });
        continue;
      }
      spans.push({ ...fragments[0], label, line: i + 1, id });
    } catch (e) {
      if (!(e instanceof CorpusError)) throw e;
      skipOrThrow(e.detail, placeOf(e), policy);
    }
  }
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  const kept: typeof spans = [];
  for (const s of spans) {
    const p = kept.at(-1);
    if ((opts.overlap ?? "error") === "error" && p && s.start < p.end) {
      skipOrThrow(
        `${s.id} overlaps ${p.id} [${p.start}, ${p.end}) ${p.label} on line ${p.line} (set overlap: "keep")`,
        { file, line: s.line, docId, span: { start: s.start, end: s.end, label: s.label } },
        policy,
      );
      continue;
    }
    kept.push(s);
  }
  return {
    doc: {
      id: docId,
      text: txt,
      spans: kept.map(({ start, end, label }) => ({ start, end, label })),
    },
    report,
  };
}

/** The place of an error without its unset fields, for the report. */
function placeOf(e: CorpusError): ErrorPlace {
  const { file, line, docId, span, index } = e;
  return Object.fromEntries(
    Object.entries({ file, line, docId, span, index }).filter(([, v]) => v !== undefined),
  );
}

/**
 * Writes a document as brat standoff: the text and an `.ann` with one T line per
 * span (`T1`, `T2`, ... in span order), offsets in code points as brat expects. A
 * span whose text contains a line break cannot be written and is an error.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeBrat } from "./brat.ts";
 * assert.deepEqual(
 *   writeBrat({ id: "d", text: "Alice met Bob.", spans: [{ start: 0, end: 5, label: "PER" }] }),
 *   { txt: "Alice met Bob.", ann: "T1\tPER 0 5\tAlice\n" },
 * );
 * ```
 */
export function writeBrat(doc: Doc): { txt: string; ann: string } {
  const toCp = utf16ToCodePoint(doc.text);
  const lines = doc.spans.map((s, k) => {
    const place = { docId: doc.id, span: s };
    if (
      !(Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start < s.end &&
        s.end <= doc.text.length)
    ) {
      throw new CorpusError(
        "span is empty, outside the text or has offsets that are not integers",
        place,
      );
    }
    checkLabel(s.label, place);
    const mention = doc.text.slice(s.start, s.end);
    if (/[\n\r]/.test(mention)) throw new CorpusError("span text contains a line break", place);
    const start = toCp ? toCp(s.start) : s.start;
    const end = toCp ? toCp(s.end) : s.end;
    if (Number.isNaN(start) || Number.isNaN(end)) {
      throw new CorpusError("span boundary splits a surrogate pair", place);
    }
    return `T${k + 1}\t${s.label} ${start} ${end}\t${mention}\n`;
  });
  return { txt: doc.text, ann: lines.join("") };
}
