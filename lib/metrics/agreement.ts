/**
 * Inter-annotator agreement on a doubly (or multiply) annotated set of documents:
 *
 * - pairwise entity-level F1 (spans match when start, end and label are equal; with
 *   one annotator as reference, precision and recall swap with the other, so F1 =
 *   2 · matches / (entities of A + entities of B) is symmetric). Two annotators with
 *   no entities at all agree perfectly (F1 1);
 * - Cohen's kappa over token labels for every pair, Fleiss' kappa for three or more
 *   annotators ({@link cohenKappa}, {@link fleissKappa}); a token's label is the label
 *   of the annotator's span that overlaps it, or `"O"`. Tokens come from `tokens`
 *   (default: {@link splitWords}, cut at every annotator's span boundaries so that no
 *   token is partly inside a span);
 * - the same per label (F1 on that label's spans; kappa of "this label or not");
 * - the documents, those that disagree most first.
 *
 * Inputs are lined up by document id: ids and texts must agree ({@link pairDocs}).
 *
 * @module
 */

import type { Doc, Range, Span } from "../core/types.ts";
import { splitWords } from "../corpus/words.ts";
import { compareCodePoints } from "./entities.ts";
import { pairDocs } from "./doc_pairs.ts";
import { cohenKappa, fleissKappa } from "./kappa.ts";

/**
 * Options of {@link agreement}: annotator `names` (default "annotator 1", ...) and a
 * `tokens` function splitting a text into word ranges.
 */
export type AgreementOptions = {
  names?: readonly string[];
  tokens?: (text: string) => Range[];
};

/**
 * Agreement of one pair of annotators: entity F1 (with precision and recall taking `a`
 * as the reference) and Cohen's kappa over token labels.
 */
export type PairAgreement = {
  a: string;
  b: string;
  f1: number;
  precision: number;
  recall: number;
  kappa: number;
};

/**
 * Agreement on one label: mean pairwise F1 on its spans, mean pairwise Cohen's kappa of
 * "this label or not" per token, and (three or more annotators) Fleiss' kappa of the
 * label's category.
 */
export type LabelAgreement = {
  label: string;
  entities: number[];
  f1: number;
  kappa: number;
  fleissKappa?: number;
};

/**
 * Agreement on one document: mean pairwise entity F1, and the number of tokens whose
 * labels are not the same for all annotators.
 */
export type DocumentAgreement = {
  id: string;
  f1: number;
  disagreeingTokens: number;
  tokens: number;
};

/**
 * Result of {@link agreement}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agreement, type AgreementReport } from "./agreement.ts";
 * const doc = { id: "d", text: "Ann", spans: [{ start: 0, end: 3, label: "PER" }] };
 * const r: AgreementReport = agreement([[doc], [doc]]);
 * assert.equal(r.meanF1, 1);
 * assert.equal(r.documents[0].id, "d"); // the document with the least agreement comes first
 * ```
 */
export type AgreementReport = {
  annotators: string[];
  tokens: number;
  pairs: PairAgreement[];
  meanF1: number;
  meanKappa: number;
  fleissKappa?: number;
  byLabel: LabelAgreement[];
  documents: DocumentAgreement[];
};

const spanKey = (s: Span) => `${s.start}:${s.end}:${s.label}`;

function multiset(spans: readonly Span[], label?: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of spans) {
    if (label !== undefined && s.label !== label) continue;
    m.set(spanKey(s), (m.get(spanKey(s)) ?? 0) + 1);
  }
  return m;
}

function matches(a: Map<string, number>, b: Map<string, number>): number {
  let n = 0;
  for (const [k, x] of a) n += Math.min(x, b.get(k) ?? 0);
  return n;
}

function size(m: Map<string, number>): number {
  let n = 0;
  for (const x of m.values()) n += x;
  return n;
}

const f1Of = (tp: number, na: number, nb: number) => na + nb === 0 ? 1 : 2 * tp / (na + nb);

/** Token labels of one annotator's document; error on conflicting overlapping spans. */
function tokenLabels(doc: Doc, toks: Range[], who: string): string[] {
  const labels = new Array<string>(toks.length).fill("O");
  const owner = new Array<Span | undefined>(toks.length);
  for (const s of doc.spans) {
    // first token ending after the span's start
    let lo = 0, hi = toks.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (toks[mid].end <= s.start) lo = mid + 1;
      else hi = mid;
    }
    for (let t = lo; t < toks.length && toks[t].start < s.end; t++) {
      const prev = owner[t];
      if (prev !== undefined && prev.label !== s.label) {
        throw new Error(
          `${who}: document ${JSON.stringify(doc.id)}: spans ${JSON.stringify(prev)} and ${
            JSON.stringify(s)
          } overlap on token [${toks[t].start}, ${toks[t].end}) with different labels`,
        );
      }
      owner[t] = s;
      labels[t] = s.label;
    }
  }
  return labels;
}

/**
 * Agreement between two or more annotators of the same documents: pairwise entity
 * F1 and Cohen's kappa, Fleiss' kappa for three or more, per label, and the documents
 * ranked from least to most agreement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { agreement } from "./agreement.ts";
 * const text = "Ann Lee thanks NIH.";
 * const a = [{ id: "d1", text, spans: [{ start: 0, end: 7, label: "PER" }, { start: 15, end: 18, label: "ORG" }] }];
 * const b = [{ id: "d1", text, spans: [{ start: 0, end: 3, label: "PER" }, { start: 15, end: 18, label: "ORG" }] }];
 * const r = agreement([a, b], { names: ["ann", "bob"] });
 * assert.equal(r.pairs[0].f1, 0.5); // one of two entities matches on each side
 * ```
 */
export function agreement(
  annotations: readonly (readonly Doc[])[],
  opts: AgreementOptions = {},
): AgreementReport {
  const k = annotations.length;
  if (k < 2) throw new Error(`agreement needs two or more annotation sets, got ${k}`);
  const names = opts.names ? [...opts.names] : annotations.map((_, i) => `annotator ${i + 1}`);
  if (names.length !== k) {
    throw new Error(`agreement: ${names.length} names for ${k} annotation sets`);
  }
  const docs = pairDocs(annotations, names);
  const labelSet = new Set<string>();
  for (const row of docs) for (const d of row) for (const s of d.spans) labelSet.add(s.label);
  const labels = [...labelSet].sort(compareCodePoints);

  // token labels per annotator, pooled over documents
  const tokenLabelsBy: string[][] = names.map(() => []);
  const docResults: DocumentAgreement[] = [];
  const pairIdx: [number, number][] = [];
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) pairIdx.push([i, j]);
  const pairTp = pairIdx.map(() => 0);
  const pairLabelTp = pairIdx.map(() => new Map<string, number>());
  const entityCount = names.map(() => 0);
  const labelCount = names.map(() => new Map<string, number>());

  for (const row of docs) {
    const text = row[0].text;
    const toks = opts.tokens
      ? opts.tokens(text)
      : splitWords(text, undefined, row.flatMap((d) => d.spans));
    const perAnn = row.map((d, i) => tokenLabels(d, toks, names[i]));
    let disagreeing = 0;
    for (let t = 0; t < toks.length; t++) {
      const first = perAnn[0][t];
      if (perAnn.some((l) => l[t] !== first)) disagreeing++;
    }
    perAnn.forEach((l, i) => {
      for (const x of l) tokenLabelsBy[i].push(x);
    });
    const sets = row.map((d) => multiset(d.spans));
    row.forEach((d, i) => {
      entityCount[i] += d.spans.length;
      for (const s of d.spans) {
        labelCount[i].set(s.label, (labelCount[i].get(s.label) ?? 0) + 1);
      }
    });
    let docF1 = 0;
    pairIdx.forEach(([i, j], p) => {
      const tp = matches(sets[i], sets[j]);
      pairTp[p] += tp;
      docF1 += f1Of(tp, size(sets[i]), size(sets[j]));
      for (const l of labels) {
        const lt = matches(multiset(row[i].spans, l), multiset(row[j].spans, l));
        pairLabelTp[p].set(l, (pairLabelTp[p].get(l) ?? 0) + lt);
      }
    });
    docResults.push({
      id: row[0].id,
      f1: docF1 / pairIdx.length,
      disagreeingTokens: disagreeing,
      tokens: toks.length,
    });
  }

  const pairs: PairAgreement[] = pairIdx.map(([i, j], p) => {
    const na = entityCount[i], nb = entityCount[j], tp = pairTp[p];
    return {
      a: names[i],
      b: names[j],
      f1: f1Of(tp, na, nb),
      precision: nb === 0 ? (na === 0 ? 1 : 0) : tp / nb,
      recall: na === 0 ? (nb === 0 ? 1 : 0) : tp / na,
      kappa: cohenKappa(tokenLabelsBy[i], tokenLabelsBy[j]),
    };
  });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

  let fleiss: ReturnType<typeof fleissKappa> | undefined;
  const categories = ["O", ...labels];
  if (k >= 3 && tokenLabelsBy[0].length > 0) {
    const index = new Map(categories.map((c, i) => [c, i]));
    const table = tokenLabelsBy[0].map((_, t) => {
      const row = new Array<number>(categories.length).fill(0);
      for (let i = 0; i < k; i++) row[index.get(tokenLabelsBy[i][t])!]++;
      return row;
    });
    fleiss = fleissKappa(table);
  }

  const byLabel: LabelAgreement[] = labels.map((l) => {
    const f1s = pairIdx.map(([i, j], p) =>
      f1Of(pairLabelTp[p].get(l) ?? 0, labelCount[i].get(l) ?? 0, labelCount[j].get(l) ?? 0)
    );
    const kappas = pairIdx.map(([i, j]) =>
      cohenKappa(
        tokenLabelsBy[i].map((x) => x === l ? l : "other"),
        tokenLabelsBy[j].map((x) => x === l ? l : "other"),
      )
    );
    const out: LabelAgreement = {
      label: l,
      entities: labelCount.map((m) => m.get(l) ?? 0),
      f1: mean(f1s),
      kappa: mean(kappas),
    };
    if (fleiss) out.fleissKappa = fleiss.byCategory[categories.indexOf(l)];
    return out;
  });

  docResults.sort((x, y) =>
    x.f1 - y.f1 || y.disagreeingTokens - x.disagreeingTokens || compareCodePoints(x.id, y.id)
  );
  const report: AgreementReport = {
    annotators: names,
    tokens: tokenLabelsBy[0].length,
    pairs,
    meanF1: mean(pairs.map((p) => p.f1)),
    meanKappa: mean(pairs.map((p) => p.kappa)),
    byLabel,
    documents: docResults,
  };
  if (fleiss) report.fleissKappa = fleiss.kappa;
  return report;
}
