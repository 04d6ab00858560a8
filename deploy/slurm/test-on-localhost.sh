#!/bin/sh
# The Slurm path for real, on this machine only: installs Debian's slurm-wlm
# and munge when missing, starts munged, slurmctld and slurmd for localhost
# (a private configuration in a temporary folder), submits a 4-task array of
# explore shards with submit.sh, waits for the merge, and checks that the
# merged summary holds the same findings as the same sweep run in one piece.
# Every daemon it started is stopped on the way out, pass or fail.
#
#   deploy/slurm/test-on-localhost.sh path/to/troupe   (as root; make test-slurm)
set -eu
troupe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
compare="$here/../../cli/compare_summaries.py"
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo

missing=""
for p in slurm-wlm munge; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "installing:$missing"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

work=$(mktemp -d /tmp/troupe-slurm.XXXXXX)
chmod 755 "$work"
pids=""
stop_all() {
  for pid in $pids; do $sudo kill "$pid" 2>/dev/null || true; done
  for pid in $pids; do
    i=0
    while $sudo kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    $sudo kill -9 "$pid" 2>/dev/null || true
  done
}
trap 'stop_all' EXIT INT TERM

# munge: its own key and socket in the work folder, so an installed munged
# (if any) is neither used nor disturbed.
mkdir -p "$work/munge"
dd if=/dev/urandom bs=1 count=1024 of="$work/munge/munge.key" 2>/dev/null
chmod 700 "$work/munge"
chmod 600 "$work/munge/munge.key"
socket="$work/munge/munge.socket"
$sudo munged --force --key-file="$work/munge/munge.key" --socket="$socket" \
  --pid-file="$work/munge/munged.pid" --log-file="$work/munge/munged.log" \
  --seed-file="$work/munge/munged.seed"
i=0
while [ ! -s "$work/munge/munged.pid" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
pids="$(cat "$work/munge/munged.pid")"

host=$(hostname -s)
cpus=$(nproc)
mkdir -p "$work/state" "$work/spool" "$work/log"
cat >"$work/slurm.conf" <<CONF
ClusterName=troupe-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=16817
SlurmdPort=16818
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$socket
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$work/slurm.conf"

$sudo env SLURM_CONF="$SLURM_CONF" slurmctld -D -i -f "$SLURM_CONF" >"$work/log/slurmctld.out" 2>&1 &
pids="$pids $!"
$sudo env SLURM_CONF="$SLURM_CONF" slurmd -D -f "$SLURM_CONF" >"$work/log/slurmd.out" 2>&1 &
pids="$pids $!"

# The node comes up idle within a few seconds.
i=0
until sinfo -h -o '%t' 2>/dev/null | grep -q '^idle'; do
  i=$((i + 1))
  if [ $i -gt 120 ]; then
    echo "the Slurm node did not come up:"; sinfo 2>&1 || true
    tail -n 20 "$work/log/slurmctld.log" "$work/log/slurmd.log" "$work/log/"*.out 2>/dev/null || true
    exit 4
  fi
  sleep 0.5
done
echo "slurm: node $host idle"

cd "$work"
args="-s crash-storm -p strict=1 --swarm"
seeds=200
# Bounded: a job that never runs must fail the test, not hold CI until its limit.
RESULTS="$work/results" SEEDS=$seeds SHARDS=4 TROUPE="$troupe" TROUPE_ARGS="$args" \
  timeout 300 "$here/submit.sh" --wait >"$work/submit.out" 2>&1 && rc=0 || rc=$?
[ $rc -ne 124 ] || echo "the sweep did not finish within 300 s"
cat "$work/submit.out"
cat "$work"/troupe-merge-*.out 2>/dev/null || true
# The merge exits 1: a strict storm fails in some seeds.
if [ $rc -ne 1 ]; then
  echo "the merge job ended with $rc, expected 1"
  tail -n 20 "$work"/troupe-sweep-*.out "$work/log/slurmctld.log" 2>/dev/null || true
  exit 5
fi
[ "$(ls "$work/results"/summary-*.json | wc -l)" = 4 ] || { echo "not 4 shard summaries"; exit 6; }
# shellcheck disable=SC2086
"$troupe" explore $args --seeds $seeds -j "$cpus" --out "$work/whole" \
  --summary "$work/whole.json" >/dev/null 2>&1 && rc=0 || rc=$?
[ $rc -eq 1 ] || { echo "the sweep in one piece ended with $rc"; exit 7; }
python3 "$compare" "$work/whole.json" "$work/results/merged.json"
echo "slurm integration: pass"
rm -rf "$work"
