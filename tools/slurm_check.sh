#!/usr/bin/env bash
# A real Slurm run of the scripts `deno task study slurm` writes (deno task slurm-check):
# starts a single-node Slurm on this host (Debian's slurm-wlm and munge, installed when
# missing; a private slurm.conf with this host's CPUs and memory, state and logs in a
# temporary folder), runs a tiny study (6 runs of a 1-layer, 32-hidden BERT on
# tests/study/fixtures/disclosures.jsonl) unsharded, writes its Slurm jobs with 3 shards,
# submits the array and the dependent collect job with submit.sh, waits, and checks that
# results.jsonl holds the same run ids with the same F1, final loss and steps as the
# unsharded run, and that the logs have their attempt headers. Needs root (it starts the
# daemons). Prints "slurm check: ok ..." or "slurm check: FAILED ..." and exits 0 or 1.
# --keep leaves the daemons and the folder for a look.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
keep=0
[ "${1:-}" = "--keep" ] && keep=1
start=$(date +%s)
fail() {
  echo "slurm check: FAILED: $*"
  exit 1
}

for p in slurm-wlm munge; do
  dpkg -s "$p" >/dev/null 2>&1 && continue
  export DEBIAN_FRONTEND=noninteractive
  (apt-get update -qq && apt-get install -y -qq --no-install-recommends slurm-wlm munge) \
    >/tmp/slurm-check-apt.log 2>&1 || { tail -20 /tmp/slurm-check-apt.log; fail "could not install slurm-wlm and munge"; }
  break
done
[ "$(id -u)" -eq 0 ] || fail "run as root (it starts munged, slurmctld and slurmd)"

work=$(mktemp -d /tmp/nerss-slurm-check-XXXXXX)
chmod 755 "$work"
host=$(hostname -s)
cpus=$(nproc)
mem=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 512))
export SLURM_CONF="$work/slurm.conf"
mkdir -p "$work/state" "$work/spool"
cat >"$SLURM_CONF" <<EOF
ClusterName=nerss-check
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
SchedulerType=sched/backfill
ReturnToService=2
MpiDefault=none
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=check Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

stop() {
  if [ "$keep" -eq 1 ]; then
    echo "kept: $work (SLURM_CONF=$SLURM_CONF; daemons running)"
    return
  fi
  for f in slurmd slurmctld; do
    [ -f "$work/$f.pid" ] && kill "$(cat "$work/$f.pid")" 2>/dev/null
  done
  [ -n "${munge_pid:-}" ] && kill "$munge_pid" 2>/dev/null
  sleep 1
  rm -rf "$work"
}
trap stop EXIT
trap 'fail "stopped by a signal"' TERM INT

# munged with its own socket, so that another munged on this host does not matter
munge_pid=""
if [ -f /etc/munge/munge.key ]; then
  mkdir -p "$work/munge"
  chown munge: "$work/munge" 2>/dev/null
  runuser -u munge -- /usr/sbin/munged --socket="$work/munge/munge.socket" \
    --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
    --seed-file="$work/munge/munged.seed" ||
    /usr/sbin/munged --force --socket="$work/munge/munge.socket" \
      --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
      --seed-file="$work/munge/munged.seed" || fail "munged did not start"
  munge_pid=$(cat "$work/munge/munged.pid" 2>/dev/null)
  echo "AuthInfo=socket=$work/munge/munge.socket" >>"$SLURM_CONF"
else
  fail "no /etc/munge/munge.key (reinstall munge)"
fi

/usr/sbin/slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -5 "$work/slurmctld.log")"
/usr/sbin/slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -5 "$work/slurmd.log")"
for _ in $(seq 30); do
  sinfo -h -o %T 2>/dev/null | grep -q idle && break
  sleep 1
done
sinfo -h -o %T | grep -q idle || fail "the node did not come up: $(sinfo 2>&1; tail -5 "$work/slurmctld.log" "$work/slurmd.log")"
echo "slurm check: single-node Slurm $(sinfo -V | awk '{print $2}') up on $host ($cpus CPUs, $mem MB) after $(($(date +%s) - start)) s"

# the tiny study: 6 runs of seconds each
cp tests/study/fixtures/disclosures.jsonl "$work/disclosures.jsonl"
cat >"$work/tiny.json" <<'EOF'
{
  "name": "slurm-check",
  "data": { "path": "disclosures.jsonl", "labels": { "PER": "PERSON" } },
  "test": { "size": 8 },
  "plan": { "count": 6, "sizes": [[6, 10], [12, 16]] },
  "models": [{
    "name": "mini", "source": "random", "family": "bert", "hiddenSize": 32, "numLayers": 1,
    "numHeads": 2, "intermediateSize": 64, "maxPositions": 64, "tokenizer": "bert-base-uncased"
  }],
  "training": { "epochs": 1, "batchSize": 4 },
  "analysis": { "bootstrap": 0 }
}
EOF

t0=$(date +%s)
deno run -A lib/study/cli.ts run --study "$work/tiny.json" --out "$work/unsharded" --quiet \
  >"$work/unsharded.log" 2>&1 || { cat "$work/unsharded.log"; fail "the unsharded run failed"; }
t1=$(date +%s)
echo "slurm check: unsharded run $((t1 - t0)) s"

deno run -A lib/study/cli.ts slurm --study "$work/tiny.json" --out "$work/sharded" --shards 3 \
  --slurm-gpus 0 --cpus 1 --mem 2G --time 00:15:00 --partition check \
  --sbatch comment=nerss-slurm-check >"$work/slurm.txt" 2>&1 ||
  { cat "$work/slurm.txt"; fail "study slurm failed"; }
bash -n "$work/sharded/study.sbatch" || fail "study.sbatch is not valid bash"
t2=$(date +%s)
# submitted from another folder: the jobs find the project on their own
submitted=$(cd / && "$work/sharded/submit.sh") || fail "submit.sh failed: $submitted"
echo "slurm check: $submitted"
array=$(echo "$submitted" | sed -nE 's/^array job ([0-9]+).*/\1/p')
collect=$(echo "$submitted" | sed -nE 's/.*collect job ([0-9]+).*/\1/p')
[ -n "$array" ] && [ -n "$collect" ] || fail "no job ids in: $submitted"

state=""
for _ in $(seq 600); do
  state=$(scontrol show job "$collect" 2>/dev/null | sed -nE 's/.*JobState=([A-Z_]+).*/\1/p')
  case "$state" in COMPLETED | FAILED | CANCELLED | TIMEOUT | OUT_OF_MEMORY | NODE_FAIL) break ;; esac
  sleep 1
done
t3=$(date +%s)
if [ "$state" != COMPLETED ]; then
  scontrol show job "$array" | grep -E 'JobId|JobState|Reason' | head -20
  tail -n 30 "$work"/sharded/slurm-*.log 2>/dev/null
  fail "collect job $collect ended $state"
fi
echo "slurm check: array of 3 and collect job done in $((t3 - t2)) s"

# every log starts with its attempt header; the collect log says what it collected
for n in 1 2 3; do
  grep -q "=== nerss-slurm-check attempt 1: shard $n of 3" "$work/sharded/slurm-${array}_$n.log" ||
    fail "no attempt header in slurm-${array}_$n.log: $(head -3 "$work/sharded/slurm-${array}_$n.log")"
done
grep -q "collected into" "$work"/sharded/slurm-collect-"$collect".log ||
  fail "collect log: $(cat "$work"/sharded/slurm-collect-"$collect".log)"
[ -f "$work/sharded/report.html" ] || fail "no report.html after the collect job"

compare='
const key = (p) => Deno.readTextFileSync(p).trim().split("\n").map((l) => JSON.parse(l))
  .map((r) => [r.runId, r.micro.f1, r.finalLoss, r.steps]).sort((a, b) => a[0] < b[0] ? -1 : 1);
const [a, b] = [key(Deno.args[0]), key(Deno.args[1])];
if (JSON.stringify(a) !== JSON.stringify(b)) {
  console.log(JSON.stringify({ unsharded: a, sharded: b }));
  Deno.exit(1);
}
const f1 = a.map((r) => r[1]);
console.log(`${a.length} runs equal (run id, F1, final loss, steps); F1 ${Math.min(...f1).toFixed(3)}-${Math.max(...f1).toFixed(3)}`);
'
same=$(deno eval "$compare" "$work/unsharded/results.jsonl" "$work/sharded/results.jsonl") ||
  fail "the sharded results differ from the unsharded run: $same"
echo "slurm check: sharded = unsharded: $same; 3 shards, Slurm part $((t3 - t2)) s, whole check $(($(date +%s) - start)) s"

# Slurm's time-limit warning: USR1 to the batch shell, passed on; the study stops after
# its current run (exit 143) and says how to resume
t4=$(date +%s)
sed 's/"count": 6,/"count": 30,/; s/"slurm-check"/"slurm-check-signal"/' "$work/tiny.json" >"$work/signal.json"
deno run -A lib/study/cli.ts slurm --study "$work/signal.json" --out "$work/signal" --shards 1 \
  --slurm-gpus 0 --cpus 1 --mem 2G --time 10 >/dev/null 2>&1 || fail "study slurm (signal) failed"
job=$(cd / && sbatch --parsable "$work/signal/study.sbatch") || fail "sbatch (signal) failed"
log="$work/signal/slurm-${job}_1.log"
for _ in $(seq 120); do
  [ -s "$work/signal/results-shard-1-of-1.jsonl" ] && break
  sleep 0.5
done
scancel --signal=USR1 --batch "${job}_1" || fail "scancel --signal=USR1 failed"
for _ in $(seq 120); do
  grep -q "ended with exit status" "$log" 2>/dev/null && break
  sleep 0.5
done
grep -q "SIGUSR1 (Slurm: the time limit is near) at .* as SIGTERM" "$log" &&
  grep -q "stopped after [0-9]* of 30 runs; run the same command to resume" "$log" &&
  grep -q "ended with exit status 143" "$log" && grep -q "to resume this shard: scontrol requeue" "$log" ||
  fail "USR1 did not stop the study gracefully: $(cat "$log")"
echo "slurm check: ok: USR1 stopped a shard gracefully ($(grep -o 'stopped after [0-9]* of 30 runs' "$log"), exit 143) in $(($(date +%s) - t4)) s; whole check $(($(date +%s) - start)) s"
