// Systematic exploration over planted scenarios (troupe/testing/planted_races.hpp):
// timers at one instant (whose schedules can be counted by hand) and an
// ordering race of depth 2 with a fixed variant. The enumeration proves the
// fixed one within its bound, finds the race with one preemption, and its
// failing trace replays.
#include "troupe/sim/systematic.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <memory>

#include "troupe/sim/replay.hpp"
#include "troupe/testing/planted_races.hpp"

namespace troupe::sim {
namespace {

RunSpec timers_spec(int n) {
  planted::register_race_scenarios();
  return RunSpec{.scenario = "test-sys-timers", .params = {{"n", n}}};
}

RunSpec race_spec(bool fixed) {
  planted::register_race_scenarios();
  return RunSpec{.scenario = "test-sys-race", .params = {{"fixed", fixed ? 1 : 0}}};
}

std::uint64_t schedules(const RunSpec& spec, std::uint64_t bound,
                        BoundKind kind = BoundKind::preemptions) {
  const SystematicResult r = explore_systematic(spec, {.bound = bound, .kind = kind});
  EXPECT_TRUE(r.exhausted);
  EXPECT_FALSE(r.failure.has_value());
  return r.schedules;
}

// By hand: n timers give decisions with n, n-1, ..., 2 candidates whatever
// was chosen. A schedule is a choice c_i in [0, n - i) at each, and the
// bound counts the c_i that are not 0 (preemptions) or sums them (delays).
// n = 3, preemptions: (0,0) | (1,0) (2,0) (0,1) | (1,1) (2,1) = 1, 4, 6.
// n = 4, preemptions: 1 | 1 + 3 + 2 + 1 = 7 | 7 + 3*2 + 3*1 + 2*1 = 18 | 4! = 24.
// n = 3, delays: sum <= 1: (0,0) (1,0) (0,1) = 3; <= 2: + (2,0) (1,1) = 5; <= 3: 6.
TEST(Systematic, CountsTheSchedulesOfTimersAtOneInstantAsByHand) {
  EXPECT_EQ(schedules(timers_spec(3), 0), 1u);
  EXPECT_EQ(schedules(timers_spec(3), 1), 4u);
  EXPECT_EQ(schedules(timers_spec(3), 2), 6u);
  EXPECT_EQ(schedules(timers_spec(4), 1), 7u);
  EXPECT_EQ(schedules(timers_spec(4), 2), 18u);
  EXPECT_EQ(schedules(timers_spec(4), 3), 24u);
  EXPECT_EQ(schedules(timers_spec(3), 1, BoundKind::delays), 3u);
  EXPECT_EQ(schedules(timers_spec(3), 2, BoundKind::delays), 5u);
  EXPECT_EQ(schedules(timers_spec(3), 3, BoundKind::delays), 6u);
}

TEST(Systematic, ProvesASmallScenarioWithinItsBound) {
  const SystematicResult r = explore_systematic(race_spec(true), {.bound = 3});
  EXPECT_TRUE(r.exhausted);
  EXPECT_FALSE(r.failure.has_value());
  EXPECT_GT(r.schedules, 2u);
}

TEST(Systematic, FifoAloneMissesTheRaceThatOnePreemptionFinds) {
  const SystematicResult none = explore_systematic(race_spec(false), {.bound = 0});
  EXPECT_TRUE(none.exhausted);
  EXPECT_EQ(none.schedules, 1u);
  EXPECT_FALSE(none.failure.has_value());

  const SystematicResult r = explore_systematic(race_spec(false), {.bound = 1});
  EXPECT_FALSE(r.exhausted);
  ASSERT_TRUE(r.failure.has_value());
  ASSERT_TRUE(r.failing_choices.has_value());
  EXPECT_EQ(bound_cost(*r.failing_choices, BoundKind::preemptions), 1u);
  EXPECT_EQ(r.failure->footer.invariant, "init_before_use");
  EXPECT_EQ(r.failure->header.strategy, Strategy::systematic);
}

TEST(Systematic, AFailingScheduleReplaysFromItsTrace) {
  const SystematicResult r = explore_systematic(race_spec(false), {.bound = 2});
  ASSERT_TRUE(r.failure.has_value());
  const ReplayResult replay = replay_trace(*r.failure);
  EXPECT_TRUE(replay.matches) << (replay.divergence ? replay.divergence->actual : "");
  EXPECT_EQ(replay.outcome, r.failure->footer.outcome);
}

TEST(Systematic, ScheduleBudgetStopsEarlyAndSaysSo) {
  const SystematicResult r = explore_systematic(timers_spec(4), {.bound = 3, .max_schedules = 5});
  EXPECT_EQ(r.schedules, 5u);
  EXPECT_FALSE(r.exhausted);
  // A budget of exactly the space's size still exhausts it.
  EXPECT_TRUE(explore_systematic(timers_spec(4), {.bound = 3, .max_schedules = 24}).exhausted);
}

TEST(Systematic, AttacksLimitsAndEmptySpaces) {
  EXPECT_THROW(explore_systematic(timers_spec(3), {.bound = 1, .max_schedules = 0}),
               std::invalid_argument);
  // A huge bound on a tiny scenario ends: the space is finite.
  EXPECT_EQ(schedules(timers_spec(4), std::numeric_limits<std::uint64_t>::max()), 24u);
  EXPECT_EQ(schedules(timers_spec(4), std::numeric_limits<std::uint64_t>::max(), BoundKind::delays),
            24u);
  // Runs that never choose: one schedule, and that is all of them.
  const SystematicResult one = explore_systematic(timers_spec(1), {.bound = 5});
  EXPECT_TRUE(one.exhausted);
  EXPECT_EQ(one.schedules, 1u);
  EXPECT_EQ(one.max_decisions, 0u);
  RunSpec unknown = timers_spec(1);
  unknown.scenario = "no-such-scenario";
  EXPECT_THROW(explore_systematic(unknown, {}), std::invalid_argument);
}

}  // namespace
}  // namespace troupe::sim
