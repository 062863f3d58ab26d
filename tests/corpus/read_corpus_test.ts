import assert from "node:assert/strict";
import { join } from "node:path";
import { corpusSha256, inferCorpusFormat, readCorpus } from "../../lib/corpus/read_corpus.ts";
import { readConll } from "../../lib/corpus/conll.ts";
import { readJsonl } from "../../lib/corpus/jsonl.ts";
import { readTei } from "../../lib/corpus/tei.ts";
import type { Span } from "../../lib/core/types.ts";
import type { ReadReport } from "../../lib/core/errors.ts";

const TEXT = "Ann Lee thanks the NIH.";
// hand-worked: "Ann Lee" is [0, 7), "NIH" is [19, 22)
const SPANS: Span[] = [{ start: 0, end: 7, label: "PER" }, { start: 19, end: 22, label: "ORG" }];

const FILES: Record<string, string> = {
  "a.conll": "Ann B-PER\nLee I-PER\nthanks O\nthe O\nNIH B-ORG\n. O\n",
  "a.jsonl": JSON.stringify({ id: "a", text: TEXT, label: [[0, 7, "PER"], [19, 22, "ORG"]] }),
  "a.json": JSON.stringify([{
    id: "a",
    data: { text: TEXT },
    annotations: [{
      result: [
        { type: "labels", value: { start: 0, end: 7, labels: ["PER"] } },
        { type: "labels", value: { start: 19, end: 22, labels: ["ORG"] } },
      ],
    }],
  }]),
  "spacy.jsonl": JSON.stringify({ text: TEXT, entities: [[0, 7, "PER"], [19, 22, "ORG"]] }),
  "a.xml": `<acknowledgments>\n<acknowledgment><individual>Ann Lee</individual> thanks the ` +
    `<funder>NIH</funder>.</acknowledgment>\n</acknowledgments>\n`,
};

async function withFiles<T>(f: (dir: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    for (const [name, text] of Object.entries(FILES)) {
      await Deno.writeTextFile(join(dir, name), text);
    }
    await Deno.mkdir(join(dir, "brat"));
    await Deno.writeTextFile(join(dir, "brat", "a.txt"), TEXT);
    await Deno.writeTextFile(
      join(dir, "brat", "a.ann"),
      "T1\tPER 0 7\tAnn Lee\nT2\tORG 19 22\tNIH\n",
    );
    await Deno.writeTextFile(join(dir, "brat", "b.txt"), "Bo");
    await Deno.writeTextFile(join(dir, "brat", "b.ann"), "T1\tPER 0 2\tBo\n");
    return await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readCorpus: every format, inferred from the file, gives the hand-worked spans", async () => {
  await withFiles(async (dir) => {
    const cases: [string, string][] = [
      ["a.conll", "conll"],
      ["a.jsonl", "doccano"],
      ["a.json", "labelstudio"],
      ["spacy.jsonl", "spacy"],
      ["brat/a.ann", "brat"],
    ];
    for (const [name, format] of cases) {
      const path = join(dir, name);
      const head = name.startsWith("brat") ? "" : FILES[name];
      assert.equal(inferCorpusFormat(path, head), format, name);
      const inferred = await readCorpus(path);
      assert.deepEqual(await readCorpus(path, { format: format as "conll" }), inferred, name);
      assert.equal(inferred.length, 1, name);
      const doc = inferred[0];
      // CoNLL rebuilds its text with a space between tokens
      const text = format === "conll" ? "Ann Lee thanks the NIH ." : TEXT;
      assert.equal(doc.text, text, name);
      assert.deepEqual(doc.spans, SPANS, name);
      assert.deepEqual(doc.spans.map((s) => doc.text.slice(s.start, s.end)), ["Ann Lee", "NIH"]);
    }
    // TEI needs the mapping of its elements
    const tei = await readCorpus(join(dir, "a.xml"), {
      labels: { individual: "PER", funder: "ORG" },
    });
    assert.deepEqual(tei[0].spans, SPANS);
    assert.equal(tei[0].text, TEXT);
    await assert.rejects(readCorpus(join(dir, "a.xml")), /a.xml: TEI needs labels naming/);
    // a brat folder: every .ann with its .txt, by name, ids from the file names
    const brat = await readCorpus(join(dir, "brat"));
    assert.deepEqual(brat.map((d) => d.id), ["a", "b"]);
    assert.deepEqual(brat[0].spans, SPANS);
    assert.deepEqual(brat[1].spans, [{ start: 0, end: 2, label: "PER" }]);
  });
});

Deno.test("readCorpus: the same documents as the reader it picks, and label-studio as an alias", async () => {
  await withFiles(async (dir) => {
    const file = join(dir, "a.conll");
    assert.deepEqual(await readCorpus(file), readConll(FILES["a.conll"], { file }));
    const ls = join(dir, "a.json");
    assert.deepEqual(
      await readCorpus(ls, { format: "label-studio" }),
      readJsonl(FILES["a.json"], { format: "labelstudio", file: ls }),
    );
    const xml = join(dir, "a.xml");
    assert.deepEqual(
      await readCorpus(xml, { format: "tei", labels: { individual: "PERSON" } }),
      readTei(FILES["a.xml"], { labels: { individual: "PERSON" }, file: xml }),
    );
  });
});

Deno.test("readCorpus: labels are renamed or dropped; others kept", async () => {
  await withFiles(async (dir) => {
    const [doc] = await readCorpus(join(dir, "a.jsonl"), { labels: { PER: "PERSON", ORG: null } });
    assert.deepEqual(doc.spans, [{ start: 0, end: 7, label: "PERSON" }]);
    const [kept] = await readCorpus(join(dir, "a.conll"), { labels: { ORG: "ORGANIZATION" } });
    assert.deepEqual(kept.spans.map((s) => s.label), ["PER", "ORGANIZATION"]);
    await assert.rejects(
      readCorpus(join(dir, "a.jsonl"), { labels: { PER: "A PERSON" } }),
      /a.jsonl: label mapping PER -> "A PERSON": label "A PERSON" contains whitespace/,
    );
    // what the mapping produces is checked as a reader checks a label
    await assert.rejects(
      readCorpus(join(dir, "a.conll"), { labels: { PER: "B-PER" } }),
      /a.conll: label mapping PER -> "B-PER": label "B-PER" starts with the tag prefix B-/,
    );
    await assert.rejects(
      readCorpus(join(dir, "a.jsonl"), { labels: { ORG: "O" } }),
      /a.jsonl: label mapping ORG -> "O": label "O" is "O"/,
    );
    await assert.rejects(
      readCorpus(join(dir, "a.xml"), { labels: { individual: "I-PER" } }),
      /a.xml: label mapping individual -> "I-PER": label "I-PER" starts with the tag prefix I-/,
    );
  });
});

Deno.test("readCorpus: unknown, ambiguous or missing input is an error that lists the choices", async () => {
  await withFiles(async (dir) => {
    await assert.rejects(
      readCorpus(join(dir, "a.jsonl"), { format: "conl" as "conll" }),
      /unknown format "conl"; choose one of conll, doccano, labelstudio, spacy, brat, tei/,
    );
    const both = join(dir, "both.jsonl");
    await Deno.writeTextFile(both, JSON.stringify({ text: "x", label: [], entities: [] }));
    await assert.rejects(
      readCorpus(both),
      /both.jsonl: cannot tell the format from the first record \(it fits doccano and spacy\); give one of doccano, labelstudio, spacy/,
    );
    const bare = join(dir, "bare.jsonl");
    await Deno.writeTextFile(bare, JSON.stringify({ text: "x" }));
    await assert.rejects(readCorpus(bare), /bare.jsonl: cannot tell the format/);
    const empty = join(dir, "empty.txt");
    await Deno.writeTextFile(empty, "\n");
    await assert.rejects(
      readCorpus(empty),
      /empty.txt: cannot tell the format of this file; give one of conll/,
    );
    await assert.rejects(
      readCorpus(join(dir, "nope.conll")),
      /readCorpus: no such file .*nope.conll/,
    );
    await Deno.remove(join(dir, "brat", "b.txt"));
    await assert.rejects(readCorpus(join(dir, "brat")), /b.ann.*no text file b.txt beside it/);
    // readJsonl without a format names the choices instead of failing on a property
    assert.throws(
      () => readJsonl("{}", undefined as unknown as { format: "doccano" }),
      /readJsonl: options.format must be "doccano", "labelstudio" or "spacy", got undefined/,
    );
  });
});

Deno.test("corpusSha256: a file's sha256; a brat folder's changes with any of its files", async () => {
  await withFiles(async (dir) => {
    // sha256 of "abc" (FIPS 180-2, appendix B.1)
    await Deno.writeTextFile(join(dir, "abc.txt"), "abc");
    assert.equal(
      await corpusSha256(join(dir, "abc.txt")),
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
    const before = await corpusSha256(join(dir, "brat"));
    await Deno.writeTextFile(join(dir, "brat", "b.ann"), "T1\tORG 0 2\tBo\n");
    const after = await corpusSha256(join(dir, "brat"));
    assert.match(before, /^[0-9a-f]{64}$/);
    assert.notEqual(before, after);
  });
});

Deno.test("readCorpus: a label mapping key the corpus lacks is a typo, named with the nearest", async () => {
  await withFiles(async (dir) => {
    await assert.rejects(
      readCorpus(join(dir, "a.xml"), { labels: { individul: "PER", funder: "ORG" } }),
      /a.xml: labels: "individul" is not a label of this corpus \(did you mean "individual"\?\); it has acknowledgment, acknowledgments, funder, individual/,
    );
    await assert.rejects(
      readCorpus(join(dir, "a.jsonl"), { labels: { PRE: "PERSON" } }),
      /a.jsonl: labels: "PRE" is not a label of this corpus \(did you mean "PER"\?\); it has ORG, PER/,
    );
  });
});

Deno.test("readCorpus: invalid: skip reaches the reader, whose skipped lines land in the one report", async () => {
  await withFiles(async (dir) => {
    const conll = join(dir, "b.conll");
    await Deno.writeTextFile(conll, "\uFEFFAnn\tB-PER\r\n\tO\r\nLee\tI-PER\r\n");
    await assert.rejects(
      readCorpus(conll),
      new RegExp(`${conll}:2: column 0 is empty \\(invalid: "skip"`),
    );
    const report: ReadReport = { skipped: [] };
    const [doc] = await readCorpus(conll, { invalid: "skip", report });
    assert.equal(doc.text, "Ann Lee");
    assert.deepEqual(doc.spans, [{ start: 0, end: 7, label: "PER" }]);
    const xml = join(dir, "b.xml");
    await Deno.writeTextFile(xml, "<r><acknowledgment><funder> </funder>NIH</acknowledgment></r>");
    const [tei] = await readCorpus(xml, { labels: { funder: "ORG" }, invalid: "skip", report });
    assert.deepEqual(tei.spans, []);
    assert.deepEqual(report.skipped, [
      { file: conll, line: 2, reason: "column 0 is empty" },
      {
        file: xml,
        line: 1,
        docId: "acknowledgment-1",
        reason: "<funder> (label ORG) has only white space",
      },
    ]);
    await assert.rejects(
      readCorpus(conll, { invalid: "skip" }),
      /readCorpus: invalid: "skip" needs a report/,
    );
    // JSONL: the record past its text's end; brat: the line whose mention is not the text
    const jsonl = join(dir, "b.jsonl");
    await Deno.writeTextFile(
      jsonl,
      FILES["a.jsonl"] + "\n" + JSON.stringify({ id: "z", text: "Bo", label: [[0, 9, "PER"]] }) +
        "\n",
    );
    await Deno.writeTextFile(join(dir, "brat", "b.ann"), "T1\tPER 0 2\tBo\nT2\tPER 0 2\tXy\n");
    for (const [path, format] of [[jsonl, "doccano"], [join(dir, "brat"), "brat"]] as const) {
      await assert.rejects(readCorpus(path, { format }), /:2: .*\(invalid: "skip"/);
      const r: ReadReport = { skipped: [] };
      const docs = await readCorpus(path, { format, invalid: "skip", report: r });
      assert.deepEqual(docs[0].spans, SPANS, path);
      assert.deepEqual(r.skipped.map((s) => [s.file, s.line]), [
        [format === "brat" ? join(dir, "brat", "b.ann") : jsonl, 2],
      ]);
    }
  });
});

Deno.test("inferCorpusFormat: doccano's relation-project export is doccano", async () => {
  const rec = {
    text: "Ann met Bob",
    entities: [{ id: 1, label: "PER", start_offset: 0, end_offset: 3 }],
    relations: [],
  };
  assert.equal(inferCorpusFormat("a.jsonl", JSON.stringify(rec)), "doccano");
  const empty = JSON.stringify({ text: "x", entities: [], relations: [] });
  assert.equal(inferCorpusFormat("a.jsonl", empty), "doccano");
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/r.jsonl`, JSON.stringify(rec) + "\n");
  const docs = await readCorpus(`${dir}/r.jsonl`);
  assert.deepEqual(docs[0].spans, [{ start: 0, end: 3, label: "PER" }]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("inferCorpusFormat: a BOM, CRLF or lone CR line ends do not hide the format", () => {
  const rec = (t: string) => JSON.stringify({ text: t, label: [[0, 1, "X"]] });
  for (const eol of ["\n", "\r\n", "\r"]) {
    assert.equal(
      inferCorpusFormat("a.jsonl", `\uFEFF${rec("a")}${eol}${rec("b")}${eol}`),
      "doccano",
    );
    assert.equal(inferCorpusFormat("a.txt", `\uFEFF${eol}Ann\tB-PER${eol}`), "conll");
  }
});
