import assert from "node:assert/strict";
import { createTokenClassifier, releaseClassifier } from "../../lib/train/classifier.ts";
import { modelGradients, trainStep } from "../../lib/models/gpu_model.ts";
import type { ModelBatch } from "../../lib/models/gpu_model.ts";
import { TINY_BERT } from "./tiny_classifier.ts";

const tiny = { ...TINY_BERT, maxPositions: 16, seed: 5 };

// Two rows of eight tokens, every position labelled.
const batch: ModelBatch = {
  size: 2,
  length: 8,
  inputIds: new Int32Array([
    ...[101, 2057, 4067, 3960, 2474, 1998, 1996, 102],
    ...[101, 2120, 2671, 3192, 2005, 4804, 1012, 102],
  ]),
  attentionMask: new Int32Array(16).fill(1),
  labels: new Int32Array([0, 0, 0, 3, 4, 0, 0, 0, 0, 1, 2, 2, 0, 0, 0, 0]),
};

/** The training loss of one step (dropout on) and the loss with dropout off, same weights. */
async function lossesOf(o: Record<string, number>): Promise<[number, number]> {
  const c = await createTokenClassifier({ ...tiny, ...o });
  const { loss: evalLoss } = await modelGradients(c.net, batch);
  const trainLoss = await trainStep(c.net, batch, { lr: 0, weightDecay: 0, readLoss: true });
  releaseClassifier(c);
  return [trainLoss!, evalLoss];
}

Deno.test("createTokenClassifier: dropout options reach the configuration", async () => {
  const plain = await createTokenClassifier(tiny);
  assert.deepEqual(
    [plain.config.hiddenDropout, plain.config.attentionDropout, plain.config.classifierDropout],
    [0.1, 0.1, 0.1],
  );
  releaseClassifier(plain);
  const off = await createTokenClassifier({ ...tiny, hiddenDropout: 0 });
  // the classifier dropout follows the hidden dropout, as in transformers' BertConfig
  assert.deepEqual(
    [off.config.hiddenDropout, off.config.attentionDropout, off.config.classifierDropout],
    [0, 0.1, 0],
  );
  releaseClassifier(off);
  const mixed = await createTokenClassifier({
    ...tiny,
    hiddenDropout: 0.05,
    attentionDropout: 0,
    classifierDropout: 0.2,
  });
  assert.deepEqual(
    [mixed.config.hiddenDropout, mixed.config.attentionDropout, mixed.config.classifierDropout],
    [0.05, 0, 0.2],
  );
  releaseClassifier(mixed);
  await assert.rejects(
    createTokenClassifier({ ...tiny, attentionDropout: 1 }),
    /attentionDropout must be in \[0, 1\), got 1/,
  );
  await assert.rejects(
    createTokenClassifier({ ...tiny, hiddenDropout: -0.1 }),
    /hiddenDropout must be in \[0, 1\), got -0.1/,
  );
});

Deno.test("createTokenClassifier: with all dropout off, a training step's loss is the eval loss", async () => {
  const [trainOff, evalOff] = await lossesOf({ hiddenDropout: 0, attentionDropout: 0 });
  assert.ok(Math.abs(trainOff - evalOff) < 1e-5, `${trainOff} vs ${evalOff}`);
  // with the default dropout (0.1) the training forward pass differs
  const [trainOn, evalOn] = await lossesOf({});
  assert.ok(Math.abs(trainOn - evalOn) > 1e-4, `${trainOn} vs ${evalOn}`);
  // the same weights either way: dropout does not touch the initialisation
  assert.ok(Math.abs(evalOn - evalOff) < 1e-6, `${evalOn} vs ${evalOff}`);
});
