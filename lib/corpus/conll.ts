/**
 * CoNLL-style column files: one token per line with its tag in a column, blank lines
 * between sentences, `-DOCSTART-` lines between documents. Reads the two-column
 * format (wikigold, WNUT 2017) and CoNLL-2003's four columns, tab- or space-separated,
 * and writes the two-column format.
 *
 * Lines end at LF, CRLF or a lone CR; a leading UTF-8 byte order mark is dropped. A line
 * with a tab is split at tabs, any other at runs of spaces, and every column (token and
 * tag alike) is trimmed of white space, so `Alice\tB-PER ` reads as `Alice` / `B-PER`.
 *
 * Reading rebuilds each document's text from its tokens, with one space between the
 * tokens of a sentence and `"\n"` between sentences, so every span offset is exact;
 * `meta.tokens` and `meta.sentences` hold the token and sentence ranges, so sentences
 * are counted exactly as the file has them. Entities are decoded per sentence with
 * `tagsToSpans` (conlleval's reading by default).
 *
 * A line that cannot be read (a column count other than the first read line's, an empty
 * column, a token with white space inside, which {@link writeConll} could not write, a
 * malformed tag or one the scheme does not allow, a label that fails `checkLabel`) is an
 * error naming file and line; with `invalid: "skip"` it is left out and listed in
 * `report`. A skipped line inside a sentence is as if it were not in the file: the
 * sentence's text is rebuilt from the tokens kept, and their tags are decoded as they
 * stand, so `Alice B-PER` / `van der I-PER` (skipped) / `Smith I-PER` gives the one
 * entity "Alice Smith". A sentence whose every line is skipped is no sentence.
 *
 * Documents: with `documents: "auto"` (the default), a file with any `-DOCSTART-` line
 * is cut into documents at those lines (sentences before the first `-DOCSTART-` form a
 * document too, as in wikigold, whose first document has no marker, and a
 * `-DOCSTART-` with no sentence after it makes no document); a file with none has one
 * document per sentence (WNUT 2017's tweets). Documents are numbered in file order:
 * ids `doc-1`, `doc-2`, ... (prefix set by `idPrefix`).
 *
 * @module
 */

import type { Doc, Range, Span } from "../core/types.ts";
import {
  checkLabel,
  CorpusError,
  type InvalidPolicy,
  type ReadReport,
  skipOrThrow,
  withPlace,
} from "../core/errors.ts";
import type { Scheme } from "../core/scheme.ts";
import { parseTag } from "../core/prefix.ts";
import { chunksToTags, spansToChunks, tagsToSpans } from "../core/convert.ts";

/**
 * Options of {@link readConll}.
 */
export type ReadConllOptions = {
  /** Tag scheme of the file (default IOB2; IOB1 files decode the same in default mode). */
  scheme?: Scheme;
  /** 0-based column of the tag (default: the last); the token is column 0. */
  column?: number;
  /** File name for error messages. */
  file?: string;
  /** Decoding mode for `tagsToSpans` (default `"default"`, conlleval's reading). */
  mode?: "default" | "strict";
  /** How to cut documents (see the module docs); default `"auto"`. */
  documents?: "auto" | "docstart" | "sentence" | "file";
  /** Prefix of document ids (default `"doc"`: ids `doc-1`, `doc-2`, ...). */
  idPrefix?: string;
  /** A line that cannot be read: `"error"` (default) or `"skip"` it (see the module docs). */
  invalid?: InvalidPolicy;
  /** Receives each line skipped with `invalid: "skip"` (file, line, why); required then. */
  report?: ReadReport;
};

type Sentence = { tokens: string[]; tags: string[]; lines: number[]; extra: string[][] };

/** The message of a {@link CorpusError} thrown by `f`, or undefined when it returns. */
function problemOf(f: () => void): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof CorpusError) return e.detail;
    throw e;
  }
}

/**
 * Reads a CoNLL column file into documents (see the module docs for how lines, text,
 * sentences and documents are read, and what `invalid: "skip"` leaves out).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { ReadReport } from "../core/errors.ts";
 * import { readConll } from "./conll.ts";
 * const docs = readConll("Alice B-PER\nSmith I-PER\nwins O\n\nNIH B-ORG\n");
 * assert.equal(docs.length, 2); // no -DOCSTART-: one document per sentence
 * assert.equal(docs[0].text, "Alice Smith wins");
 * assert.deepEqual(docs[0].spans, [{ start: 0, end: 11, label: "PER" }]);
 * const report: ReadReport = { skipped: [] };
 * const [doc] = readConll("\tO\nNIH\tB-ORG \n", { file: "a.tsv", invalid: "skip", report });
 * assert.deepEqual(doc.spans, [{ start: 0, end: 3, label: "ORG" }]);
 * assert.deepEqual(report.skipped, [{ file: "a.tsv", line: 1, reason: "column 0 is empty" }]);
 * ```
 */
export function readConll(text: string, opts: ReadConllOptions = {}): Doc[] {
  const scheme = opts.scheme ?? "IOB2";
  const file = opts.file;
  if (opts.invalid === "skip" && !opts.report) {
    throw new Error(
      `readConll${file ? ` (${file})` : ""}: invalid: "skip" needs a report ({ skipped: [] }) ` +
        "to list what it skips",
    );
  }
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  if (lines.length && lines[lines.length - 1] === "") lines.pop();
  // fixed by the first line read
  let columns = 0;
  let columnsLine = 0;
  // groups[k] = sentences of the k-th document candidate; docstart marks boundaries
  const groups: { sentences: Sentence[]; line: number }[] = [{ sentences: [], line: 1 }];
  let hasDocstart = false;
  let sent: Sentence | undefined;
  const endSentence = () => {
    if (sent) groups[groups.length - 1].sentences.push(sent);
    sent = undefined;
  };
  /** Why a token line cannot be read, or undefined. */
  const problem = (fields: string[]): string | undefined => {
    const n = fields.length;
    if (columns === 0) {
      if (n < 2) return `expected at least 2 columns (token and tag), found ${n}`;
      const tagColumn = opts.column ?? n - 1;
      if (!Number.isInteger(tagColumn) || tagColumn < 1 || tagColumn >= n) {
        return `tag column ${opts.column} is not one of columns 1..${n - 1} (0-based)`;
      }
    } else if (n !== columns) {
      return `${n} columns, expected ${columns} (as on line ${columnsLine})`;
    }
    const empty = fields.indexOf("");
    if (empty >= 0) return `column ${empty} is empty`;
    if (/\s/.test(fields[0])) return `token ${JSON.stringify(fields[0])} contains white space`;
    const tag = fields[opts.column ?? n - 1];
    return problemOf(() => {
      const { prefix, type } = parseTag(tag, scheme, sent?.tokens.length ?? 0);
      if (prefix !== "O") checkLabel(type, {});
    });
  };
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].trimEnd();
    if (line.trim() === "") {
      endSentence();
      continue;
    }
    const fields = (line.includes("\t") ? line.split("\t") : line.trim().split(/ +/))
      .map((f) => f.trim());
    if (fields[0] === "-DOCSTART-") {
      endSentence();
      hasDocstart = true;
      groups.push({ sentences: [], line: lineNo });
      continue;
    }
    const why = problem(fields);
    if (why !== undefined) {
      skipOrThrow(why, { file, line: lineNo }, opts);
      continue;
    }
    if (columns === 0) {
      columns = fields.length;
      columnsLine = lineNo;
    }
    const tagColumn = opts.column ?? columns - 1;
    sent ??= { tokens: [], tags: [], lines: [], extra: [] };
    sent.tokens.push(fields[0]);
    sent.tags.push(fields[tagColumn]);
    sent.lines.push(lineNo);
    if (columns > 2) sent.extra.push(fields.filter((_, c) => c !== 0 && c !== tagColumn));
  }
  endSentence();

  const mode = opts.documents ?? "auto";
  let docGroups: Sentence[][];
  if (mode === "file") docGroups = [groups.flatMap((g) => g.sentences)];
  else if (mode === "sentence" || (mode === "auto" && !hasDocstart)) {
    docGroups = groups.flatMap((g) => g.sentences.map((s) => [s]));
  } else docGroups = groups.map((g) => g.sentences);
  docGroups = docGroups.filter((g) => g.length > 0);

  const prefix = opts.idPrefix ?? "doc";
  return docGroups.map((sentences, k) => {
    const id = `${prefix}-${k + 1}`;
    const tokens: Range[] = [];
    const sentRanges: Range[] = [];
    const spans: Span[] = [];
    const parts: string[] = [];
    let pos = 0;
    for (const s of sentences) {
      if (sentRanges.length) {
        parts.push("\n");
        pos += 1;
      }
      const start = pos;
      const sTokens: Range[] = [];
      s.tokens.forEach((t, j) => {
        if (j > 0) {
          parts.push(" ");
          pos += 1;
        }
        parts.push(t);
        sTokens.push({ start: pos, end: pos + t.length });
        pos += t.length;
      });
      sentRanges.push({ start, end: pos });
      // every tag was checked line by line above, so this cannot fail
      spans.push(...tagsToSpans(sTokens, s.tags, scheme, { mode: opts.mode }));
      tokens.push(...sTokens);
    }
    const meta: Record<string, unknown> = {
      sentences: sentRanges,
      tokens,
      line: sentences[0].lines[0],
    };
    if (columns > 2) meta.columns = sentences.flatMap((s) => s.extra);
    return { id, text: parts.join(""), spans, meta };
  });
}

/**
 * Options of {@link writeConll}.
 */
export type WriteConllOptions = {
  /** Tag scheme to write (default IOB2). */
  scheme?: Scheme;
  /** Column separator (default one space). */
  separator?: " " | "\t";
  /** Write a `-DOCSTART-` line before each document (default true). */
  docstart?: boolean;
};

function isRanges(x: unknown): x is Range[] {
  return Array.isArray(x) &&
    x.every((r) =>
      typeof r === "object" && r !== null && typeof (r as Range).start === "number" &&
      typeof (r as Range).end === "number"
    );
}

/** Whitespace-separated runs of `text` between `start` and `end`. */
function wordsIn(text: string, start: number, end: number): Range[] {
  const out: Range[] = [];
  const re = /\S+/g;
  re.lastIndex = start;
  for (let m = re.exec(text); m && m.index < end; m = re.exec(text)) {
    out.push({ start: m.index, end: Math.min(m.index + m[0].length, end) });
  }
  return out;
}

/**
 * Writes documents as a two-column CoNLL file (token, tag), IOB2 by default. Tokens
 * and sentences come from `meta.tokens` / `meta.sentences` when present (as
 * {@link readConll} sets them); otherwise sentences are the text's non-blank lines and
 * tokens its whitespace-separated words. A span that does not fall on token
 * boundaries, overlaps another or crosses a sentence boundary is an error naming the
 * document and span; so is a token containing whitespace.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeConll } from "./conll.ts";
 * assert.equal(
 *   writeConll([{ id: "d", text: "Alice Smith wins", spans: [{ start: 0, end: 11, label: "PER" }] }]),
 *   "-DOCSTART- O\n\nAlice B-PER\nSmith I-PER\nwins O\n\n",
 * );
 * ```
 */
export function writeConll(docs: readonly Doc[], opts: WriteConllOptions = {}): string {
  const scheme = opts.scheme ?? "IOB2";
  const sep = opts.separator ?? " ";
  const out: string[] = [];
  for (const doc of docs) {
    const meta = doc.meta ?? {};
    const sentences: Range[] = isRanges(meta.sentences)
      ? meta.sentences
      : doc.text.split("\n").reduce<{ pos: number; out: Range[] }>((acc, l) => {
        if (l.trim() !== "") acc.out.push({ start: acc.pos, end: acc.pos + l.length });
        acc.pos += l.length + 1;
        return acc;
      }, { pos: 0, out: [] }).out;
    const tokens: Range[] = isRanges(meta.tokens)
      ? meta.tokens
      : sentences.flatMap((s) => wordsIn(doc.text, s.start, s.end));
    let chunks;
    try {
      chunks = spansToChunks(tokens, doc.spans);
    } catch (e) {
      throw withPlace(e, { docId: doc.id });
    }
    // assign tokens to sentences
    const sentOf = new Array<number>(tokens.length).fill(-1);
    let si = 0;
    for (let i = 0; i < tokens.length; i++) {
      while (si < sentences.length && sentences[si].end < tokens[i].end) si++;
      if (si >= sentences.length || tokens[i].start < sentences[si].start) {
        throw new CorpusError(
          `token ${i} [${tokens[i].start}, ${tokens[i].end}) is not inside a sentence`,
          { docId: doc.id, index: i },
        );
      }
      sentOf[i] = si;
    }
    for (const c of chunks) {
      if (sentOf[c.first] !== sentOf[c.last]) {
        const span = doc.spans.find((s) =>
          s.start <= tokens[c.first].start && s.end >= tokens[c.last].end && s.label === c.type
        );
        throw new CorpusError("span crosses a sentence boundary", { docId: doc.id, span });
      }
    }
    if (opts.docstart ?? true) out.push(`-DOCSTART-${sep}O`, "");
    let i = 0;
    let ck = 0;
    while (i < tokens.length) {
      let j = i;
      while (j < tokens.length && sentOf[j] === sentOf[i]) j++;
      const local = [];
      for (; ck < chunks.length && chunks[ck].first < j; ck++) {
        const c = chunks[ck];
        local.push({ first: c.first - i, last: c.last - i, type: c.type });
      }
      const tags = chunksToTags(j - i, local, scheme);
      for (let k = i; k < j; k++) {
        const word = doc.text.slice(tokens[k].start, tokens[k].end);
        if (/\s/.test(word)) {
          throw new CorpusError(`token ${k} ${JSON.stringify(word)} contains whitespace`, {
            docId: doc.id,
            index: k,
          });
        }
        out.push(word + sep + tags[k - i]);
      }
      out.push("");
      i = j;
    }
  }
  return out.length ? out.join("\n") + "\n" : "";
}
