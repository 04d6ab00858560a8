#!/bin/sh
# Re-records the regression corpus after a trace format change, each trace
# from the same scenario, seed, strategy and parameters as before. Check
# that every outcome is still what the file's name says.
# Usage: traces/record.sh path/to/troupe
set -u
troupe=$1
dir=$(dirname "$0")
rec() {
  name=$1
  shift
  "$troupe" run "$@" --record "$dir/$name.trace.jsonl" | tail -1
}
rec crash-storm-budget-exhausted -s crash-storm --seed 9 --strategy pct -p all_for_one=0 \
  -p children=4 -p crash_probability=0.05 -p max_restarts=2 -p messages=207 -p rate_per_s=1000 \
  -p strict=1 -p within_ms=1000
rec pipeline-backpressure-pass -s pipeline --seed 21 --strategy pct -p capacity=4 -p items=60 \
  -p rate_per_s=400 -p retry_ms=2 -p sink_ms=3
rec shutdown-deadline-abandons -s shutdown-deadline --seed 5 --strategy random -p deadline_ms=1000 \
  -p jobs=54 -p service_ms=20 -p strict=1
rec taskpool-budget-too-small -s taskpool --seed 8 --strategy random -p crash_probability=0.05 \
  -p jobs=53 -p max_restarts=1 -p poison_every=43 -p rate_per_s=100 -p within_ms=5000
rec taskpool-scales-pass -s taskpool --seed 5 --strategy random -p crash_probability=0 -p jobs=150 \
  -p max_restarts=3 -p poison_every=43 -p rate_per_s=250 -p within_ms=5000
exit 0
