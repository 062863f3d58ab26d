/**
 * How many of a study's runs train at once by default (`deno task study run --pack K`
 * overrides it). Each run keeps its own model, batches, seed and early stopping, so its
 * results are its solo run's whatever K is (tests/study/train_run_test.ts checks it bit
 * for bit); K only changes the throughput. On a software adapter (Mesa lavapipe) the
 * step is bound by arithmetic on the CPU's cores, and runs in flight together measured
 * no faster (docs/throughput.md): one at a time. On a hardware GPU a small model's step
 * is mostly launches and waits, which other runs' work may fill (not yet measured; the
 * CPU's recording of each step may bound it, docs/throughput.md): 4 at a time for the
 * random models of at most 256 hidden units; larger or pretrained models
 * (BERT-base and up, whose weights, gradients and moments take gigabytes each) one at a
 * time.
 *
 * @module
 */
import type { ModelSpec } from "./config.ts";

/**
 * The default pack and why, for the study's log; `stacked`: whether runs at once step
 * together in one command buffer, one dispatch per operation for all of them
 * (`lib/gpu/step_pack.ts`), else each on its own (on a software adapter, where stacked
 * runs measured slower than runs in flight each on its own).
 */
export type PackChoice = { pack: number; why: string; stacked: boolean };

/**
 * The default number of runs in flight for these models on this adapter.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { choosePack } from "./pack.ts";
 * const tiny = { name: "tiny", source: "random", family: "bert" as const, hiddenSize: 128 };
 * assert.deepEqual(choosePack({ isFallback: true }, [tiny]),
 *   { pack: 1, why: "a software adapter, where runs at once are no faster", stacked: false });
 * assert.equal(choosePack({ isFallback: false }, [tiny]).pack, 4);
 * assert.equal(choosePack({ isFallback: false }, [tiny, { name: "b", source: "/m/bert" }]).pack, 1);
 * ```
 */
export function choosePack(gpu: { isFallback: boolean }, models: readonly ModelSpec[]): PackChoice {
  if (gpu.isFallback) {
    return {
      pack: 1,
      why: "a software adapter, where runs at once are no faster",
      stacked: false,
    };
  }
  const small = models.every((m) =>
    m.source === "random" && m.hiddenSize !== undefined && m.hiddenSize <= 256
  );
  return small
    ? { pack: 4, why: "small models on a GPU", stacked: true }
    : { pack: 1, why: "models larger than 256 hidden units or pretrained", stacked: true };
}
