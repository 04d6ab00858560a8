#!/usr/bin/env python3
"""Exit 0 when two sweep summaries (explore --summary, troupe merge) hold the
same findings: everything but where and how fast the sweep ran (trace file
names, times, rates, the shard split, which seeds the determinism check
sampled). Used by the CLI tests and the Slurm integration test to check
that shards merged equal the sweep run in one piece."""
import json
import sys

IGNORED = {"elapsed_s", "runs_per_s", "shards"}


def findings(path):
    with open(path, encoding="utf-8") as f:
        s = json.load(f)
    for key in IGNORED:
        s.pop(key, None)
    s["determinism"].pop("checked", None)
    for sig in s["signatures"]:
        for example in sig["examples"]:
            example.pop("trace", None)
    return s


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: compare_summaries.py A.json B.json")
    a, b = findings(sys.argv[1]), findings(sys.argv[2])
    if a != b:
        print("the summaries differ:")
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                print(f"  {key}:\n    {sys.argv[1]}: {a.get(key)}\n    {sys.argv[2]}: {b.get(key)}")
        sys.exit(1)
    print(f"same findings: {a['seeds_run']} seeds, {a['failed']} failed, "
          f"{len(a['signatures'])} signatures")


main()
