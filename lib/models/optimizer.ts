/**
 * The optimizer step of the token classifier: clipping of the global gradient norm and
 * AdamW over the two parameter groups of `lib/models/layout.ts` (weight decay on weights
 * and embeddings only), as `torch.nn.utils.clip_grad_norm_` and `torch.optim.AdamW` (the
 * Hugging Face Trainer's defaults), and the training step that records gradients with
 * `lib/models/transformer.ts` and applies it.
 *
 * @module
 */
import type { Net } from "./layout.ts";
import { type ModelBatch, recordGradients } from "./transformer.ts";
import { familyRecord } from "./families/registry.ts";

/**
 * Options of {@link netTrainStep}: AdamW hyper-parameters (PyTorch defaults), clipping of
 * the global gradient norm (`maxGradNorm`, default 1; 0 or Infinity: none), and whether to
 * read the loss back (the step's only wait on the GPU).
 */
export type TrainStepOptions = {
  lr: number;
  weightDecay: number;
  maxGradNorm?: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  readLoss?: boolean;
  /** Update only the word-table rows of tokens seen in training batches so far (default
   * true; used when `weightDecay` is 0 and the table fits one binding). The same numbers
   * as updating every row: a row never seen has zero gradient and moments, on which AdamW
   * without weight decay moves nothing (`p - lr * 0 / (0 + eps)` is `p`). */
  seenWordsOnly?: boolean;
};

/** Per net: which word-table rows have been seen in a batch, and their sorted list. */
const seenWords = new WeakMap<object, { seen: Uint8Array; rows: Int32Array }>();

/** Marks the batch's token ids as seen by `net` and returns every row seen so far. */
function noteSeenWords<X>(net: Net<X>, ids: Int32Array): Int32Array {
  let s = seenWords.get(net);
  if (!s) {
    seenWords.set(net, s = { seen: new Uint8Array(net.config.vocabSize), rows: new Int32Array() });
  }
  let added = false;
  for (const id of ids) {
    if (s.seen[id] === 0) s.seen[id] = 1, added = true;
  }
  if (added) {
    const rows: number[] = [];
    s.seen.forEach((v, i) => v && rows.push(i));
    s.rows = Int32Array.from(rows);
  }
  return s.rows;
}

/** AdamW over the decay group with only `rows` of the word table (which starts the group). */
function seenRowsUpdate<X>(
  net: Net<X>,
  rows: Int32Array,
  clip: X,
  options: Parameters<Net<X>["ops"]["adamw"]>[1],
): void {
  const { ops, decay: g, config } = net;
  const H = config.hiddenSize, words = config.vocabSize * H;
  const table = (x: X) => ops.view(x, [config.vocabSize, H], 0);
  ops.adamw({
    param: table(g.params),
    grad: table(g.grads),
    m: table(g.m),
    v: table(g.v),
    clip,
    rows: { ids: ops.ints(rows), cols: H },
  }, options);
  const start = Math.ceil(words / ops.align) * ops.align, rest = g.size - start;
  if (rest <= 0) return;
  const tail = (x: X) => ops.view(x, [rest], start);
  ops.adamw(
    { param: tail(g.params), grad: tail(g.grads), m: tail(g.m), v: tail(g.v), clip },
    options,
  );
}

/**
 * Records the optimizer update of the gradients in the net's buffers: the global norm of
 * all gradients clipped to `maxGradNorm`, then one AdamW step per group (bias correction
 * from the net's step count, which it advances).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet, netTensors } from "./layout.ts";
 * const config = createConfig({ family: "llama", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * import { recordGradients } from "./transformer.ts";
 * import { optimizerStep } from "./optimizer.ts";
 * const before = (await netTensors(net)).get("score.bias")!.data; // zeros
 * recordGradients(net, batch, false);
 * optimizerStep(net, { lr: 1e-3, weightDecay: 0.01 });
 * await net.ops.submit();
 * const after = (await netTensors(net)).get("score.bias")!.data;
 * // AdamW's first step moves each parameter by about lr, against its gradient's sign.
 * assert.ok(after.every((v, i) => Math.abs(Math.abs(v - before[i]) - 1e-3) < 1e-6));
 * assert.equal(net.optimizerSteps, 1);
 * ```
 */
export function optimizerStep<X>(
  net: Net<X>,
  o: TrainStepOptions,
  seenRows?: Int32Array,
): void {
  const ops = net.ops;
  const clip = ops.alloc([2]);
  const maxNorm = o.maxGradNorm ?? 1;
  ops.gradNorm({
    grads: [net.decay.grads, net.noDecay.grads],
    out: clip,
    maxNorm: maxNorm > 0 && Number.isFinite(maxNorm) ? maxNorm : Number.MAX_VALUE,
  });
  net.optimizerSteps++;
  for (const g of [net.decay, net.noDecay]) {
    const options = {
      lr: o.lr,
      beta1: o.beta1 ?? 0.9,
      beta2: o.beta2 ?? 0.999,
      eps: o.eps ?? 1e-8,
      weightDecay: g.weightDecay ? o.weightDecay : 0,
      step: net.optimizerSteps,
    };
    if (g === net.decay && seenRows) seenRowsUpdate(net, seenRows, clip, options);
    else ops.adamw({ param: g.params, grad: g.grads, m: g.m, v: g.v, clip }, options);
  }
}

/** Whether {@link optimizerStep} can update only the seen rows of the net's word table:
 * no weight decay, and the table first in its group (as lib/models/layout.ts puts it) and
 * within one binding. */
function seenRowsApply<X>(net: Net<X>, o: TrainStepOptions): boolean {
  const word = net.slots.find((s) => s.name === familyRecord(net.config.family).names.word);
  return (o.seenWordsOnly ?? true) && o.weightDecay === 0 && word?.group === "decay" &&
    word.offset === 0 && net.config.vocabSize * net.config.hiddenSize * 4 <= net.ops.maxBinding;
}

/**
 * One training step: zero the gradients, forward with dropout, cross-entropy (mean over
 * labels not -100), backward through every layer, global-norm clipping and AdamW, recorded
 * as one unit of work (one command buffer on the GPU, waited on only when the loss is
 * read). Resolves with the loss of the batch before the update when `readLoss`, else
 * undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createConfig } from "./config.ts";
 * import { cpuOps } from "./cpu_ops.ts";
 * import { initWeights } from "./init_weights.ts";
 * import { createNet } from "./layout.ts";
 * const config = createConfig({ family: "llama", vocabSize: 20, hiddenSize: 8, numHeads: 2,
 *   numKeyValueHeads: 1, numLayers: 1, intermediateSize: 12, labels: ["O", "B", "I"] });
 * const net = createNet(cpuOps(), config, initWeights(config, 1));
 * const batch = { size: 1, length: 3, inputIds: new Int32Array([5, 6, 7]),
 *   attentionMask: new Int32Array([1, 1, 1]), labels: new Int32Array([1, 0, -100]) };
 * import { netTrainStep } from "./optimizer.ts";
 * const loss = await netTrainStep(net, batch, { lr: 1e-3, weightDecay: 0.01, readLoss: true });
 * assert.ok(Math.abs(loss! - Math.log(3)) < 0.1); // about ln 3 for 3 labels at first
 * assert.equal(net.optimizerSteps, 1);
 * ```
 */
export async function netTrainStep<X>(
  net: Net<X>,
  batch: ModelBatch,
  o: TrainStepOptions,
): Promise<number | undefined> {
  const ops = net.ops;
  const loss = recordGradients(net, batch, true);
  // noted at every step, so that the list is complete whenever the seen-rows update applies
  const seen = noteSeenWords(net, batch.inputIds);
  optimizerStep(net, o, seenRowsApply(net, o) ? seen : undefined);
  const read = o.readLoss ? ops.read(loss) : undefined;
  await ops.submit();
  return read ? (await read)[0] : undefined;
}
