/**
 * nerss: sample-size studies of fine-tuning language models for named entity
 * recognition, on WebGPU, after Majdik et al. (JMIR AI 2024;3:e52095). The public API,
 * in pipeline order: corpus -> tags -> models/train -> metrics -> sampling/stats -> plot
 * -> study. The WebGPU engine is under the `gpu` namespace.
 *
 * @example
 * ```ts
 * import { corpusStats, loadDataset } from "./mod.ts";
 * const docs = await loadDataset("grobid-acknowledgements");
 * console.log(corpusStats(docs));
 * ```
 *
 * @module
 */

// corpus
export * from "./lib/corpus/types.ts";
export * from "./lib/corpus/errors.ts";
export * from "./lib/corpus/conll.ts";
export * from "./lib/corpus/tei.ts";
export * from "./lib/corpus/jsonl.ts";
export * from "./lib/corpus/brat.ts";
export * from "./lib/corpus/sentences.ts";
export * from "./lib/corpus/words.ts";
export * from "./lib/corpus/stats.ts";
export * from "./lib/corpus/dataset.ts";

// tags
export * from "./lib/tags/scheme.ts";
export * from "./lib/tags/prefix.ts";
export * from "./lib/tags/convert.ts";
export * from "./lib/tags/repair.ts";
export * from "./lib/tags/labels.ts";
export * from "./lib/tags/tokenizer.ts";
export * from "./lib/tags/align.ts";
export * from "./lib/tags/viterbi.ts";

// metrics
export * from "./lib/metrics/entities.ts";
export * from "./lib/metrics/seqeval.ts";
export * from "./lib/metrics/report.ts";
export * from "./lib/metrics/span_scores.ts";
export * from "./lib/metrics/confusion.ts";
export * from "./lib/metrics/bootstrap.ts";
export * from "./lib/metrics/kappa.ts";
export * from "./lib/metrics/agreement.ts";
export * from "./lib/metrics/doc_pairs.ts";

// sampling
export * from "./lib/sampling/random.ts";
export * from "./lib/sampling/doc_size.ts";
export * from "./lib/sampling/split.ts";
export * from "./lib/sampling/plan.ts";

// stats
export * from "./lib/stats/distributions.ts";
export * from "./lib/stats/linalg.ts";
export * from "./lib/stats/ols.ts";
export * from "./lib/stats/threshold.ts";
export * from "./lib/stats/segmented.ts";
export * from "./lib/stats/smooth.ts";

// models
export * from "./lib/models/config.ts";
export * from "./lib/models/host_tensor.ts";
export * from "./lib/models/safetensors.ts";
export * from "./lib/models/pytorch_bin.ts";
export * from "./lib/models/hub.ts";
export * from "./lib/models/init_weights.ts";
export * from "./lib/models/checkpoint.ts";
export * from "./lib/models/tokenizer_build.ts";
export { referenceLogits } from "./lib/models/reference.ts";
export * from "./lib/models/gpu_model.ts";

// training
export * from "./lib/train/progress.ts";
export * from "./lib/train/schedule.ts";
export * from "./lib/train/batches.ts";
export * from "./lib/train/classifier.ts";
export * from "./lib/train/evaluate.ts";
export * from "./lib/train/predict.ts";
export * from "./lib/train/fine_tune.ts";

// plots and Jupyter display
export * from "./lib/plot/display.ts";
export * from "./lib/plot/study_plots.ts";
export * from "./lib/plot/analysis_plots.ts";

// the study
export * from "./lib/study/config.ts";
export * from "./lib/study/results.ts";
export * from "./lib/study/shard.ts";
export * from "./lib/study/execute.ts";
export * from "./lib/study/collect.ts";
export * from "./lib/study/slurm.ts";
export * from "./lib/study/prepare.ts";
export * from "./lib/study/train_run.ts";
export * from "./lib/study/analysis.ts";
export * from "./lib/study/report.ts";

// the WebGPU engine
export * as gpu from "./lib/gpu/mod.ts";
