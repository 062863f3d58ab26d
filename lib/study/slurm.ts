/**
 * A Slurm batch script that runs a study as a job array, one shard per array task,
 * each appending to its own results file; `collect` merges them afterwards.
 *
 * @module
 */

/**
 * Options of {@link slurmScript}.
 *
 * @example
 * ```ts
 * const o: SlurmOptions = { studyPath: "study.json", shards: 16, outDir: "out" };
 * ```
 */
export type SlurmOptions = {
  studyPath: string;
  shards: number;
  outDir: string;
  jobName?: string;
  /** e.g. "08:00:00" */
  time?: string;
  gpusPerTask?: number;
  cpusPerTask?: number;
  memory?: string;
  partition?: string;
  /** The command that starts the CLI (default `deno task study`). */
  command?: string;
};

function quote(s: string): string {
  return /^[\w./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'"'"'`)}'`;
}

/**
 * The sbatch script text: `--array=1-N`, each task running shard `$SLURM_ARRAY_TASK_ID/N`.
 *
 * @example
 * ```ts
 * await Deno.writeTextFile("study.sbatch", slurmScript({ studyPath: "study.json", shards: 16, outDir: "out" }));
 * // then: sbatch study.sbatch
 * ```
 */
export function slurmScript(options: SlurmOptions): string {
  if (!Number.isInteger(options.shards) || options.shards < 1) {
    throw new Error(`slurm: shards must be a positive integer, got ${options.shards}`);
  }
  const job = options.jobName ?? "ner-sample-size";
  const lines = [
    "#!/bin/bash",
    `#SBATCH --job-name=${quote(job)}`,
    `#SBATCH --array=1-${options.shards}`,
    `#SBATCH --output=${quote(options.outDir)}/slurm-%A_%a.log`,
    `#SBATCH --time=${options.time ?? "24:00:00"}`,
    `#SBATCH --cpus-per-task=${options.cpusPerTask ?? 4}`,
    `#SBATCH --mem=${options.memory ?? "16G"}`,
  ];
  if ((options.gpusPerTask ?? 1) > 0) lines.push(`#SBATCH --gres=gpu:${options.gpusPerTask ?? 1}`);
  if (options.partition) lines.push(`#SBATCH --partition=${quote(options.partition)}`);
  const command = options.command ?? "deno task study";
  lines.push(
    "set -euo pipefail",
    `${command} run --study ${quote(options.studyPath)} --out ${quote(options.outDir)} ` +
      `--shard "$SLURM_ARRAY_TASK_ID/${options.shards}"`,
    "",
  );
  return lines.join("\n");
}
