/**
 * Subword alignment for token classification, and its inverse.
 *
 * Encoding ({@link encodeDoc}): each sentence of a document (see `docSentences`) is
 * split into words (`doc.meta.tokens` when the reader gave them, else `splitWords`
 * with the entity spans, so entities are whole words), the words get tags in the
 * scheme (`spansToTags`), and each word is tokenized on its own (the tokenizer gives
 * no offsets; results are cached per tokenizer and distinct word). As in the Hugging
 * Face token-classification recipe, a word's label id goes on its first subtoken and
 * -100 (ignored by the loss) on the others and on special tokens; with `labelAll`,
 * every subtoken is labelled, the later ones with the tag's `I-` form.
 *
 * A sentence longer than `maxLength` subtokens (special tokens included) is cut into
 * windows of whole words that overlap by about `stride` subtokens; no window boundary
 * falls inside an entity, so every entity is whole in at least one window. A word with
 * more subtokens than fit in a window (or than let its entity fit in one) keeps its first
 * ones, as Hugging Face tokenizers truncate, so it keeps its tag; each such word is a
 * warning naming the document and word (`onWarning`). An entity of more words than fit in
 * a window is an error naming the document and span.
 *
 * Decoding ({@link decodeToTags}, {@link decodeToSpans}, {@link decodeDocs}): a
 * word's predicted tag is the one of its first subtoken (label ids, or the argmax of
 * scores), or with a {@link TagDecoding} the Viterbi path over its scores (the first
 * subtoken's or the mean of all its subtokens'); a word seen in several windows takes
 * the prediction of the window where it is farthest from an edge; the sentence's word
 * tags are turned back into character spans with `tagsToSpans`. Gold predictions decode
 * to the original spans (tested as a property).
 *
 * @module
 */

import type { Doc, Range, Span } from "../core/types.ts";
import { CorpusError } from "../core/errors.ts";
import { docSentences, docTokens } from "../corpus/stats.ts";
import { splitWords } from "../corpus/words.ts";
import type { Scheme } from "../core/scheme.ts";
import { chunksToTags, spansToChunks, tagsToSpans, type TokenChunk } from "../core/convert.ts";
import { labelIndex } from "../tags/labels.ts";
import type { WordTokenizer } from "./tokenizer.ts";
import { type TagTransitions, viterbiPath } from "../tags/viterbi.ts";

/**
 * The label id of positions the loss ignores (PyTorch's `ignore_index`, -100).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodeDoc, IGNORE_INDEX } from "./align.ts";
 * // A toy tokenizer: one subtoken per letter, [CLS] = 1 and [SEP] = 2.
 * const tok = { encodeWord: (w: string) => [...w].map((c) => c.charCodeAt(0)), prefixIds: [1],
 *   suffixIds: [2], padId: 0, unkId: 3, vocabSize: 128 };
 * const [ex] = encodeDoc({ id: "d", text: "Hi", spans: [] }, tok, { labels: ["O"] });
 * assert.deepEqual(ex.inputIds, [1, 72, 105, 2]);
 * assert.deepEqual(ex.labels, [IGNORE_INDEX, 0, IGNORE_INDEX, IGNORE_INDEX]); // "O" on "H" only
 * ```
 */
export const IGNORE_INDEX: number = -100;

/**
 * Options of {@link encodeDoc} and {@link encodeDocs}.
 */
export type AlignOptions = {
  /** The label list (tag of id i at position i), e.g. from `labelList`. */
  labels: readonly string[];
  /** Tag scheme of the labels (default IOB2). */
  scheme?: Scheme;
  /** Most subtokens per example, special tokens included (default 512). */
  maxLength?: number;
  /** Subtokens two windows of a long sentence share, about (default: 128, at most
   * half a window). */
  stride?: number;
  /** Label every subtoken (later ones with the `I-` form) instead of the first only. */
  labelAll?: boolean;
  /** Where the warnings go, e.g. a word truncated to fit a window (default console.warn). */
  onWarning?: (message: string) => void;
};

/**
 * One encoded example: a sentence, or a window of a long sentence.
 *
 * - `docId`, `sentence` (index of the sentence in the document), `window` (index of
 *   the window in the sentence, 0 when it is not cut);
 * - `words`: the example's words, as character ranges of the document's text;
 *   `wordOffset`: the index of `words[0]` among the sentence's words;
 *   `sentenceWords`: the number of words of the sentence;
 * - `inputIds`, `attentionMask` (all 1: padding is the batcher's job), `labels`
 *   (label ids, -100 where ignored) and `wordIds` (the index in `words` of each
 *   subtoken's word, `null` for special tokens), all of the same length.
 */
export type Encoded = {
  docId: string;
  sentence: number;
  window: number;
  wordOffset: number;
  sentenceWords: number;
  words: Range[];
  inputIds: number[];
  attentionMask: number[];
  labels: number[];
  wordIds: (number | null)[];
};

type Cache = [Map<string, number[]>, Map<string, number[]>];
const caches = new WeakMap<WordTokenizer, Cache>();

/**
 * A word's subtoken ids, cached per tokenizer (`unkId` when the tokenizer gives none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WordTokenizer } from "./tokenizer.ts";
 * import { wordPieces } from "./align.ts";
 * // A toy tokenizer: a word is one id, its length; it drops a soft hyphen, as BERT's does.
 * const toy: WordTokenizer = { encodeWord: (w) => (w === "\u00ad" ? [] : [w.length]),
 *   prefixIds: [], suffixIds: [], padId: 0, unkId: 1, vocabSize: 99 };
 * assert.deepEqual(wordPieces(toy, "hello", true), [5]);
 * assert.deepEqual(wordPieces(toy, "\u00ad", true), [1]); // the unknown token
 * ```
 */
export function wordPieces(tokenizer: WordTokenizer, word: string, first: boolean): number[] {
  let cache = caches.get(tokenizer);
  if (cache === undefined) {
    cache = [new Map(), new Map()];
    caches.set(tokenizer, cache);
  }
  const map = cache[first ? 0 : 1];
  let ids = map.get(word);
  if (ids === undefined) {
    ids = tokenizer.encodeWord(word, first);
    if (ids.length === 0) ids = [tokenizer.unkId];
    map.set(word, ids);
  }
  return ids;
}

type SentenceParts = { range: Range; words: Range[]; spans: Span[] };

/** The document's sentences with their words and entity spans; errors name the span. */
function sentenceParts(doc: Doc): SentenceParts[] {
  const sentences = docSentences(doc);
  const given = doc.meta?.tokens !== undefined ? docTokens(doc) : undefined;
  const spans = [...doc.spans].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: SentenceParts[] = [];
  let t = 0, s = 0;
  for (const range of sentences) {
    let words: Range[];
    if (given !== undefined) {
      if (t < given.length && given[t].start < range.start) {
        throw new CorpusError(
          `token [${given[t].start}, ${given[t].end}) is in no sentence`,
          { docId: doc.id, index: t },
        );
      }
      const from = t;
      while (t < given.length && given[t].end <= range.end) t++;
      words = given.slice(from, t);
    } else words = splitWords(doc.text, range, doc.spans);
    const mine: Span[] = [];
    while (s < spans.length && spans[s].start < range.end) {
      const span = spans[s];
      if (span.start < range.start || span.end > range.end) {
        throw new CorpusError(
          `span is not inside one sentence (sentence [${range.start}, ${range.end}))`,
          { docId: doc.id, span },
        );
      }
      mine.push(span);
      s++;
    }
    parts.push({ range, words, spans: mine });
  }
  if (s < spans.length) {
    throw new CorpusError("span is in no sentence", { docId: doc.id, span: spans[s] });
  }
  if (given !== undefined && t < given.length) {
    throw new CorpusError(`token [${given[t].start}, ${given[t].end}) is in no sentence`, {
      docId: doc.id,
      index: t,
    });
  }
  return parts;
}

/**
 * Subtokens kept of each word: at most `budget`, and for an entity of at most `budget`
 * words whose subtokens do not fit, its longest words cut to the longest common length
 * that lets it fit in one window.
 */
function keptLengths(
  lengths: readonly number[],
  chunks: readonly TokenChunk[],
  budget: number,
): number[] {
  const kept = lengths.map((n) => Math.min(n, budget));
  const total = (words: number[], cap: number) =>
    words.reduce((sum, n) => sum + Math.min(n, cap), 0);
  for (const { first, last } of chunks) {
    const words = kept.slice(first, last + 1);
    if (words.length > budget || total(words, budget) <= budget) continue;
    let cap = Math.floor(budget / words.length);
    while (total(words, cap + 1) <= budget) cap++;
    for (let w = first; w <= last; w++) kept[w] = Math.min(kept[w], cap);
  }
  return kept;
}

/** A word for a message: quoted, its middle left out when it is long. */
function quoteWord(word: string): string {
  const chars = [...word];
  if (chars.length <= 40) return JSON.stringify(word);
  const short = chars.slice(0, 24).join("") + "…" + chars.slice(-8).join("");
  return `${JSON.stringify(short)} (${chars.length} characters)`;
}

/** Word windows [from, to) of at most `budget` subtokens (no word is longer), never
 * cutting a chunk. */
function windows(
  lengths: readonly number[],
  chunks: readonly TokenChunk[],
  budget: number,
  stride: number,
  fail: (what: string, chunk: TokenChunk) => never,
): [number, number][] {
  const n = lengths.length;
  const entity = new Int32Array(n).fill(-1);
  chunks.forEach((c, k) => entity.fill(k, c.first, c.last + 1));
  const inside = (w: number) => w > 0 && w < n && entity[w] >= 0 && entity[w] === entity[w - 1];
  const out: [number, number][] = [];
  let from = 0;
  while (from < n) {
    let to = from, used = 0;
    while (to < n && used + lengths[to] <= budget) used += lengths[to++];
    if (inside(to)) {
      const start = chunks[entity[to]].first;
      if (start <= from) fail("entity does not fit in one window", chunks[entity[to]]);
      to = start;
    }
    out.push([from, to]);
    if (to >= n) break;
    let next = to, overlap = 0;
    while (next > from + 1 && overlap + lengths[next - 1] <= stride) overlap += lengths[--next];
    if (inside(next)) {
      const chunk = chunks[entity[next]];
      next = chunk.first > from ? chunk.first : chunk.last + 1;
    }
    from = next;
  }
  return out;
}

/**
 * Encodes one document for token classification: one example per sentence (more for a
 * sentence longer than `maxLength`), with subtoken ids, attention mask, label ids and
 * the subtoken-to-word map (see the module docs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { labelList } from "../tags/labels.ts";
 * import { loadTokenizer } from "./tokenizer.ts";
 * import { encodeDoc } from "./align.ts";
 * const tok = await loadTokenizer("../shared/data/tokenizers/bert-base-uncased");
 * const doc = { id: "d1", text: "We thank Dr. G.D. Niswender.", spans: [
 *   { start: 9, end: 27, label: "PERSON" }] };
 * const [ex] = encodeDoc(doc, tok, { labels: labelList(["PERSON"], "IOB2") });
 * // [CLS] we thank dr . g . d . ni ##sw ##ende ##r . [SEP]: labels on first subtokens
 * assert.deepEqual(ex.labels,
 *   [-100, 0, 0, 1, -100, 2, -100, -100, -100, 2, -100, -100, -100, 0, -100]);
 * assert.deepEqual(ex.wordIds, [null, 0, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, null]);
 * ```
 */
export function encodeDoc(doc: Doc, tokenizer: WordTokenizer, opts: AlignOptions): Encoded[] {
  const scheme = opts.scheme ?? "IOB2";
  const ids = labelIndex(opts.labels);
  const maxLength = opts.maxLength ?? 512;
  const budget = maxLength - tokenizer.prefixIds.length - tokenizer.suffixIds.length;
  if (!(budget >= 1)) {
    throw new Error(`maxLength ${maxLength} leaves no room beside the special tokens`);
  }
  const stride = Math.max(0, Math.min(opts.stride ?? 128, Math.floor(budget / 2)));
  const warn = opts.onWarning ?? ((message: string) => console.warn(message));
  const out: Encoded[] = [];
  sentenceParts(doc).forEach((part, sentence) => {
    const { words } = part;
    let chunks: TokenChunk[];
    try {
      chunks = spansToChunks(words, part.spans);
    } catch (e) {
      throw e instanceof CorpusError
        ? new CorpusError(e.detail, { docId: doc.id, span: e.span, index: e.index })
        : e;
    }
    const tags = chunksToTags(words.length, chunks, scheme);
    const tagIds = tags.map((tag) => {
      const id = ids.get(tag);
      if (id === undefined) {
        throw new CorpusError(`tag ${tag} is not in the label list (${opts.labels.join(", ")})`, {
          docId: doc.id,
        });
      }
      return id;
    });
    const innerIds = opts.labelAll
      ? tags.map((tag, w) => tag === "O" ? tagIds[w] : ids.get("I-" + tag.slice(2)) ?? tagIds[w])
      : undefined;
    const pieces = words.map((w, i) =>
      wordPieces(
        tokenizer,
        doc.text.slice(w.start, w.end),
        i === 0 || !/\s/.test(doc.text.slice(words[i - 1].end, w.start)),
      )
    );
    const spanOf = (chunk: TokenChunk) =>
      part.spans.find((s) =>
        s.start === words[chunk.first].start && s.end === words[chunk.last].end
      );
    const fail = (what: string, chunk: TokenChunk): never => {
      throw new CorpusError(`${what} (maxLength ${maxLength})`, {
        docId: doc.id,
        span: spanOf(chunk),
      });
    };
    const kept = keptLengths(pieces.map((p) => p.length), chunks, budget);
    kept.forEach((k, w) => {
      const n = pieces[w].length;
      if (k === n) return;
      const chunk = k < budget ? chunks.find((c) => c.first <= w && w <= c.last) : undefined;
      const span = chunk && spanOf(chunk);
      const { start, end } = words[w];
      warn(
        `document ${doc.id}: word [${start}, ${end}) ${quoteWord(doc.text.slice(start, end))} ` +
          `has ${n} subtokens, more than fit in a window of maxLength ${maxLength}` +
          (span ? ` beside the rest of entity [${span.start}, ${span.end}) ${span.label}` : "") +
          `: kept the first ${k}, dropped ${n - k}`,
      );
    });
    const cuts = windows(kept, chunks, budget, stride, fail);
    cuts.forEach(([from, to], window) => {
      const inputIds = [...tokenizer.prefixIds];
      const labels: number[] = inputIds.map(() => IGNORE_INDEX);
      const wordIds: (number | null)[] = inputIds.map(() => null);
      for (let w = from; w < to; w++) {
        const p = pieces[w];
        for (let k = 0; k < kept[w]; k++) {
          inputIds.push(p[k]);
          labels.push(k === 0 ? tagIds[w] : innerIds ? innerIds[w] : IGNORE_INDEX);
          wordIds.push(w - from);
        }
      }
      for (const id of tokenizer.suffixIds) {
        inputIds.push(id);
        labels.push(IGNORE_INDEX);
        wordIds.push(null);
      }
      out.push({
        docId: doc.id,
        sentence,
        window,
        wordOffset: from,
        sentenceWords: words.length,
        words: words.slice(from, to),
        inputIds,
        attentionMask: inputIds.map(() => 1),
        labels,
        wordIds,
      });
    });
  });
  return out;
}

/**
 * Encodes many documents ({@link encodeDoc} on each, examples in document order).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTokenizer } from "./tokenizer.ts";
 * import { encodeDocs } from "./align.ts";
 * const tok = await loadTokenizer("../shared/data/tokenizers/bert-base-uncased");
 * const docs = [{ id: "a", text: "We thank the NIH. Ann Lee helped.", spans: [] },
 *   { id: "b", text: "Thanks to Bo.", spans: [] }];
 * const examples = encodeDocs(docs, tok, { labels: ["O"] });
 * assert.deepEqual(examples.map((e) => [e.docId, e.sentence]), [["a", 0], ["a", 1], ["b", 0]]);
 * ```
 */
export function encodeDocs(
  docs: readonly Doc[],
  tokenizer: WordTokenizer,
  opts: AlignOptions,
): Encoded[] {
  return docs.flatMap((doc) => encodeDoc(doc, tokenizer, opts));
}

/**
 * A model's output for one example: a label id per subtoken, scores per subtoken
 * (one row of `labels.length` numbers each), or the same scores flattened row-major.
 */
export type Prediction = ArrayLike<number> | readonly ArrayLike<number>[];

/**
 * Word tags of a sentence, decoded from predictions.
 */
export type SentenceTags = {
  docId: string;
  sentence: number;
  words: Range[];
  tags: string[];
  /** Probability of each word's tag under its scores (absent for label-id predictions). */
  probs?: number[];
};

/**
 * How word tags are chosen from score predictions: a word's scores are its first
 * subtoken's log-softmax (`words: "first"`, the Hugging Face recipe) or the mean over its
 * subtokens (`"mean"`, for models trained with `labelAll`); with `transitions` the
 * sentence's tags are the Viterbi path ({@link viterbiPath}), else each word's argmax.
 * Label-id predictions are taken as they are.
 */
export type TagDecoding = { words?: "first" | "mean"; transitions?: TagTransitions };

/** Adds the log-softmax of `row[from .. from + n)` to `out`, times `weight`. */
function addLogSoftmax(
  out: number[],
  row: ArrayLike<number>,
  from: number,
  n: number,
  weight: number,
): void {
  let max = -Infinity;
  for (let j = 0; j < n; j++) max = Math.max(max, row[from + j]);
  let sum = 0;
  for (let j = 0; j < n; j++) sum += Math.exp(row[from + j] - max);
  const log = max + Math.log(sum);
  for (let j = 0; j < n; j++) out[j] += weight * (row[from + j] - log);
}

/** Subtoken `i`'s scores in a score prediction (rows, or flat rows of `nLabels`): array and start. */
function scoresAt(pred: Prediction, i: number, nLabels: number): [ArrayLike<number>, number] {
  return typeof pred[0] === "object"
    ? [(pred as readonly ArrayLike<number>[])[i], 0]
    : [pred as ArrayLike<number>, i * nLabels];
}

/**
 * Turns predictions for encoded examples back into word tags, one entry per sentence
 * (in order of first appearance), merging the windows of long sentences (see the
 * module docs). `predictions[k]` belongs to `examples[k]`; `decoding` says how scores
 * become tags ({@link TagDecoding}; default: each word's first-subtoken argmax).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeToTags, type Encoded } from "./align.ts";
 * // "By NIH": word 0 is subtoken 1, word 1 subtokens 2 and 3.
 * const example: Encoded = { docId: "d1", sentence: 0, window: 0, wordOffset: 0,
 *   sentenceWords: 2, words: [{ start: 0, end: 2 }, { start: 3, end: 6 }],
 *   inputIds: [1, 10, 11, 12, 2], attentionMask: [1, 1, 1, 1, 1],
 *   labels: [-100, 0, 1, -100, -100], wordIds: [null, 0, 1, 1, null] };
 * const labels = ["O", "B-ORG", "I-ORG"];
 * const [s] = decodeToTags([example], [[0, 0, 1, 2, 0]], labels);
 * assert.deepEqual(s.tags, ["O", "B-ORG"]); // each word's first subtoken
 * const scores = [[0, 0, 0], [2, 0, 0], [0, 2, 0], [0, 0, 2], [0, 0, 0]];
 * const [t] = decodeToTags([example], [scores], labels);
 * assert.deepEqual(t.tags, ["O", "B-ORG"]);
 * assert.ok(t.probs!.every((p) => Math.abs(p - Math.exp(2) / (Math.exp(2) + 2)) < 1e-12));
 * ```
 */
export function decodeToTags(
  examples: readonly Encoded[],
  predictions: readonly Prediction[],
  labels: readonly string[],
  decoding: TagDecoding = {},
): SentenceTags[] {
  if (examples.length !== predictions.length) {
    throw new Error(`${examples.length} examples but ${predictions.length} predictions`);
  }
  if (decoding.transitions && decoding.transitions.labels.join("\n") !== labels.join("\n")) {
    throw new Error(
      `decodeToTags: the transitions are for labels [${decoding.transitions.labels}], ` +
        `the predictions for [${labels}]`,
    );
  }
  const nLabels = labels.length;
  // Per word of a sentence: a label id, or its log-probabilities (scores).
  type Acc = {
    docId: string;
    sentence: number;
    words: Range[];
    picks: (number | number[])[];
    best: number[];
  };
  const groups = new Map<string, Acc>();
  examples.forEach((ex, k) => {
    const pred = predictions[k];
    const n = ex.inputIds.length;
    if (pred.length !== n && pred.length !== n * nLabels) {
      throw new Error(
        `prediction ${k} (document ${ex.docId}, sentence ${ex.sentence}) has ${pred.length} ` +
          `values; expected ${n} (label ids or score rows) or ${n * nLabels} (flat scores)`,
      );
    }
    const key = JSON.stringify([ex.docId, ex.sentence]);
    let acc = groups.get(key);
    if (acc === undefined) {
      acc = {
        docId: ex.docId,
        sentence: ex.sentence,
        words: new Array(ex.sentenceWords),
        picks: new Array(ex.sentenceWords),
        best: new Array(ex.sentenceWords).fill(-1),
      };
      groups.set(key, acc);
    }
    const ids = pred.length === n && typeof pred[0] !== "object";
    const last = ex.words.length - 1;
    for (let i = 0; i < n; i++) {
      const w = ex.wordIds[i];
      if (w === null || w === ex.wordIds[i - 1]) continue;
      const margin = Math.min(w, last - w);
      const at = ex.wordOffset + w;
      if (margin <= acc.best[at]) continue;
      acc.best[at] = margin;
      acc.words[at] = ex.words[w];
      if (ids) {
        acc.picks[at] = (pred as ArrayLike<number>)[i];
        continue;
      }
      // Log-probabilities of the first subtoken, or the mean over the word's subtokens.
      let end = i + 1;
      if (decoding.words === "mean") { while (end < n && ex.wordIds[end] === w) end++; }
      const row = new Array<number>(nLabels).fill(0);
      for (let j = i; j < end; j++) {
        const [scores, from] = scoresAt(pred, j, nLabels);
        addLogSoftmax(row, scores, from, nLabels, 1 / (end - i));
      }
      acc.picks[at] = row;
    }
  });
  return [...groups.values()].map(({ docId, sentence, words, picks, best }) => {
    const missing = best.indexOf(-1);
    if (missing >= 0) {
      throw new Error(`document ${docId}, sentence ${sentence}: word ${missing} is in no example`);
    }
    const rows = picks.filter((p): p is number[] => typeof p !== "number");
    const path = decoding.transitions && rows.length === picks.length
      ? viterbiPath(rows, decoding.transitions)
      : picks.map((p) => typeof p === "number" ? p : argmax(p));
    const tags = path.map((id, w) => {
      const tag = labels[id];
      if (tag === undefined) {
        throw new Error(
          `document ${docId}, sentence ${sentence}, word ${w}: label id ${id} is not in the label list`,
        );
      }
      return tag;
    });
    if (rows.length < picks.length) return { docId, sentence, words, tags };
    return { docId, sentence, words, tags, probs: path.map((id, w) => Math.exp(rows[w][id])) };
  });
}

function argmax(row: readonly number[]): number {
  let best = 0;
  for (let j = 1; j < row.length; j++) if (row[j] > row[best]) best = j;
  return best;
}

/**
 * Options of {@link decodeToSpans} and {@link decodeDocs}.
 */
export type DecodeOptions = TagDecoding & {
  labels: readonly string[];
  scheme?: Scheme;
  mode?: "default" | "strict";
};

/**
 * Predicted entity spans (character offsets) per document id, from predictions for
 * encoded examples: {@link decodeToTags} then `tagsToSpans` on each sentence.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeToSpans, type Encoded } from "./align.ts";
 * // "By NIH": word 0 is subtoken 1, word 1 subtokens 2 and 3.
 * const example: Encoded = { docId: "d1", sentence: 0, window: 0, wordOffset: 0,
 *   sentenceWords: 2, words: [{ start: 0, end: 2 }, { start: 3, end: 6 }],
 *   inputIds: [1, 10, 11, 12, 2], attentionMask: [1, 1, 1, 1, 1],
 *   labels: [-100, 0, 1, -100, -100], wordIds: [null, 0, 1, 1, null] };
 * const spans = decodeToSpans([example], [[0, 0, 1, 2, 0]], { labels: ["O", "B-ORG", "I-ORG"] });
 * assert.deepEqual(spans.get("d1"), [{ start: 3, end: 6, label: "ORG" }]);
 * ```
 */
export function decodeToSpans(
  examples: readonly Encoded[],
  predictions: readonly Prediction[],
  opts: DecodeOptions,
): Map<string, Span[]> {
  const out = new Map<string, Span[]>();
  for (const s of decodeToTags(examples, predictions, opts.labels, opts)) {
    const spans = tagsToSpans(s.words, s.tags, opts.scheme ?? "IOB2", { mode: opts.mode });
    const list = out.get(s.docId);
    if (list === undefined) out.set(s.docId, spans);
    else list.push(...spans);
  }
  return out;
}

/**
 * Copies of the documents with their spans replaced by the predicted ones (a document
 * with no example gets none).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeDocs, type Encoded } from "./align.ts";
 * const docs = [{ id: "d1", text: "By NIH", spans: [] }, { id: "d2", text: "", spans: [] }];
 * // "By NIH": word 0 is subtoken 1, word 1 subtokens 2 and 3.
 * const example: Encoded = { docId: "d1", sentence: 0, window: 0, wordOffset: 0,
 *   sentenceWords: 2, words: [{ start: 0, end: 2 }, { start: 3, end: 6 }],
 *   inputIds: [1, 10, 11, 12, 2], attentionMask: [1, 1, 1, 1, 1],
 *   labels: [-100, 0, 1, -100, -100], wordIds: [null, 0, 1, 1, null] };
 * const out = decodeDocs(docs, [example], [[0, 0, 1, 2, 0]], { labels: ["O", "B-ORG", "I-ORG"] });
 * assert.deepEqual(out, [
 *   { id: "d1", text: "By NIH", spans: [{ start: 3, end: 6, label: "ORG" }] },
 *   { id: "d2", text: "", spans: [] }, // no example: no spans
 * ]);
 * ```
 */
export function decodeDocs(
  docs: readonly Doc[],
  examples: readonly Encoded[],
  predictions: readonly Prediction[],
  opts: DecodeOptions,
): Doc[] {
  const spans = decodeToSpans(examples, predictions, opts);
  return docs.map((doc) => ({ ...doc, spans: spans.get(doc.id) ?? [] }));
}
