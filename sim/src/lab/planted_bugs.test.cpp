// The planted-bug suite (sim/scenarios/bug_*.cpp): each buggy variant fails
// with its own named invariant on some seed, and each fixed variant passes on
// every seed tried. The yardstick for strategies: what they find, how soon.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "troupe/sim/scenario_run.hpp"

namespace troupe::sim {
namespace {

struct Found {
  std::uint64_t seed;
  RunReport report;
};

/// The first of seeds 1..`seeds` whose run fails, if any.
std::optional<Found> first_failure(const std::string& scenario, Params params, Strategy strategy,
                                   std::uint64_t seeds) {
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    RunReport r =
        run_scenario({.scenario = scenario, .params = params, .seed = seed, .strategy = strategy});
    if (!r.passed()) return Found{seed, std::move(r)};
  }
  return std::nullopt;
}

/// The buggy variant fails with `invariant` within `seeds` seeds, and the
/// fixed variant passes that very seed.
void expect_found(const std::string& scenario, Strategy strategy, std::uint64_t seeds,
                  const std::string& invariant) {
  const auto found = first_failure(scenario, {}, strategy, seeds);
  ASSERT_TRUE(found.has_value()) << scenario << " under " << to_string(strategy)
                                 << ": no failure in " << seeds << " seeds";
  EXPECT_EQ(found->report.violation->invariant, invariant)
      << scenario << " seed " << found->seed << ": " << found->report.violation->detail;
  const RunReport fixed = run_scenario(
      {.scenario = scenario, .params = {{"fixed", 1}}, .seed = found->seed, .strategy = strategy});
  EXPECT_TRUE(fixed.passed()) << scenario << " fixed, seed " << found->seed << ": "
                              << fixed.outcome();
}

constexpr const char* kSuite[] = {"bug-order-2", "bug-order-3", "bug-restart-state",
                                  "bug-slow-timeout", "bug-same-instant"};

TEST(PlantedBugs, EveryFixedVariantPassesOnFiftySeeds) {
  for (const char* name : kSuite) {
    for (const Strategy strategy : {Strategy::random, Strategy::pct}) {
      const auto failed = first_failure(name, {{"fixed", 1}}, strategy, 50);
      EXPECT_FALSE(failed.has_value())
          << name << " fixed under " << to_string(strategy) << " fails on seed " << failed->seed
          << ": " << failed->report.outcome() << " " << failed->report.violation->detail;
    }
  }
}

TEST(PlantedBugs, EachDeclaresItsWorkAndAFixedSwitch) {
  for (const char* name : kSuite) {
    const RunReport r = run_scenario({.scenario = name, .params = {{"fixed", 1}}});
    EXPECT_TRUE(r.work.has_value()) << name;
    EXPECT_GT(r.work->emitted, 0u) << name;
    EXPECT_THROW(run_scenario({.scenario = name, .params = {{"fixed", 0.5}}}),
                 std::invalid_argument)
        << name;
  }
}

TEST(PlantedBugs, FifoNeverOvertakesTheConfig) {
  // The config is sent first: only a scheduler that reorders finds the race.
  EXPECT_FALSE(first_failure("bug-order-2", {}, Strategy::fifo, 20).has_value());
  EXPECT_FALSE(first_failure("bug-order-3", {}, Strategy::fifo, 20).has_value());
}

TEST(PlantedBugs, TheDepthTwoRaceIsFound) {
  expect_found("bug-order-2", Strategy::random, 50, "config_before_request");
  expect_found("bug-order-2", Strategy::pct, 50, "config_before_request");
}

TEST(PlantedBugs, TheDepthThreeRaceIsFound) {
  expect_found("bug-order-3", Strategy::random, 100, "config_before_request");
  expect_found("bug-order-3", Strategy::pct, 100, "config_before_request");
}

TEST(PlantedBugs, StateLostAcrossARestartIsFound) {
  expect_found("bug-restart-state", Strategy::random, 20, "count_survives_restart");
  expect_found("bug-restart-state", Strategy::fifo, 20, "count_survives_restart");
}

TEST(PlantedBugs, WithoutCrashesTheRestartBugStaysHidden) {
  EXPECT_FALSE(
      first_failure("bug-restart-state", {{"crash_probability", 0}}, Strategy::random, 20));
}

TEST(PlantedBugs, ALateReplyAfterASlowHandlerIsFound) {
  // Found because a handler's effects (its reply) happen at the end of its
  // service time: a reply from a slow replica is late.
  expect_found("bug-slow-timeout", Strategy::random, 20, "call_settled_once");
  expect_found("bug-slow-timeout", Strategy::fifo, 20, "call_settled_once");
}

TEST(PlantedBugs, ARaceBetweenTwoArrivalsAtOneInstantIsFound) {
  // Found because events due at the same instant are scheduling choices:
  // the two buyers' cascades interleave.
  expect_found("bug-same-instant", Strategy::random, 50, "never_oversold");
  expect_found("bug-same-instant", Strategy::pct, 50, "never_oversold");
}

TEST(PlantedBugs, ARunIsSmallAndFast) {
  // Explore runs thousands of these: each stays a few hundred events.
  for (const char* name : kSuite) {
    const RunReport r = run_scenario({.scenario = name, .seed = 3});
    EXPECT_LT(r.result.event_count, 1000u) << name;
  }
}

}  // namespace
}  // namespace troupe::sim
