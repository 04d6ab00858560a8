#!/usr/bin/env python3
"""The timeline page in a real browser (Debian's headless Chromium).

For each built-in scenario: find a failing seed, shrink its trace, write the
page (show --html) and the Perfetto export (show --perfetto), then load the
page in Chromium and check that it ran without script errors, that every
actor of the trace has a lane, that message arrows were drawn and that the
failure is marked. The Perfetto file must be valid JSON of the trace event
format with every flow's end matched to a start. A screenshot of each page
is kept in OUT/ as a test artifact. Last, a trace of about 100,000 events
must load too (the page thins what it draws; see timeline_page.js).

Usage: check_timeline_in_browser.py path/to/troupe OUT_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

# scenario and parameters that fail within a few hundred seeds; pipeline
# has no failing configuration, so its passing trace is drawn unshrunk.
RECIPES = [
    ("bug-order-2", []),
    ("bug-order-3", []),
    ("bug-restart-state", []),
    ("bug-same-instant", []),
    ("bug-slow-timeout", []),
    ("crash-storm", ["-p", "strict=1"]),
    ("shutdown-deadline", ["-p", "strict=1"]),
    ("taskpool", ["-p", "crash_probability=0.05", "-p", "max_restarts=1", "-p", "jobs=40"]),
    ("pipeline", None),
]


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def run(args, expect=(0,)):
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    if done.returncode not in expect:
        fail(" ".join(args) + " exited " + str(done.returncode) + ":\n" + done.stdout + done.stderr)
    return done.stdout


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    fail("no Chromium: install Debian's chromium (make deps does)")


def browser(page, extra):
    return run([chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                "--virtual-time-budget=10000", "--window-size=1400,1000"] + extra +
               ["file://" + os.path.abspath(page)])


def page_attributes(dom):
    tag = re.search(r"<html([^>]*)>", dom)
    if not tag:
        fail("no <html> element in the rendered page")
    return dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', tag.group(1)))


def check_perfetto(path):
    with open(path) as f:
        doc = json.load(f)
    events = doc["traceEvents"]
    if not isinstance(events, list) or not events:
        fail(path + ": traceEvents is not a non-empty list")
    starts, tracks = set(), {}
    for e in events:
        for field in ("ph", "pid", "tid", "name"):
            if field not in e:
                fail(path + ": an event without '" + field + "': " + json.dumps(e))
        if e["ph"] not in ("M", "X", "i", "s", "f"):
            fail(path + ": unexpected phase " + e["ph"])
        if e["ph"] == "M":
            if e["name"] == "thread_name":
                tracks[e["tid"]] = e["args"]["name"]
            continue
        if not isinstance(e["ts"], (int, float)) or e["ts"] < 0:
            fail(path + ": a bad ts: " + json.dumps(e))
        if e["ph"] == "X" and e["dur"] <= 0:
            fail(path + ": a slice without a positive duration: " + json.dumps(e))
        if e["ph"] == "s":
            starts.add(e["id"])
        if e["ph"] == "f" and e["id"] not in starts:
            fail(path + ": a flow ends before it starts: " + json.dumps(e))
    return tracks, len(starts)


def check_page(name, trace, out):
    html = os.path.join(out, name + ".html")
    perfetto = os.path.join(out, name + ".perfetto.json")
    run([TROUPE, "show", trace, "--html", html, "--perfetto", perfetto])
    tracks, flows = check_perfetto(perfetto)
    dom = browser(html, ["--dump-dom"])
    attrs = page_attributes(dom)
    if attrs.get("data-errors"):
        fail(name + ": the page had " + attrs["data-errors"] + " script error(s)")
    if attrs.get("data-ready") != "1":
        fail(name + ": the page's script did not finish")
    labels = re.findall(r'class="lane-label" data-actor="([^"]*)"', dom)
    if int(attrs.get("data-lanes", "0")) != len(labels):
        fail(name + ": data-lanes says " + attrs.get("data-lanes", "?") + ", " +
             str(len(labels)) + " lane labels drawn")
    lane_paths = {re.sub(r" \(\d+\)$", "", label) for label in labels}
    missing = {p for p in tracks.values() if p not in lane_paths and p != "(outside actors)"}
    if missing:
        fail(name + ": actors without a lane: " + ", ".join(sorted(missing)))
    shot = os.path.join(out, name + ".png")
    browser(html, ["--screenshot=" + shot])
    if not os.path.exists(shot) or os.path.getsize(shot) < 1000:
        fail(name + ": no screenshot")
    return attrs, labels, flows


def failing_trace(scenario, params, out):
    explore_out = os.path.join(out, "explore", scenario)
    shutil.rmtree(explore_out, ignore_errors=True)
    run([TROUPE, "explore", "-s", scenario, "--seeds", "400", "--swarm", "--max-failures", "1",
         "--keep-traces", "1", "--jobs", "1", "--out", explore_out] + params, expect=(1,))
    found = [f for f in os.listdir(explore_out) if f.endswith(".trace.jsonl")]
    if len(found) != 1:
        fail(scenario + ": expected one failing trace, found " + str(found))
    shrunk = os.path.join(out, scenario + ".shrunk.trace.jsonl")
    run([TROUPE, "shrink", os.path.join(explore_out, found[0]), "-o", shrunk])
    return shrunk


def main():
    global TROUPE
    TROUPE, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    for scenario, params in RECIPES:
        if params is None:
            trace = os.path.join(out, scenario + ".trace.jsonl")
            run([TROUPE, "run", "-s", scenario, "--seed", "3", "-p", "items=40", "--record", trace])
        else:
            trace = failing_trace(scenario, params, out)
        attrs, labels, flows = check_page(scenario, trace, out)
        if params is not None and "data-failure-marker" not in attrs:
            fail(scenario + ": a failing run without its failure marked")
        if params is None and "data-failure-marker" in attrs:
            fail(scenario + ": a passing run with a failure marked")
        if int(attrs.get("data-arrows", "0")) == 0 or flows == 0:
            fail(scenario + ": no message arrows (page " + attrs.get("data-arrows", "?") +
                 ", Perfetto flows " + str(flows) + ")")
        print("ok %-18s %3d lanes, %4s arrows, %4d flows, failure marked: %s" %
              (scenario, len(labels), attrs["data-arrows"], flows,
               "yes" if "data-failure-marker" in attrs else "no (passing run)"))
    # About 100,000 events: the page still loads and reports what it thinned.
    big = os.path.join(out, "big.trace.jsonl")
    run([TROUPE, "run", "-s", "taskpool", "--seed", "1", "-p", "jobs=45000", "-p",
         "rate_per_s=1000", "-p", "poison_every=0", "--record", big], expect=(0, 1))
    events = int(re.search(r"events: +(\d+)", run([TROUPE, "show", big])).group(1))
    if events < 90000:
        fail("the big trace has only %d events" % events)
    attrs, labels, _ = check_page("big", big, out)
    print("ok big trace: %d events, %d lanes, %s arrows drawn at full zoom-out" %
          (events, len(labels), attrs.get("data-arrows", "?")))


TROUPE = ""
if __name__ == "__main__":
    main()
