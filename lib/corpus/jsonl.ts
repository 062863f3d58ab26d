/**
 * Span annotations as JSON lines, in the three common shapes:
 * - doccano: sequence labelling `{"id": 1, "text": "...", "label": [[0, 5, "PER"]]}` (`labels`
 *   accepted too), and the relation project's export `{"text", "entities": [{"id", "label",
 *   "start_offset", "end_offset"}], "relations": [...]}` (`entities` as `[start, end, "LABEL"]`
 *   triples too, as the intent-detection project writes them). Relations are not spans: they
 *   stay in `meta.relations` as exported (their `from_id` and `to_id` name entity ids of the
 *   file, which spans do not keep);
 * - Label Studio's JSON export: an array of tasks
 *   `{"id", "data": {"text"}, "annotations": [{"result": [{"type": "labels",
 *   "value": {"start", "end", "labels": ["PER"]}}]}]}` (a JSON array or one task per line;
 *   `completions`, Label Studio 0.x's name, accepted for `annotations`);
 * - spaCy-style: `{"text": "...", "entities": [[0, 5, "PER"]]}` (or `["text", {"entities"}]`).
 *
 * A record without the key its format keeps spans under is an error naming the keys it has;
 * an empty list is a document without entities. Labels are checked as read
 * ({@link checkLabel}). A leading byte-order mark is dropped, and LF, CRLF and CR all end a
 * line (JSON strings cannot hold a raw line break, so no record is cut).
 *
 * Offsets: doccano, spaCy and brat are Python tools, whose offsets count Unicode code
 * points; Label Studio is JavaScript and counts UTF-16 units, as `Span` does. By
 * default doccano and spaCy offsets are converted from code points (this only matters
 * for texts with characters outside the Basic Multilingual Plane, e.g. emoji); set
 * `offsets` to override.
 *
 * Ids: the record's `id` when present, else `doc-N` (N the record's 1-based position).
 * Other top-level fields of doccano and spaCy records are kept in `meta`.
 *
 * Records that cannot be read: a record (a line; a task of a Label Studio array) is one
 * document, or one per annotation with `annotations: "each"`. When any part of it cannot be
 * read (broken JSON, a span outside the text, a bad label, overlapping spans, a duplicate id)
 * the error names the file, line, document and span; with `invalid: "skip"` the whole record
 * is left out, with all its spans, and listed once in the report: a document missing one of
 * its entities would teach a model that the entity is not one.
 *
 * @module
 */

import type { Doc, Span } from "../core/types.ts";
import {
  checkLabel,
  CorpusError,
  type ErrorPlace,
  type InvalidPolicy,
  type ReadReport,
  skipOrThrow,
} from "../core/errors.ts";
import { codePointToUtf16, utf16ToCodePoint } from "./offsets.ts";

/**
 * The JSON annotation formats {@link readJsonl} and {@link writeJsonl} handle.
 */
export type JsonlFormat = "doccano" | "labelstudio" | "spacy";

/**
 * Options of {@link readJsonl}.
 */
export type ReadJsonlOptions = {
  format: JsonlFormat;
  /** File name for error messages. */
  file?: string;
  /** Unit of the offsets (default: `"codepoint"` for doccano and spaCy, else `"utf16"`). */
  offsets?: "utf16" | "codepoint";
  /**
   * Label Studio tasks with several (not cancelled) annotations: `"only"` (default)
   * makes that an error, `"first"` takes the first, `"each"` gives one document per
   * annotation, with id `TASK/ANNOTATION` and `meta.annotator` (`completed_by`).
   */
  annotations?: "only" | "first" | "each";
  /** Label Studio tasks without annotations: `"error"` (default), `"skip"` or `"keep"` (no spans). */
  unannotated?: "error" | "skip" | "keep";
  /** Label Studio's `data` field holding the text (default `"text"`). */
  textKey?: string;
  /**
   * A record that cannot be read: `"error"` (default) or `"skip"` (left out whole and listed
   * in `report`, which is then required).
   */
  invalid?: InvalidPolicy;
  /** Where skipped records are listed, one entry each (file, line, document, span, why). */
  report?: ReadReport;
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type RawSpan = { start: number; end: number; label: string };
type RawRecord = { line: number; source: string };

function isObj(x: Json | undefined): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** A value as JSON for a message, cut short (and safe on values too deep to print). */
function show(x: Json | undefined): string {
  let s: string;
  try {
    s = JSON.stringify(x) ?? "undefined";
  } catch {
    s = Array.isArray(x) ? "[...]" : "{...}";
  }
  return s.length > 80 ? s.slice(0, 77) + "..." : s;
}

/** The place of an error without its unset fields, for the report. */
function placeOf(e: CorpusError): ErrorPlace {
  const { file, line, docId, span, index } = e;
  return Object.fromEntries(
    Object.entries({ file, line, docId, span, index }).filter(([, v]) => v !== undefined),
  );
}

/** The records of JSON lines (or of a Label Studio array), each with its 1-based line. */
function splitRecords(text: string, format: JsonlFormat, file?: string): RawRecord[] {
  const body = text.replace(/^\uFEFF/, "");
  if (format === "labelstudio" && body.trimStart().startsWith("[")) {
    return arrayElements(body, file);
  }
  const out: RawRecord[] = [];
  body.split(/\r\n|\r|\n/).forEach((source, i) => {
    if (source.trim() !== "") out.push({ line: i + 1, source });
  });
  return out;
}

/**
 * The elements of a top-level JSON array, unparsed, each with the line it starts on, so a
 * broken task is one record with its line. A `[` or `]` missing at the top level is an error.
 */
function arrayElements(text: string, file?: string): RawRecord[] {
  const out: RawRecord[] = [];
  let line = 1;
  let depth = -1; // -1 before the array's `[`, then the nesting inside it
  let inString = false;
  let escaped = false;
  let start = -1;
  let startLine = 1;
  let openLine = 1;
  const element = (i: number) => {
    out.push({ line: start < 0 ? line : startLine, source: start < 0 ? "" : text.slice(start, i) });
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "\r" || (c === "\n" && text[i - 1] !== "\r")) line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (depth === -1) {
      if (c === "[") [depth, openLine] = [0, line];
      continue;
    }
    if (depth === -2) {
      if (!/[ \t\r\n]/.test(c)) {
        throw new CorpusError(`text after the end of the JSON array`, { file, line });
      }
      continue;
    }
    const top = depth === 0 && start < 0;
    if (c === "]" && depth === 0) {
      if (start >= 0) element(i);
      depth = -2;
    } else if (c === "," && depth === 0) element(i);
    else if (c === "{" || c === "[") depth++;
    else if ((c === "}" || c === "]") && depth > 0) depth--;
    if (c === '"') inString = true;
    if (top && depth !== -2 && c !== "," && !/[ \t\r\n]/.test(c)) [start, startLine] = [i, line];
  }
  if (depth !== -2) {
    throw new CorpusError(`the JSON array opened on line ${openLine} is not closed`, {
      file,
      line,
    });
  }
  return out;
}

function parseJson(source: string, where: ErrorPlace): Json {
  if (source.trim() === "") throw new CorpusError("not valid JSON: an empty array element", where);
  try {
    return JSON.parse(source);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CorpusError(
      `not valid JSON: ${why.length > 200 ? why.slice(0, 197) + "..." : why}`,
      where,
    );
  }
}

/**
 * Reads a list of spans: `[start, end, "LABEL"]` triples, or with `objects` also doccano's
 * `{"start_offset", "end_offset", "label"}`. `null` is no spans.
 */
function listSpans(list: Json, key: string, objects: boolean, place: ErrorPlace): RawSpan[] {
  if (list === null) return [];
  if (!Array.isArray(list)) throw new CorpusError(`"${key}" is ${show(list)}, not a list`, place);
  return list.map((item, k) => {
    if (
      Array.isArray(item) && item.length === 3 && typeof item[0] === "number" &&
      typeof item[1] === "number" && typeof item[2] === "string"
    ) {
      return { start: item[0], end: item[1], label: item[2] };
    }
    if (
      objects && isObj(item) && typeof item.start_offset === "number" &&
      typeof item.end_offset === "number" && typeof item.label === "string"
    ) {
      return { start: item.start_offset, end: item.end_offset, label: item.label };
    }
    const want = objects
      ? `{"start_offset", "end_offset", "label"} or [start, end, "LABEL"]`
      : `[start, end, "LABEL"]`;
    throw new CorpusError(`"${key}"[${k}] is ${show(item)}, expected ${want}`, place);
  });
}

/**
 * Checks and converts spans: integer offsets, 0 <= start < end <= text length (in the
 * given unit), a valid label ({@link checkLabel}), no overlaps. Returns them sorted, in
 * UTF-16 offsets.
 */
function checkSpans(
  text: string,
  raw: readonly RawSpan[],
  unit: "utf16" | "codepoint",
  place: ErrorPlace,
): Span[] {
  const conv = unit === "codepoint" ? codePointToUtf16(text) : null;
  const length = unit === "codepoint" ? [...text].length : text.length;
  const spans: Span[] = raw.map((s) => {
    const at = { ...place, span: { start: s.start, end: s.end, label: s.label } };
    const bad = (why: string) => new CorpusError(why, at);
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) {
      throw bad("offsets are not integers");
    }
    if (s.start < 0) throw bad("start is negative");
    if (s.start >= s.end) throw bad("start >= end");
    if (s.end > length) throw bad(`end is past the end of the text (length ${length} ${unit})`);
    checkLabel(s.label, at);
    return conv
      ? { start: conv(s.start), end: conv(s.end), label: s.label }
      : { start: s.start, end: s.end, label: s.label };
  });
  spans.sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i].start < spans[i - 1].end) {
      const p = spans[i - 1];
      throw new CorpusError(`span overlaps span [${p.start}, ${p.end}) ${p.label}`, {
        ...place,
        span: spans[i],
      });
    }
  }
  return spans;
}

function idOf(value: Json | undefined, k: number): string {
  return typeof value === "string" || typeof value === "number" ? String(value) : `doc-${k + 1}`;
}

/** The keys a record has, for the message that says which one it lacks. */
function keysOf(obj: Obj): string {
  const keys = Object.keys(obj);
  return keys.length ? `keys ${keys.join(", ")}` : "no keys";
}

/** Where each format keeps its spans, in the order they are looked for. */
const SPAN_KEYS = { doccano: ["label", "labels", "entities"], spacy: ["entities"] } as const;

/**
 * Reads doccano, Label Studio or spaCy-style JSON(L) into documents. A span past the
 * end of the text, with start >= end, overlapping another or with a bad label, a missing
 * text or annotation key, a malformed record or a duplicate id is an error naming the file,
 * line and document, and the span; `invalid: "skip"` leaves such records out and lists each
 * one in `report.skipped`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadReport } from "../core/errors.ts";
 * import { readJsonl } from "./jsonl.ts";
 * const docs = readJsonl('{"id": 7, "text": "Alice at NIH", "label": [[0, 5, "PER"], [9, 12, "ORG"]]}',
 *   { format: "doccano" });
 * assert.deepEqual(docs, [{ id: "7", text: "Alice at NIH", spans: [{ start: 0, end: 5, label: "PER" },
 *   { start: 9, end: 12, label: "ORG" }], meta: {} }]);
 * const report: ReadReport = { skipped: [] };
 * const kept = readJsonl('{"text": "Bo", "label": [[0, 2, "PER"]]}\n{"text": "x", "label": [[0, 9, "PER"]]}',
 *   { format: "doccano", file: "a.jsonl", invalid: "skip", report });
 * assert.equal(kept.length, 1);
 * assert.match(report.skipped[0].reason, /end is past the end of the text/);
 * assert.equal(report.skipped[0].line, 2);
 * ```
 */
export function readJsonl(text: string, opts: ReadJsonlOptions): Doc[] {
  const { format, file } = opts ?? {};
  const who = `readJsonl${file ? ` (${file})` : ""}`;
  if (!["doccano", "labelstudio", "spacy"].includes(format)) {
    throw new Error(
      `${who}: options.format must be "doccano", "labelstudio" ` +
        `or "spacy", got ${JSON.stringify(format)} (readCorpus infers it from a file)`,
    );
  }
  if (opts.invalid === "skip" && !opts.report) {
    throw new Error(
      `${who}: invalid: "skip" needs a report ({ skipped: [] }) to list what it skips`,
    );
  }
  const unit = opts.offsets ?? (format === "labelstudio" ? "utf16" : "codepoint");
  const docs: Doc[] = [];
  const ids = new Map<string, number>();
  splitRecords(text, format, file).forEach(({ line, source }, k) => {
    const where: ErrorPlace = { file, line };
    try {
      const value = parseJson(source, where);
      const read = format === "labelstudio"
        ? readTask(value, k, opts, unit, where)
        : [readRecord(value, k, format, unit, where)];
      read.forEach((d, j) => {
        const first = ids.get(d.id) ??
          (read.findIndex((o) => o.id === d.id) < j ? line : undefined);
        if (first !== undefined) {
          throw new CorpusError(`duplicate id (first seen on line ${first})`, {
            ...where,
            docId: d.id,
          });
        }
      });
      for (const d of read) ids.set(d.id, line);
      docs.push(...read);
    } catch (e) {
      if (!(e instanceof CorpusError)) throw e;
      skipOrThrow(e.detail, placeOf(e), opts);
    }
  });
  return docs;
}

/** One doccano or spaCy record. */
function readRecord(
  value: Json,
  k: number,
  format: "doccano" | "spacy",
  unit: "utf16" | "codepoint",
  where: ErrorPlace,
): Doc {
  // spaCy training tuple: ["text", {"entities": [...]}]
  const obj: Json =
    format === "spacy" && Array.isArray(value) && value.length === 2 && isObj(value[1])
      ? { ...value[1], text: value[0] }
      : value;
  if (!isObj(obj)) throw new CorpusError(`record is ${show(obj)}, not a JSON object`, where);
  const id = idOf(obj.id, k);
  const place = { ...where, docId: id };
  if (typeof obj.text !== "string") {
    throw new CorpusError(`"text" is missing or not a string`, place);
  }
  const keys: readonly string[] = SPAN_KEYS[format];
  const found = keys.filter((key) => Object.hasOwn(obj, key));
  if (found.length !== 1) {
    const names = keys.map((key) => `"${key}"`);
    const needs = names.length > 1
      ? `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`
      : names[0];
    throw new CorpusError(
      found.length === 0
        ? `record has ${keysOf(obj)}; a ${
          format === "spacy" ? "spaCy" : format
        } record needs ${needs}`
        : `record has both ${found.map((key) => `"${key}"`).join(" and ")}; a ${format} record ` +
          `keeps its spans under one of them`,
      place,
    );
  }
  const key = found[0];
  const objects = format === "doccano" && key === "entities";
  const spans = checkSpans(obj.text, listSpans(obj[key], key, objects, place), unit, place);
  const meta = Object.fromEntries(
    Object.entries(obj).filter(([f]) => f !== "id" && f !== "text" && f !== key),
  );
  return { id, text: obj.text, spans, meta };
}

/** One Label Studio task: one document, or one per annotation with `annotations: "each"`. */
function readTask(
  task: Json,
  k: number,
  opts: ReadJsonlOptions,
  unit: "utf16" | "codepoint",
  where: ErrorPlace,
): Doc[] {
  if (!isObj(task)) throw new CorpusError(`task is ${show(task)}, not a JSON object`, where);
  const taskId = idOf(task.id, k);
  const place: ErrorPlace = { ...where, docId: taskId };
  const key = opts.textKey ?? "text";
  const data = task.data;
  if (!isObj(data) || !Object.hasOwn(data, key) || typeof data[key] !== "string") {
    throw new CorpusError(`"data.${key}" is missing or not a string`, place);
  }
  const text = data[key] as string;
  const listKey = ["annotations", "completions"].find((name) => Object.hasOwn(task, name));
  if (listKey === undefined) {
    throw new CorpusError(
      `record has ${keysOf(task)}; a Label Studio task needs "annotations"`,
      place,
    );
  }
  const all = task[listKey];
  if (!Array.isArray(all)) throw new CorpusError(`"${listKey}" is ${show(all)}, not a list`, place);
  const annotations = all.filter((a) => !(isObj(a) && a.was_cancelled === true));
  const cancelled = all.length - annotations.length;
  if (annotations.length === 0) {
    const mode = opts.unannotated ?? "error";
    if (mode === "error") {
      throw new CorpusError(`task has no annotation (set unannotated: "skip" or "keep")`, place);
    }
    return mode === "skip" ? [] : [{ id: taskId, text, spans: [], meta: { annotated: false } }];
  }
  const mode = opts.annotations ?? "only";
  if (annotations.length > 1 && mode === "only") {
    throw new CorpusError(
      `task has ${annotations.length} annotations (set annotations: "first" or "each")`,
      place,
    );
  }
  const chosen = mode === "each" ? annotations : annotations.slice(0, 1);
  return chosen.map((a, j) => {
    const id = mode === "each" ? `${taskId}/${isObj(a) ? idOf(a.id, j) : j + 1}` : taskId;
    const aplace = { ...place, docId: id };
    if (!isObj(a) || !Array.isArray(a.result)) {
      throw new CorpusError(`annotation ${j} has no "result" list`, aplace);
    }
    const raw: RawSpan[] = [];
    const ignored = new Map<string, number>();
    for (const r of a.result) {
      if (!isObj(r)) throw new CorpusError(`result item ${show(r)} is not an object`, aplace);
      const v = r.value;
      // a span: a "labels" result, or any whose value has labels (relations, choices... not)
      if (r.type !== "labels" && !(isObj(v) && Object.hasOwn(v, "labels"))) {
        const t = typeof r.type === "string" ? r.type : "unknown";
        ignored.set(t, (ignored.get(t) ?? 0) + 1);
        continue;
      }
      const labels = isObj(v) ? v.labels : undefined;
      if (
        !isObj(v) || !Array.isArray(labels) || labels.length !== 1 ||
        typeof labels[0] !== "string" || typeof v.start !== "number" || typeof v.end !== "number"
      ) {
        throw new CorpusError(
          `result ${show(v)} needs numeric start and end and exactly one label`,
          aplace,
        );
      }
      const s = { start: v.start, end: v.end, label: labels[0] };
      raw.push(s);
      if (typeof v.text === "string") {
        const [span] = checkSpans(text, [s], unit, aplace);
        const got = text.slice(span.start, span.end);
        if (got !== v.text) {
          throw new CorpusError(
            `result text ${show(v.text)} does not match the text at its offsets ${show(got)}`,
            { ...aplace, span },
          );
        }
      }
    }
    const spans = checkSpans(text, raw, unit, aplace);
    const meta: Record<string, unknown> = {};
    if (mode === "each") meta.annotator = a.completed_by ?? null;
    if (ignored.size) meta.ignoredResults = Object.fromEntries(ignored);
    if (cancelled) meta.cancelledAnnotations = cancelled;
    return { id, text, spans, meta };
  });
}

/**
 * Options of {@link writeJsonl}.
 */
export type WriteJsonlOptions = {
  format: JsonlFormat;
  /** Unit of the written offsets (default as in {@link ReadJsonlOptions}). */
  offsets?: "utf16" | "codepoint";
};

/**
 * Writes documents as doccano or spaCy-style JSONL (one record a line, with `id`), or
 * as a Label Studio task array (one task a line inside `[...]`). Spans and ids are checked
 * as on reading; a span boundary inside a surrogate pair is an error when writing code
 * point offsets.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeJsonl } from "./jsonl.ts";
 * assert.equal(
 *   writeJsonl([{ id: "7", text: "Alice", spans: [{ start: 0, end: 5, label: "PER" }] }],
 *     { format: "doccano" }),
 *   '{"id":7,"text":"Alice","label":[[0,5,"PER"]]}\n',
 * );
 * ```
 */
export function writeJsonl(docs: readonly Doc[], opts: WriteJsonlOptions): string {
  const unit = opts.offsets ?? (opts.format === "labelstudio" ? "utf16" : "codepoint");
  const ids = new Set<string>();
  const lines = docs.map((doc) => {
    const place = { docId: doc.id };
    if (ids.has(doc.id)) throw new CorpusError("duplicate id", place);
    ids.add(doc.id);
    checkSpans(doc.text, doc.spans, "utf16", place);
    const conv = unit === "codepoint" ? utf16ToCodePoint(doc.text) : null;
    const spans = doc.spans.map((s) => {
      if (!conv) return s;
      const out = { start: conv(s.start), end: conv(s.end), label: s.label };
      if (Number.isNaN(out.start) || Number.isNaN(out.end)) {
        throw new CorpusError("span boundary splits a surrogate pair", { ...place, span: s });
      }
      return out;
    });
    const id: Json = /^(0|[1-9][0-9]{0,14})$/.test(doc.id) ? Number(doc.id) : doc.id;
    const triples = spans.map((s) => [s.start, s.end, s.label]);
    switch (opts.format) {
      case "doccano":
        return JSON.stringify({ id, text: doc.text, label: triples });
      case "spacy":
        return JSON.stringify({ id, text: doc.text, entities: triples });
      case "labelstudio":
        return JSON.stringify({
          id,
          data: { text: doc.text },
          annotations: [{
            result: spans.map((s, k) => ({
              id: `${doc.id}-${k + 1}`,
              from_name: "label",
              to_name: "text",
              type: "labels",
              value: {
                start: s.start,
                end: s.end,
                text: doc.text.slice(doc.spans[k].start, doc.spans[k].end),
                labels: [s.label],
              },
            })),
          }],
        });
    }
  });
  if (opts.format === "labelstudio") return "[\n" + lines.join(",\n") + "\n]\n";
  return lines.map((l) => l + "\n").join("");
}
