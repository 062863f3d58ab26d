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
 *
 * @example
 * ```ts
 * import type { TrainStepOptions } from "./optimizer.ts";
 * const withDecay = (o: TrainStepOptions) => o.weightDecay > 0;
 * ```
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
 * import type { Net } from "./layout.ts";
 * import { optimizerStep } from "./optimizer.ts";
 * function update(net: Net<Float32Array>): void {
 *   optimizerStep(net, { lr: 1e-3, weightDecay: 0.01 });
 * }
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
 * import type { Net } from "./layout.ts";
 * import type { ModelBatch } from "./transformer.ts";
 * import { netTrainStep } from "./optimizer.ts";
 * function step(net: Net<Float32Array>, batch: ModelBatch): Promise<number | undefined> {
 *   return netTrainStep(net, batch, { lr: 1e-3, weightDecay: 0.01, readLoss: true });
 * }
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
