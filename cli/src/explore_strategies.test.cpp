// troupe explore's strategies over planted scenarios, in process: the
// systematic strategy says when it explored every schedule within its bound,
// finds a race one preemption deep and writes a trace that replays; the
// portfolio spreads seeds over its strategies, and each failing trace names
// the strategy that made it and replays.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "troupe/cli/troupe_cli.hpp"
#include "troupe/sim/trace.hpp"
#include "troupe/testing/planted_races.hpp"
#include "troupe/testing/planted_scenarios.hpp"

namespace troupe::cli {
namespace {

/// Runs the command; `out` gets what it printed on stdout.
int troupe(std::vector<std::string> args, std::string* out = nullptr) {
  args.insert(args.begin(), "troupe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  if (out != nullptr) testing::internal::CaptureStdout();
  const int code = run_troupe(static_cast<int>(argv.size()), argv.data());
  if (out != nullptr) *out = testing::internal::GetCapturedStdout();
  return code;
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("troupe-explore-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::vector<std::string> traces_in(const std::string& dir) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ExploreSystematic, SaysWhenEveryScheduleWithinTheBoundWasExplored) {
  sim::planted::register_race_scenarios();
  const std::string dir = temp_dir("proof");
  std::string out;
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-timers", "-p", "n=4", "--strategy", "systematic",
                    "--preemption-bound", "2", "--out", dir},
                   &out),
            0);
  EXPECT_NE(out.find("all 18 schedules within preemption bound 2 explored: no failure"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("1 seeds, 0 failed"), std::string::npos) << out;
}

TEST(ExploreSystematic, AScheduleBudgetIsNotAProof) {
  sim::planted::register_race_scenarios();
  std::string out;
  EXPECT_EQ(
      troupe({"explore", "-s", "test-sys-timers", "-p", "n=4", "--strategy", "systematic",
              "--preemption-bound", "3", "--max-schedules", "10", "--out", temp_dir("budget")},
             &out),
      0);
  EXPECT_EQ(out.find("all "), std::string::npos) << out;
  EXPECT_NE(out.find("stopped by --max-schedules after 10 schedules"), std::string::npos) << out;
}

TEST(ExploreSystematic, FindsTheRaceAndItsTraceReplays) {
  sim::planted::register_race_scenarios();
  const std::string dir = temp_dir("race");
  std::string out;
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "--strategy", "systematic",
                    "--preemption-bound", "1", "--out", dir},
                   &out),
            1);
  EXPECT_NE(out.find("fail: init_before_use /store"), std::string::npos) << out;
  const auto files = traces_in(dir);
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(sim::read_trace_file(files[0]).header.strategy, sim::Strategy::systematic);
  EXPECT_EQ(troupe({"replay", files[0]}), 0);
  // The fixed store passes every schedule within the same bound.
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "-p", "fixed=1", "--strategy", "systematic",
                    "--preemption-bound", "1", "--out", temp_dir("fixed")}),
            0);
}

TEST(ExploreSystematic, RefusesBadBoundsWithExitTwo) {
  sim::planted::register_race_scenarios();
  const std::string dir = temp_dir("bad");
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "--strategy", "systematic", "--max-schedules",
                    "0", "--out", dir}),
            2);
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "--strategy", "random", "--preemption-bound",
                    "1", "--out", dir}),
            2);
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "--strategy", "systematic",
                    "--preemption-bound", "1", "--delay-bound", "1", "--out", dir}),
            2);
  EXPECT_EQ(troupe({"explore", "-s", "test-sys-race", "--strategy", "systematic",
                    "--preemption-bound", "-1", "--out", dir}),
            2);
}

TEST(ExplorePortfolio, EachStrategyHasItsSeedsAndEveryFailingTraceReplays) {
  sim::planted::register_planted_scenarios();
  const std::string dir = temp_dir("portfolio");
  std::string out;
  // Every failing seed's trace is kept (one signature; 3 by default).
  EXPECT_EQ(troupe({"explore", "-s", "test-lossy", "--strategy", "portfolio", "--seeds", "8",
                    "--keep-traces", "8", "--out", dir},
                   &out),
            1);
  EXPECT_NE(out.find("portfolio: random 2/2 failed, pct(d=2) 2/2 failed, pct(d=3) 2/2 failed, "
                     "random+swarm 2/2 failed"),
            std::string::npos)
      << out;
  const auto files = traces_in(dir);
  ASSERT_EQ(files.size(), 8u);
  for (const auto& file : files) {
    const sim::Trace trace = sim::read_trace_file(file);
    const std::uint64_t arm = (trace.header.seed - 1) % 4;
    EXPECT_EQ(trace.header.strategy,
              arm == 1 || arm == 2 ? sim::Strategy::pct : sim::Strategy::random)
        << file;
    if (arm == 1) {
      EXPECT_EQ(trace.header.pct.depth, 2u) << file;
    }
    EXPECT_EQ(trace.header.swarm, arm == 3) << file;
    EXPECT_EQ(troupe({"replay", file}), 0) << file;
  }
}

TEST(PctFlags, DepthAndStepsReachTheRunAndItsTrace) {
  const std::string dir = temp_dir("pct");
  const std::string file = dir + "/pct.trace.jsonl";
  EXPECT_EQ(troupe({"run", "-s", "pipeline", "-p", "items=20", "--strategy", "pct", "--pct-depth",
                    "5", "--pct-steps", "40", "--record", file}),
            0);
  const sim::Trace trace = sim::read_trace_file(file);
  EXPECT_EQ(trace.header.pct.depth, 5u);
  EXPECT_EQ(trace.header.pct.expected_steps, 40u);
  EXPECT_EQ(troupe({"replay", file}), 0);
  // Another depth is another run: the flag is not ignored.
  const std::string other = dir + "/other.trace.jsonl";
  EXPECT_EQ(troupe({"run", "-s", "pipeline", "-p", "items=20", "--strategy", "pct", "--pct-depth",
                    "1", "--pct-steps", "40", "--record", other}),
            0);
  EXPECT_NE(sim::read_trace_file(other).decisions, trace.decisions);
}

TEST(PctFlags, RefusesZeroTooDeepAndTheWrongStrategyWithExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "--strategy", "pct", "--pct-depth", "0"},
           {"run", "--strategy", "pct", "--pct-steps", "0"},
           {"run", "--strategy", "pct", "--pct-depth", "10001"},
           {"run", "--strategy", "random", "--pct-depth", "2"},
           {"run", "--strategy", "pct", "--pct-steps", "x"},
           {"explore", "--strategy", "pct", "--pct-depth", "0", "--seeds", "1"},
           {"explore", "--strategy", "fifo", "--pct-steps", "9", "--seeds", "1"},
           {"explore", "--strategy", "portfolio", "--pct-depth", "2", "--seeds", "1"}}) {
    EXPECT_EQ(troupe(args), 2) << args[0] << " " << args.back();
  }
}

}  // namespace
}  // namespace troupe::cli
