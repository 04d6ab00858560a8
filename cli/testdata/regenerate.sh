#!/bin/sh
# Re-makes the hostile trace files from one fresh recording, after a trace
# format change: each is the passing trace with one edit.
# Usage: cli/testdata/regenerate.sh path/to/troupe
# The edits below are of the verbose encoding's lines (an object per event),
# so passing.trace.jsonl is recorded verbose; passing-compact.* are the same
# run in the default compact encoding, plain and gzipped.
set -eu
troupe=$1
dir=$(dirname "$0")
"$troupe" run -s taskpool --seed 7 -p jobs=12 -p rate_per_s=100 --record "$dir/passing.trace.jsonl" --verbose-trace >/dev/null
# The same run compact, plain and gzipped (replay tests, fuzz seeds).
"$troupe" run -s taskpool --seed 7 -p jobs=12 -p rate_per_s=100 --record "$dir/passing-compact.trace.jsonl" >/dev/null
"$troupe" run -s taskpool --seed 7 -p jobs=12 -p rate_per_s=100 --record "$dir/passing-compact.trace.jsonl.gz" >/dev/null
cd "$dir"
edit() { sed "$1" passing.trace.jsonl >"$2"; }
edit '0,/"path":"\/taskpool\/w1"/s//"path":"\/taskpool\/w9"/' edited.trace.jsonl
edit '1s/"seed":7/"seed":8/' edited-header.trace.jsonl
edit '$s/"outcome":"pass"/"outcome":"fail"/' edited-footer.trace.jsonl
edit '0,/"kind":"started","path":"","t_ns":0/s//"kind":"started","path":"","t_ns":9000000000000000000/' far-time.trace.jsonl
edit '0,/"kind":"started","path":"","t_ns":0/s//"kind":"started","path":"","t_ns":-5000000/' negative-time.trace.jsonl
edit '1s/"seed":7/"seed":1e20/' float-seed.trace.jsonl
edit '1s/"format":[0-9]*/"format":9/' wrong-version.trace.jsonl
# Cut inside the second-to-last line: no footer, a torn last line.
lines=$(wc -l <passing.trace.jsonl)
head -n $((lines - 2)) passing.trace.jsonl >truncated.trace.jsonl
sed -n "$((lines - 1))p" passing.trace.jsonl | head -c 60 >>truncated.trace.jsonl
