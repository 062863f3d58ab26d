/**
 * The sample-size study composed from the other folders: the study file, preparation
 * (test split and plan), running (lock, resume, shards, Slurm), results, analysis, the
 * annotation planner, the report, and the export of a model trained on the whole training
 * pool. The command line is `deno task study` (cli.ts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { analyzeResults } from "./mod.ts";
 * // F1 rises by 0.001 per sentence and levels off at 0.9 from 420 sentences on
 * const rows = Array.from({ length: 40 }, (_, i) => ({
 *   sentences: 20 * (i + 1),
 *   eps: 1 + (i % 5) / 10,
 *   f1: Math.min(0.9, 0.48 + 0.001 * 20 * (i + 1)),
 * }));
 * const [all] = analyzeResults(rows, { bootstrap: 50 }).models;
 * assert.equal(all.sentences.threshold?.threshold, 420);
 * ```
 *
 * @module
 */
export {
  DEFAULT_STUDY,
  type ModelSpec,
  parseStudyConfig,
  readStudyConfig,
  type StudyConfig,
  type StudyData,
  type TrainingSettings,
} from "./config.ts";
export { type PreparedStudy, prepareStudy, type RunSpec, withDataChecksum } from "./prepare.ts";
export {
  type ExecuteOptions,
  executeRuns,
  type ExecuteSummary,
  type StudyRun,
  StudyStopped,
} from "./execute.ts";
export { acquireLock, type LockHolder } from "./lock.ts";
export { checkResults, runHash, runHashes } from "./provenance.ts";
export { createRunExecutor, type RunExecutorOptions } from "./train_run.ts";
export {
  checkExportFolder,
  exportStudyModel,
  type ExportStudyModelOptions,
  type StudyExport,
} from "./export_model.ts";
export { parseShard, type Shard, shardOf } from "./shard.ts";
export { type SlurmOptions, slurmScript } from "./slurm.ts";
export { type Collected, collectResults } from "./collect.ts";
export {
  appendResult,
  readResults,
  repairResults,
  type ResultsFile,
  type RunResult,
} from "./results.ts";
export {
  type Analysis,
  type AnalysisOptions,
  analyzeResults,
  type ModelAnalysis,
  type Predictor,
  type PredictorAnalysis,
  type ReplicateGroup,
  type ResultRow,
  type SeedSpread,
  type SizeSpread,
} from "./analysis.ts";
export {
  type AnnotationPlan,
  type AnnotationPlanOptions,
  type CurveCandidate,
  planAnnotation,
  type TargetPlan,
} from "./planner.ts";
export {
  analysisDisplay,
  analysisFigures,
  renderReport,
  type StudyReportOptions,
  summaryText,
  writeReport,
} from "./report.ts";
