/**
 * Span annotations as JSON lines, in the three common shapes:
 * - doccano: `{"id": 1, "text": "...", "label": [[0, 5, "PER"]]}` (`labels` accepted too);
 * - Label Studio's JSON export: an array of tasks
 *   `{"id", "data": {"text"}, "annotations": [{"result": [{"type": "labels",
 *   "value": {"start", "end", "labels": ["PER"]}}]}]}` (a JSON array or one task per line);
 * - spaCy-style: `{"text": "...", "entities": [[0, 5, "PER"]]}` (or `["text", {"entities"}]`).
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
 * @module
 */

import type { Doc, Span } from "./types.ts";
import { CorpusError, type ErrorPlace } from "./errors.ts";
import { codePointToUtf16, utf16ToCodePoint } from "./offsets.ts";

/**
 * The JSON annotation formats {@link readJsonl} and {@link writeJsonl} handle.
 *
 * @example
 * ```ts
 * const f: JsonlFormat = "doccano";
 * ```
 */
export type JsonlFormat = "doccano" | "labelstudio" | "spacy";

/**
 * Options of {@link readJsonl}.
 *
 * @example
 * ```ts
 * const opts: ReadJsonlOptions = { format: "labelstudio", annotations: "each" };
 * ```
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
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type RawSpan = { start: number; end: number; label: string };

function isObj(x: Json | undefined): x is Obj {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

/** Splits input into records with their 1-based line (JSON array: line of each element unknown). */
function records(
  text: string,
  format: JsonlFormat,
  file?: string,
): { value: Json; line?: number }[] {
  const trimmed = text.trimStart();
  if (format === "labelstudio" && trimmed.startsWith("[")) {
    let value: Json;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new CorpusError(`not valid JSON: ${(e as Error).message}`, { file });
    }
    if (!Array.isArray(value)) throw new CorpusError("expected a JSON array of tasks", { file });
    return value.map((v) => ({ value: v }));
  }
  const out: { value: Json; line?: number }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i].trim();
    if (l === "") continue;
    try {
      out.push({ value: JSON.parse(l), line: i + 1 });
    } catch (e) {
      throw new CorpusError(`not valid JSON: ${(e as Error).message}`, { file, line: i + 1 });
    }
  }
  return out;
}

/** Reads `[start, end, label]` triples. */
function tripleSpans(list: Json | undefined, key: string, place: ErrorPlace): RawSpan[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new CorpusError(`"${key}" is not an array`, place);
  return list.map((item, k) => {
    if (
      !Array.isArray(item) || item.length !== 3 || typeof item[0] !== "number" ||
      typeof item[1] !== "number" || typeof item[2] !== "string"
    ) {
      throw new CorpusError(
        `"${key}"[${k}] is ${JSON.stringify(item)}, expected [start, end, "LABEL"]`,
        place,
      );
    }
    return { start: item[0], end: item[1], label: item[2] };
  });
}

/**
 * Checks and converts spans: integer offsets, 0 <= start < end <= text length (in the
 * given unit), non-empty label, no overlaps. Returns them sorted, in UTF-16 offsets.
 */
function checkSpans(
  text: string,
  raw: RawSpan[],
  unit: "utf16" | "codepoint",
  place: ErrorPlace,
): Span[] {
  const conv = unit === "codepoint" ? codePointToUtf16(text) : null;
  const length = unit === "codepoint" ? [...text].length : text.length;
  const spans: Span[] = raw.map((s) => {
    const bad = (why: string) =>
      new CorpusError(why, { ...place, span: { start: s.start, end: s.end, label: s.label } });
    if (!Number.isInteger(s.start) || !Number.isInteger(s.end)) {
      throw bad("offsets are not integers");
    }
    if (s.start < 0) throw bad("start is negative");
    if (s.start >= s.end) throw bad("start >= end");
    if (s.end > length) throw bad(`end is past the end of the text (length ${length} ${unit})`);
    if (s.label === "") throw bad("label is empty");
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

/**
 * Reads doccano, Label Studio or spaCy-style JSON(L) into documents. A span past the
 * end of the text, with start >= end or overlapping another, a missing text, a
 * malformed record or a duplicate id is an error naming the file, line (or task) and
 * document, and the span.
 *
 * @example
 * ```ts
 * const docs = readJsonl('{"id": 7, "text": "Alice at NIH", "label": [[0, 5, "PER"], [9, 12, "ORG"]]}',
 *   { format: "doccano" });
 * // [{ id: "7", text: "Alice at NIH", spans: [{ start: 0, end: 5, label: "PER" },
 * //   { start: 9, end: 12, label: "ORG" }], meta: {} }]
 * ```
 */
export function readJsonl(text: string, opts: ReadJsonlOptions): Doc[] {
  const { format, file } = opts ?? {};
  if (!["doccano", "labelstudio", "spacy"].includes(format)) {
    throw new Error(
      `readJsonl${file ? ` (${file})` : ""}: options.format must be "doccano", "labelstudio" ` +
        `or "spacy", got ${JSON.stringify(format)} (readCorpus infers it from a file)`,
    );
  }
  const unit = opts.offsets ?? (format === "labelstudio" ? "utf16" : "codepoint");
  const docs: Doc[] = [];
  const ids = new Map<string, number>();
  const push = (doc: Doc, place: ErrorPlace) => {
    if (ids.has(doc.id)) {
      throw new CorpusError(`duplicate id (first seen in record ${ids.get(doc.id)})`, place);
    }
    ids.set(doc.id, docs.length + 1);
    docs.push(doc);
  };
  records(text, format, file).forEach(({ value, line }, k) => {
    const where: ErrorPlace = { file, line };
    const recordName = line === undefined ? `task ${k} (0-based) of the array: ` : "";
    if (format === "labelstudio") {
      readTask(value, k, { ...opts, unit }, where, recordName).forEach((d) =>
        push(d, { ...where, docId: d.id })
      );
      return;
    }
    let obj: Json = value;
    // spaCy training tuple: ["text", {"entities": [...]}]
    if (format === "spacy" && Array.isArray(value) && value.length === 2 && isObj(value[1])) {
      obj = { text: value[0], ...value[1] };
    }
    if (!isObj(obj)) throw new CorpusError("record is not a JSON object", where);
    const id = idOf(obj.id, k);
    const place = { ...where, docId: id };
    if (typeof obj.text !== "string") {
      throw new CorpusError(`"text" is missing or not a string`, place);
    }
    const key = format === "spacy" ? "entities" : obj.label !== undefined ? "label" : "labels";
    const spans = checkSpans(obj.text, tripleSpans(obj[key], key, place), unit, place);
    const meta: Record<string, unknown> = {};
    for (const [f, v] of Object.entries(obj)) {
      if (f !== "id" && f !== "text" && f !== key) meta[f] = v;
    }
    push({ id, text: obj.text, spans, meta }, place);
  });
  return docs;
}

function readTask(
  task: Json,
  k: number,
  opts: ReadJsonlOptions & { unit: "utf16" | "codepoint" },
  where: ErrorPlace,
  recordName: string,
): Doc[] {
  if (!isObj(task)) throw new CorpusError(`${recordName}task is not a JSON object`, where);
  const taskId = idOf(task.id, k);
  const place: ErrorPlace = { ...where, docId: taskId };
  const key = opts.textKey ?? "text";
  const data = task.data;
  if (!isObj(data) || typeof data[key] !== "string") {
    throw new CorpusError(`${recordName}"data.${key}" is missing or not a string`, place);
  }
  const text = data[key] as string;
  const all = Array.isArray(task.annotations) ? task.annotations : [];
  const annotations = all.filter((a) => !(isObj(a) && a.was_cancelled === true));
  const cancelled = all.length - annotations.length;
  if (annotations.length === 0) {
    const mode = opts.unannotated ?? "error";
    if (mode === "error") {
      throw new CorpusError(
        `${recordName}task has no annotation (set unannotated: "skip" or "keep")`,
        place,
      );
    }
    return mode === "skip" ? [] : [{ id: taskId, text, spans: [], meta: { annotated: false } }];
  }
  const mode = opts.annotations ?? "only";
  if (annotations.length > 1 && mode === "only") {
    throw new CorpusError(
      `${recordName}task has ${annotations.length} annotations (set annotations: "first" or "each")`,
      place,
    );
  }
  const chosen = mode === "each" ? annotations : annotations.slice(0, 1);
  return chosen.map((a, j) => {
    const id = mode === "each" ? `${taskId}/${isObj(a) ? idOf(a.id, j) : j + 1}` : taskId;
    const aplace = { ...place, docId: id };
    if (!isObj(a) || !Array.isArray(a.result)) {
      throw new CorpusError(`${recordName}annotation ${j} has no "result" array`, aplace);
    }
    const raw: RawSpan[] = [];
    const ignored: Record<string, number> = {};
    for (const r of a.result) {
      if (!isObj(r)) throw new CorpusError(`${recordName}result item is not an object`, aplace);
      const v = r.value;
      const isSpan = isObj(v) && Array.isArray(v.labels) && typeof v.start === "number";
      if (!isSpan) {
        const t = typeof r.type === "string" ? r.type : "unknown";
        ignored[t] = (ignored[t] ?? 0) + 1;
        continue;
      }
      const labels = v.labels as Json[];
      if (labels.length !== 1 || typeof labels[0] !== "string" || typeof v.end !== "number") {
        throw new CorpusError(
          `${recordName}result ${JSON.stringify(v)} needs numeric start/end and exactly one label`,
          aplace,
        );
      }
      const s = { start: v.start as number, end: v.end, label: labels[0] };
      raw.push(s);
      if (typeof v.text === "string") {
        const [span] = checkSpans(text, [s], opts.unit, aplace);
        const got = text.slice(span.start, span.end);
        if (got !== v.text) {
          throw new CorpusError(
            `${recordName}result text ${
              JSON.stringify(v.text)
            } does not match the text at its offsets ${JSON.stringify(got)}`,
            { ...aplace, span },
          );
        }
      }
    }
    const spans = checkSpans(text, raw, opts.unit, aplace);
    const meta: Record<string, unknown> = {};
    if (mode === "each") meta.annotator = a.completed_by ?? null;
    if (Object.keys(ignored).length) meta.ignoredResults = ignored;
    if (cancelled) meta.cancelledAnnotations = cancelled;
    return { id, text, spans, meta };
  });
}

/**
 * Options of {@link writeJsonl}.
 *
 * @example
 * ```ts
 * const opts: WriteJsonlOptions = { format: "spacy" };
 * ```
 */
export type WriteJsonlOptions = {
  format: JsonlFormat;
  /** Unit of the written offsets (default as in {@link ReadJsonlOptions}). */
  offsets?: "utf16" | "codepoint";
};

/**
 * Writes documents as doccano or spaCy-style JSONL (one record a line, with `id`), or
 * as a Label Studio task array (one task a line inside `[...]`). Spans are checked as
 * on reading; a span boundary inside a surrogate pair is an error when writing code
 * point offsets.
 *
 * @example
 * ```ts
 * writeJsonl([{ id: "7", text: "Alice", spans: [{ start: 0, end: 5, label: "PER" }] }],
 *   { format: "doccano" });
 * // '{"id":7,"text":"Alice","label":[[0,5,"PER"]]}\n'
 * ```
 */
export function writeJsonl(docs: readonly Doc[], opts: WriteJsonlOptions): string {
  const unit = opts.offsets ?? (opts.format === "labelstudio" ? "utf16" : "codepoint");
  const lines = docs.map((doc) => {
    const place = { docId: doc.id };
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
