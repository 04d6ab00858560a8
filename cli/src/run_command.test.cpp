// The troupe command over scenarios with planted defects, in process: a run
// that deadlocks, livelocks or loses work is a failure (exit 1) whose trace
// is written and replays; replay reports a divergence instead of aborting.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "troupe/cli/troupe_cli.hpp"
#include "troupe/sim/trace.hpp"
#include "troupe/testing/planted_scenarios.hpp"

namespace troupe::cli {
namespace {

int troupe(std::vector<std::string> args) {
  args.insert(args.begin(), "troupe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return run_troupe(static_cast<int>(argv.size()), argv.data());
}

std::string temp_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("troupe-cli-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

TEST(RunCommand, ADeadlockFailsAndItsTraceReplays) {
  sim::planted::register_planted_scenarios();
  const std::string dir = temp_dir("deadlock");
  const std::string file = dir + "/deadlock.trace.jsonl";
  EXPECT_EQ(troupe({"run", "-s", "test-deadlock", "--record", file}), 1);
  const sim::Trace trace = sim::read_trace_file(file);
  EXPECT_EQ(trace.footer.invariant, "stuck");
  EXPECT_EQ(troupe({"replay", file}), 0);
}

TEST(RunCommand, ALivelockFailsOverBudgetAndItsTraceReplays) {
  sim::planted::register_planted_scenarios();
  const std::string dir = temp_dir("livelock");
  const std::string file = dir + "/livelock.trace.jsonl";
  EXPECT_EQ(troupe({"run", "-s", "test-livelock", "--record", file}), 1);
  EXPECT_EQ(sim::read_trace_file(file).footer.invariant, "budget_exceeded");
  EXPECT_EQ(troupe({"replay", file}), 0);
}

TEST(ExploreCommand, WritesATraceForEverySeedThatCannotFinish) {
  sim::planted::register_planted_scenarios();
  for (const char* scenario : {"test-deadlock", "test-livelock", "test-lossy"}) {
    const std::string dir = temp_dir(scenario);
    EXPECT_EQ(troupe({"explore", "-s", scenario, "--seeds", "3", "--out", dir}), 1) << scenario;
    std::size_t traces = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      (void)entry;
      ++traces;
    }
    EXPECT_EQ(traces, 3u) << scenario;
  }
}

}  // namespace
}  // namespace troupe::cli
