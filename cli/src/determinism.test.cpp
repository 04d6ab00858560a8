// --check-determinism on run and explore, in process, over scenarios planted
// to be nondeterministic (troupe/testing/planted_nondeterminism.hpp): a handler that
// reads the wall clock is named at its first divergent event, exit 3; a tell
// from a thread of the handler's own fails the run as foreign_thread.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.hpp"
#include "troupe/cli/troupe_cli.hpp"
#include "troupe/testing/planted_nondeterminism.hpp"

namespace troupe::cli {
namespace {

struct Ran {
  int code;
  std::string out;
};

Ran troupe(std::vector<std::string> args) {
  sim::planted::register_nondeterministic_scenarios();
  args.insert(args.begin(), "troupe");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  testing::internal::CaptureStdout();
  const int code = run_troupe(static_cast<int>(argv.size()), argv.data());
  std::fflush(stdout);
  return {code, testing::internal::GetCapturedStdout()};
}

std::string out_dir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("troupe-det-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(CheckDeterminism, RunNamesTheFirstDivergentEventOfAHandlerThatReadsTheWallClock) {
  const Ran r = troupe({"run", "-s", "test-wall-clock", "--check-determinism"});
  EXPECT_EQ(r.code, kExitNondeterministic) << r.out;
  EXPECT_NE(r.out.find("NOT DETERMINISTIC"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("first divergent event: #"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run 1: t="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("run 2: t="), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("outside the simulator's control"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, RunPassesTheCheckOnADeterministicScenario) {
  const Ran r = troupe({"run", "-s", "crash-storm", "--check-determinism"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("the seed ran twice with the same"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, WithoutTheFlagRunDoesNotRunTwice) {
  const Ran r = troupe({"run", "-s", "test-wall-clock"});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(r.out.find("determinism:"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, ExploreChecksTheFirstSeedByDefault) {
  const Ran r =
      troupe({"explore", "-s", "test-wall-clock", "--seeds", "3", "--out", out_dir("default")});
  EXPECT_EQ(r.code, kExitNondeterministic) << r.out;
  EXPECT_NE(r.out.find("nondeterministic: seed 1\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("determinism: 1 seeds run twice, 1 differed"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, ExploreChecksEverySeedOrNoneWhenAsked) {
  const Ran every = troupe({"explore", "-s", "test-wall-clock", "--seeds", "3",
                            "--check-determinism", "--out", out_dir("every")});
  EXPECT_EQ(every.code, kExitNondeterministic) << every.out;
  EXPECT_NE(every.out.find("determinism: 3 seeds run twice, 3 differed"), std::string::npos)
      << every.out;
  const Ran none = troupe({"explore", "-s", "test-wall-clock", "--seeds", "3",
                           "--no-check-determinism", "--out", out_dir("none")});
  EXPECT_EQ(none.code, 0) << none.out;
  EXPECT_EQ(none.out.find("determinism:"), std::string::npos) << none.out;
}

TEST(CheckDeterminism, ExploreSamplesOneSeedInAHundred) {
  const Ran r = troupe({"explore", "-s", "pipeline", "-p", "items=5", "--seeds", "201", "--out",
                        out_dir("sampled")});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("determinism: 3 seeds run twice, 0 differed"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, GuidedExploreChecksItsSeedsToo) {
  // A guided run's chooser learns, so the check runs its recorded choices again.
  const Ran every = troupe({"explore", "-s", "test-wall-clock", "--strategy", "guided", "--seeds",
                            "3", "--check-determinism", "--out", out_dir("guided")});
  EXPECT_EQ(every.code, kExitNondeterministic) << every.out;
  EXPECT_NE(every.out.find("determinism: 3 seeds run twice, 3 differed"), std::string::npos)
      << every.out;
  const Ran fine = troupe({"explore", "-s", "bug-order-2", "--strategy", "guided", "--seeds", "16",
                           "--check-determinism", "--out", out_dir("guided-fine")});
  EXPECT_NE(fine.out.find("determinism: 16 seeds run twice, 0 differed"), std::string::npos)
      << fine.out;
}

TEST(CheckDeterminism, SystematicNeverClaimsAnExhaustedSpaceForANondeterministicScenario) {
  const Ran r = troupe({"explore", "-s", "test-wall-clock", "--strategy", "systematic",
                        "--preemption-bound", "1", "--out", out_dir("systematic")});
  EXPECT_EQ(r.code, kExitNondeterministic) << r.out;
  EXPECT_EQ(r.out.find("explored: no failure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("nondeterministic: seed 1"), std::string::npos) << r.out;
}

TEST(CheckDeterminism, SystematicChecksADeterministicScenarioAndExploresIt) {
  const Ran r = troupe({"explore", "-s", "bug-order-2", "--strategy", "systematic",
                        "--preemption-bound", "1", "--out", out_dir("systematic-fine")});
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("explored: no failure"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("determinism: 1 seeds run twice, 0 differed"), std::string::npos) << r.out;
}

TEST(ForeignThreadTell, IsReportedAsTheRunsFailure) {
  const Ran r = troupe({"run", "-s", "test-foreign-thread"});
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("fail: foreign_thread /target"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace troupe::cli
