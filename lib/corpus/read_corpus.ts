/**
 * One entry point for a user's own annotations: {@link readCorpus} reads a file (or a
 * brat folder) in any format the toolkit knows, inferring the format from the file
 * when that is unambiguous, and renames or drops labels on the way in. Lines or records
 * a reader cannot read are errors, or with `invalid: "skip"` left out and listed in the
 * one report given.
 *
 * @module
 */

import { basename, extname, join } from "node:path";
import type { Doc } from "../core/types.ts";
import type { Scheme } from "../core/scheme.ts";
import { checkLabel, CorpusError, type InvalidPolicy, type ReadReport } from "../core/errors.ts";
import { readConll, type ReadConllOptions } from "./conll.ts";
import { readJsonl } from "./jsonl.ts";
import { readTei } from "./tei.ts";
import { readBrat } from "./brat.ts";
import { sha256Hex } from "./dataset.ts";
import { nearestName } from "./nearest.ts";

/**
 * The formats {@link readCorpus} reads (`label-studio` is accepted for `labelstudio`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CORPUS_FORMATS } from "./read_corpus.ts";
 * assert.ok(CORPUS_FORMATS.includes("doccano"));
 * ```
 */
export const CORPUS_FORMATS = [
  "conll",
  "doccano",
  "labelstudio",
  "spacy",
  "brat",
  "tei",
] as const;

/**
 * A corpus format: CoNLL columns, doccano / Label Studio / spaCy JSON(L), a brat folder
 * (`.txt` and `.ann` pairs) or GROBID-style inline XML (TEI).
 */
export type CorpusFormat = typeof CORPUS_FORMATS[number];

/**
 * Options of {@link readCorpus}.
 */
export type ReadCorpusOptions = {
  /** The format (default: inferred from the file, see {@link inferCorpusFormat}). */
  format?: CorpusFormat | "label-studio";
  /**
   * Label mapping, FROM -> TO (`null` drops the type). For TEI it names the elements
   * that are entities (others are plain text) and is required; for the other formats
   * unlisted labels are kept as they are.
   */
  labels?: Readonly<Record<string, string | null>>;
  /** CoNLL: tag scheme of the file (default IOB2). */
  scheme?: Scheme;
  /** CoNLL: how documents are cut (default `"auto"`: at `-DOCSTART-` lines, else one per sentence). */
  documents?: ReadConllOptions["documents"];
  /**
   * A line or record that cannot be read: `"error"` (default) or `"skip"`, leaving it out
   * and listing it in `report`, which is then required (see each reader for its unit).
   */
  invalid?: InvalidPolicy;
  /** Where every reader lists what it skipped (file, line, document, why). */
  report?: ReadReport;
};

/** Normalises a user-facing format name; an unknown one lists the choices. */
function formatName(format: string, where: string): CorpusFormat {
  const f = format === "label-studio" ? "labelstudio" : format;
  if (!(CORPUS_FORMATS as readonly string[]).includes(f)) {
    throw new Error(
      `${where}: unknown format ${JSON.stringify(format)}; choose one of ${
        CORPUS_FORMATS.join(", ")
      }`,
    );
  }
  return f as CorpusFormat;
}

/** The JSON formats a first record fits (doccano, labelstudio, spacy). */
function jsonShapes(text: string): CorpusFormat[] {
  const trimmed = text.trimStart();
  let first: unknown;
  try {
    if (trimmed.startsWith("[")) {
      const all = JSON.parse(trimmed);
      first = Array.isArray(all) ? all[0] : undefined;
    } else {
      first = JSON.parse(trimmed.split(/\r\n|\r|\n/, 1)[0]);
    }
  } catch {
    return [];
  }
  if (Array.isArray(first)) return typeof first[0] === "string" ? ["spacy"] : [];
  if (typeof first !== "object" || first === null) return [];
  const r = first as Record<string, unknown>;
  if (typeof r.data === "object" && "annotations" in r) return ["labelstudio"];
  const isTuples = (v: unknown) => Array.isArray(v) && (v.length === 0 || Array.isArray(v[0]));
  const shapes: CorpusFormat[] = [];
  // doccano's relation-project export: entities as objects with offsets, and relations
  const isOffsetObjects = (v: unknown) =>
    Array.isArray(v) && typeof v[0] === "object" && v[0] !== null && "start_offset" in v[0];
  if (
    isTuples(r.label) || isTuples(r.labels) || isOffsetObjects(r.entities) ||
    (Array.isArray(r.entities) && Array.isArray(r.relations))
  ) shapes.push("doccano");
  if (isTuples(r.entities) && !Array.isArray(r.relations)) shapes.push("spacy");
  return shapes;
}

/**
 * The format of a corpus file, from its name and first lines: a folder is brat, `.ann`
 * brat, `.xml` TEI, JSON(L) doccano, Label Studio or spaCy by the first record's
 * fields, and other text files CoNLL when their first line has two or more columns.
 * Where that is ambiguous (a JSON record with no labels, an empty file) the error
 * lists the choices.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inferCorpusFormat } from "./read_corpus.ts";
 * assert.equal(inferCorpusFormat("a.jsonl", '{"text": "Ann", "label": [[0, 3, "PER"]]}'), "doccano");
 * assert.equal(inferCorpusFormat("a.txt", "Ann B-PER\n"), "conll");
 * ```
 */
export function inferCorpusFormat(path: string, head: string, isFolder = false): CorpusFormat {
  if (isFolder) return "brat";
  const ext = extname(path).toLowerCase();
  if (ext === ".ann") return "brat";
  const text = head.replace(/^\uFEFF/, "");
  const start = text.trimStart()[0];
  if (ext === ".xml" || (start === "<" && ext !== ".json" && ext !== ".jsonl")) return "tei";
  if (start === "{" || start === "[") {
    const shapes = jsonShapes(text);
    if (shapes.length === 1) return shapes[0];
    throw new Error(
      `${path}: cannot tell the format from the first record${
        shapes.length > 1 ? ` (it fits ${shapes.join(" and ")})` : ""
      }; give one of doccano, labelstudio, spacy`,
    );
  }
  const firstLine = text.split(/\r\n|\r|\n/).find((l) => l.trim() !== "");
  if (firstLine !== undefined && firstLine.trim().split(/\s+/).length >= 2) return "conll";
  throw new Error(
    `${path}: cannot tell the format of this file; give one of ${CORPUS_FORMATS.join(", ")}`,
  );
}

/**
 * A mapping key that names no label (or element) of the corpus is a typo: an error
 * naming it, the nearest name present and all of them.
 */
export function checkMappingKeys(
  labels: Readonly<Record<string, unknown>>,
  present: ReadonlySet<string>,
  where: string,
): void {
  for (const key of Object.keys(labels)) {
    if (present.has(key)) continue;
    const names = [...present].sort();
    const near = nearestName(key, names);
    throw new Error(
      `${where}: labels: ${JSON.stringify(key)} is not a label of this corpus` +
        `${near ? ` (did you mean ${JSON.stringify(near)}?)` : ""}; it has ${names.join(", ")}`,
    );
  }
}

/** A label the mapping produces must pass `checkLabel`; the error names the mapping. */
function checkTo(from: string, to: string, file: string): void {
  try {
    checkLabel(to, {});
  } catch (e) {
    if (!(e instanceof CorpusError)) throw e;
    throw new Error(`${file}: label mapping ${from} -> ${JSON.stringify(to)}: ${e.detail}`);
  }
}

/** Renames and drops labels; for formats whose readers keep every label. */
function relabel(
  docs: Doc[],
  labels: Readonly<Record<string, string | null>>,
  file: string,
): Doc[] {
  checkMappingKeys(labels, new Set(docs.flatMap((d) => d.spans.map((s) => s.label))), file);
  for (const [from, to] of Object.entries(labels)) if (to !== null) checkTo(from, to, file);
  return docs.map((doc) => ({
    ...doc,
    spans: doc.spans.flatMap((span) => {
      const to = Object.hasOwn(labels, span.label) ? labels[span.label] : span.label;
      return to === null ? [] : [{ ...span, label: to }];
    }),
  }));
}

/**
 * Documents of a brat folder (every `.ann` with its `.txt`, by name) or of one `.ann` file;
 * the lines skipped with `invalid: "skip"` go to the one report.
 */
async function readBratPath(
  path: string,
  isFolder: boolean,
  skipping: { invalid?: InvalidPolicy; report?: ReadReport },
): Promise<Doc[]> {
  const anns: string[] = [];
  if (isFolder) {
    for await (const e of Deno.readDir(path)) {
      if (e.isFile && e.name.endsWith(".ann")) anns.push(join(path, e.name));
    }
    anns.sort();
    if (anns.length === 0) throw new Error(`${path}: a brat folder needs .ann files; it has none`);
  } else {
    anns.push(path);
  }
  const docs: Doc[] = [];
  for (const ann of anns) {
    const txtPath = ann.replace(/\.ann$/, ".txt");
    let txt: string;
    try {
      txt = await Deno.readTextFile(txtPath);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new CorpusError(`no text file ${basename(txtPath)} beside it`, { file: ann });
      }
      throw e;
    }
    const id = basename(ann, ".ann");
    const { doc, report } = readBrat(txt, await Deno.readTextFile(ann), {
      id,
      file: ann,
      invalid: skipping.invalid,
    });
    skipping.report?.skipped.push(...report.skipped);
    docs.push(doc);
  }
  return docs;
}

/**
 * Reads a corpus from a path with the reader for its format (given, else inferred:
 * see {@link inferCorpusFormat}), then applies the label mapping, whose labels must pass
 * `checkLabel`. Errors name the file, line, document and span, as the readers' do; with
 * `invalid: "skip"` the lines or records a reader cannot read are left out and listed in
 * `report`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCorpus } from "./read_corpus.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.jsonl`, '{"id": 1, "text": "Ann at NIH", "label": [[0, 3, "PER"], [7, 10, "ORG"]]}\n');
 * const docs = await readCorpus(`${dir}/a.jsonl`, { labels: { PER: "PERSON", ORG: null } });
 * assert.deepEqual(docs[0].spans, [{ start: 0, end: 3, label: "PERSON" }]);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function readCorpus(path: string, opts: ReadCorpusOptions = {}): Promise<Doc[]> {
  let isFolder: boolean;
  try {
    isFolder = (await Deno.stat(path)).isDirectory;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) throw new Error(`readCorpus: no such file ${path}`);
    throw e;
  }
  const text = isFolder ? "" : await Deno.readTextFile(path);
  const format = opts.format === undefined
    ? inferCorpusFormat(path, text.slice(0, 65536), isFolder)
    : formatName(opts.format, path);
  const labels = opts.labels ?? {};
  const skipping = { invalid: opts.invalid, report: opts.report };
  if (opts.invalid === "skip" && !opts.report) {
    throw new Error(
      `readCorpus: invalid: "skip" needs a report ({ skipped: [] }) to list what it skips`,
    );
  }
  switch (format) {
    case "tei": {
      const elements: Record<string, string> = {};
      for (const [k, v] of Object.entries(labels)) {
        if (v === null) continue;
        checkTo(k, v, path);
        elements[k] = v;
      }
      if (Object.keys(elements).length === 0) {
        throw new Error(
          `${path}: TEI needs labels naming the entity elements (e.g. individual=PERSON,funder=ORG)`,
        );
      }
      checkMappingKeys(labels, new Set(text.match(/(?<=<)[A-Za-z_][\w.:-]*/g) ?? []), path);
      return readTei(text, { labels: elements, file: path, ...skipping });
    }
    case "conll":
      return relabel(
        readConll(text, {
          file: path,
          scheme: opts.scheme,
          documents: opts.documents,
          ...skipping,
        }),
        labels,
        path,
      );
    case "brat":
      return relabel(await readBratPath(path, isFolder, skipping), labels, path);
    default:
      return relabel(readJsonl(text, { format, file: path, ...skipping }), labels, path);
  }
}

/**
 * The sha256 of a corpus: of the file, or for a brat folder of the list of its `.ann`
 * and `.txt` files by name with each one's sha256, so any change to the corpus changes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusSha256 } from "./read_corpus.ts";
 * const dir = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${dir}/a.txt`, "abc");
 * assert.equal(await corpusSha256(`${dir}/a.txt`),
 *   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function corpusSha256(path: string): Promise<string> {
  if (!(await Deno.stat(path)).isDirectory) return await sha256Hex(await Deno.readFile(path));
  const names: string[] = [];
  for await (const e of Deno.readDir(path)) {
    if (e.isFile && /\.(ann|txt)$/.test(e.name)) names.push(e.name);
  }
  let list = "";
  for (const name of names.sort()) {
    list += `${name}\t${await sha256Hex(await Deno.readFile(join(path, name)))}\n`;
  }
  return await sha256Hex(new TextEncoder().encode(list));
}
