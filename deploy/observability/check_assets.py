#!/usr/bin/env python3
"""Checks the observability assets against the metrics troupe serves.

- promtool accepts the rules (check rules) and their unit tests pass (test rules);
- the dashboard is valid Grafana JSON: unique panel ids, a Prometheus
  datasource variable, every panel with at least one query;
- every troupe_* metric the dashboard or the rules use is one the engine
  registers (its name appears quoted in engine/), so a renamed metric fails
  here rather than in an empty panel.

Usage: check_assets.py REPO_ROOT [PROMTOOL]
"""
import json
import os
import re
import subprocess
import sys

root = sys.argv[1]
promtool = sys.argv[2] if len(sys.argv) > 2 else "promtool"
here = os.path.join(root, "deploy", "observability")
problems = []

for args in (["check", "rules", "troupe-rules.yml"], ["test", "rules", "troupe-rules.test.yml"]):
    done = subprocess.run([promtool] + args, cwd=here, capture_output=True, text=True)
    if done.returncode != 0:
        problems.append("promtool " + " ".join(args) + " failed:\n" + done.stdout + done.stderr)

with open(os.path.join(here, "troupe-dashboard.json")) as f:
    dashboard = json.load(f)
variables = {v["name"]: v for v in dashboard.get("templating", {}).get("list", [])}
if variables.get("datasource", {}).get("query") != "prometheus":
    problems.append("the dashboard has no Prometheus datasource variable")
ids = [p["id"] for p in dashboard["panels"]]
if len(ids) != len(set(ids)):
    problems.append("panel ids repeat: " + str(ids))
exprs = []
for panel in dashboard["panels"]:
    targets = panel.get("targets", [])
    if not targets:
        problems.append("panel '" + panel["title"] + "' has no query")
    exprs += [t["expr"] for t in targets]
with open(os.path.join(here, "troupe-rules.yml")) as f:
    exprs.append(f.read())

registered = set()
for folder, _, files in os.walk(os.path.join(root, "engine")):
    for name in files:
        if name.endswith((".cpp", ".hpp")) and ".test." not in name:
            with open(os.path.join(folder, name)) as f:
                registered |= set(re.findall(r'"(troupe_[a-z_]+)"', f.read()))
used = set()
for expr in exprs:
    for name in re.findall(r"\b(troupe_[a-z_]+)", expr):
        used.add(re.sub(r"_(bucket|sum|count)$", "", name))
for name in sorted(used - registered):
    problems.append("uses " + name + ", which the engine does not serve")
needed = {"troupe_mailbox_length", "troupe_pool_workers", "troupe_actor_restarts_total",
          "troupe_actor_failures_total", "troupe_dead_letters_total",
          "troupe_message_processing_seconds", "troupe_autoscaler_decisions_total"}
for name in sorted(needed - used):
    problems.append("the dashboard shows nothing of " + name)

if problems:
    print("\n".join("FAIL: " + p for p in problems))
    sys.exit(1)
print("ok: %d dashboard panels, %d metrics used, rules checked and tested" %
      (len(ids), len(used)))
