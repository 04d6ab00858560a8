// The determinism check and the refusal of foreign threads: a seed run twice
// must give one run, and a run that something outside the simulator reached
// is named as such, at its first divergent event or as "foreign_thread".
#include "troupe/sim/determinism_check.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "troupe/sim/replay.hpp"
#include "troupe/sim/simulation.hpp"
#include "troupe/testing/planted_nondeterminism.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

DeterminismCheck run_twice(const RunSpec& spec) {
  RunReport first;
  record_run(spec, &first);
  return check_determinism(spec, first);
}

TEST(DeterminismCheck, ADeterministicScenarioPassesTheCheck) {
  for (const char* scenario : {"taskpool", "crash-storm"}) {
    const DeterminismCheck check = run_twice({.scenario = scenario, .seed = 3});
    EXPECT_TRUE(check.deterministic()) << describe(check);
    EXPECT_GT(check.first_events, 0u);
    EXPECT_NE(describe(check).find("same"), std::string::npos);
  }
}

TEST(DeterminismCheck, AHandlerThatReadsTheWallClockIsNamedAtItsFirstDivergentEvent) {
  planted::register_nondeterministic_scenarios();
  const DeterminismCheck check = run_twice({.scenario = "test-wall-clock", .seed = 1});
  ASSERT_FALSE(check.deterministic());
  ASSERT_TRUE(check.divergence.has_value());
  const EventDivergence& d = *check.divergence;
  EXPECT_FALSE(d.before_kept);
  ASSERT_TRUE(d.first && d.second);
  // Everything before the router's first choice is the same in both runs;
  // the first difference is where an item went.
  EXPECT_EQ(d.first->time, d.second->time);
  EXPECT_NE(d.first->path + d.first->detail, d.second->path + d.second->detail);
  const std::string text = describe(check);
  EXPECT_NE(text.find("first divergent event: #" + std::to_string(d.index)), std::string::npos);
  EXPECT_NE(text.find("outside the simulator's control"), std::string::npos) << text;
  EXPECT_NE(text.find("wall clock"), std::string::npos) << text;
}

TEST(DeterminismCheck, RunsThatKeptOnlyTheirLastEventsStillDiverge) {
  planted::register_nondeterministic_scenarios();
  const DeterminismCheck check =
      run_twice({.scenario = "test-wall-clock", .seed = 1, .event_capacity = 3});
  ASSERT_FALSE(check.deterministic());
  ASSERT_TRUE(check.divergence.has_value());
  EXPECT_TRUE(check.divergence->before_kept);
  EXPECT_NE(describe(check).find("or earlier"), std::string::npos);
}

TEST(DeterminismCheck, AnEmptyRunComparesEqual) {
  const DeterminismCheck check = compare_runs(RunReport{}, RunReport{});
  EXPECT_TRUE(check.deterministic());
}

TEST(ForeignThread, ATellFromAThreadTheSimulatorDoesNotOwnFailsTheRunAndIsAccountedFor) {
  planted::register_nondeterministic_scenarios();
  const RunReport report = run_scenario({.scenario = "test-foreign-thread", .seed = 1});
  ASSERT_TRUE(report.violation.has_value());
  EXPECT_EQ(report.violation->invariant, "foreign_thread");
  EXPECT_EQ(report.violation->actor, "/target");
  EXPECT_NE(report.violation->detail.find("1 call(s)"), std::string::npos)
      << report.violation->detail;
  // The mailbox accepted the message before the simulator refused to
  // schedule from that thread; its own thread took the actor in at the next
  // step, so the message was handled, and the law holds.
  const SystemStats& stats = report.result.stats;
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.queued, 0u);
  EXPECT_EQ(stats.dead_letters(), 0u);
  EXPECT_EQ(stats.sent, 4u);  // three items, one foreign tell
  EXPECT_EQ(stats.processed, 4u);
  EXPECT_EQ(report.outcome(), "fail: foreign_thread /target");
}

TEST(ForeignThread, ATimerArmedFromAnotherThreadIsRefusedAndCounted) {
  Simulation sim;
  TimerId id = 0;
  bool fired = false;
  std::thread([&] { id = sim.scheduler().after(1ms, [&] { fired = true; }); }).join();
  EXPECT_EQ(sim.scheduler().foreign_calls(), 1u);
  EXPECT_EQ(sim.scheduler().first_foreign_call(), "after 1000000ns");
  EXPECT_FALSE(sim.scheduler().cancel(id));
  sim.run();
  EXPECT_FALSE(fired);
}

TEST(ForeignThread, ATellToAnActorAlreadyScheduledIsCaughtByItsEvent) {
  Simulation sim;
  auto actor =
      sim.system().spawn("a", Props<int>::from_function([](Context<int>&, int&) {})).value();
  sim.run();
  (void)actor.tell(1);  // scheduled now, so the next tell does not reach the scheduler
  std::thread([&] { (void)actor.tell(2); }).join();
  EXPECT_EQ(sim.scheduler().foreign_calls(), 0u);
  EXPECT_EQ(sim.recorder().foreign_events(), 1u);
  EXPECT_EQ(sim.recorder().first_foreign_event(), "sent /a");
  sim.run();
  EXPECT_EQ(sim.system().stats().processed, 2u);  // handled, and counted
  EXPECT_TRUE(sim.system().stats().balanced());
}

TEST(ForeignThread, ARandomDrawFromAnotherThreadLeavesTheEngineStreamAlone) {
  Simulation a, b;
  std::thread([&] { (void)a.scheduler().random(); }).join();
  EXPECT_EQ(a.scheduler().foreign_calls(), 1u);
  EXPECT_EQ(a.scheduler().random(), b.scheduler().random());
}

TEST(ForeignThread, TheOwningThreadIsNeverCounted) {
  Simulation sim;
  auto actor =
      sim.system().spawn("a", Props<int>::from_function([](Context<int>&, int&) {})).value();
  (void)actor.tell(1);
  sim.scheduler().after(1ms, [] {});
  sim.run();
  EXPECT_EQ(sim.scheduler().foreign_calls(), 0u);
  EXPECT_EQ(sim.system().stats().processed, 1u);
}

}  // namespace
}  // namespace troupe::sim
