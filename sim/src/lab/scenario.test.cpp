// Scenarios: parameters are checked, every built-in scenario passes with its
// defaults, the invariants catch what they promise, and shrinking keeps the
// same failure with a smaller world.
#include "troupe/sim/scenario.hpp"

#include <gtest/gtest.h>

#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/shrink.hpp"

namespace troupe::sim {
namespace {

TEST(Scenario, TheBuiltInsAreRegisteredAndPassWithTheirDefaults) {
  std::vector<std::string> names;
  for (const Scenario* s : scenarios()) {
    if (s->name.rfind("test-", 0) != 0) names.push_back(s->name);  // planted by other tests
  }
  EXPECT_EQ(names, (std::vector<std::string>{"bug-order-2", "bug-order-3", "bug-restart-state",
                                             "bug-same-instant", "bug-slow-timeout", "crash-storm",
                                             "pipeline", "shutdown-deadline", "taskpool"}));
  for (const auto& name : names) {
    // The planted bugs pass in their fixed variant (sim/src/lab/planted_bugs.test.cpp).
    const Params params = name.rfind("bug-", 0) == 0 ? Params{{"fixed", 1}} : Params{};
    const RunReport r = run_scenario({.scenario = name, .params = params, .seed = 7});
    EXPECT_TRUE(r.passed()) << name << ": " << r.outcome() << " " << r.violation->detail;
    EXPECT_TRUE(r.result.stats.balanced()) << name;
  }
}

TEST(Scenario, TheSameScenariosRunOnRealThreads) {
  for (const char* name : {"taskpool", "pipeline", "shutdown-deadline"}) {
    RunSpec spec{.scenario = name, .seed = 3, .threads = true};
    spec.params = {{std::string(name) == "pipeline" ? "items" : "jobs", 40}};
    const RunReport r = run_scenario(spec);
    EXPECT_TRUE(r.passed()) << name << ": " << r.outcome();
    EXPECT_TRUE(r.result.stats.balanced()) << name;
    EXPECT_GT(r.result.event_count, 40u) << name;
  }
  EXPECT_THROW(run_scenario({.scenario = "crash-storm", .threads = true}), std::invalid_argument);
}

TEST(Scenario, RejectsUnknownScenariosAndBadParameters) {
  EXPECT_THROW(run_scenario({.scenario = "nope"}), std::invalid_argument);
  EXPECT_THROW(run_scenario({.params = {{"jobz", 1}}}), std::invalid_argument);
  EXPECT_THROW(run_scenario({.params = {{"jobs", 0}}}), std::invalid_argument);
  EXPECT_THROW(parse_param("jobs"), std::invalid_argument);
  EXPECT_THROW(parse_param("jobs=ten"), std::invalid_argument);
  EXPECT_THROW(parse_param("=3"), std::invalid_argument);
  EXPECT_EQ(parse_param("jobs=12").second, 12);
  try {
    resolve_params(*find_scenario("taskpool"), {{"jobz", 1}});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("no parameter 'jobz'"), std::string::npos);
  }
}

TEST(Scenario, RegistrationRefusesDuplicatesAndBadNames) {
  Scenario copy = *find_scenario("taskpool");
  EXPECT_THROW(register_scenario(copy), std::invalid_argument);
  copy.name = "Bad Name";
  EXPECT_THROW(register_scenario(copy), std::invalid_argument);
  copy.name = "taskpool-copy";
  copy.params.push_back({"broken", 5, 0, 1, "default outside its range"});
  EXPECT_THROW(register_scenario(copy), std::invalid_argument);
}

TEST(Scenario, ATooSmallRestartBudgetIsCaught) {
  const RunReport r =
      run_scenario({.params = {{"crash_probability", 0.05}, {"max_restarts", 1}}, .seed = 7});
  ASSERT_FALSE(r.passed());
  EXPECT_EQ(r.violation->invariant, "budget_never_exhausted");
  EXPECT_EQ(r.violation->actor.rfind("/taskpool/w", 0), 0u) << r.violation->actor;
}

TEST(Scenario, AStrictShutdownDeadlineIsCaughtAndALooseOneReportsAbandonment) {
  const RunReport loose = run_scenario({.scenario = "shutdown-deadline", .seed = 1});
  EXPECT_TRUE(loose.passed());
  EXPECT_GT(loose.shutdown.abandoned, 0u);
  EXPECT_FALSE(loose.shutdown.deadline_met);
  const RunReport strict =
      run_scenario({.scenario = "shutdown-deadline", .params = {{"strict", 1}}, .seed = 1});
  ASSERT_FALSE(strict.passed());
  EXPECT_EQ(strict.violation->invariant, "shutdown_drains_everything");
  EXPECT_EQ(strict.violation->actor, "/slow");
  const RunReport roomy = run_scenario({.scenario = "shutdown-deadline",
                                        .params = {{"strict", 1}, {"deadline_ms", 10000}},
                                        .seed = 1});
  EXPECT_TRUE(roomy.passed()) << roomy.outcome();
}

TEST(Scenario, TheSameSpecTwiceGivesTheSameRun) {
  for (const Scenario* s : scenarios()) {
    // Planted by other tests, some nondeterministic on purpose.
    if (s->name.starts_with("test-")) continue;
    const RunSpec spec{.scenario = s->name, .seed = 42, .strategy = Strategy::pct, .swarm = true};
    const RunReport a = run_scenario(spec);
    const RunReport b = run_scenario(spec);
    EXPECT_EQ(a.result.hash, b.result.hash) << s->name;
    EXPECT_EQ(a.metrics, b.metrics) << s->name;
    EXPECT_NE(a.result.hash, run_scenario({.scenario = s->name, .seed = 43}).result.hash)
        << s->name;
  }
}

TEST(Shrink, KeepsTheSameFailureWithASmallerWorkload) {
  const Trace failing = record_run(
      {.params = {{"crash_probability", 0.05}, {"max_restarts", 1}, {"jobs", 200}}, .seed = 7});
  ASSERT_FALSE(failing.footer.invariant.empty());
  const ShrinkResult r = shrink_trace(failing);
  EXPECT_EQ(r.trace.footer.invariant, failing.footer.invariant);
  EXPECT_EQ(r.trace.footer.actor, failing.footer.actor);
  EXPECT_LT(r.trace.header.params.at("jobs"), 200);
  EXPECT_LT(r.events_after, r.events_before);
  EXPECT_TRUE(replay_trace(r.trace).matches);
}

TEST(Shrink, DropsFaultsTheFailureDoesNotNeed) {
  // The poisoned jobs alone exhaust a zero budget; the random crashes and
  // delays are noise the shrinker should remove.
  FaultPlan noisy;
  noisy.crash_with_probability(0.001, "/nothing-here/")
      .delay_deliveries(0.1, std::chrono::milliseconds(1));
  DecisionTape tape;
  RunSpec spec{
      .params = {{"max_restarts", 0}, {"jobs", 60}}, .seed = 3, .faults = noisy, .tape = &tape};
  const RunReport report = run_scenario(spec);
  ASSERT_FALSE(report.passed());
  spec.tape = nullptr;
  const ShrinkResult r = shrink_trace(make_trace(spec, report, tape));
  EXPECT_EQ(r.faults_before, 2u);
  EXPECT_EQ(r.faults_after, 0u);
  EXPECT_EQ(r.trace.footer.invariant, "budget_never_exhausted");
}

TEST(Shrink, RefusesATraceThatPassed) {
  EXPECT_THROW(shrink_trace(record_run({.params = {{"jobs", 5}}})), std::invalid_argument);
}

TEST(Scenario, ParamsArePlainDecimalsAndCountsRefuseFractions) {
  for (const char* text : {"jobs=0x10", "jobs=1e2", "jobs=inf", "jobs=nan", "jobs=+3", "jobs=3.",
                           "jobs=.5", "jobs= 3", "jobs=3 "}) {
    EXPECT_THROW(parse_param(text), std::invalid_argument) << text;
  }
  EXPECT_EQ(parse_param("p=-0.25").second, -0.25);
  const Scenario& taskpool = *find_scenario("taskpool");
  EXPECT_THROW(resolve_params(taskpool, {{"jobs", 3.5}}), std::invalid_argument);  // workload
  EXPECT_THROW(resolve_params(taskpool, {{"max_restarts", 1.5}}), std::invalid_argument);
  EXPECT_EQ(resolve_params(taskpool, {{"crash_probability", 0.25}}).at("crash_probability"), 0.25);
}

}  // namespace
}  // namespace troupe::sim
