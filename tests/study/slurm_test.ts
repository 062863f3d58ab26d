import assert from "node:assert/strict";
import {
  assignedGpus,
  collectScript,
  jobEnvironment,
  slurmJob,
  type SlurmOptions,
  slurmScript,
  submitScript,
  writeSlurmJob,
} from "../../lib/study/slurm.ts";

/** bash by its path: some tests run it with a PATH of their own. */
const BASH = new Deno.Command("bash", { args: ["-c", "command -v bash"] }).outputSync().stdout;
const BASH_PATH = new TextDecoder().decode(BASH).trim() || "/bin/bash";

const BASE: SlurmOptions = {
  root: "/srv/my nerss",
  studyPath: "/srv/my nerss/out/coi/study.json",
  outDir: "/srv/my nerss/out/coi",
  shards: 4,
  deno: "/opt/deno/bin/deno",
  env: { NERSS_CACHE_DIR: "/home/me/.cache/nerss", NERSS_DATA_DIR: "/data/nerss" },
  studyName: "coi",
};

async function bash(args: string[], opts: { env?: Record<string, string>; stdin?: string } = {}) {
  const out = await new Deno.Command(BASH_PATH, {
    args,
    env: opts.env,
    clearEnv: opts.env !== undefined,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

async function bashSyntax(text: string): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".sh" });
  await Deno.writeTextFile(path, text);
  const r = await bash(["-n", path]);
  assert.equal(r.code, 0, `bash -n: ${r.stderr}`);
}

Deno.test("slurmScript: valid bash with the array, absolute paths, cd, environment, append, signal", async () => {
  const s = slurmScript(BASE);
  await bashSyntax(s);
  assert.match(s, /^#!\/bin\/bash\n/);
  assert.match(s, /^#SBATCH --array=1-4$/m);
  assert.match(s, /^#SBATCH --output='\/srv\/my nerss\/out\/coi\/slurm-%A_%a.log'$/m);
  assert.match(s, /^#SBATCH --open-mode=append$/m);
  assert.match(s, /^#SBATCH --signal=B:USR1@120$/m);
  assert.match(s, /^#SBATCH --gpus=1$/m); // the default
  assert.doesNotMatch(s, /^#SBATCH --gres/m);
  assert.match(s, /^#SBATCH --cpus-per-task=2$/m);
  assert.match(s, /^cd '\/srv\/my nerss' \|\|/m);
  assert.match(s, /^export NERSS_CACHE_DIR=\/home\/me\/.cache\/nerss$/m);
  assert.match(s, /^export NERSS_DATA_DIR=\/data\/nerss$/m);
  assert.match(s, /^export XDG_RUNTIME_DIR$/m);
  assert.match(s, /attempt \$\(\(\$\{SLURM_RESTART_COUNT:-0\} \+ 1\)\)/);
  assert.match(
    s,
    /"\$DENO" run -A '\/srv\/my nerss\/lib\/study\/cli.ts' run --study '\/srv\/my nerss\/out\/coi\/study.json' --out '\/srv\/my nerss\/out\/coi' --shard "\$SLURM_ARRAY_TASK_ID\/4" --quiet &/,
  );
  assert.match(s, /trap "forward USR1 TERM/);
});

Deno.test("slurmScript: resources from the options; 0 GPUs leaves the GPU line out", async () => {
  const s = slurmScript({
    ...BASE,
    gpus: 0,
    cpus: 8,
    memory: "32G",
    time: "1-12:00:00",
    partition: "a100",
    jobName: "big",
    sbatch: ["account=abc", "#SBATCH --qos=short", "--constraint=h200"],
    signalSeconds: 300,
  });
  await bashSyntax(s);
  assert.doesNotMatch(s, /^#SBATCH --(gpus|gres)/m);
  for (
    const line of [
      "--cpus-per-task=8",
      "--mem=32G",
      "--time=1-12:00:00",
      "--partition=a100",
      "--job-name=big",
      "--account=abc",
      "--qos=short",
      "--constraint=h200",
      "--signal=B:USR1@300",
    ]
  ) assert.match(s, new RegExp(`^#SBATCH ${line}$`, "m"), line);
  assert.match(slurmScript({ ...BASE, gpus: 2 }), /^#SBATCH --gpus=2$/m);
  assert.match(slurmScript(BASE), /^# Study coi in \d+ shards, written by/m);
  assert.match(
    slurmScript({ ...BASE, studyName: undefined }),
    /^# Study in \d+ shards, written by/m,
  );
});

Deno.test("slurmScript: relative paths and bad resources are refused, naming the flag", () => {
  assert.throws(
    () => slurmScript({ ...BASE, studyPath: "out/coi/study.json" }),
    /studyPath must be an absolute path/,
  );
  assert.throws(() => slurmScript({ ...BASE, shards: 0 }), /--shards 0/);
  assert.throws(() => slurmScript({ ...BASE, time: "8h" }), /--time "8h"/);
  assert.throws(() => slurmScript({ ...BASE, gpus: -1 }), /--slurm-gpus -1/);
  assert.throws(() => slurmScript({ ...BASE, cpus: 0 }), /--cpus 0/);
  assert.throws(() => slurmScript({ ...BASE, memory: "lots" }), /--mem "lots"/);
  assert.throws(() => slurmScript({ ...BASE, partition: "a b" }), /--partition "a b"/);
  assert.throws(() => slurmScript({ ...BASE, sbatch: ["--x=1\n#SBATCH --y"] }), /--sbatch/);
});

Deno.test("collectScript and submitScript: collect every shard file, then analyse; afterok on the array", async () => {
  const c = collectScript({ ...BASE, gpus: 1, partition: "gpu", sbatch: ["account=abc"] });
  await bashSyntax(c);
  assert.doesNotMatch(c, /^#SBATCH --(gpus|array)/m);
  assert.match(c, /^#SBATCH --partition=gpu$/m);
  assert.match(c, /^#SBATCH --account=abc$/m);
  assert.match(c, /^#SBATCH --open-mode=append$/m);
  assert.match(
    c,
    /cli.ts' collect --study '\/srv\/my nerss\/out\/coi\/study.json' --out '\/srv\/my nerss\/out\/coi' \\\n/,
  );
  for (let i = 1; i <= 4; i++) assert.match(c, new RegExp(`results-shard-${i}-of-4.jsonl`));
  assert.match(c, /\|\| exit \$\?\n.*cli.ts' analyze --study/);
  const s = submitScript(BASE);
  await bashSyntax(s);
  assert.match(s, /sbatch --parsable "\$@" '\/srv\/my nerss\/out\/coi\/study.sbatch'/);
  assert.match(s, /--dependency=afterok:"\$array" '\/srv\/my nerss\/out\/coi\/collect.sbatch'/);
});

Deno.test("slurmJob: more shards than runs warns and cuts the array to one task per run", () => {
  const job = slurmJob({ ...BASE, shards: 50 }, 12);
  assert.equal(job.shards, 12);
  assert.deepEqual(job.warnings, [
    "warning: --shards 50 is more than the study's 12 runs: the array has 12 tasks instead (one run each)",
  ]);
  assert.match(job.files["study.sbatch"], /^#SBATCH --array=1-12$/m);
  assert.match(job.files["collect.sbatch"], /results-shard-12-of-12.jsonl' \|\| exit/);
  assert.deepEqual(slurmJob({ ...BASE, shards: 12 }, 12).warnings, []);
});

Deno.test("study.sbatch run by bash: no deno on the node is one clear line, exit 127", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/study.sbatch`;
  await Deno.writeTextFile(
    path,
    slurmScript({
      ...BASE,
      root: dir,
      studyPath: `${dir}/s.json`,
      outDir: dir,
      deno: `${dir}/none`,
    }),
  );
  // a PATH with the tools the script uses, and no deno
  await Deno.mkdir(`${dir}/bin`);
  for (const tool of ["mktemp", "hostname", "date", "rm"]) {
    const found = await bash(["-c", `command -v ${tool}`]);
    await Deno.symlink(found.stdout.trim(), `${dir}/bin/${tool}`);
  }
  const r = await bash([path], {
    env: { PATH: `${dir}/bin`, SLURM_ARRAY_TASK_ID: "1", SLURM_JOB_ID: "7", TMPDIR: dir },
  });
  assert.equal(r.code, 127);
  assert.match(
    r.stderr,
    /^error: deno is not on PATH on .* \(nor at .*\/none\): install Deno 2 there/m,
  );
  assert.match(r.stdout, /^=== job attempt 1: shard 1 of 4, job 7 \(array none task 1\) on /);
  // the private runtime folder is gone
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name).sort(), ["bin", "study.sbatch"]);
});

Deno.test("study.sbatch run by bash: SIGUSR1 reaches deno as SIGTERM, its exit status is the job's", async () => {
  const dir = await Deno.makeTempDir();
  // a stand-in deno: records its arguments and environment, stops on TERM with 143
  await Deno.writeTextFile(
    `${dir}/deno`,
    `#!/bin/bash
echo "args: $*"
echo "cwd: $(pwd) xdg: $XDG_RUNTIME_DIR cuda: \${CUDA_VISIBLE_DEVICES:-}"
trap 'echo "deno got TERM"; exit 143' TERM
touch "${dir}/started"
for _ in $(seq 100); do sleep 0.1; done
exit 0
`,
  );
  await Deno.chmod(`${dir}/deno`, 0o755);
  const path = `${dir}/study.sbatch`;
  await Deno.writeTextFile(
    path,
    slurmScript({ ...BASE, root: dir, studyPath: `${dir}/s.json`, outDir: dir }),
  );
  const child = new Deno.Command(BASH_PATH, {
    args: [path],
    clearEnv: true,
    env: {
      PATH: `${dir}:/usr/bin:/bin`,
      SLURM_ARRAY_TASK_ID: "3",
      SLURM_ARRAY_JOB_ID: "40",
      SLURM_JOB_ID: "43",
      SLURM_JOB_GPUS: "2",
      TMPDIR: dir,
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  for (let i = 0; i < 100; i++) {
    try {
      Deno.statSync(`${dir}/started`);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill("SIGUSR1");
  const out = await child.output();
  const text = new TextDecoder().decode(out.stdout);
  assert.equal(out.code, 143, text + new TextDecoder().decode(out.stderr));
  assert.match(
    text,
    new RegExp(
      `args: run -A ${dir}/lib/study/cli.ts run --study ${dir}/s.json --out ${dir} --shard 3/4 --quiet`,
    ),
  );
  assert.match(text, new RegExp(`cwd: ${dir} xdg: ${dir}/nerss-job-43-\\w+ cuda: 2`));
  assert.match(
    text,
    /=== SIGUSR1 \(Slurm: the time limit is near\) at .*: passed to deno \(pid \d+\) as SIGTERM ===/,
  );
  assert.match(text, /deno got TERM/);
  assert.match(text, /=== shard 3\/4 ended with exit status 143 at /);
  assert.match(text, /to resume this shard: scontrol requeue 40_3/);
});

Deno.test("writeSlurmJob: three executable scripts with absolute paths, what to run printed", async () => {
  const dir = await Deno.makeTempDir();
  const cwd = Deno.cwd();
  try {
    Deno.chdir(dir);
    const said = await writeSlurmJob({
      flags: { shards: "3", "slurm-gpus": "0", cpus: "1", mem: "2G", sbatch: ["account=x"] },
      studyPath: "out/coi/study.json",
      outDir: "out/coi",
      studyName: "coi study",
      runs: 2,
    });
    assert.match(said[0], /--shards 3 is more than the study's 2 runs/);
    assert.match(said.join("\n"), new RegExp(`${dir}/out/coi/submit.sh`));
    assert.match(
      said.join("\n"),
      /sbatch --dependency=afterok:\$\{array%%;\*\} .*\/collect.sbatch/,
    );
    for (const name of ["study.sbatch", "collect.sbatch", "submit.sh"]) {
      const st = await Deno.stat(`${dir}/out/coi/${name}`);
      assert.equal(st.mode! & 0o777, 0o755, name);
    }
    const s = await Deno.readTextFile(`${dir}/out/coi/study.sbatch`);
    assert.match(s, /^#SBATCH --job-name=nerss-coi-study$/m);
    assert.match(s, /^#SBATCH --array=1-2$/m);
    assert.match(s, new RegExp(`--study ${dir}/out/coi/study.json --out ${dir}/out/coi `));
    await assert.rejects(
      writeSlurmJob({
        flags: { shards: "x" },
        studyPath: "s",
        outDir: "o",
        studyName: "n",
        runs: 2,
      }),
      /--shards: expected a whole number, got "x"/,
    );
    await assert.rejects(
      writeSlurmJob({ flags: {}, studyPath: "s", outDir: "o", studyName: "n", runs: 2 }),
      /give --shards N/,
    );
  } finally {
    Deno.chdir(cwd);
  }
});

Deno.test("jobEnvironment and assignedGpus: from the environment where the script is written", () => {
  assert.deepEqual(
    jobEnvironment(
      "/srv/nerss",
      { HOME: "/home/me", DENO_DIR: "/cache/deno", HF_HOME: "/data/hf", PATH: "/bin" },
      (p) => p === "/srv/shared/data",
    ),
    {
      NERSS_DATA_DIR: "/srv/shared/data",
      NERSS_CACHE_DIR: "/home/me/.cache/nerss",
      DENO_DIR: "/cache/deno",
      HF_HOME: "/data/hf",
    },
  );
  assert.deepEqual(
    jobEnvironment("/srv/nerss", {
      NERSS_DATA_DIR: "/d",
      NERSS_CACHE_DIR: "/c",
      XDG_CACHE_HOME: "/x",
    }, () => true),
    { NERSS_DATA_DIR: "/d", NERSS_CACHE_DIR: "/c" },
  );
  assert.deepEqual(jobEnvironment("/srv/nerss", { XDG_CACHE_HOME: "/x" }, () => false), {
    NERSS_CACHE_DIR: "/x/nerss",
  });
  assert.equal(assignedGpus({ CUDA_VISIBLE_DEVICES: "1" }), "CUDA_VISIBLE_DEVICES=1");
  assert.equal(assignedGpus({ HOME: "/h" }), "");
});
