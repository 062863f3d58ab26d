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
};

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
export function optimizerStep<X>(net: Net<X>, o: TrainStepOptions): void {
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
    ops.adamw({ param: g.params, grad: g.grads, m: g.m, v: g.v, clip }, {
      lr: o.lr,
      beta1: o.beta1 ?? 0.9,
      beta2: o.beta2 ?? 0.999,
      eps: o.eps ?? 1e-8,
      weightDecay: g.weightDecay ? o.weightDecay : 0,
      step: net.optimizerSteps,
    });
  }
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
  optimizerStep(net, o);
  const read = o.readLoss ? ops.read(loss) : undefined;
  await ops.submit();
  return read ? (await read)[0] : undefined;
}
