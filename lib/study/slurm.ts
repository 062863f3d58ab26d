/**
 * Slurm job scripts for a study: a job array (`study.sbatch`, one shard per array task,
 * each appending to its own results file), a job that collects the shards and analyses
 * them once every task has succeeded (`collect.sbatch`, `--dependency=afterok`), and
 * `submit.sh`, which submits the two. Checked on a real single-node Slurm 22.05
 * (Debian's slurm-wlm) by tools/slurm_check.sh.
 *
 * The scripts hold absolute paths only (project folder, study, out folder, deno), change
 * to the project folder, export the data and cache folders and a private
 * `XDG_RUNTIME_DIR`, stop with a clear line when deno is missing on a node, append to
 * their log with a header per attempt (a requeue keeps the earlier attempts), and
 * forward SIGUSR1 (Slurm's warning before the time limit, `--signal=B:USR1@S`), SIGTERM
 * and SIGINT to the study, which then stops after its current run (execute.ts).
 *
 * @module
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeTextAtomic } from "./results.ts";

/**
 * Resources and settings of the array's tasks ({@link slurmScript}); every field has a
 * default.
 */
export type SlurmResources = {
  /** Job name (default `nerss-<study name>`). */
  jobName?: string;
  /** `--time` of each task (default "24:00:00"). */
  time?: string;
  /** GPUs per task, `--gpus` (default 1; 0: no GPU asked for, no gres line). */
  gpus?: number;
  /** `--cpus-per-task` (default 2). */
  cpus?: number;
  /** `--mem` per task (default "16G"). */
  memory?: string;
  /** `--partition` (default: the cluster's default partition). */
  partition?: string;
  /** More `#SBATCH` lines, e.g. `--account=abc` or `qos=short` (`--` added), in both jobs. */
  sbatch?: string[];
  /** Seconds before the time limit that Slurm sends SIGUSR1 (default 120). */
  signalSeconds?: number;
};

/**
 * Everything the scripts are written from: absolute paths (checked) and resources.
 */
export type SlurmOptions = SlurmResources & {
  /** The project folder (holding deno.json and lib/study/cli.ts). */
  root: string;
  /** The study file the tasks run. */
  studyPath: string;
  /** The study's out folder (results, logs, scripts). */
  outDir: string;
  /** Array tasks, one shard each. */
  shards: number;
  /** The deno found when the script was written; tried when `deno` is not on a node's PATH. */
  deno?: string;
  /** Variables exported before deno starts (data and cache folders, DENO_DIR). */
  env?: Record<string, string>;
  /** Study name, for the job name and the headers. */
  studyName?: string;
};

/** A word for bash: as is when safe, else in single quotes. */
function quote(s: string): string {
  return /^[\w./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * Checks resources and gives them with their defaults; errors name the flag.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slurmResources } from "./slurm.ts";
 * assert.equal(slurmResources({ gpus: 0 }).cpus, 2);
 * assert.throws(() => slurmResources({ time: "2 hours" }), /--time "2 hours"/);
 * ```
 */
export function slurmResources(r: SlurmResources): Required<SlurmResources> {
  const out = {
    jobName: r.jobName ?? "nerss",
    time: r.time ?? "24:00:00",
    gpus: r.gpus ?? 1,
    cpus: r.cpus ?? 2,
    memory: r.memory ?? "16G",
    partition: r.partition ?? "",
    sbatch: (r.sbatch ?? []).map((l) => {
      const line = l.trim().replace(/^#SBATCH\s+/, "");
      return line.startsWith("-") ? line : `--${line}`; // "account=abc" is --account=abc
    }),
    signalSeconds: r.signalSeconds ?? 120,
  };
  if (!/^[\w.+-]+$/.test(out.jobName)) {
    throw new Error(`--job-name "${out.jobName}": letters, digits and . _ + - only`);
  }
  // Slurm's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS
  if (!/^(\d+-\d+(:\d+){0,2}|\d+(:\d+){0,2})$/.test(out.time)) {
    throw new Error(`--time "${out.time}": expected Slurm's time, e.g. 90, 08:00:00 or 1-12:00:00`);
  }
  if (!Number.isInteger(out.gpus) || out.gpus < 0) {
    throw new Error(`--slurm-gpus ${out.gpus}: expected a whole number >= 0 (0: no GPU)`);
  }
  if (!Number.isInteger(out.cpus) || out.cpus < 1) {
    throw new Error(`--cpus ${out.cpus}: expected a whole number >= 1`);
  }
  if (!/^\d+[KMGT]?$/i.test(out.memory)) {
    throw new Error(`--mem "${out.memory}": expected a size like 8G or 16000M`);
  }
  if (out.partition && !/^[\w.,-]+$/.test(out.partition)) {
    throw new Error(
      `--partition "${out.partition}": expected partition names, e.g. gpu or a100,v100`,
    );
  }
  for (const line of out.sbatch) {
    if (!/^--?\w/.test(line) || /[\n\r]/.test(line)) {
      throw new Error(`--sbatch "${line}": expected one sbatch option, e.g. --account=abc`);
    }
  }
  if (!Number.isInteger(out.signalSeconds) || out.signalSeconds < 1) {
    throw new Error(`signal: expected whole seconds >= 1, got ${out.signalSeconds}`);
  }
  return out;
}

function checkPaths(o: SlurmOptions, caller: string): void {
  for (const [name, path] of [["root", o.root], ["studyPath", o.studyPath], ["outDir", o.outDir]]) {
    if (!isAbsolute(path)) {
      throw new Error(`${caller}: ${name} must be an absolute path, got ${path}`);
    }
  }
  if (!Number.isInteger(o.shards) || o.shards < 1) {
    throw new Error(`--shards ${o.shards}: expected a whole number >= 1`);
  }
}

/** The lines both jobs share after their #SBATCH header: folder, variables, deno. */
function prologue(o: SlurmOptions, what: string): string[] {
  const env = Object.entries(o.env ?? {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  const fallback = o.deno ? quote(o.deno) : "";
  return [
    "set -uo pipefail",
    'echo "=== ${SLURM_JOB_NAME:-job} attempt $((${SLURM_RESTART_COUNT:-0} + 1)): ' +
    `${what}, job \${SLURM_JOB_ID:-?}` +
    " (array ${SLURM_ARRAY_JOB_ID:-none} task ${SLURM_ARRAY_TASK_ID:-none}) on $(hostname)" +
    ' at $(date "+%Y-%m-%d %H:%M:%S %z"); GPUs: ${CUDA_VISIBLE_DEVICES:-none} ==="',
    `cd ${
      quote(o.root)
    } || { echo "error: cannot cd to the project folder ${o.root} on $(hostname)" >&2; exit 1; }`,
    ...env.map(([k, v]) => `export ${k}=${quote(v)}`),
    "# a private runtime folder (Mesa's Vulkan driver wants one), removed at the end",
    'XDG_RUNTIME_DIR=$(mktemp -d "${TMPDIR:-/tmp}/nerss-job-${SLURM_JOB_ID:-$$}-XXXXXX") || exit 1',
    "export XDG_RUNTIME_DIR",
    "trap 'rm -rf \"$XDG_RUNTIME_DIR\"' EXIT",
    "# the GPU Slurm assigned: Slurm sets CUDA_VISIBLE_DEVICES with --gpus (else from",
    "# SLURM_JOB_GPUS); WebGPU cannot pick a device, so Vulkan sees only the assigned GPU where",
    "# Slurm's cgroup.conf has ConstrainDevices=yes (or the driver honours CUDA_VISIBLE_DEVICES)",
    'if [ -n "${SLURM_JOB_GPUS:-}" ] && [ -z "${CUDA_VISIBLE_DEVICES:-}" ]; then',
    '  export CUDA_VISIBLE_DEVICES="$SLURM_JOB_GPUS"',
    "fi",
    "DENO=$(command -v deno || true)",
    ...(fallback ? [`[ -n "$DENO" ] || { [ -x ${fallback} ] && DENO=${fallback}; }`] : []),
    'if [ -z "$DENO" ]; then',
    `  echo "error: deno is not on PATH on $(hostname)${
      fallback ? ` (nor at ${o.deno})` : ""
    }: install Deno 2 there (npm install -g deno, or https://deno.land), or add it to PATH in ~/.bashrc" >&2`,
    "  exit 127",
    "fi",
  ];
}

/**
 * The array job: `--array=1-N`, task `i` running shard `i/N` of the study in the
 * background and forwarding SIGUSR1, SIGTERM and SIGINT to it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slurmScript } from "./slurm.ts";
 * const text = slurmScript({
 *   root: "/srv/nerss", studyPath: "/srv/nerss/out/s/study.json", outDir: "/srv/nerss/out/s",
 *   shards: 4, gpus: 0, cpus: 2, memory: "4G",
 * });
 * // then: sbatch /srv/nerss/out/s/study.sbatch (or submit.sh, with the collect job)
 * const lines = text.split("\n");
 * assert.ok(lines.includes("#SBATCH --array=1-4"));
 * assert.ok(lines.includes("#SBATCH --cpus-per-task=2"));
 * assert.ok(lines.includes("#SBATCH --mem=4G"));
 * assert.ok(!lines.some((l) => l.startsWith("#SBATCH --gpus"))); // gpus: 0
 * assert.ok(text.includes('--shard "$SLURM_ARRAY_TASK_ID/4"')); // task i runs shard i/4
 * ```
 */
export function slurmScript(options: SlurmOptions): string {
  checkPaths(options, "slurmScript");
  const r = slurmResources(options);
  const o = options, n = o.shards;
  const cli = quote(`${o.root}/lib/study/cli.ts`);
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${r.jobName}`,
    `#SBATCH --array=1-${n}`,
    `#SBATCH --output=${quote(`${o.outDir}/slurm-%A_%a.log`)}`,
    "#SBATCH --open-mode=append",
    `#SBATCH --time=${r.time}`,
    `#SBATCH --cpus-per-task=${r.cpus}`,
    `#SBATCH --mem=${r.memory}`,
    ...(r.gpus > 0 ? [`#SBATCH --gpus=${r.gpus}`] : []),
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    `#SBATCH --signal=B:USR1@${r.signalSeconds}`,
    "#SBATCH --requeue",
    ...r.sbatch.map((l) => `#SBATCH ${l}`),
    `# ${["Study", o.studyName].filter(Boolean).join(" ")} in ${n} shards, written by ` +
    "`deno task study slurm`:",
    "# sbatch this file, or run submit.sh beside it to add the job that collects the shards.",
    ...prologue(o, `shard \${SLURM_ARRAY_TASK_ID:-?} of ${n}`),
    'if [ -z "${SLURM_ARRAY_TASK_ID:-}" ]; then',
    '  echo "error: SLURM_ARRAY_TASK_ID is not set: submit this script with sbatch" >&2',
    "  exit 2",
    "fi",
    `"$DENO" run -A ${cli} run --study ${quote(o.studyPath)} --out ${quote(o.outDir)} ` +
    `--shard "$SLURM_ARRAY_TASK_ID/${n}" --quiet &`,
    "child=$!",
    "signalled=0",
    "# Slurm signals this shell only (B:): pass the signal on; the study stops after its",
    "# current run and exits 128 + the signal's number. Slurm's time-limit warning USR1",
    "# goes on as TERM (on SIGUSR1 Deno would also open its inspector, as Node does).",
    "forward() {",
    '  echo "=== SIG$1${3:-} at $(date "+%H:%M:%S"): passed to deno (pid $child) as SIG$2 ==="',
    '  kill -s "$2" "$child" 2>/dev/null',
    "  signalled=1",
    "}",
    "trap \"forward USR1 TERM ' (Slurm: the time limit is near)'\" USR1",
    "trap 'forward TERM TERM' TERM",
    "trap 'forward INT INT' INT",
    "# wait returns early (> 128) when a trapped signal arrives: wait until deno has ended",
    'while :; do wait "$child"; rc=$?; kill -0 "$child" 2>/dev/null || break; done',
    'wait "$child" 2>/dev/null; last=$?; [ "$last" -eq 127 ] || rc=$last',
    'echo "=== shard $SLURM_ARRAY_TASK_ID/' + n +
    ' ended with exit status $rc at $(date "+%H:%M:%S") ==="',
    'if [ "$signalled" -eq 1 ]; then',
    '  echo "=== to resume this shard: scontrol requeue ${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}' +
    ' (or sbatch --array=${SLURM_ARRAY_TASK_ID} this script), then the collect job ==="',
    "fi",
    'exit "$rc"',
    "",
  ];
  return lines.join("\n");
}

/** The shard results files of a study split in `shards`, as the runner names them. */
function shardFiles(outDir: string, shards: number): string[] {
  return Array.from(
    { length: shards },
    (_, i) => `${outDir}/results-shard-${i + 1}-of-${shards}.jsonl`,
  );
}

/**
 * The job that runs after the array: `collect` of every shard file into results.jsonl
 * (which exits non-zero, naming them, while runs are missing), then `analyze`. One CPU,
 * no GPU, the array's memory, partition and extra lines; submitted with
 * `--dependency=afterok:<array job id>` ({@link submitScript}).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectScript } from "./slurm.ts";
 * const text = collectScript({
 *   root: "/srv/nerss", studyPath: "/srv/nerss/out/s/study.json", outDir: "/srv/nerss/out/s",
 *   shards: 4,
 * });
 * const lines = text.split("\n");
 * assert.ok(lines.includes("#SBATCH --cpus-per-task=1"));
 * assert.ok(lines.includes("  /srv/nerss/out/s/results-shard-4-of-4.jsonl || exit $?"));
 * assert.equal(lines.at(-2),
 *   '"$DENO" run -A /srv/nerss/lib/study/cli.ts analyze --study /srv/nerss/out/s/study.json ' +
 *     "--out /srv/nerss/out/s");
 * ```
 */
export function collectScript(options: SlurmOptions): string {
  checkPaths(options, "collectScript");
  const r = slurmResources(options);
  const o = options;
  const cli = quote(`${o.root}/lib/study/cli.ts`);
  const study = `--study ${quote(o.studyPath)} --out ${quote(o.outDir)}`;
  return [
    "#!/bin/bash",
    `#SBATCH --job-name=${r.jobName}-collect`,
    `#SBATCH --output=${quote(`${o.outDir}/slurm-collect-%j.log`)}`,
    "#SBATCH --open-mode=append",
    "#SBATCH --time=01:00:00",
    "#SBATCH --cpus-per-task=1",
    `#SBATCH --mem=${r.memory}`,
    ...(r.partition ? [`#SBATCH --partition=${r.partition}`] : []),
    ...r.sbatch.map((l) => `#SBATCH ${l}`),
    `# Collects the ${o.shards} shards of study ${o.studyName ?? ""} and analyses them;`,
    "# submitted by submit.sh with --dependency=afterok on the array job.",
    ...prologue(o, "collect and analyse"),
    `"$DENO" run -A ${cli} collect ${study} \\`,
    ...shardFiles(o.outDir, o.shards).map((f, i, all) =>
      `  ${quote(f)}${i < all.length - 1 ? " \\" : " || exit $?"}`
    ),
    `"$DENO" run -A ${cli} analyze ${study}`,
    "",
  ].join("\n");
}

/**
 * `submit.sh`: submits the array and the collect job that waits for it to succeed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { submitScript } from "./slurm.ts";
 * const text = submitScript({
 *   root: "/srv/nerss", studyPath: "/srv/nerss/out/s/study.json", outDir: "/srv/nerss/out/s",
 *   shards: 4,
 * });
 * const lines = text.split("\n");
 * assert.ok(lines.includes('array=$(sbatch --parsable "$@" /srv/nerss/out/s/study.sbatch)'));
 * assert.ok(lines.includes('collect=$(sbatch --parsable "$@" --dependency=afterok:"$array" ' +
 *   "/srv/nerss/out/s/collect.sbatch)"));
 * ```
 */
export function submitScript(options: SlurmOptions): string {
  checkPaths(options, "submitScript");
  const o = options;
  return [
    "#!/bin/bash",
    `# Submits the ${o.shards}-task array of study ${o.studyName ?? ""} and the job that`,
    "# collects and analyses its results once every task has succeeded. Extra arguments",
    "# go to both sbatch calls (e.g. --account=abc).",
    "set -euo pipefail",
    `array=$(sbatch --parsable "$@" ${quote(`${o.outDir}/study.sbatch`)})`,
    "array=${array%%;*}",
    `collect=$(sbatch --parsable "$@" --dependency=afterok:"$array" ${
      quote(`${o.outDir}/collect.sbatch`)
    })`,
    "collect=${collect%%;*}",
    `echo "array job $array (${o.shards} tasks), then collect job $collect; logs: ${o.outDir}/slurm-*.log"`,
    "",
  ].join("\n");
}

/**
 * What `deno task study slurm` writes and says: the three scripts, with a warning when
 * there are more shards than runs (the array is cut to one task per run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { slurmJob } from "./slurm.ts";
 * const job = slurmJob({
 *   root: "/srv/nerss", studyPath: "/srv/nerss/out/s/study.json", outDir: "/srv/nerss/out/s",
 *   shards: 50, gpus: 0,
 * }, 12);
 * assert.equal(job.shards, 12);
 * assert.match(job.warnings[0], /--shards 50 is more than the study's 12 runs/);
 * ```
 */
export function slurmJob(options: SlurmOptions, runs: number): {
  shards: number;
  warnings: string[];
  files: Record<"study.sbatch" | "collect.sbatch" | "submit.sh", string>;
} {
  const warnings: string[] = [];
  let shards = options.shards;
  if (Number.isInteger(shards) && runs >= 1 && shards > runs) {
    warnings.push(
      `warning: --shards ${shards} is more than the study's ${runs} runs: ` +
        `the array has ${runs} tasks instead (one run each)`,
    );
    shards = runs;
  }
  const o = { ...options, shards };
  return {
    shards,
    warnings,
    files: {
      "study.sbatch": slurmScript(o),
      "collect.sbatch": collectScript(o),
      "submit.sh": submitScript(o),
    },
  };
}

/**
 * The variables the jobs export, from the environment where the script is written: the
 * data folder (`NERSS_DATA_DIR`, else `<root>/../shared/data` when it exists), the cache
 * (`NERSS_CACHE_DIR`, else `$XDG_CACHE_HOME/nerss` or `~/.cache/nerss`), and when set
 * `DENO_DIR` and the Hugging Face cache's variables (`HF_HUB_CACHE`, `HUGGINGFACE_HUB_CACHE`,
 * `HF_HOME`), so the jobs use the models already downloaded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jobEnvironment } from "./slurm.ts";
 * // no /srv/shared/data folder (isDir says no), no cache variables: the cache under HOME
 * assert.deepEqual(jobEnvironment("/srv/nerss", { HOME: "/home/me" }, () => false),
 *   { NERSS_CACHE_DIR: "/home/me/.cache/nerss" });
 * assert.deepEqual(jobEnvironment("/srv/nerss", { NERSS_CACHE_DIR: "/scratch/nerss" }, () => true),
 *   { NERSS_DATA_DIR: "/srv/shared/data", NERSS_CACHE_DIR: "/scratch/nerss" });
 * ```
 */
export function jobEnvironment(
  root: string,
  env: Record<string, string | undefined>,
  isDir: (path: string) => boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  const shared = `${root.replace(/\/+$/, "").replace(/\/[^/]*$/, "")}/shared/data`;
  if (env.NERSS_DATA_DIR) out.NERSS_DATA_DIR = env.NERSS_DATA_DIR;
  else if (isDir(shared)) out.NERSS_DATA_DIR = shared;
  const cache = env.NERSS_CACHE_DIR ||
    (env.XDG_CACHE_HOME
      ? `${env.XDG_CACHE_HOME}/nerss`
      : env.HOME
      ? `${env.HOME}/.cache/nerss`
      : "");
  if (cache) out.NERSS_CACHE_DIR = cache;
  for (const name of ["DENO_DIR", "HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE", "HF_HOME"]) {
    if (env[name]) out[name] = env[name];
  }
  return out;
}

/**
 * The GPU a scheduler assigned to this process, for the "training on ..." line:
 * `CUDA_VISIBLE_DEVICES` and `SLURM_JOB_GPUS` where set, else "". Deno's WebGPU cannot
 * pick an adapter by index (`requestAdapter` takes a power preference only), so a task
 * trains on the assigned GPU where Vulkan sees no other: Slurm's cgroup device constraint
 * (`ConstrainDevices=yes`) hides the other GPUs' device files; whether NVIDIA's Vulkan
 * driver also honours `CUDA_VISIBLE_DEVICES` is not checked here. Logging both beside the
 * adapter's name shows what a task was given.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { assignedGpus } from "./slurm.ts";
 * assert.equal(assignedGpus({ CUDA_VISIBLE_DEVICES: "2", SLURM_JOB_GPUS: "2" }),
 *   "CUDA_VISIBLE_DEVICES=2, SLURM_JOB_GPUS=2");
 * assert.equal(assignedGpus({}), "");
 * ```
 */
export function assignedGpus(env: Record<string, string | undefined>): string {
  return ["CUDA_VISIBLE_DEVICES", "SLURM_JOB_GPUS"]
    .filter((k) => env[k] !== undefined)
    .map((k) => `${k}=${env[k]}`)
    .join(", ");
}

/** Flag values `study slurm` reads (parseArgs's values). */
type Flags = Record<string, string | boolean | string[] | undefined>;

function wholeFlag(
  flag: string,
  value: string | boolean | string[] | undefined,
): number | undefined {
  if (typeof value !== "string") return undefined;
  if (!/^\s*-?\d+\s*$/.test(value)) {
    throw new Error(`${flag}: expected a whole number, got ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/**
 * `deno task study slurm`: writes study.sbatch, collect.sbatch and submit.sh into the
 * out folder from the flags (--shards, --slurm-gpus, --cpus, --mem, --time, --partition,
 * --job-name, --sbatch), with absolute paths, and gives the lines to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSlurmJob } from "./slurm.ts";
 * const dir = await Deno.makeTempDir(); // the study's out folder, e.g. out/coi
 * const said = await writeSlurmJob({
 *   flags: { shards: "3", "slurm-gpus": "0", cpus: "1", mem: "2G" },
 *   studyPath: `${dir}/study.json`,
 *   outDir: dir,
 *   studyName: "coi",
 *   runs: 6,
 * });
 * assert.equal(said[0], `wrote ${dir}/study.sbatch (3 array tasks for 6 runs), ` +
 *   "collect.sbatch and submit.sh; submit both with");
 * assert.equal(said[1], `  ${dir}/submit.sh`);
 * assert.equal((await Deno.stat(`${dir}/submit.sh`)).mode! & 0o777, 0o755);
 * await Deno.remove(dir, { recursive: true });
 * ```
 */
export async function writeSlurmJob(args: {
  flags: Flags;
  studyPath: string;
  outDir: string;
  studyName: string;
  runs: number;
}): Promise<string[]> {
  const { flags } = args;
  if (flags.shards === undefined) throw new Error("slurm: give --shards N (the array's tasks)");
  const shards = wholeFlag("--shards", flags.shards)!;
  if (shards < 1) throw new Error(`--shards ${shards}: expected a whole number >= 1`);
  const root = resolve(fileURLToPath(new URL("../../", import.meta.url)));
  const outDir = resolve(args.outDir);
  let deno: string | undefined;
  try {
    deno = Deno.execPath();
  } catch {
    deno = undefined;
  }
  const env = jobEnvironment(root, Deno.env.toObject(), (p) => {
    try {
      return Deno.statSync(p).isDirectory;
    } catch {
      return false;
    }
  });
  const job = slurmJob({
    root,
    studyPath: resolve(args.studyPath),
    outDir,
    shards,
    deno,
    env,
    studyName: args.studyName,
    jobName: typeof flags["job-name"] === "string"
      ? flags["job-name"]
      : `nerss-${args.studyName.replace(/[^\w.+-]+/g, "-")}`,
    time: typeof flags.time === "string" ? flags.time : undefined,
    gpus: wholeFlag("--slurm-gpus", flags["slurm-gpus"]),
    cpus: wholeFlag("--cpus", flags.cpus),
    memory: typeof flags.mem === "string" ? flags.mem : undefined,
    partition: typeof flags.partition === "string" ? flags.partition : undefined,
    sbatch: Array.isArray(flags.sbatch) ? flags.sbatch : undefined,
  }, args.runs);
  await Deno.mkdir(outDir, { recursive: true });
  for (const [name, text] of Object.entries(job.files)) {
    await writeTextAtomic(`${outDir}/${name}`, text);
    await Deno.chmod(`${outDir}/${name}`, 0o755);
  }
  return [
    ...job.warnings,
    `wrote ${outDir}/study.sbatch (${job.shards} array task${job.shards > 1 ? "s" : ""} for ` +
    `${args.runs} runs), ` +
    `collect.sbatch and submit.sh; submit both with`,
    `  ${outDir}/submit.sh`,
    "or by hand:",
    `  array=$(sbatch --parsable ${outDir}/study.sbatch)`,
    `  sbatch --dependency=afterok:\${array%%;*} ${outDir}/collect.sbatch`,
  ];
}
