#!/bin/sh
# Submits a troupe seed sweep of SHARDS tasks to Slurm, then a merge that
# runs once every task has ended (whatever its exit code) and writes
# $RESULTS/merged.json, $RESULTS/merged.xml (JUnit) and the signature table
# in troupe-merge-<job>.out. With --wait, waits for the merge and exits
# with its code (0: no failure, 1: failures, 2: a shard's summary missing).
#
#   SHARDS=16 SEEDS=100000 deploy/slurm/submit.sh [--wait]
# Other settings as in troupe-sweep.sbatch (TROUPE, RESULTS, TROUPE_ARGS);
# SBATCH_ARGS are added to both sbatch calls (e.g. --partition=long).
set -eu
: "${SHARDS:=4}"
: "${TROUPE:=troupe}"
: "${RESULTS:=troupe-results}"
: "${SBATCH_ARGS:=}"
export TROUPE RESULTS
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$RESULTS"
# shellcheck disable=SC2086
array=$(sbatch --parsable $SBATCH_ARGS --array="0-$((SHARDS - 1))" "$here/troupe-sweep.sbatch")
array=${array%%;*}
echo "sweep: job array $array, $SHARDS shards"
wait_flag=""
[ "${1:-}" = "--wait" ] && wait_flag="--wait"
# shellcheck disable=SC2086
sbatch --parsable $SBATCH_ARGS $wait_flag --dependency="afterany:$array" \
  --job-name=troupe-merge --output="troupe-merge-%j.out" \
  --wrap "exec \"$TROUPE\" merge \"$RESULTS\"/summary-*.json -o \"$RESULTS/merged.json\" --junit \"$RESULTS/merged.xml\""
