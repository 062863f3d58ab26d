/**
 * The two halves of prediction that need neither a GPU nor files: texts to encoded
 * examples, and the examples' logits to scored entity spans. `predict` runs them around the
 * classifier's own logits; a browser runs them around onnxruntime-web's on a model that
 * `exportOnnx` wrote ({@link readExported}, {@link predictExported}; tools/demo.ts bundles
 * this module into its page), so both split, encode and decode with the same code.
 *
 * @module
 */
import type { Doc, Span } from "../core/types.ts";
import type { Scheme } from "../core/scheme.ts";
import { tagsToSpans } from "../core/convert.ts";
import { decodeToTags, type Encoded, encodeDocs, type TagDecoding } from "../encode/align.ts";
import { tokenizerFromJson, type WordTokenizer } from "../encode/tokenizer.ts";
import { detectScheme } from "../metrics/entities.ts";
import { parseConfig } from "../models/config.ts";
import { fitMaxLength, savedDecoding } from "./classifier_config.ts";

/**
 * A predicted entity: character span, label and score (the mean over its words of the
 * probability of each word's decoded tag).
 */
export type PredictedSpan = Span & { score: number };

/**
 * How texts become examples: the tokenizer, the label list (tag of id i at position i) and
 * its scheme, the subtokens per example (special tokens included) and where warnings go
 * (default: the console).
 */
export type TextEncoding = {
  tokenizer: WordTokenizer;
  labels: readonly string[];
  scheme: Scheme;
  maxLength: number;
  onWarning?: (message: string) => void;
};

/**
 * Encodes texts (or documents, whose spans are ignored) for prediction: each one's
 * sentences, split into words and windows as for training (`encodeDocs`), its examples'
 * `docId` its index in `texts` (warnings name a document's own id).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTokenizer } from "../encode/tokenizer.ts";
 * import { encodeTexts } from "./predict_text.ts";
 * const tokenizer = await loadTokenizer("../shared/data/tokenizers/bert-base-uncased");
 * const examples = encodeTexts(["We thank the NIH. And Ann.", "Thanks to Bo."],
 *   { tokenizer, labels: ["O", "B-ORG", "I-ORG"], scheme: "IOB2", maxLength: 128 });
 * assert.deepEqual(examples.map((e) => [e.docId, e.sentence]), [["0", 0], ["0", 1], ["1", 0]]);
 * // [CLS] thanks to bo . [SEP]
 * assert.deepEqual(examples[2].inputIds, [101, 4283, 2000, 8945, 1012, 102]);
 * ```
 */
export function encodeTexts(texts: readonly (string | Doc)[], o: TextEncoding): Encoded[] {
  return texts.flatMap((t, i) => {
    const doc: Doc = typeof t === "string"
      ? { id: String(i), text: t, spans: [] }
      : { ...t, spans: [] };
    return encodeDocs([doc], o.tokenizer, {
      labels: o.labels,
      scheme: o.scheme,
      maxLength: o.maxLength,
      onWarning: o.onWarning,
    }).map((e) => ({ ...e, docId: String(i) }));
  });
}

/**
 * Entity spans with scores per text, from the logits (`[length, labels]` flat) of examples
 * made by {@link encodeTexts} for `count` texts: word tags as `decoding` says
 * (`decodeToTags`), spans by `tagsToSpans`, each span's score the mean probability of its
 * words' tags.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WordTokenizer } from "../encode/tokenizer.ts";
 * import { encodeTexts, scoredSpans } from "./predict_text.ts";
 * // A toy tokenizer: one subtoken per word, [CLS] = 1 and [SEP] = 2.
 * const tokenizer: WordTokenizer = { encodeWord: (w) => [w.length], prefixIds: [1],
 *   suffixIds: [2], padId: 0, unkId: 3, vocabSize: 99 };
 * const labels = ["O", "B-ORG", "I-ORG"];
 * const examples = encodeTexts(["By NIH"], { tokenizer, labels, scheme: "IOB2", maxLength: 8 });
 * // logits of [CLS] By NIH [SEP]: "By" is O, "NIH" B-ORG with probability e^2 / (e^2 + 2)
 * const logits = Float32Array.from([0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 0]);
 * const [spans] = scoredSpans(examples, [logits], 1, { labels, scheme: "IOB2" });
 * assert.deepEqual(spans.map(({ start, end, label }) => [start, end, label]), [[3, 6, "ORG"]]);
 * assert.ok(Math.abs(spans[0].score - Math.exp(2) / (Math.exp(2) + 2)) < 1e-12);
 * ```
 */
export function scoredSpans(
  examples: readonly Encoded[],
  logits: readonly ArrayLike<number>[],
  count: number,
  o: { labels: readonly string[]; scheme: Scheme; decoding?: TagDecoding },
): PredictedSpan[][] {
  const out: PredictedSpan[][] = Array.from({ length: count }, () => []);
  for (const s of decodeToTags(examples, logits, o.labels, o.decoding)) {
    for (const span of tagsToSpans(s.words, s.tags, o.scheme)) {
      const inside = s.words.flatMap((w, i) =>
        w.start >= span.start && w.end <= span.end ? [i] : []
      );
      const score = inside.reduce((a, i) => a + s.probs![i], 0) / inside.length;
      out[Number(s.docId)].push({ ...span, score });
    }
  }
  return out;
}

/**
 * A model that `exportOnnx` wrote, as prediction needs it: its tokenizer, labels and their
 * scheme, decoding (config.json's `ner_decoding`) and subtokens per example.
 */
export type ExportedModel = TextEncoding & { decoding?: TagDecoding };

/**
 * Options of {@link readExported}: subtokens per example (default 128, no more than the
 * model's positions take, as `predict`'s), and where warnings go.
 */
export type ReadExportedOptions = {
  maxLength?: number;
  onWarning?: (message: string) => void;
};

/**
 * Reads an exported model's config.json, tokenizer.json and tokenizer_config.json (parsed
 * JSON, as a page fetches them). The scheme is read off the labels' prefixes (IOB1 labels
 * read as IOB2: the same spans, as prediction decodes leniently).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createTokenClassifier } from "./classifier.ts";
 * import { exportOnnx } from "./export_onnx.ts";
 * import { readExported } from "./predict_text.ts";
 * const classifier = await createTokenClassifier({ source: "random", family: "bert",
 *   hiddenSize: 8, numLayers: 1, numHeads: 2, maxPositions: 64,
 *   entityTypes: ["ORG", "PERSON"], tokenizer: "bert-base-uncased" });
 * const dir = await Deno.makeTempDir();
 * await exportOnnx(classifier, dir);
 * const json = async (name: string) => JSON.parse(await Deno.readTextFile(`${dir}/${name}`));
 * const model = readExported({ config: await json("config.json"),
 *   tokenizer: await json("tokenizer.json"), tokenizerConfig: await json("tokenizer_config.json") });
 * assert.deepEqual([model.labels, model.scheme, model.maxLength], [classifier.labels, "IOB2", 64]);
 * assert.deepEqual(model.tokenizer.encodeWord("Niswender", false),
 *   classifier.tokenizer.encodeWord("Niswender", false));
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export function readExported(
  files: {
    config: unknown;
    tokenizer: Record<string, unknown>;
    tokenizerConfig: Record<string, unknown>;
  },
  o: ReadExportedOptions = {},
): ExportedModel {
  const onWarning = o.onWarning ?? ((m: string) => console.warn(m));
  const config = parseConfig(files.config, "config.json");
  const labels = config.labels;
  let scheme: Scheme;
  try {
    scheme = detectScheme([labels]);
  } catch (e) {
    throw new Error(`readExported: config.json: the labels ${labels}: ${(e as Error).message}`);
  }
  return {
    tokenizer: tokenizerFromJson(files.tokenizer, files.tokenizerConfig),
    labels,
    scheme: scheme === "IOB1" ? "IOB2" : scheme,
    maxLength: fitMaxLength(config, o.maxLength, (m) => onWarning(`readExported: ${m}`)),
    decoding: savedDecoding(config, labels),
    onWarning: (m) => onWarning(`predictExported: ${m}`),
  };
}

/**
 * Predicts entity spans in texts with an exported model: {@link encodeTexts}, then `run`
 * (the model: one example's input ids to its logits, `[length, labels]` flat, e.g. an
 * onnxruntime session) on each example in turn, then {@link scoredSpans}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { WordTokenizer } from "../encode/tokenizer.ts";
 * import { predictExported } from "./predict_text.ts";
 * // A toy tokenizer (one subtoken per word, its length) and model (a 3-letter word is an ORG).
 * const tokenizer: WordTokenizer = { encodeWord: (w) => [w.length], prefixIds: [],
 *   suffixIds: [], padId: 0, unkId: 1, vocabSize: 99 };
 * const model = { tokenizer, labels: ["O", "B-ORG", "I-ORG"], scheme: "IOB2" as const,
 *   maxLength: 16 };
 * const run = (ids: readonly number[]) =>
 *   Promise.resolve(Float32Array.from(ids.flatMap((n) => n === 3 ? [0, 9, 0] : [9, 0, 0])));
 * const [spans] = await predictExported(model, ["Thanks to NIH"], run);
 * assert.deepEqual(spans.map((s) => [s.start, s.end, s.label]), [[10, 13, "ORG"]]);
 * ```
 */
export async function predictExported(
  model: ExportedModel,
  texts: readonly (string | Doc)[],
  run: (inputIds: readonly number[]) => Promise<ArrayLike<number>>,
): Promise<PredictedSpan[][]> {
  const examples = encodeTexts(texts, model);
  const n = model.labels.length;
  const logits: ArrayLike<number>[] = [];
  for (const [k, ex] of examples.entries()) {
    const out = await run(ex.inputIds);
    if (out.length !== ex.inputIds.length * n) {
      throw new Error(
        `predictExported: the model gave ${out.length} logits for example ${k} (text ` +
          `${ex.docId}, sentence ${ex.sentence}); expected ${ex.inputIds.length} x ${n}`,
      );
    }
    logits.push(out);
  }
  return scoredSpans(examples, logits, texts.length, model);
}
