/**
 * A model that predicts only O: fineTune and evaluate say so in their results, on the
 * progress line and once on the console. In a file of its own, because the console
 * warning is once per process and other tests' half-trained models may trigger it.
 */
import assert from "node:assert/strict";
import type { Doc } from "../../lib/core/types.ts";
import { createTokenClassifier } from "../../lib/train/classifier.ts";
import { fineTune } from "../../lib/train/fine_tune.ts";
import { evaluate } from "../../lib/train/predict.ts";
import { createProgress, type ProgressFrame } from "../../lib/train/progress.ts";
import { onlyO, TINY_BERT } from "./tiny_classifier.ts";

/** n one-sentence documents, each with a person and an organisation. */
function docs(n: number, from: number): Doc[] {
  const names = ["Ann Lee", "Bo Chen", "Cy Novak", "Di Sato"];
  const orgs = ["Wellcome Trust", "Acme Institute", "NIH"];
  return Array.from({ length: n }, (_, i) => {
    const person = names[(from + i) % names.length], org = orgs[(from + i) % orgs.length];
    const text = `We thank ${person} and the ${org} for support.`;
    const p = text.indexOf(person), o = text.indexOf(org);
    return {
      id: `d${from + i}`,
      text,
      spans: [
        { start: p, end: p + person.length, label: "PERSON" },
        { start: o, end: o + org.length, label: "ORG" },
      ],
    };
  });
}

Deno.test("fineTune and evaluate: a model that predicts only O says so (result, progress line, console once)", async () => {
  const c = await onlyO(await createTokenClassifier(TINY_BERT));
  const evalDocs = docs(6, 100);
  const frames: ProgressFrame[] = [];
  const runs = createProgress({
    total: 2,
    label: "runs",
    unit: "runs",
    output: (f) => frames.push(f),
    minIntervalMs: 0,
  });
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => warned.push(args.join(" "));
  try {
    for (let k = 0; k < 2; k++) {
      // a learning rate too small to undo the O bias
      const r = await fineTune(c, docs(8, 0), {
        epochs: 1,
        batchSize: 8,
        learningRate: 1e-6,
        maxLength: 48,
        evalDocs,
        progress: runs,
      });
      runs.tick(1, { f1: r.evaluations[0].micro.f1 });
      assert.equal(r.evaluations[0].micro.f1, 0);
      assert.equal(r.predictedEntities, 0);
      assert.deepEqual(r.warnings, [
        "evalDocs, epoch 1: the model predicted no entity in 6 sentences with 12 gold " +
        "entities: precision, recall and F1 are 0",
      ]);
    }
    const e = await evaluate(c, evalDocs);
    assert.deepEqual([e.micro.f1, e.predictedEntities], [0, 0]);
    assert.deepEqual(e.warnings, [
      "the model predicted no entity in 6 sentences with 12 gold entities: precision, recall and F1 are 0",
    ]);
  } finally {
    console.warn = warn;
  }
  runs.finish();
  // one console warning per caller, however many runs
  assert.equal(warned.length, 2, warned.join("\n"));
  assert.match(warned[0], /^fineTune: the model predicted no entity at all, so its F1 is 0/);
  assert.match(warned[1], /^evaluate: the model predicted no entity at all, so its F1 is 0/);
  // the progress line says it, under the runs bar; the finished display is the runs bar alone
  assert.ok(
    frames.some((f) =>
      /^runs \[.*\] 0\/2 runs .* \| fine-tune 1\/1 steps .* f1 0 in \d+s \(no entity predicted\)$/
        .test(f.text)
    ),
    frames.map((f) => f.text).join("\n"),
  );
  assert.deepEqual(frames.at(-1)!.bars.map((b) => b.label), ["runs"]);
  assert.match(frames.at(-1)!.text, /^runs \[#+\] 2\/2 runs .* f1 0 in \d+s$/);
});
