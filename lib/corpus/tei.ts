/**
 * Inline-XML annotations in the style of GROBID's TEI training data
 * (`<acknowledgment>We thank <individual>Ann Lee</individual> ...</acknowledgment>`):
 * each statement element is one document, mapped elements inside it become spans and
 * every other element becomes plain text. Text and whitespace inside a statement are
 * kept exactly, with XML entities and character references decoded.
 *
 * Ids: statements are numbered per element name in file order, from 1:
 * `acknowledgment-1`, `acknowledgment-2`, ... (`funding-1`, ...), optionally prefixed by
 * `idPrefix`; the same file always gives the same ids.
 *
 * Nested mapped elements (`<individual>Cate Lemann (<affiliation>ANIC</affiliation>)
 * </individual>`): the outermost becomes the span, and each nested one is reported to
 * `onNested` and listed in the document's `meta.nested`.
 *
 * The XML tokenizer is our own, small and strict: well-formedness errors (unbalanced
 * or mismatched tags, unknown entities, text outside statements) name the line. As XML
 * 1.0 asks (section 2.11), CRLF and lone CR line ends read as LF (`&#13;` stays a CR); a
 * leading byte order mark is dropped.
 *
 * A mapped element with no text, or only white space, is no entity: an error naming the
 * element, its line and document, or with `invalid: "skip"` plain text, listed in
 * `report`. The labels of the mapping must pass `checkLabel`.
 *
 * @module
 */

import type { Doc, Span } from "../core/types.ts";
import {
  checkLabel,
  CorpusError,
  type InvalidPolicy,
  type ReadReport,
  skipOrThrow,
} from "../core/errors.ts";

/**
 * The PERSON/ORG mapping of the sample-size study for GROBID's funding and
 * acknowledgement data: individual -> PERSON; funder, institution, affiliation -> ORG.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GROBID_PERSON_ORG, readTei } from "./tei.ts";
 * const docs = readTei("<a><acknowledgment>Thanks <funder>NIH</funder></acknowledgment></a>",
 *   { labels: GROBID_PERSON_ORG });
 * assert.deepEqual(docs[0].spans, [{ start: 7, end: 10, label: "ORG" }]);
 * ```
 */
export const GROBID_PERSON_ORG: Readonly<Record<string, string>> = {
  individual: "PERSON",
  funder: "ORG",
  institution: "ORG",
  affiliation: "ORG",
};

/**
 * A mapped element inside another mapped element: the outer one is kept as the span.
 */
export type NestedSpan = {
  docId: string;
  line: number;
  outer: Span & { element: string };
  inner: Span & { element: string };
};

/**
 * Options of {@link readTei}.
 */
export type ReadTeiOptions = {
  /** Element name -> span label; other elements inside a statement are plain text. */
  labels: Readonly<Record<string, string>>;
  /** File name for error messages. */
  file?: string;
  /** Called for each mapped element nested inside another (the outer one is kept). */
  onNested?: (nested: NestedSpan) => void;
  /** Names of statement elements (default `["acknowledgment", "funding"]`). */
  statements?: readonly string[];
  /** Prefix of document ids (default none). */
  idPrefix?: string;
  /** A mapped element with no text or only white space: `"error"` (default) or `"skip"` it. */
  invalid?: InvalidPolicy;
  /** Receives each element skipped with `invalid: "skip"` (file, line, document, why); required then. */
  report?: ReadReport;
};

const NAME = /[A-Za-z_:][-A-Za-z0-9._:]*/y;
const ATTR = /\s+[^\s=/>]+\s*=\s*(?:"[^"<]*"|'[^'<]*')/y;
const TAG_END = /\s*(\/?)>/y;
const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

type Open = {
  name: string;
  line: number;
  start: number;
  /** Index in the statement's text parts where a mapped element's text begins. */
  part?: number;
  label?: string;
  nested?: NestedSpan[];
};

/**
 * Reads GROBID-style inline XML into one document per statement element (see the
 * module docs). Each span's text is exactly its element's text. Unbalanced or
 * mismatched tags, unknown entities, a statement inside a statement, a mapped element
 * with no text or only white space (unless skipped, see the module docs) and non-blank
 * text outside statements are errors naming the line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { GROBID_PERSON_ORG, readTei } from "./tei.ts";
 * const xml = "<acknowledgments>\n<acknowledgment>We thank <individual>Ann Lee</individual>" +
 *   " &amp; <funder>NIH</funder>.</acknowledgment>\n</acknowledgments>";
 * const [doc] = readTei(xml, { labels: GROBID_PERSON_ORG });
 * assert.equal(doc.id, "acknowledgment-1");
 * assert.equal(doc.text, "We thank Ann Lee & NIH.");
 * assert.deepEqual(doc.spans, [
 *   { start: 9, end: 16, label: "PERSON" },
 *   { start: 19, end: 22, label: "ORG" },
 * ]);
 * ```
 */
export function readTei(text: string, opts: ReadTeiOptions): Doc[] {
  const file = opts.file;
  const labels = opts.labels;
  if (opts.invalid === "skip" && !opts.report) {
    throw new Error(
      `readTei${file ? ` (${file})` : ""}: invalid: "skip" needs a report ({ skipped: [] }) ` +
        "to list what it skips",
    );
  }
  for (const [element, label] of Object.entries(labels)) {
    try {
      checkLabel(label, { file });
    } catch (e) {
      throw e instanceof CorpusError
        ? new CorpusError(`labels: <${element}>: ${e.detail}`, { file })
        : e;
    }
  }
  const xml = text.replace(/^\uFEFF/, "").replace(/\r\n?/g, "\n");
  const statementNames = new Set(opts.statements ?? ["acknowledgment", "funding"]);
  const counters = new Map<string, number>();
  const docs: Doc[] = [];
  const stack: Open[] = [];

  let pos = 0;
  let line = 1;
  /** Advances `pos` to `to`, counting newlines. */
  const advance = (to: number) => {
    for (let i = xml.indexOf("\n", pos); i >= 0 && i < to; i = xml.indexOf("\n", i + 1)) line++;
    pos = to;
  };
  const fail = (msg: string, at = line): never => {
    throw new CorpusError(msg, { file, line: at });
  };

  // the statement being read
  let doc = null as {
    id: string;
    parts: string[];
    length: number;
    spans: Span[];
    line: number;
  } | null;
  let statementDepth = -1;
  let mappedDepth = -1; // stack index of the outermost open mapped element
  const nestedAll: NestedSpan[] = [];

  const addText = (raw: string, decode: boolean, at: number) => {
    const text = decode ? decodeEntities(raw, at, fail) : raw;
    if (doc) {
      doc.parts.push(text);
      doc.length += text.length;
    } else if (text.trim() !== "") {
      fail(
        `text ${JSON.stringify(text.trim().slice(0, 40))} outside a statement element (${
          [...statementNames].join(", ")
        })`,
        at,
      );
    }
  };

  while (pos < xml.length) {
    const lt = xml.indexOf("<", pos);
    const textEnd = lt < 0 ? xml.length : lt;
    if (textEnd > pos) {
      const at = line;
      const raw = xml.slice(pos, textEnd);
      advance(textEnd);
      addText(raw, true, at);
    }
    if (lt < 0) break;
    const tagLine = line;
    if (xml.startsWith("<!--", lt)) {
      const end = xml.indexOf("-->", lt + 4);
      if (end < 0) fail("comment is never closed");
      advance(end + 3);
    } else if (xml.startsWith("<![CDATA[", lt)) {
      const end = xml.indexOf("]]>", lt + 9);
      if (end < 0) fail("CDATA section is never closed");
      const raw = xml.slice(lt + 9, end);
      advance(end + 3);
      addText(raw, false, tagLine);
    } else if (xml.startsWith("<?", lt)) {
      const end = xml.indexOf("?>", lt + 2);
      if (end < 0) fail("processing instruction is never closed");
      advance(end + 2);
    } else if (xml.startsWith("<!", lt)) {
      if (docs.length || stack.length) fail("<! declaration inside the document");
      const bracket = xml.indexOf("[", lt);
      const close = xml.indexOf(">", lt);
      const end = bracket >= 0 && bracket < close ? xml.indexOf("]>", bracket) + 1 : close;
      if (end <= 0) fail("declaration is never closed");
      advance(end + 1);
    } else if (xml[lt + 1] === "/") {
      NAME.lastIndex = lt + 2;
      const m = NAME.exec(xml);
      if (!m) fail("malformed closing tag");
      const name = m![0];
      TAG_END.lastIndex = lt + 2 + name.length;
      const e = TAG_END.exec(xml);
      if (!e || e[1] === "/") fail(`malformed closing tag </${name}`);
      advance(TAG_END.lastIndex);
      const top = stack.pop();
      if (!top) fail(`closing tag </${name}> with no element open`, tagLine);
      if (top!.name !== name) {
        fail(
          `closing tag </${name}> does not match <${top!.name}> opened on line ${top!.line}`,
          tagLine,
        );
      }
      closeElement(top!);
    } else {
      NAME.lastIndex = lt + 1;
      const m = NAME.exec(xml);
      if (!m) fail("'<' that does not start a tag (write &lt; in text)");
      const name = m![0];
      let p = lt + 1 + name.length;
      ATTR.lastIndex = p;
      while (ATTR.exec(xml)) p = ATTR.lastIndex;
      TAG_END.lastIndex = p;
      const e = TAG_END.exec(xml);
      if (!e) fail(`malformed start tag <${name}`);
      advance(TAG_END.lastIndex);
      const el: Open = { name, line: tagLine, start: doc ? doc.length : 0 };
      openElement(el);
      if (e![1] === "/") closeElement(stack.pop()!);
    }
  }
  if (stack.length) {
    const top = stack[stack.length - 1];
    fail(`<${top.name}> opened on line ${top.line} is never closed`, line);
  }
  if (opts.onNested) { for (const n of nestedAll) opts.onNested(n); }
  return docs;

  function openElement(el: Open): void {
    if (statementNames.has(el.name)) {
      if (doc) fail(`statement <${el.name}> inside statement ${doc.id}`, el.line);
      const n = (counters.get(el.name) ?? 0) + 1;
      counters.set(el.name, n);
      doc = {
        id: `${opts.idPrefix ?? ""}${el.name}-${n}`,
        parts: [],
        length: 0,
        spans: [],
        line: el.line,
      };
      statementDepth = stack.length;
      el.start = 0;
    } else if (doc && Object.hasOwn(labels, el.name)) {
      el.label = labels[el.name];
      el.part = doc.parts.length;
      if (mappedDepth < 0) {
        mappedDepth = stack.length;
        el.nested = [];
      }
    }
    stack.push(el);
  }

  function closeElement(el: Open): void {
    const depth = stack.length; // el has been popped
    if (doc && depth === statementDepth) {
      const text = doc.parts.join("");
      const meta: Record<string, unknown> = { element: el.name, line: doc.line };
      const nested = doc.spans.length ? nestedOf(doc.id) : [];
      if (nested.length) meta.nested = nested;
      docs.push({ id: doc.id, text, spans: doc.spans, meta });
      doc = null;
      statementDepth = -1;
      return;
    }
    if (!doc || el.label === undefined) return;
    const span = { start: el.start, end: doc.length, label: el.label };
    const blank = span.start === span.end
      ? "has no text"
      : doc.parts.slice(el.part).join("").trim() === ""
      ? "has only white space"
      : undefined;
    if (blank) {
      // nothing nested in it can have text either: those were skipped already
      if (depth === mappedDepth) mappedDepth = -1;
      skipOrThrow(`<${el.name}> (label ${el.label}) ${blank}`, {
        file,
        line: el.line,
        docId: doc.id,
      }, opts);
      return;
    }
    if (depth === mappedDepth) {
      doc.spans.push(span);
      for (const n of el.nested!) {
        n.outer = { ...span, element: el.name };
        nestedAll.push(n);
      }
      mappedDepth = -1;
    } else {
      stack[mappedDepth].nested!.push({
        docId: doc.id,
        line: el.line,
        outer: { start: -1, end: -1, label: "", element: "" },
        inner: { ...span, element: el.name },
      });
    }
  }

  function nestedOf(docId: string): NestedSpan[] {
    const out: NestedSpan[] = [];
    for (let i = nestedAll.length - 1; i >= 0 && nestedAll[i].docId === docId; i--) {
      out.unshift(nestedAll[i]);
    }
    return out;
  }
}

/** Decodes the five XML entities and numeric character references; others fail. */
function decodeEntities(raw: string, line: number, fail: (msg: string, at?: number) => never) {
  if (!raw.includes("&")) return raw;
  let out = "";
  let pos = 0;
  let at = line;
  for (let amp = raw.indexOf("&"); amp >= 0; amp = raw.indexOf("&", pos)) {
    for (let i = raw.indexOf("\n", pos); i >= 0 && i < amp; i = raw.indexOf("\n", i + 1)) at++;
    out += raw.slice(pos, amp);
    const semi = raw.indexOf(";", amp);
    const ref = semi < 0 ? "" : raw.slice(amp + 1, semi);
    let ch: string | undefined;
    if (/^#[0-9]{1,7}$/.test(ref)) ch = codePoint(Number(ref.slice(1)));
    else if (/^#x[0-9A-Fa-f]{1,6}$/.test(ref)) ch = codePoint(parseInt(ref.slice(2), 16));
    else ch = NAMED[ref];
    if (ch === undefined) {
      fail(
        `unknown or malformed entity ${
          JSON.stringify(raw.slice(amp, Math.min(amp + 12, raw.length)))
        }` +
          " (a literal '&' must be written &amp;)",
        at,
      );
    }
    out += ch;
    pos = semi + 1;
  }
  return out + raw.slice(pos);
}

function codePoint(n: number): string | undefined {
  return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff)
    ? String.fromCodePoint(n)
    : undefined;
}
