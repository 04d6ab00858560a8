#!/usr/bin/env python3
"""Tests of bench/compare, the benchmark regression gate. CTest runs each case
alone: `compare_test.py Fixtures.test_flags_a_regression`.

Fixtures: the JSON files of bench/testdata, nine repetitions per benchmark.
Probe: real runs of bench_gate_probe (path in $BENCH_GATE_PROBE), the same code
twice (the gate must pass) and with a planted 30% slowdown (it must fail).
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
COMPARE = os.path.join(HERE, "compare")
DATA = os.path.join(HERE, "testdata")
# A limit on every run: a hung gate fails the test rather than the CTest timeout.
RUN_TIMEOUT_S = 120
# The probe: 9 repetitions of at least 50 ms of CPU time each, about 2 s in all.
PROBE_REPETITIONS = 9
PROBE_MIN_TIME_S = 0.05


def run(*args, env=None):
    """(exit code, stdout, stderr) of bench/compare ARGS."""
    done = subprocess.run([sys.executable, COMPARE, *args], capture_output=True, text=True,
                          timeout=RUN_TIMEOUT_S, env=env)
    return done.returncode, done.stdout, done.stderr


def data(name):
    return os.path.join(DATA, name)


class GateCase(unittest.TestCase):
    def assertExit(self, expected, result):
        code, out, err = result
        self.assertEqual(code, expected, f"exit {code}\nstdout:\n{out}\nstderr:\n{err}")
        self.assertNotIn("Traceback", out + err)
        return out

    def assertUnusable(self, result, *words):
        """Exit 2 with one line on stderr naming each of WORDS."""
        self.assertExit(2, result)
        _, out, err = result
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertTrue(err.startswith("compare: "), err)
        for word in words:
            self.assertIn(word, err)

    def row(self, out, name):
        """The table row of benchmark NAME."""
        rows = [line for line in out.splitlines() if line.split() and line.split()[0] == name]
        self.assertEqual(len(rows), 1, out)
        return rows[0]


class Fixtures(GateCase):
    def test_equal_runs(self):
        self.assertExit(0, run(data("base.json"), data("base.json")))
        out = self.assertExit(0, run(data("base.json"), data("rerun.json")))
        self.assertIn("gate passed: 0 regression(s), 0 missing, 3 compared", out)

    def test_flags_a_regression(self):
        out = self.assertExit(1, run(data("base.json"), data("slower.json")))
        self.assertIn("REGRESSION", self.row(out, "BM_B/real_time"))
        self.assertIn("+29.6%", self.row(out, "BM_B/real_time"))
        self.assertIn("not significant", self.row(out, "BM_A/real_time"))
        self.assertIn("gate FAILED: 1 regression(s)", out)

    def test_a_significant_change_under_the_threshold_passes(self):
        out = self.assertExit(0, run(data("base.json"), data("slower.json"), "--threshold", "35"))
        self.assertIn("within 35%", self.row(out, "BM_C"))
        self.assertIn("within 35%", self.row(out, "BM_B/real_time"))

    def test_a_big_median_change_the_u_test_calls_noise_passes(self):
        out = self.assertExit(0, run(data("base.json"), data("noisy.json")))
        self.assertIn("+40.0%", self.row(out, "BM_C"))
        self.assertIn("not significant", self.row(out, "BM_C"))

    def test_a_faster_run_passes(self):
        out = self.assertExit(0, run(data("slower.json"), data("base.json")))
        self.assertIn("faster", self.row(out, "BM_B/real_time"))

    def test_a_benchmark_missing_from_new_fails(self):
        out = self.assertExit(1, run(data("base.json"), data("renamed.json")))
        self.assertIn("MISSING in NEW", self.row(out, "BM_B/real_time"))
        self.assertIn("only in NEW", self.row(out, "BM_B2/real_time"))
        self.assertIn("gate FAILED: 0 regression(s), 1 missing", out)
        out = self.assertExit(0, run(data("base.json"), data("renamed.json"), "--allow-missing"))
        self.assertIn("missing in NEW (allowed)", self.row(out, "BM_B/real_time"))

    def test_a_benchmark_only_in_new_passes(self):
        out = self.assertExit(0, run(data("base.json"), data("added.json")))
        self.assertIn("only in NEW", self.row(out, "BM_D"))

    def test_no_benchmark_in_common_is_unusable(self):
        self.assertUnusable(run(data("base.json"), data("other_suite.json")), "no benchmark in common")

    def test_too_few_repetitions_is_unusable(self):
        self.assertUnusable(run(data("base.json"), data("single.json")), "too few repetitions",
                            "BM_A/real_time (9 vs 1)", "--benchmark_repetitions")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "aggregates.json")
            with open(data("base.json"), encoding="utf-8") as f:
                run_json = json.load(f)
            run_json["benchmarks"] = [b for b in run_json["benchmarks"] if b["run_type"] == "aggregate"]
            with open(path, "w", encoding="utf-8") as f:
                json.dump(run_json, f)
            self.assertUnusable(run(data("base.json"), path), "aggregates only")

    def test_garbage_is_unusable(self):
        self.assertUnusable(run(data("base.json"), data("garbage.json")), "is not JSON")
        self.assertUnusable(run(data("no-such.json"), data("base.json")), "cannot read")
        self.assertUnusable(run(data("base.json"), DATA), "two files or two directories")
        with tempfile.TemporaryDirectory() as tmp:
            for text, words in (('[1, 2]', "not Google Benchmark JSON"),
                                ('{"benchmarks": {}}', "not Google Benchmark JSON"),
                                ('{"benchmarks": [{"real_time": 1}]}', "without a name"),
                                ('{"benchmarks": [{"name": "BM_A/real_time", "real_time": "1"}]}',
                                 "no positive, finite real_time"),
                                ('{"benchmarks": [{"name": "BM_A/real_time", "real_time": 1, '
                                 '"time_unit": "fortnights"}]}', "no positive, finite real_time"),
                                ('{"benchmarks": [{"name": "BM_A/real_time", "real_time": NaN, '
                                 '"time_unit": "ns"}]}', "no positive, finite real_time"),
                                ('{"benchmarks": [{"name": "BM_A/real_time", "real_time": 1, '
                                 '"time_unit": "ns", "items_per_second": Infinity}]}',
                                 "not a finite rate"),
                                ('{"benchmarks": [{"name": "BM_A/real_time", "real_time": 1, '
                                 '"time_unit": "ns", "items_per_second": NaN}]}',
                                 "not a finite rate"),
                                ('[' * 100000 + ']' * 100000, "not JSON"),
                                ('\xff\xfe', "not JSON")):
                path = os.path.join(tmp, "bad.json")
                with open(path, "w", encoding="latin-1") as f:
                    f.write(text)
                self.assertUnusable(run(data("base.json"), path), words)

    def test_ratios_refuse_hostile_files_and_skip_empty_ones(self):
        with tempfile.TemporaryDirectory() as tmp:
            empty = os.path.join(tmp, "bench_filtered_out.json")
            open(empty, "w").close()
            # A suite whose benchmarks a filter left out writes an empty file.
            out = self.assertExit(0, run("--ratios", data("ratios.json"), empty))
            self.assertIn("4.50x  troupe/CAF", out)
            for text, words in (('{"benchmarks": [1, 2]}', "without a name"),
                                ('[' * 100000 + ']' * 100000, "not JSON"),
                                ('{"nothing": 1}', "not Google Benchmark JSON")):
                path = os.path.join(tmp, "bad.json")
                with open(path, "w") as f:
                    f.write(text)
                self.assertUnusable(run("--ratios", data("ratios.json"), path), words)
            self.assertUnusable(run("--ratios", os.path.join(tmp, "absent.json")), "cannot read")
            # A zero or missing rate is shown as not run, never divided by.
            zero = os.path.join(tmp, "zero.json")
            with open(zero, "w") as f:
                json.dump({"benchmarks": [{"name": "BM_PingPong/threads:2/metrics:1/real_time",
                                           "real_time": 1, "time_unit": "ms",
                                           "items_per_second": 5e6},
                                          {"name": "BM_CafPingPong/real_time", "real_time": 1,
                                           "time_unit": "ms", "items_per_second": 0}]}, f)
            out = self.assertExit(0, run("--ratios", zero))
            self.assertIn("troupe/CAF (B not run)", out)

    def test_bad_arguments_are_unusable(self):
        base = data("base.json")
        self.assertUnusable(run(base), "give BASE and NEW")
        self.assertUnusable(run(base, base, "--threshold", "ten"), "--threshold")
        self.assertUnusable(run(base, base, "--threshold", "0"), "--threshold")
        self.assertUnusable(run(base, base, "--alpha", "2"), "--alpha")
        self.assertUnusable(run(base, base, "--colour"), "unrecognized arguments")

    def test_missing_gbench_names_the_package(self):
        env = dict(os.environ, TROUPE_GBENCH_DIR=os.path.join(DATA, "no-such-dir"))
        self.assertUnusable(run(data("base.json"), data("base.json"), env=env), "libbenchmark-tools")

    def test_directories_pair_files_by_name(self):
        with tempfile.TemporaryDirectory() as tmp:
            for side, files in (("base", ("base", "rerun")), ("new", ("slower", "rerun"))):
                os.mkdir(os.path.join(tmp, side))
                for stem, name in zip(files, ("bench_one", "bench_two")):
                    os.symlink(data(f"{stem}.json"), os.path.join(tmp, side, f"{name}.json"))
            out = self.assertExit(1, run(os.path.join(tmp, "base"), os.path.join(tmp, "new")))
            self.assertIn("REGRESSION", self.row(out, "bench_one:BM_B/real_time"))
            self.assertIn("not significant", self.row(out, "bench_two:BM_B/real_time"))
            os.remove(os.path.join(tmp, "new", "bench_one.json"))
            out = self.assertExit(1, run(os.path.join(tmp, "base"), os.path.join(tmp, "new")))
            self.assertIn("MISSING in NEW", self.row(out, "bench_one:BM_A/real_time"))

    def test_ratios_still_work(self):
        out = self.assertExit(0, run("--ratios", data("ratios.json")))
        ping_pong = [line for line in out.splitlines() if line.startswith("ping-pong ")]
        self.assertIn("4.50x  troupe/CAF", "\n".join(ping_pong))
        self.assertIn("125.00x  troupe/raw threads", "\n".join(ping_pong))
        # Rows whose A the run did not include are left out.
        self.assertNotIn("simulator", out)


class Probe(GateCase):
    """The gate on real measurements of bench_gate_probe. BASE and NEW are
    recorded one repetition at a time, alternately, as one would on a shared
    machine: its speed drifts by 10-15% over seconds (other processes, CPU
    boost), and alternating gives that drift to both sides alike."""

    def repetition(self, path, *extra):
        subprocess.run([os.environ["BENCH_GATE_PROBE"], f"--benchmark_min_time={PROBE_MIN_TIME_S}",
                        f"--benchmark_out={path}", "--benchmark_out_format=json", *extra],
                       check=True, capture_output=True, timeout=RUN_TIMEOUT_S)
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def record(self, directory, new_args):
        """Paths of BASE and NEW, PROBE_REPETITIONS repetitions each; NEW's
        probe runs with NEW_ARGS."""
        sides = {"base": (), "new": new_args}
        runs = {side: None for side in sides}
        for _ in range(PROBE_REPETITIONS):
            for side, extra in sides.items():
                one = self.repetition(os.path.join(directory, "one.json"), *extra)
                if runs[side] is None:
                    runs[side] = one
                else:
                    runs[side]["benchmarks"] += one["benchmarks"]
        paths = []
        for side, run_json in runs.items():
            paths.append(os.path.join(directory, f"{side}.json"))
            with open(paths[-1], "w", encoding="utf-8") as f:
                json.dump(run_json, f)
        return paths

    def test_identical_runs_pass(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run(*self.record(tmp, ()))
        print(result[1], end="")
        self.assertExit(0, result)

    def test_a_planted_30_percent_slowdown_fails(self):
        with tempfile.TemporaryDirectory() as tmp:
            result = run(*self.record(tmp, ("--planted_slowdown_pct=30",)))
        print(result[1], end="")
        out = self.assertExit(1, result)
        self.assertIn("REGRESSION", self.row(out, "BM_GateProbe"))


if __name__ == "__main__":
    unittest.main()
