// Shrinking real failing traces: a candidate that cannot run is one that does
// not reproduce, never the end of the shrink; a trace that leaves parameters
// to their defaults shrinks like any other.
#include "sim/shrink.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace troupe::sim {
namespace {

/// A failing taskpool run whose failure needs /taskpool/w3, which only a
/// large enough workload spawns (the autoscaler grows the pool under load):
/// the first candidate, 80 jobs, never spawns it.
Trace failing_on_w3() {
  FaultPlan plan;
  plan.crash_on_message("/taskpool/w3", 1);
  Params params{{"jobs", 160}, {"rate_per_s", 100}};
  params["crash_probability"] = 0;
  params["poison_every"] = 0;
  params["max_restarts"] = 0;
  RunSpec spec{.params = params, .seed = 7, .faults = plan};
  return record_run(spec);
}

TEST(Shrink, ACandidateThatNeverSpawnsAFaultsActorDoesNotReproduceAndTheShrinkGoesOn) {
  const Trace failing = failing_on_w3();
  ASSERT_EQ(failing.footer.actor, "/taskpool/w3") << failing.footer.outcome;
  const ShrinkResult r = shrink_trace(failing);
  EXPECT_EQ(r.trace.footer.invariant, failing.footer.invariant);
  EXPECT_EQ(r.trace.footer.actor, "/taskpool/w3");
  EXPECT_LT(r.trace.header.params.at("jobs"), 160);
  EXPECT_GT(r.runs, 3u);
  EXPECT_TRUE(replay_trace(r.trace).matches);
}

TEST(Shrink, ATraceWithEmptyParamsShrinksFromTheScenarioDefaults) {
  // One fault the failure needs, so the workload pass reads the parameters.
  Trace failing =
      record_run({.seed = 7, .faults = FaultPlan{}.crash_with_probability(0.3, "/taskpool/")});
  ASSERT_FALSE(failing.footer.invariant.empty());
  // As a file with "params":{} reads: every parameter left to its default.
  failing.header.params.clear();
  std::stringstream file;
  write_trace(failing, file);
  const Trace read = read_trace(file);
  ASSERT_TRUE(read.header.params.empty());
  const ShrinkResult r = shrink_trace(read, 60);
  EXPECT_EQ(r.trace.footer.actor, failing.footer.actor);
  EXPECT_LT(r.trace.header.params.at("jobs"), 300);  // the default
  EXPECT_TRUE(replay_trace(r.trace).matches);
}

TEST(Shrink, RefusesATraceWhoseParamsThisBuildDoesNotAccept) {
  Trace failing = failing_on_w3();
  failing.header.params["jobz"] = 3;
  EXPECT_THROW(shrink_trace(failing), std::invalid_argument);
}

}  // namespace
}  // namespace troupe::sim
