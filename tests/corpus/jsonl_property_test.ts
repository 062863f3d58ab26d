/**
 * Properties of readJsonl and writeJsonl on doccano, Label Studio and spaCy files: what is
 * written reads back the same whatever the line ends; any input reads or fails with a
 * CorpusError that names a line or document; with invalid: "skip" every span of the input is
 * in the output or its record is in the report (checked against an oracle written here).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type JsonlFormat, readJsonl, writeJsonl } from "../../lib/corpus/jsonl.ts";
import { CorpusError, type ReadReport } from "../../lib/core/errors.ts";
import type { Doc, Span } from "../../lib/core/types.ts";
import {
  boundaries,
  docsArb,
  hostileArb,
  labelArb,
  textArb,
  validLabel,
} from "./fixtures/corpus_arbitraries.ts";

const FORMATS: JsonlFormat[] = ["doccano", "labelstudio", "spacy"];
const RUNS = { numRuns: 500 };

/** The same file with other line ends and maybe a byte-order mark. */
const endingArb = fc.record({ eol: fc.constantFrom("\n", "\r\n", "\r"), bom: fc.boolean() });
function reEnd(text: string, { eol, bom }: { eol: string; bom: boolean }): string {
  // JSON.stringify escapes CR and LF inside strings, so every raw "\n" ends a line
  return (bom ? "\uFEFF" : "") + text.replaceAll("\n", eol);
}

/** Label Studio's array as one task per line. */
function taskLines(array: string): string {
  return array.split("\n").slice(1, -2).map((l) => l.replace(/,$/, "")).join("\n") + "\n";
}

const strip = (docs: Doc[]) => docs.map(({ id, text, spans }) => ({ id, text, spans }));

const DELETE = Symbol("delete");

/** A value that may trip a reader where a well-formed one is expected. */
const oddValueArb = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, -1, 1.5, 1e308, "", " ", "O", "B-PER", "PER X", [], {}, [0, 1], [[0, 1]]),
  fc.constant(DELETE),
);

/**
 * Well-formed files with values replaced (or keys deleted) at random places of their JSON
 * records: hostile input that gets past the JSON syntax to the reader's checks.
 */
function jsonEditsArb(format: JsonlFormat): fc.Arbitrary<string> {
  return fc.tuple(docsArb, fc.array(fc.tuple(fc.nat(), oddValueArb), { maxLength: 4 })).map(
    ([docs, edits]) => {
      const text = writeJsonl(docs, { format });
      const records: unknown[] = format === "labelstudio"
        ? JSON.parse(text)
        : text.split("\n").filter((l) => l).map((l) => JSON.parse(l));
      const root = { records };
      for (const [at, value] of edits) {
        const slots: [Record<string, unknown>, string][] = [];
        const walk = (node: unknown) => {
          if (typeof node !== "object" || node === null) return;
          for (const key of Object.keys(node)) {
            slots.push([node as Record<string, unknown>, key]);
            walk((node as Record<string, unknown>)[key]);
          }
        };
        walk(root.records);
        if (!slots.length) break;
        const [parent, key] = slots[at % slots.length];
        if (value === DELETE) delete parent[key];
        else parent[key] = structuredClone(value); // constants are shared between runs
      }
      const lines = root.records.map((r) => JSON.stringify(r) ?? "null");
      return format === "labelstudio" ? "[\n" + lines.join(",\n") + "\n]\n" : lines.join("\n");
    },
  );
}

for (const format of FORMATS) {
  Deno.test(`property: readJsonl(writeJsonl(docs)) is docs, any line ends and BOM, ${format}`, () => {
    fc.assert(
      fc.property(docsArb, endingArb, (docs, ending) => {
        const written = writeJsonl(docs, { format });
        assert.deepEqual(strip(readJsonl(reEnd(written, ending), { format })), docs);
        if (format === "labelstudio") {
          const lines = reEnd(taskLines(written), ending);
          assert.deepEqual(strip(readJsonl(lines, { format })), docs);
        }
      }),
      RUNS,
    );
  });

  Deno.test(`property: any input reads or throws a CorpusError naming a line or document, ${format}`, () => {
    const valid = docsArb.map((docs) => writeJsonl(docs, { format }));
    fc.assert(
      fc.property(fc.oneof(hostileArb(valid), jsonEditsArb(format)), (text) => {
        for (const invalid of ["error", "skip"] as const) {
          const report: ReadReport = { skipped: [] };
          try {
            readJsonl(text, { format, invalid, report, unannotated: "keep" });
          } catch (e) {
            assert.ok(e instanceof CorpusError, `not a CorpusError: ${e}`);
            assert.ok(e.line !== undefined || e.docId !== undefined, e.message);
          }
          for (const s of report.skipped) assert.ok(s.line !== undefined, JSON.stringify(s));
        }
      }),
      { numRuns: 1000 },
    );
  });
}

// (c) every span is in the output or its record in the report, against an oracle

type Item =
  | { kind: "span"; start: number; end: number; label: string }
  | { kind: "junk"; value: unknown };
type Rec = { text: string; items: Item[]; variant: number; broken: boolean; dup: boolean };

/**
 * A record's text and span items in the format's offset unit: spans that fit together (some
 * adjacent) and, in about half the records, one more item that may not fit: random offsets,
 * a fraction, a bad label, or something that is no span at all.
 */
function recArb(format: JsonlFormat): fc.Arbitrary<Rec> {
  return textArb.chain((text) => {
    const n = format === "labelstudio" ? text.length : boundaries(text).length - 1;
    const noise: fc.Arbitrary<Item> = fc.oneof(
      fc.record({
        kind: fc.constant("span" as const),
        start: fc.integer({ min: -1, max: n + 1 }),
        end: fc.integer({ min: -1, max: n + 2 }),
        label: fc.oneof(labelArb, fc.constantFrom("O", "B-PER", "PER X", "", "PER\t")),
      }),
      fc.constant<Item>({ kind: "span", start: 0.5, end: 1, label: "PER" }),
      fc.constantFrom(null, 3, "PER", [1, 2], [0, "1", "PER"], { x: 1 }, {
        start: 0,
        end: 1,
        labels: ["A", "B"],
      }).map((value): Item => ({ kind: "junk", value })),
    );
    return fc.record({
      text: fc.constant(text),
      items: fc.tuple(
        fc.uniqueArray(fc.nat({ max: n }), { maxLength: 7 }),
        fc.array(fc.option(labelArb, { nil: null, freq: 4 }), { minLength: 6, maxLength: 6 }),
        fc.option(fc.tuple(noise, fc.nat()), { nil: null, freq: 2 }),
      ).map(([cuts, labels, extra]) => {
        const c = [...cuts].sort((x, y) => x - y);
        const items: Item[] = [];
        for (let i = 0; i + 1 < c.length; i++) {
          const label = labels[i];
          if (label !== null) items.push({ kind: "span", start: c[i], end: c[i + 1], label });
        }
        items.reverse();
        if (extra) items.splice(extra[1] % (items.length + 1), 0, extra[0]);
        return items;
      }),
      variant: fc.nat({ max: 3 }),
      broken: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true)),
      dup: fc.oneof({ weight: 6, arbitrary: fc.constant(false) }, fc.constant(true)),
    });
  });
}

/** The record as the format writes it (`variant` picks among the shapes each format has). */
function serialise(format: JsonlFormat, r: Rec, id: string | undefined): string {
  const triple = (i: Item) => i.kind === "span" ? [i.start, i.end, i.label] : i.value;
  let value: unknown;
  if (format === "doccano") {
    const key = ["label", "labels", "entities", "entities"][r.variant];
    const items = r.variant === 3
      ? r.items.map((i, k) =>
        i.kind === "span"
          ? { id: k, label: i.label, start_offset: i.start, end_offset: i.end }
          : i.value
      )
      : r.items.map(triple);
    value = { id, text: r.text, [key]: items, relations: [] };
  } else if (format === "spacy") {
    const entities = r.items.map(triple);
    value = id === undefined ? [r.text, { entities }] : { id, text: r.text, entities };
  } else {
    const result: unknown[] = r.items.map((i) =>
      i.kind === "span"
        ? { type: "labels", value: { start: i.start, end: i.end, labels: [i.label] } }
        : { type: "labels", value: i.value }
    );
    result.push({ type: "relation", from_id: "a", to_id: "b" });
    value = { id, data: { text: r.text }, annotations: [{ result }] };
  }
  const json = JSON.stringify(value);
  return r.broken ? json[0] + "x" + json.slice(1) : json;
}

/** The spans a record should give, in UTF-16 offsets and sorted, or null when it is unreadable. */
function expected(format: JsonlFormat, r: Rec): Span[] | null {
  if (r.broken) return null;
  const b = boundaries(r.text);
  const length = format === "labelstudio" ? r.text.length : b.length - 1;
  const spans: Span[] = [];
  for (const i of r.items) {
    if (i.kind === "junk") return null;
    const ok = Number.isInteger(i.start) && Number.isInteger(i.end) && i.start >= 0 &&
      i.start < i.end && i.end <= length && validLabel(i.label);
    if (!ok) return null;
    spans.push(
      format === "labelstudio"
        ? { start: i.start, end: i.end, label: i.label }
        : { start: b[i.start], end: b[i.end], label: i.label },
    );
  }
  spans.sort((x, y) => x.start - y.start || x.end - y.end);
  return spans.some((s, k) => k > 0 && s.start < spans[k - 1].end) ? null : spans;
}

for (const format of FORMATS) {
  Deno.test(`property: with invalid: "skip" every span is read or its record reported, ${format}`, () => {
    fc.assert(
      fc.property(
        fc.array(recArb(format), { maxLength: 6 }),
        endingArb,
        fc.boolean(),
        (recs, ending, asArray) => {
          const array = format === "labelstudio" && asArray;
          const accepted = new Set<string>();
          const ids: string[] = [];
          const want: { line: number; id: string; text: string; spans: Span[] | null }[] = [];
          const lines = recs.map((r, k) => {
            // spaCy tuples have no id: the reader names them doc-N
            const tuple = format === "spacy" && r.variant === 0;
            let id = tuple ? `doc-${k + 1}` : `r${k}`;
            if (r.dup && ids.length && !tuple) id = ids[k % ids.length];
            ids.push(id);
            let spans = expected(format, r);
            if (spans && accepted.has(id)) spans = null;
            if (spans) accepted.add(id);
            want.push({ line: array ? k + 2 : k + 1, id, text: r.text, spans });
            return serialise(format, r, tuple ? undefined : id);
          });
          const body = array ? "[\n" + lines.join(",\n") + "\n]\n" : lines.join("\n") + "\n";
          const report: ReadReport = { skipped: [] };
          const docs = readJsonl(reEnd(body, ending), { format, invalid: "skip", report });
          const skipped = report.skipped.map((s) => s.line);
          const good = want.filter((w) => w.spans !== null);
          assert.deepEqual(
            strip(docs),
            good.map(({ id, text, spans }) => ({ id, text, spans })),
          );
          assert.deepEqual(skipped, want.filter((w) => w.spans === null).map((w) => w.line));
        },
      ),
      RUNS,
    );
  });
}
