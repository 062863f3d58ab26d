/**
 * The command line of a sample-size study (`deno task study`). With no arguments it
 * runs the default study (GROBID acknowledgements, PERSON/ORG, a tiny BERT, 40
 * subsamples) and writes results, figures and the report to `out/<study>/`; `export`
 * then trains the chosen model on the whole training pool and writes it for
 * transformers.js to `out/<study>/export/` (export_model.ts).
 * `deno task study --help` lists the commands and options.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join, resolve } from "node:path";
import { formatPlace, type SkippedItem } from "../core/errors.ts";
import { FAMILIES, isModelFamily } from "../models/families/registry.ts";
import {
  DEFAULT_STUDY,
  type ModelSpec,
  parseStudyConfig,
  readStudyConfig,
  type StudyConfig,
} from "./config.ts";
import { type PreparedStudy, prepareStudy } from "./prepare.ts";
import { executeRuns, StudyStopped } from "./execute.ts";
import { parseShard, type Shard, shardFromEnv } from "./shard.ts";
import { collectResults } from "./collect.ts";
import { checkResults, runHashes } from "./provenance.ts";
import { readResults, writeTextAtomic } from "./results.ts";
import { assignedGpus, writeSlurmJob } from "./slurm.ts";
import { createRunExecutor } from "./train_run.ts";
import { createStepPack } from "../gpu/step_pack.ts";
import { analyzeResults } from "./analysis.ts";
import { analysisFigures, renderReport, summaryText, writeReport } from "./report.ts";
import { checkExportFolder, exportStudyModel } from "./export_model.ts";
import { planToJson } from "../sampling/plan.ts";
import { getGpu, type Gpu } from "../gpu/device.ts";
import { choosePack } from "./pack.ts";

const HELP = `Sample-size study of NER fine-tuning (Majdik et al., JMIR AI 2024), on WebGPU.

Usage: deno task study [command] [options]

Commands:
  run        (default) prepare the study, train and score every run not yet in the
             results file (resumes after a crash), then analyse and write the report
  plan       prepare only: write the study, test split and subsample plan
  analyze    analyse a results file and write the report (no training)
  collect    add the runs of shard results files to the study's results.jsonl
             (collect --study FILE --out DIR FILE...); lines of another study are
             refused; exits non-zero while runs are missing
  slurm      write Slurm jobs into DIR: study.sbatch (a job array, one shard per
             task), collect.sbatch (collects and analyses after the array) and
             submit.sh (submits both): slurm --study FILE --shards N [resources]
  export     train one of the study's models (--model NAME; default its first) on the
             whole training pool (all but the test documents, the study's seed and
             training settings), print its test-set F1, and write it for transformers.js
             and onnxruntime-web to DIR/export (--to): config.json, the tokenizer,
             onnx/model.onnx, onnx/model_quantized.onnx (int8, what transformers.js
             loads by default in a browser) and export.json (model, training sentences,
             test scores, study hash, date)

Options:
  --study FILE        study JSON (default: the built-in default study); its name
                      defaults to the file's base name
  --out DIR           output folder (default: out/<study name>)
  --data PATH         your own corpus: a file, or a folder of brat .txt/.ann pairs;
                      the study's name defaults to its base name
  --format FORMAT     its format: conll, doccano, label-studio, spacy, brat or tei
                      (default: inferred from the file when that is unambiguous)
  --labels MAP        rename labels FROM=TO,...; FROM= drops a type (TEI: the
                      elements that are entities, e.g. individual=PERSON,funder=ORG)
  --documents HOW     CoNLL documents: auto (default: at -DOCSTART- lines, else one
                      per sentence), docstart, sentence (one per sentence) or file
  --scheme SCHEME     CoNLL: the file's tag scheme (default IOB2)
  --skip-invalid      leave out the lines of your corpus that cannot be read (an empty
                      token column, a bad tag, a span past the text...) instead of
                      stopping at the first; each is listed in study.json (data.skipped)
                      and the first few are printed
  --name NAME         the study's name (report title and default out folder)
  --dataset NAME      dataset from data/manifest.json (default grobid-acknowledgements)
  --model SPEC        a model, repeatable: NAME=SOURCE where SOURCE is a local folder in
                      the Hugging Face layout, a Hub name org/name, or
                      random:FAMILY[@TOKENIZER], a tiny model (2 layers, 128 hidden) of
                      a family with its shipped tokenizer or the tokenizer folder after
                      @ (${shippedTokenizers()}); (export) --model NAME
                      picks the study's model to export
  --count N           number of subsamples
  --replicates K      train each subsample K times, with training seeds seed, seed+1, ...
                      (default 1): the spread of F1 across seeds. Raising K later keeps
                      the runs done and adds the new ones (ids <subsample>/<model>/r<k>)
  --sizes A-B,C-D     size ranges (in sentences, or documents with --unit documents)
  --unit UNIT         sentences (default) or documents
  --design DESIGN     random (default) or eps-stratified
  --epochs N          training epochs
  --seed N            seed of the split, the plan and training
  --shard I/N         run only shard I of N (results go to results-shard-I-of-N.jsonl);
                      default: from a job array's environment, Slurm's
                      SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT or a Kubernetes Indexed
                      Job's JOB_COMPLETION_INDEX of --shards N (or NERSS_SHARDS)
  --shards N          (slurm) number of array tasks; (run) the shard count of a job
                      array's index
  --pack K            (run) train K runs at once, each its solo run's results (default:
                      1 on a software adapter such as lavapipe, 4 for random models of
                      at most 256 hidden units on a GPU, else 1); on a GPU they step
                      together, one dispatch per operation for all K
Slurm resources (slurm; each array task):
  --slurm-gpus N      GPUs per task (default 1; 0: none, no GPU line)
  --cpus N            CPUs per task (default 2)
  --mem SIZE          memory per task, e.g. 8G (default 16G)
  --time TIME         time limit, e.g. 08:00:00 or 1-12:00:00 (default 24:00:00); Slurm
                      sends SIGUSR1 2 minutes before it and the task stops after its run
  --partition NAME    partition (default: the cluster's default)
  --job-name NAME     job name (default nerss-<study name>)
  --sbatch OPTION     another #SBATCH option for both jobs, repeatable, without its
                      dashes: --sbatch account=abc --sbatch qos=short
  --results FILE      (analyze) results file to analyse
  --to DIR            (export) the folder to write (default DIR/export); an earlier
                      export there is replaced, another folder with files is refused
  --no-quantize       (export) write the float32 onnx/model.onnx only
  --allow-missing     (collect) exit 0 with runs missing
  --min-runs N        fit the regressions of models with at least N runs (default 10)
  --target F1,...     (run, analyze) target F1 values for the planner ("How many more
                      sentences?"), e.g. 0.8,0.85,0.9; default: per model, the F1 its
                      learning curve reaches at the largest size sampled + 0.05
  --cost C            (run, analyze) the cost of annotating one sentence, e.g. 0.5: the
                      planner gives the cost of the sentences still to annotate
  --quiet             no progress bar
  -h, --help          this help

Outputs in DIR: study.json, plan.jsonl, results.jsonl (one line per finished run,
append-only), report.html and the figures as SVG; export/ after export. Running again
resumes; a DIR holding results of a study with other settings is refused.`;

/** Which tokenizer each family's random model uses, for the help. */
function shippedTokenizers(): string {
  const by = new Map<string, string[]>();
  for (const f of Object.values(FAMILIES)) {
    const t = f.tokenizer.shipped ?? "a folder after @";
    by.set(t, [...(by.get(t) ?? []), f.family]);
  }
  return [...by].map(([t, fs]) => `${fs.join(", ")}: ${t}`).join(";\n" + " ".repeat(22));
}

function modelFromSpec(text: string): ModelSpec {
  const m = /^([\w.-]+)=(.+)$/.exec(text);
  if (!m) throw new Error(`--model "${text}": expected NAME=SOURCE, e.g. tiny=random:bert`);
  const [, name, source] = m;
  const random = /^random:([^@]*)(?:@(.+))?$/.exec(source);
  if (!random) return { name, source };
  const [, family, tokenizer] = random;
  if (!isModelFamily(family)) {
    throw new Error(
      `--model "${text}": unknown family "${family}"; choose one of ${
        Object.keys(FAMILIES).join(", ")
      }`,
    );
  }
  const shipped = FAMILIES[family].tokenizer.shipped;
  if (!tokenizer && !shipped) {
    throw new Error(
      `--model "${text}": no ${family} tokenizer is shipped; name one after @, a folder in the ` +
        `Hugging Face layout: ${name}=random:${family}@path/to/tokenizer`,
    );
  }
  return { ...DEFAULT_STUDY.models[0], name, family, tokenizer: tokenizer ?? shipped! };
}

function parseLabels(text: string): Record<string, string | null> {
  const labels: Record<string, string | null> = {};
  for (const part of text.split(",")) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S*)\s*$/.exec(part);
    if (!m) throw new Error(`--labels "${text}": expected FROM=TO,... (FROM= drops FROM)`);
    labels[m[1]] = m[2] === "" ? null : m[2];
  }
  return labels;
}

/** The study fields each flag sets. */
const FLAG_FIELDS: Record<string, string> = {
  name: "--name",
  dataset: "--dataset",
  labels: "--labels",
  "data.path": "--data",
  "data.format": "--format",
  "data.labels": "--labels",
  "data.documents": "--documents",
  "data.scheme": "--scheme",
  "data.invalid": "--skip-invalid",
  "plan.count": "--count",
  "plan.sizes": "--sizes",
  "plan.unit": "--unit",
  "plan.design": "--design",
  "plan.replicates": "--replicates",
  "training.epochs": "--epochs",
  "analysis.minRuns": "--min-runs",
  "analysis.targets": "--target",
  "analysis.cost": "--cost",
  seed: "--seed",
};

function numberFlag(flag: string, text: string): number {
  if (!/^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/.test(text)) {
    throw new Error(`${flag}: expected a number, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** `--count -5` as `--count=-5`, so that a negative value is a value, not a flag. */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (/^--\w/.test(args[i]) && !args[i].includes("=") && /^-\d/.test(args[i + 1] ?? "")) {
      out.push(`${args[i]}=${args[++i]}`);
    } else out.push(args[i]);
  }
  return out;
}

/** `--target 0.8,0.85`: numbers; their range is checked with the study (analysis.targets). */
function parseTargets(text: string): number[] {
  return text.split(",").map((part) => numberFlag("--target", part));
}

function parseSizes(text: string): [number, number][] {
  return text.split(",").map((part) => {
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
    if (!m) throw new Error(`--sizes "${text}": expected ranges like 20-200,200-400`);
    return [Number(m[1]), Number(m[2])];
  });
}

async function studyFrom(
  values: Record<string, string | boolean | string[] | undefined>,
): Promise<StudyConfig> {
  const base = typeof values.study === "string"
    ? await readStudyConfig(values.study)
    : DEFAULT_STUDY;
  const json: Record<string, unknown> = structuredClone(base);
  const plan = json.plan as Record<string, unknown>;
  const training = json.training as Record<string, unknown>;
  const labels = typeof values.labels === "string" ? parseLabels(values.labels) : undefined;
  if (typeof values.data === "string") {
    if (typeof values.dataset === "string") throw new Error("give --data or --dataset, not both");
    delete json.dataset;
    delete json.labels;
    if (typeof values.study !== "string") delete json.name; // named after the data file
    json.data = { path: resolve(values.data) };
  } else if (typeof values.dataset === "string") {
    delete json.data;
    json.dataset = values.dataset;
  }
  const data = json.data as Record<string, unknown> | undefined;
  for (const key of ["format", "documents", "scheme"]) {
    if (typeof values[key] !== "string") continue;
    if (!data) throw new Error(`--${key} is for your own corpus: give --data PATH too`);
    data[key] = values[key];
  }
  if (values["skip-invalid"]) {
    if (!data) throw new Error("--skip-invalid is for your own corpus: give --data PATH too");
    data.invalid = "skip";
  }
  if (labels) {
    if (data) data.labels = labels;
    else json.labels = labels;
  }
  if (typeof values.name === "string") json.name = values.name;
  if (Array.isArray(values.model)) json.models = values.model.map(modelFromSpec);
  if (typeof values.count === "string") plan.count = numberFlag("--count", values.count);
  if (typeof values.sizes === "string") plan.sizes = parseSizes(values.sizes);
  if (typeof values.unit === "string") plan.unit = values.unit;
  if (typeof values.design === "string") plan.design = values.design;
  if (typeof values.replicates === "string") {
    plan.replicates = numberFlag("--replicates", values.replicates);
  }
  if (typeof values.epochs === "string") training.epochs = numberFlag("--epochs", values.epochs);
  if (typeof values.seed === "string") json.seed = numberFlag("--seed", values.seed);
  const analysis = json.analysis as Record<string, unknown>;
  if (typeof values["min-runs"] === "string") {
    analysis.minRuns = numberFlag("--min-runs", values["min-runs"]);
  }
  if (typeof values.target === "string") analysis.targets = parseTargets(values.target);
  if (typeof values.cost === "string") analysis.cost = numberFlag("--cost", values.cost);
  // a value that fails the study's checks is blamed on the flag that set it
  const flags: Record<string, string> = {};
  for (const [field, flag] of Object.entries(FLAG_FIELDS)) {
    if (values[flag.slice(2)] !== undefined) flags[field] = flag;
  }
  return parseStudyConfig(json, typeof values.study === "string" ? values.study : "command line", {
    flags,
  });
}

/** Paths of the fields where two JSON values differ (`training.decoding`, `models[0]`). */
function differingFields(a: unknown, b: unknown, path = ""): string[] {
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) {
    return a === b ? [] : [path || "(top level)"];
  }
  if (Array.isArray(a) !== Array.isArray(b)) return [path || "(top level)"];
  const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(ra), ...Object.keys(rb)])];
  return keys.flatMap((k) =>
    differingFields(ra[k], rb[k], Array.isArray(a) ? `${path}[${k}]` : path ? `${path}.${k}` : k)
  );
}

/** The non-empty results files in a study folder (results.jsonl and shard files). */
async function resultFiles(outDir: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(outDir)) {
      if (!/^results(-shard-\d+-of-\d+)?\.jsonl$/.test(e.name)) continue;
      if ((await Deno.stat(`${outDir}/${e.name}`)).size > 0) names.push(e.name);
    }
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  return names.sort();
}

/**
 * Checks that a folder's results belong to this study, the same way for every command:
 * with the folder's study.json, the study must be the same (outside the analysis
 * settings, the corpus's path and the number of replicates, which adds runs and keeps
 * those done); without one, every results line must carry this
 * study's hash. Gives how lines without a hash (results written before lines carried
 * one) are to be taken: accepted where study.json matches.
 */
async function checkStudyFolder(
  config: StudyConfig,
  outDir: string,
  hashes: ReadonlyMap<string, string>,
): Promise<"accept" | "refuse"> {
  const results = await resultFiles(outDir);
  if (results.length === 0) return "refuse";
  let old: Record<string, unknown>;
  try {
    old = JSON.parse(await Deno.readTextFile(`${outDir}/study.json`));
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) {
      throw new Error(`${outDir}/study.json: ${(e as Error).message}`);
    }
    for (const name of results) {
      const path = `${outDir}/${name}`;
      try {
        checkResults((await readResults(path)).results, hashes, path);
      } catch (e) {
        throw new Error(
          `${outDir} holds results but no study.json, and they are not this study's: ` +
            `${(e as Error).message}`,
        );
      }
    }
    return "refuse";
  }
  // Where the corpus lies may change; what it holds may not (its sha256 is compared).
  const comparable = (c: Record<string, unknown>) => {
    const data = c.data as Record<string, unknown> | undefined;
    const plan = c.plan as Record<string, unknown> | undefined;
    return {
      ...c,
      analysis: null,
      ...(data ? { data: { ...data, path: null } } : {}),
      ...(plan ? { plan: { ...plan, replicates: null } } : {}),
    };
  };
  const now = JSON.parse(JSON.stringify(config));
  const fields = differingFields(comparable(old), comparable(now));
  if (fields.length > 0) {
    const changed = fields.includes("data.sha256")
      ? `its corpus ${config.data?.path} has changed since (sha256 ${
        (old.data as StudyConfig["data"])?.sha256
      }, now ${config.data?.sha256}); `
      : "";
    throw new Error(
      `${outDir} holds results of another study (${changed}study.json differs in ${
        fields.join(", ")
      }); give another --out, or remove ${results.join(", ")} there to start over`,
    );
  }
  // fewer replicates than the folder's study: its later replicates would be strangers
  const had = (old.plan as StudyConfig["plan"] | undefined)?.replicates ?? 1;
  if (had > (config.plan.replicates ?? 1)) {
    throw new Error(
      `${outDir} holds a study of ${had} replicates (plan.replicates in its study.json): give ` +
        `--replicates ${had} (or more) to go on with it, or another --out`,
    );
  }
  return "accept";
}

async function analyzeAndReport(
  prepared: PreparedStudy,
  resultsPath: string,
  outDir: string,
  check: { hashes: ReadonlyMap<string, string>; unhashed: "accept" | "refuse" },
): Promise<void> {
  const { config } = prepared;
  const read = await readResults(resultsPath);
  const { results, notes } = checkResults(read.results, check.hashes, resultsPath, check);
  for (const note of notes) console.log(note);
  if (results.length === 0) {
    console.log(`no results in ${resultsPath} yet: nothing to analyse`);
    return;
  }
  const analysis = analyzeResults(results, {
    bootstrap: config.analysis.bootstrap,
    minRuns: config.analysis.minRuns,
    seed: config.seed,
    targets: config.analysis.targets,
    cost: config.analysis.cost,
    current: prepared.pool.sentences,
  });
  const html = renderReport(analysis, {
    title: `Sample-size study: ${config.name}`,
    study: config,
    resultsPath,
  });
  await writeReport(`${outDir}/report.html`, html);
  const figures = analysisFigures(analysis);
  await writeTextAtomic(`${outDir}/learning-curve-sentences.svg`, figures.sentences.svg);
  await writeTextAtomic(`${outDir}/learning-curve-eps.svg`, figures.eps.svg);
  await writeTextAtomic(`${outDir}/learning-curve-planner.svg`, figures.planner.svg);
  console.log(summaryText(analysis));
  console.log(
    `report: ${outDir}/report.html (${results.length} runs), figures: ${outDir}/learning-curve-*.svg`,
  );
}

/** How many lines of the corpus were skipped, and the first few (file:line: why). */
function skippedLines(path: string, skipped: readonly SkippedItem[], show = 5): string {
  const n = skipped.length;
  const lines = skipped.slice(0, show).map((s) =>
    `  ${formatPlace({ ...s, file: s.file === undefined ? path : join(path, s.file) })}${s.reason}`
  );
  if (n > show) lines.push(`  ... and ${n - show} more`);
  return [
    `${n} line${n === 1 ? "" : "s"} of ${path} skipped (--skip-invalid), all listed in ` +
    "study.json under data.skipped:",
    ...lines,
  ].join("\n");
}

/** `--shard`'s default: a job array's shard (shard.ts's shardFromEnv), said in the log. */
function shardFromFlags(values: { shards?: string }): Shard | undefined {
  const count = values.shards === undefined ? undefined : numberFlag("--shards", values.shards);
  const found = shardFromEnv(Deno.env.toObject(), count);
  if (!found && count !== undefined) {
    throw new Error(
      "--shards: no job array index in the environment (SLURM_ARRAY_TASK_ID, " +
        "JOB_COMPLETION_INDEX); give --shard I/N",
    );
  }
  if (found) console.log(`shard ${found.shard.index}/${found.shard.count} from ${found.from}`);
  return found?.shard;
}

/** Says which GPU trains, and whether it is a software one. */
async function sayGpu(): Promise<Gpu> {
  const gpu = await getGpu();
  const assigned = assignedGpus(Deno.env.toObject());
  console.log(
    `training on ${gpu.adapterName} (${gpu.backend}` + (assigned ? `; ${assigned}` : "") +
      `${gpu.isFallback ? "; a software adapter: a GPU is many times faster" : ""})`,
  );
  return gpu;
}

/**
 * `--model` for export: NAME picks one of the study's models, NAME=SOURCE (as for the
 * other commands) defines the models. Gives the definitions and the name picked.
 */
function exportModelFlags(flags: string[] | undefined): { specs?: string[]; pick?: string } {
  const specs = (flags ?? []).filter((m) => m.includes("="));
  const picks = (flags ?? []).filter((m) => !m.includes("="));
  if (picks.length > 1) {
    throw new Error(`--model: give one model to export, got ${picks.join(", ")}`);
  }
  return { specs: specs.length > 0 ? specs : undefined, pick: picks[0] };
}

/** Trains the chosen model on the whole training pool and exports it (the export command). */
async function exportCommand(
  prepared: PreparedStudy,
  outDir: string,
  values: { to?: string; quantize?: boolean; quiet?: boolean },
  pick: string | undefined,
): Promise<void> {
  const { config } = prepared;
  const names = config.models.map((m) => m.name);
  if (pick !== undefined && !names.includes(pick)) {
    throw new Error(
      `--model "${pick}": the study has no such model; its models: ${names.join(", ")}`,
    );
  }
  const name = pick ?? names[0];
  const which = names.length === 1
    ? ""
    : pick
    ? ` (picked by --model of ${names.join(", ")})`
    : ` (the first of ${names.join(", ")}; --model NAME picks another)`;
  const dir = values.to ?? `${outDir}/export`;
  await checkExportFolder(dir);
  console.log(
    `${config.name}: exporting model ${name}${which}, trained on the whole training pool ` +
      `(${prepared.pool.documents} documents, ${prepared.pool.sentences} sentences; ` +
      `${prepared.test.length} test documents held out) for ${config.training.epochs} epochs`,
  );
  await sayGpu();
  const said = await exportStudyModel(prepared, {
    dir,
    model: name,
    quantize: values.quantize ?? true,
    progress: values.quiet ? "none" : "auto",
  });
  const m = said.test.micro;
  console.log(
    `${name}: test F1 ${m.f1.toFixed(4)} (precision ${m.precision.toFixed(4)}, recall ` +
      `${m.recall.toFixed(4)}; ${m.support} entities in ${said.test.documents} test documents)`,
  );
  console.log(`exported to ${dir}: ${said.files.join(", ")}, export.json`);
}

/**
 * Runs the command line with the given arguments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { main } from "./cli.ts";
 * const out = await Deno.makeTempDir();
 * await main(["plan", "--count", "10", "--out", out]); // the default study, 10 subsamples
 * const plan = (await Deno.readTextFile(`${out}/plan.jsonl`)).trim().split("\n");
 * assert.equal(plan.length, 10);
 * await Deno.remove(out, { recursive: true });
 * ```
 */
export async function main(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(args),
    allowPositionals: true,
    options: {
      study: { type: "string" },
      out: { type: "string" },
      data: { type: "string" },
      format: { type: "string" },
      labels: { type: "string" },
      documents: { type: "string" },
      scheme: { type: "string" },
      "skip-invalid": { type: "boolean" },
      name: { type: "string" },
      dataset: { type: "string" },
      model: { type: "string", multiple: true },
      count: { type: "string" },
      sizes: { type: "string" },
      unit: { type: "string" },
      design: { type: "string" },
      epochs: { type: "string" },
      seed: { type: "string" },
      shard: { type: "string" },
      shards: { type: "string" },
      pack: { type: "string" },
      "slurm-gpus": { type: "string" },
      cpus: { type: "string" },
      mem: { type: "string" },
      time: { type: "string" },
      partition: { type: "string" },
      "job-name": { type: "string" },
      sbatch: { type: "string", multiple: true },
      results: { type: "string" },
      "allow-missing": { type: "boolean" },
      "min-runs": { type: "string" },
      replicates: { type: "string" },
      target: { type: "string" },
      cost: { type: "string" },
      to: { type: "string" },
      quantize: { type: "boolean" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    allowNegative: true, // --no-quantize
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const command = positionals[0] ?? "run";
  if (!["run", "plan", "analyze", "collect", "slurm", "export"].includes(command)) {
    throw new Error(`unknown command "${command}" (see --help)`);
  }
  for (const flag of ["to", "quantize"] as const) {
    if (values[flag] !== undefined && command !== "export") {
      throw new Error(`--${values[flag] === false ? "no-" : ""}${flag} is for export`);
    }
  }
  const packFlag = values.pack === undefined ? undefined : numberFlag("--pack", values.pack);
  if (packFlag !== undefined && !(Number.isInteger(packFlag) && packFlag >= 1)) {
    throw new Error(`--pack: expected a whole number of runs, at least 1, got ${values.pack}`);
  }
  if (packFlag !== undefined && command !== "run") throw new Error("--pack is for run");
  const { specs, pick } = command === "export" ? exportModelFlags(values.model) : {
    specs: values.model,
    pick: undefined,
  };
  const asked = await studyFrom({ ...values, model: specs });
  const outDir = values.out ?? `out/${asked.name}`;
  const prepared = await prepareStudy(asked);
  const { config } = prepared; // with its corpus's checksum (and what reading it skipped)
  if (config.data?.skipped?.length) {
    console.log(skippedLines(config.data.path, config.data.skipped));
  }
  const hashes = await runHashes(prepared);
  const unhashed = await checkStudyFolder(config, outDir, hashes);
  // only now, so that a refused study or corpus leaves no empty folder behind
  if (command !== "export" || values.to === undefined) {
    await Deno.mkdir(outDir, { recursive: true });
  }

  if (command === "collect") {
    const files = positionals.slice(1);
    if (files.length === 0) throw new Error("collect: give the shard results files");
    const c = await collectResults(files, { hashes, outPath: `${outDir}/results.jsonl`, unhashed });
    for (const note of c.notes) console.log(note);
    console.log(
      `collected into ${outDir}/results.jsonl: ${c.added} runs added, ${c.results.length} of ` +
        `${hashes.size} done` +
        (c.damaged.length
          ? `; ${c.damaged.length} damaged last line${c.damaged.length > 1 ? "s" : ""} skipped`
          : ""),
    );
    if (c.missing.length > 0) {
      const ids = c.missing.length <= 20
        ? c.missing.join(", ")
        : `${c.missing.slice(0, 20).join(", ")} and ${c.missing.length - 20} more`;
      const message = `${c.missing.length} run${c.missing.length === 1 ? "" : "s"} missing: ${ids}`;
      if (!values["allow-missing"]) {
        throw new Error(`${message} (run their shards again, or give --allow-missing)`);
      }
      console.log(message);
    }
    return;
  }
  if (command === "slurm") {
    const studyPath = `${outDir}/study.json`;
    await writeTextAtomic(studyPath, JSON.stringify(config, null, 2) + "\n");
    const said = await writeSlurmJob({
      flags: values,
      studyPath,
      outDir,
      studyName: config.name,
      runs: prepared.runs.length,
    });
    for (const line of said) console.log(line);
    return;
  }
  if (command === "export") {
    await exportCommand(prepared, outDir, values, pick);
    return;
  }
  if (command === "analyze") {
    await analyzeAndReport(prepared, values.results ?? `${outDir}/results.jsonl`, outDir, {
      hashes,
      unhashed,
    });
    return;
  }
  if (command !== "run" && command !== "plan") {
    throw new Error(`unknown command "${command}" (see --help)`);
  }

  await writeTextAtomic(`${outDir}/study.json`, JSON.stringify(config, null, 2) + "\n");
  await writeTextAtomic(`${outDir}/plan.jsonl`, planToJson(prepared.plan));
  await writeTextAtomic(
    `${outDir}/test-documents.json`,
    JSON.stringify(prepared.test.map((d) => d.id)) + "\n",
  );
  console.log(
    `${config.name}: ${prepared.docs.length} documents, ${prepared.test.length} held out for testing, ` +
      `${prepared.plan.length} subsamples x ${config.models.length} models` +
      (config.plan.replicates ? ` x ${config.plan.replicates} seeds` : "") +
      ` = ${prepared.runs.length} runs`,
  );
  if (command === "plan") {
    console.log(`plan: ${outDir}/plan.jsonl`);
    return;
  }
  const shard: Shard | undefined = values.shard ? parseShard(values.shard) : shardFromFlags(values);
  const resultsPath = shard
    ? `${outDir}/results-shard-${shard.index}-of-${shard.count}.jsonl`
    : `${outDir}/results.jsonl`;
  // the results file holds only this study's runs; an unsharded run first takes in what
  // shard runs in the folder have finished
  const mine = await readResults(resultsPath);
  checkResults(mine.results, hashes, resultsPath, { unhashed });
  if (!shard) {
    const shards = (await resultFiles(outDir)).filter((n) => n !== "results.jsonl");
    if (shards.length > 0) {
      const c = await collectResults(shards.map((n) => `${outDir}/${n}`), {
        hashes,
        outPath: resultsPath,
        unhashed,
      });
      if (c.added > 0) console.log(`${c.added} runs finished in ${shards.join(", ")} taken in`);
    }
  }
  const gpu = await sayGpu();
  const chosen = choosePack(gpu, config.models);
  const pack = packFlag ?? chosen.pack;
  const stacked = pack > 1 && chosen.stacked;
  if (pack > 1 || packFlag === undefined) {
    console.log(
      `${pack} run${pack > 1 ? "s" : ""} at a time${stacked ? ", stacked" : ""} (` +
        (packFlag === undefined ? `default for ${chosen.why}; --pack K` : "--pack") + ")",
    );
  }
  const summary = await executeRuns(prepared.runs, {
    resultsPath,
    shard,
    pack,
    progress: values.quiet ? "none" : "auto",
    execute: createRunExecutor(prepared, stacked ? { pack: createStepPack(gpu, pack) } : {}),
  });
  console.log(
    `${summary.executed} runs trained, ${summary.skipped} already done` +
      (summary.damagedLines ? `, ${summary.damagedLines} damaged line dropped` : "") +
      `; results: ${resultsPath}`,
  );
  if (!shard) await analyzeAndReport(prepared, resultsPath, outDir, { hashes, unhashed });
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (e) {
    // a signal stopped the runs (nothing partial written, lock released): 128 + its number
    if (e instanceof StudyStopped) {
      console.error(e.message);
      Deno.exit(e.exitCode);
    }
    console.error(`error: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
