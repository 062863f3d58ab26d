/**
 * Properties of readBrat and writeBrat: what is written reads back the same whatever the
 * `.ann`'s line ends; any input reads or fails with a CorpusError that names a line; with
 * invalid: "skip" every T line is in the output or in the report (checked against an oracle
 * written here from the brat format, not from the reader).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { readBrat, writeBrat } from "../../lib/corpus/brat.ts";
import { CorpusError } from "../../lib/core/errors.ts";
import type { Span } from "../../lib/core/types.ts";
import {
  boundaries,
  hostileArb,
  labelArb,
  textArb,
  textWithSpansArb,
  validLabel,
} from "./fixtures/corpus_arbitraries.ts";

const endingArb = fc.record({ eol: fc.constantFrom("\n", "\r\n", "\r"), bom: fc.boolean() });
function reEnd(ann: string, { eol, bom }: { eol: string; bom: boolean }): string {
  // writeBrat refuses mentions with a line break, so every "\n" of its .ann ends a line
  return (bom ? "\uFEFF" : "") + ann.replaceAll("\n", eol);
}

Deno.test("property: readBrat(writeBrat(doc)) is doc, any .ann line ends and BOM", () => {
  fc.assert(
    fc.property(
      textWithSpansArb({ lineBreaks: false }),
      fc.string({ maxLength: 5 }),
      endingArb,
      ({ text, spans }, id, ending) => {
        const { txt, ann } = writeBrat({ id, text, spans });
        const { doc, report } = readBrat(txt, reEnd(ann, ending), { id });
        assert.deepEqual(doc, { id, text, spans });
        assert.deepEqual(report.skipped, []);
      },
    ),
    { numRuns: 500 },
  );
});

Deno.test("property: any .txt and .ann read or throw a CorpusError naming a line", () => {
  const valid = textWithSpansArb({ lineBreaks: false }).map((d) => writeBrat({ id: "d", ...d }));
  const input = fc.oneof(
    valid.chain(({ txt, ann }) => fc.tuple(fc.constant(txt), hostileArb(fc.constant(ann)))),
    fc.tuple(textArb, hostileArb(valid.map((w) => w.ann))),
  );
  fc.assert(
    fc.property(input, fc.constantFrom("error", "fragments"), ([txt, ann], discontinuous) => {
      for (const invalid of ["error", "skip"] as const) {
        try {
          const { report } = readBrat(txt, ann, {
            file: "a.ann",
            invalid,
            discontinuous: discontinuous as "error",
          });
          for (const s of report.skipped) assert.ok(s.line !== undefined, JSON.stringify(s));
        } catch (e) {
          assert.ok(e instanceof CorpusError, `not a CorpusError: ${e}`);
          assert.ok(e.line !== undefined, e.message);
        }
      }
    }),
    { numRuns: 1000 },
  );
});

// (c) every T line is in the output or the report, against an oracle

type Frag = [number, number];
type TLine = { frags: Frag[]; label: string; wrongMention: boolean };

const OTHER_LINES = [
  "R1\tRel Arg1:T1 Arg2:T2",
  "#1\tAnnotatorNotes T1\tnote",
  "A1\tNegated T1",
  "X1\tunknown",
  "T9 PER 0 1 a",
  "",
];

/**
 * A text and the specs of its `.ann` lines: T lines that fit together (adjacent ones, and
 * discontinuous ones over two segments) with, inserted at random places, lines that may not
 * fit (random offsets, a wrong mention, a bad label) or are no T lines at all.
 */
const caseArb: fc.Arbitrary<{ txt: string; specs: (TLine | string)[] }> = textArb.chain((txt) => {
  const n = boundaries(txt).length - 1;
  const frag = fc.tuple(fc.nat({ max: n + 1 }), fc.nat({ max: n + 2 }));
  const noise: fc.Arbitrary<TLine | string> = fc.oneof(
    fc.record({
      frags: fc.oneof(frag.map((f) => [f]), fc.tuple(frag, frag)),
      label: fc.oneof(labelArb, fc.constantFrom("O", "B-PER", "I_x")),
      wrongMention: fc.boolean(),
    }),
    fc.record({
      frags: frag.map((f) => [f]),
      label: labelArb,
      wrongMention: fc.constant(false),
    }),
    fc.constantFrom(...OTHER_LINES),
  );
  const fitting = fc.tuple(
    fc.uniqueArray(fc.nat({ max: n }), { maxLength: 7 }),
    fc.array(fc.option(labelArb, { nil: null, freq: 4 }), { minLength: 6, maxLength: 6 }),
    fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
  ).map(([cuts, labels, join]) => {
    const c = [...cuts].sort((x, y) => x - y);
    const segments: Frag[] = c.slice(1).map((end, i) => [c[i], end]);
    const lines: TLine[] = [];
    for (let i = 0; i < segments.length; i++) {
      const label = labels[i];
      if (label === null) continue;
      if (join[i] && i + 2 < segments.length) {
        lines.push({ frags: [segments[i], segments[i + 2]], label, wrongMention: false });
        i += 2;
      } else lines.push({ frags: [segments[i]], label, wrongMention: false });
    }
    return lines.reverse();
  });
  return fc.tuple(fitting, fc.array(fc.tuple(noise, fc.nat()), { maxLength: 3 })).map(
    ([specs, extra]: [(TLine | string)[], [TLine | string, number][]]) => {
      for (const [line, at] of extra) specs.splice(at % (specs.length + 1), 0, line);
      return { txt, specs };
    },
  );
});

Deno.test('property: with invalid: "skip" every T line is read or reported', () => {
  fc.assert(
    fc.property(
      caseArb,
      endingArb,
      ({ txt, specs }, ending) => {
        const b = boundaries(txt);
        const cpLength = b.length - 1;
        const bad = new Set<number>(); // lines the oracle says cannot be read
        const spans: (Span & { line: number })[] = [];
        const tLines = new Set<number>();
        const lines = specs.map((spec, k) => {
          const line = k + 1;
          if (typeof spec === "string") {
            if (spec.startsWith("X") || spec.startsWith("T")) bad.add(line);
            if (spec.startsWith("T")) tLines.add(line);
            return spec;
          }
          tLines.add(line);
          const inText = spec.frags.every(([s, e]) => s < e && e <= cpLength);
          const exact = inText ? spec.frags.map(([s, e]) => txt.slice(b[s], b[e])).join(" ") : "";
          // a mention cannot hold a line break: the line would end there
          const mention = (spec.wrongMention ? exact + "x" : exact).replace(/[\r\n]/g, "_");
          const offsets = spec.frags.map(([s, e]) => `${s} ${e}`).join(";");
          if (!inText || mention !== exact || !validLabel(spec.label)) bad.add(line);
          else {
            for (const [s, e] of spec.frags) {
              spans.push({ start: b[s], end: b[e], label: spec.label, line });
            }
          }
          return `T${line}\t${spec.label} ${offsets}\t${mention}`;
        });
        // overlaps: in text order, a span overlapping the last one kept is left out
        spans.sort((x, y) => x.start - y.start || x.end - y.end);
        const kept: typeof spans = [];
        const overlapping: number[] = [];
        for (const s of spans) {
          if (kept.length && s.start < kept[kept.length - 1].end) overlapping.push(s.line);
          else kept.push(s);
        }
        const { doc, report } = readBrat(txt, reEnd(lines.join("\n") + "\n", ending), {
          id: "d",
          invalid: "skip",
          discontinuous: "fragments",
        });
        assert.deepEqual(doc.spans, kept.map(({ start, end, label }) => ({ start, end, label })));
        const skipped = report.skipped.map((s) => s.line!);
        assert.deepEqual(
          [...skipped].sort((x, y) => x - y),
          [...bad, ...overlapping].sort((x, y) => x - y),
        );
        // so every T line is in the output or the report
        const read = new Set([...kept.map((s) => s.line), ...skipped]);
        for (const line of tLines) assert.ok(read.has(line), `T line ${line} lost`);
      },
    ),
    { numRuns: 500 },
  );
});
