// Expected sentences below were worked out by hand from real statements of the GROBID
// funding-acknowledgement corpus (kermitt2/grobid, all-acknowledgements.tei.xml, CC BY
// 4.0; statement numbers are 0-based positions in that file, markup removed).
import assert from "node:assert/strict";
import fc from "fast-check";
import { isAbbreviation, splitSentences } from "../../lib/corpus/sentences.ts";
import type { Span } from "../../lib/core/types.ts";

function sents(text: string, spans?: Span[]): string[] {
  return splitSentences(text, spans).map((r) => text.slice(r.start, r.end));
}

Deno.test("splitSentences: title, initials and U.S.A. inside brackets (statement 1)", () => {
  const text = "ACKNOWLEDGMENT. We are grateful to Dr. G.D. Niswender (Animal Reproduction and " +
    "Biotechnology Laboratory, Colorado State University, Fort Collins, CO, U.S.A.) for " +
    "providing antisera to estradiol-17β (GDN 244) and testosterone (GDN 250).";
  assert.deepEqual(sents(text), [
    "ACKNOWLEDGMENT.",
    "We are grateful to Dr. G.D. Niswender (Animal Reproduction and Biotechnology " +
    "Laboratory, Colorado State University, Fort Collins, CO, U.S.A.) for providing " +
    "antisera to estradiol-17β (GDN 244) and testosterone (GDN 250).",
  ]);
  assert.deepEqual(splitSentences(text), [{ start: 0, end: 15 }, { start: 16, end: text.length }]);
});

Deno.test("splitSentences: Dr. and Mr. (statement 4)", () => {
  const text = "The authors thank Dr. Chunhua Weng from Columbia University and Dr. Cui Tao from " +
    "Mayo Clinic who participated in the evaluation. The authors also thank the technical " +
    "support from Mr. Craig Stancl from Mayo Clinic. The study is supported in part by the " +
    "SHARP Area 4: Secondary Use of EHR Data (90TR000201).";
  assert.deepEqual(sents(text), [
    "The authors thank Dr. Chunhua Weng from Columbia University and Dr. Cui Tao from " +
    "Mayo Clinic who participated in the evaluation.",
    "The authors also thank the technical support from Mr. Craig Stancl from Mayo Clinic.",
    "The study is supported in part by the SHARP Area 4: Secondary Use of EHR Data (90TR000201).",
  ]);
});

Deno.test("splitSentences: U.S. before a name, double space kept inside (statement 5)", () => {
  const text = "The data and views presented here are those of the authors alone and do not " +
    "reflect or imply the formal views of the U.S. Food and Drug Administration or any other " +
    "entity. This study was supported by the National Center for  Toxicological. Many of the " +
    "experiments described in this research utilized a HeLa cell line. Henrietta Lacks, and " +
    "the HeLa cell line that was established from her tumor cells without her knowledge or " +
    "consent in 1951, have made significant contributions to scientific progress and advances " +
    "in human health. We are grateful to Henrietta Lacks, now deceased, and to her surviving " +
    "family members for their contributions to biomedical research.";
  const got = sents(text);
  assert.equal(got.length, 5);
  assert.equal(
    got[0],
    "The data and views presented here are those of the authors alone and do not reflect or " +
      "imply the formal views of the U.S. Food and Drug Administration or any other entity.",
  );
  assert.equal(got[1], "This study was supported by the National Center for  Toxicological.");
  assert.equal(
    got[2],
    "Many of the experiments described in this research utilized a HeLa cell line.",
  );
  assert.ok(got[3].startsWith("Henrietta Lacks, and") && got[3].endsWith("in human health."));
  assert.ok(got[4].startsWith("We are grateful") && got[4].endsWith("biomedical research."));
});

Deno.test("splitSentences: et al. followed by a bracket (statement 372)", () => {
  const text = "We acknowledge the studies conducted by  Yoshimura et al. (2014) ,  Elkon et al. " +
    "(2015)  and  Waldhaus et al. (2015)  for providing open access to mouse gene expression " +
    "data. JAL-E has received funding from Meniere Society, UK and the Luxembourg National " +
    "Research Fund (INTER/Mobility/17/11772209).";
  assert.deepEqual(sents(text), [
    "We acknowledge the studies conducted by  Yoshimura et al. (2014) ,  Elkon et al. (2015)  " +
    "and  Waldhaus et al. (2015)  for providing open access to mouse gene expression data.",
    "JAL-E has received funding from Meniere Society, UK and the Luxembourg National Research " +
    "Fund (INTER/Mobility/17/11772209).",
  ]);
});

Deno.test("splitSentences: U.S. Army and a single initial (statement 669)", () => {
  const text =
    "The authors would like to acknowledge managerial support from Brian MacIver, (U.S. " +
    "Army Edgewood Chemical Biological Center; Aberdeen Proving Ground, MD), and James Horton, " +
    "Lucille Forrest, and William Adams (U.S. Army Chemical Materials Activity; Aberdeen " +
    "Proving Ground, MD). The authors are grateful for useful discussions with W. Venner Saul " +
    "(Sandia National Laboratories; Albuquerque, NM).";
  const got = sents(text);
  assert.equal(got.length, 2);
  assert.ok(got[0].endsWith("Aberdeen Proving Ground, MD)."));
  assert.equal(
    got[1],
    "The authors are grateful for useful discussions with W. Venner Saul (Sandia National " +
      "Laboratories; Albuquerque, NM).",
  );
});

Deno.test("splitSentences: a web address in brackets, Contract No. (statement 9)", () => {
  const text =
    "This work was done as part of the IDEFICS Study and is published on behalf of its " +
    "European Consortium (http://www.idefics.eu). We gratefully acknowledge the financial " +
    "support of the European Community within the Sixth RTD Framework Programme Contract No. " +
    "016181 (FOOD).";
  assert.deepEqual(sents(text), [
    "This work was done as part of the IDEFICS Study and is published on behalf of its " +
    "European Consortium (http://www.idefics.eu).",
    "We gratefully acknowledge the financial support of the European Community within the " +
    "Sixth RTD Framework Programme Contract No. 016181 (FOOD).",
  ]);
});

Deno.test("splitSentences: Profs. and initials with two-letter parts (statement 21)", () => {
  const text =
    "The authors are grateful to Profs. Ye.B. Stadnik, I.S. Guliyev, F.G. Dadashev, and " +
    "I.Ya. Skyarenko for assistance in performing these studies.";
  assert.deepEqual(sents(text), [text]);
});

Deno.test("splitSentences: Co. Ltd. and grant no. with dotted digits (687, 40)", () => {
  const a = "The authors acknowledge the financial support by Kazato Foundation, Japan and the " +
    "material supply from Nikko Metals Co. Ltd. Japan.";
  assert.deepEqual(sents(a), [a]);
  const b = "The authors gratefully acknowledge the financial support by the Polish Ministry of " +
    "Higher Education (Grant no. 15.11.170.576).";
  assert.deepEqual(sents(b), [b]);
});

Deno.test("splitSentences: dotted initials then bracket, and eq. (statements 170, 235)", () => {
  const a = "The work of N.E.M. is partially supported by P.P.A.R.C. (U.K.). E.W. wishes to " +
    "thank Oriel College (Oxford) for financial support.";
  assert.deepEqual(sents(a), [
    "The work of N.E.M. is partially supported by P.P.A.R.C. (U.K.).",
    "E.W. wishes to thank Oriel College (Oxford) for financial support.",
  ]);
  const b = "MD and CM also wish to thank Michael Spannowsky for 'stimulating' discussions. We " +
    "thank Gary Steigman for pointing out an error in eq. (10) in an early version of this work.";
  assert.deepEqual(sents(b), [
    "MD and CM also wish to thank Michael Spannowsky for 'stimulating' discussions.",
    "We thank Gary Steigman for pointing out an error in eq. (10) in an early version of this work.",
  ]);
});

Deno.test("splitSentences: no boundary inside an entity span", () => {
  const text = "Supported by Yahoo! Research. We thank them.";
  assert.deepEqual(sents(text), ["Supported by Yahoo!", "Research.", "We thank them."]);
  const spans = [{ start: 13, end: 28, label: "ORG" }]; // "Yahoo! Research"
  assert.equal(text.slice(13, 28), "Yahoo! Research");
  assert.deepEqual(sents(text, spans), ["Supported by Yahoo! Research.", "We thank them."]);
});

Deno.test("splitSentences: ! ? closing quotes, decimals, lower-case continuation", () => {
  assert.deepEqual(sents('He said "Thanks." Then he left! Why? 2.5 mg.'), [
    'He said "Thanks."',
    "Then he left!",
    "Why?",
    "2.5 mg.",
  ]);
  assert.deepEqual(sents("The p-value was 2.5. The effect was 0.3."), [
    "The p-value was 2.5.",
    "The effect was 0.3.",
  ]);
  assert.deepEqual(sents("It costs 5 USD. per item. Done..."), [
    "It costs 5 USD. per item.",
    "Done...",
  ]);
  assert.deepEqual(sents("Wait... Then go."), ["Wait...", "Then go."]);
});

Deno.test("splitSentences: offsets trimmed, blank lines split, empty text", () => {
  const text = "  First line without a period\n\n  Second one.  \n";
  assert.deepEqual(splitSentences(text), [{ start: 2, end: 29 }, { start: 33, end: 44 }]);
  assert.deepEqual(splitSentences(""), []);
  assert.deepEqual(splitSentences(" \n\t "), []);
  assert.deepEqual(splitSentences("x"), [{ start: 0, end: 1 }]);
});

Deno.test("isAbbreviation: listed words and dotted shapes", () => {
  for (const w of ["Dr.", "Inc.", "No.", "al.", "J.", "G.D.", "U.S.A.", "e.g.", "i.e.", "Ph.D."]) {
    assert.ok(isAbbreviation(w), w);
  }
  for (const w of ["study.", "NIH.", "us.", "2.", "Theorem."]) assert.ok(!isAbbreviation(w), w);
});

Deno.test("splitSentences property: trimmed, ordered, covering, never inside a span", () => {
  const piece = fc.constantFrom(
    "We",
    "thank",
    "Dr.",
    "J.",
    "Smith",
    ".",
    ". ",
    "! ",
    "? ",
    " ",
    "  ",
    "\n",
    "\n\n",
    "NIH",
    "(U.S.A.)",
    "2.5",
    "et al.",
    "The",
    "the",
    "No.",
    '"',
    ")",
    "Inc.",
    "\t",
  );
  fc.assert(
    fc.property(
      fc.array(piece, { maxLength: 40 }).map((a) => a.join("")),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 4 }),
      (text, raw) => {
        const spans = raw.map(([a, b]) => {
          const s = text.length ? a % text.length : 0;
          return { start: s, end: Math.min(text.length, s + 1 + (b % 12)), label: "X" };
        }).filter((s) => s.end > s.start);
        const got = splitSentences(text, spans);
        let prev = 0;
        const covered = new Array(text.length).fill(false);
        for (const r of got) {
          assert.ok(r.start >= prev && r.end > r.start);
          assert.match(text[r.start], /\S/);
          assert.match(text[r.end - 1], /\S/);
          for (let i = r.start; i < r.end; i++) covered[i] = true;
          prev = r.end;
        }
        for (let i = 0; i < text.length; i++) {
          if (/\S/.test(text[i])) assert.ok(covered[i], `char ${i} not covered`);
        }
        for (let k = 1; k < got.length; k++) {
          const end = got[k - 1].end;
          const next = got[k].start;
          for (const s of spans) assert.ok(!(s.start < end && s.end > next), "boundary in span");
        }
      },
    ),
    { numRuns: 300 },
  );
});
