/**
 * Tests that a classifier exported with lib/train/export_onnx.ts runs in transformers.js:
 * `pipeline("token-classification", ...)` of `@huggingface/transformers` 4.3.1 (onnxruntime-node,
 * local files only) gives the same entities as the toolkit's `predict`, on 20 GROBID test
 * statements, for a small BERT fine-tuned here (entity F1 > 0 on them).
 *
 * What is equal, exactly: the toolkit tags words, transformers.js tags subtokens. The
 * classifier is fine-tuned with `decoding: "argmax"` (no Viterbi) and without `labelAll`, so
 * the toolkit's tag of a word is the argmax label of the word's first subtoken. The pipeline
 * with `aggregation_strategy: "none"` and `ignore_labels: []` gives the argmax label of every
 * subtoken; the test maps each word (the toolkit's words) to its first subtoken itself, by
 * tokenizing word by word with the pipeline's own tokenizer (transformers.js returns neither
 * offsets nor word ids), and checks first that this word-by-word tokenization is the one
 * the pipeline made of the whole sentence. The words are `predict`'s: those of the statement
 * encoded without its gold spans (with them, a word is cut at every entity boundary inside
 * it, so "Center's" in "the World Vegetable Center's general research" is two words,
 * "Center" and "'s", and a later word's tag joins another span). The first subtokens' labels, read as IOB2 word tags,
 * give entity spans equal (start, end, label) to `predict`'s, and their softmax scores, averaged
 * per entity, `predict`'s scores within 1e-4. The toolkit encodes each sentence as its own
 * sequence, so the pipeline is given the same sentences (the text from the first word of a
 * sentence to its last), not the whole statement; the statements are ones whose sentences fit
 * the model's 64 positions in one window: the pipeline truncates a longer text (to the exported
 * `model_max_length`, 64 here; checked on one) where the toolkit slides windows over it.
 *
 * `aggregation_strategy: "simple"`, the only other strategy transformers.js 4.3.1 has, groups
 * subtokens, not words (a word whose later subtoken gets another label splits; O subtokens are
 * dropped before grouping, so an I- after an O joins the entity before the O): it is not the
 * toolkit's decoding and is not compared (docs/onnx.md says how the two relate).
 */
import assert from "node:assert/strict";
import { env, pipeline } from "@huggingface/transformers";
import { loadDataset } from "../../lib/corpus/dataset.ts";
import { splitTestSet } from "../../lib/sampling/split.ts";
import { createTokenClassifier, releaseClassifier } from "../../lib/train/classifier.ts";
import { exportOnnx } from "../../lib/train/export_onnx.ts";
import { fineTune } from "../../lib/train/fine_tune.ts";
import { encodeFor, evaluate, predict } from "../../lib/train/predict.ts";
import { tagsToSpans } from "../../lib/core/convert.ts";
import type { Doc, Span } from "../../lib/core/types.ts";
import { TINY_BERT } from "./tiny_classifier.ts";

const docs = await loadDataset("grobid-acknowledgements");
const { train, test } = splitTestSet(docs, { testFraction: 0.2, seed: 1 }); // the default study's

/** A token-classification pipeline's raw output item (aggregation "none"). */
type RawToken = { entity: string; score: number; index: number; word: string };

Deno.test("transformers.js: pipeline('token-classification') of an exported BERT gives predict's entities", async () => {
  // as tests/train/export_onnx_test.ts trains its BERT, with argmax decoding
  const c = await createTokenClassifier({ ...TINY_BERT, numLayers: 2, hiddenDropout: 0 });
  const dir = await Deno.makeTempDir({ prefix: "nerss-tjs-" });
  try {
    await fineTune(c, train.slice(0, 320), {
      epochs: 4,
      learningRate: 5e-3,
      batchSize: 8,
      decoding: "argmax",
      progress: "none",
      onWarning: () => {},
    });
    assert.equal(c.decoding?.words, "first");
    assert.equal(c.decoding?.transitions, undefined);
    await exportOnnx(c, `${dir}/model`);

    // 20 test statements whose sentences each fit one window of the model's 64 positions,
    // encoded as predict encodes a text: without gold spans, which would cut words
    const quiet = { onWarning: () => {} };
    const asText = (d: Doc): Doc => ({ ...d, spans: [] });
    const fits = (d: Doc) =>
      encodeFor(c, [asText(d)], undefined, quiet).every((e) =>
        e.window === 0 && e.words.length === e.sentenceWords && e.inputIds.length < 64
      );
    const statements = test.filter(fits).slice(0, 20);
    assert.equal(statements.length, 20);
    const e = await evaluate(c, statements, quiet);
    assert.ok(e.micro.f1 > 0, `the classifier learnt nothing to compare (F1 ${e.micro.f1})`);
    const want = await predict(c, statements.map((d) => d.text), quiet);

    env.allowRemoteModels = false;
    env.localModelPath = dir;
    const ner = await pipeline("token-classification", "model", { dtype: "fp32" });
    try {
      let entities = 0, words = 0, worst = 0;
      for (const [s, doc] of statements.entries()) {
        const got: (Span & { score: number })[] = [];
        for (const ex of encodeFor(c, [asText(doc)], undefined, quiet)) {
          const sentence = doc.text.slice(ex.words[0].start, ex.words.at(-1)!.end);
          // word -> first subtoken, from the pipeline's tokenizer, word by word
          const pieces = ex.words.map((w) =>
            ner.tokenizer.encode(doc.text.slice(w.start, w.end), { add_special_tokens: false })
          );
          const whole = ner.tokenizer.encode(sentence);
          assert.deepEqual(whole.slice(1, -1), pieces.flat(), `statement ${s}: ${sentence}`);
          const first: number[] = [];
          let at = 1; // after [CLS]
          for (const p of pieces) first.push(at), at += p.length;
          assert.ok(pieces.every((p) => p.length > 0));

          const tokens = await ner(sentence, {
            aggregation_strategy: "none",
            ignore_labels: [],
          }) as RawToken[];
          const byIndex = new Map(tokens.map((t) => [t.index, t]));
          // every non-special token is there, once
          assert.equal(byIndex.size, whole.length - 2);
          const tags = first.map((i) => byIndex.get(i)!.entity);
          const scores = first.map((i) => byIndex.get(i)!.score);
          words += tags.length;
          for (const span of tagsToSpans(ex.words, tags, c.scheme)) {
            const inside = ex.words.flatMap((w, i) =>
              w.start >= span.start && w.end <= span.end ? [i] : []
            );
            const score = inside.reduce((a, i) => a + scores[i], 0) / inside.length;
            got.push({ ...span, score });
          }
        }
        const key = (x: Span) => ({ start: x.start, end: x.end, label: x.label });
        assert.deepEqual(got.map(key), want[s].map(key), `statement ${s}: ${doc.text}`);
        got.forEach((g, k) => {
          const diff = Math.abs(g.score - want[s][k].score);
          worst = Math.max(worst, diff);
          assert.ok(
            diff < 1e-4,
            `statement ${s}, entity ${k}: score ${g.score} against ${want[s][k].score}`,
          );
        });
        entities += got.length;
      }
      console.log(
        `${statements.length} statements, ${words} words, ${entities} entities alike ` +
          `(entity F1 ${e.micro.f1.toFixed(3)}), scores within ${worst.toExponential(1)}`,
      );
      assert.ok(entities > 0, "no entity predicted: nothing compared");

      // a text longer than the model's positions is truncated to them, not refused: to its
      // first 64 subtokens with [CLS] (transformers.js cuts the encoded ids, [SEP] included)
      const long = test.map((d) => d.text).find((t) => ner.tokenizer.encode(t).length > 64)!;
      const tokens = await ner(long, { ignore_labels: [] }) as RawToken[];
      assert.deepEqual(tokens.map((t) => t.index), Array.from({ length: 63 }, (_, i) => i + 1));
    } finally {
      await ner.dispose();
    }
  } finally {
    releaseClassifier(c);
    await Deno.remove(dir, { recursive: true });
  }
});
