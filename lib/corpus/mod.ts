/**
 * Reading and describing annotated corpora: the readers and writers of each format,
 * {@link readCorpus} in front of them, sentence and word splitting, corpus statistics and
 * the datasets of data/manifest.json.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { corpusStats, readConll } from "./mod.ts";
 * const docs = readConll("Ann B-PER\nLee I-PER\nspoke O\n");
 * assert.deepEqual(docs[0].spans, [{ start: 0, end: 7, label: "PER" }]);
 * assert.equal(corpusStats(docs).entities, 1);
 * ```
 *
 * @module
 */
export {
  CORPUS_FORMATS,
  type CorpusFormat,
  corpusSha256,
  inferCorpusFormat,
  readCorpus,
  type ReadCorpusOptions,
} from "./read_corpus.ts";
export { readConll, type ReadConllOptions, writeConll, type WriteConllOptions } from "./conll.ts";
export {
  type JsonlFormat,
  readJsonl,
  type ReadJsonlOptions,
  writeJsonl,
  type WriteJsonlOptions,
} from "./jsonl.ts";
export { type BratReport, readBrat, type ReadBratOptions, writeBrat } from "./brat.ts";
export { GROBID_PERSON_ORG, type NestedSpan, readTei, type ReadTeiOptions } from "./tei.ts";
export {
  datasetDir,
  datasetFile,
  type DatasetOptions,
  loadDataset,
  MANIFEST,
  type Manifest,
  type ManifestEntry,
  type ManifestFile,
} from "./dataset.ts";
export { ABBREVIATIONS, isAbbreviation, splitSentences } from "./sentences.ts";
export { splitWords } from "./words.ts";
export {
  type CorpusStats,
  corpusStats,
  docSentences,
  docSizes,
  docStatsTable,
  docTokens,
} from "./stats.ts";
