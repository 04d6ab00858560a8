// Replay after a change: a replay whose recorded decisions run out (the code,
// a parameter or the tape changed) is a divergence with its first differing
// event, never an abort; --continue-past-tape shows what the changed run does.
#include "troupe/sim/replay.hpp"

#include <gtest/gtest.h>

namespace troupe::sim {
namespace {

/// The first index where two recordings of whole runs differ.
std::uint64_t first_difference(const Trace& a, const Trace& b) {
  const std::size_t n = std::min(a.events.size(), b.events.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (describe(a.events[i]) != describe(b.events[i]) || a.events[i].actor != b.events[i].actor)
      return i;
  }
  return n;
}

RunSpec spec_of(const Trace& t) {
  return RunSpec{.scenario = t.header.scenario,
                 .params = t.header.params,
                 .seed = t.header.seed,
                 .strategy = t.header.strategy,
                 .faults = t.header.faults};
}

TEST(Replay, AChangedParameterDivergesAtTheFirstDifferentEventWithoutAborting) {
  const Trace recorded = record_run({.scenario = "taskpool", .params = {{"jobs", 60}}, .seed = 7});
  RunSpec changed = spec_of(recorded);
  changed.params["jobs"] = 90;  // needs more workload decisions than recorded
  const Trace fresh = record_run(changed);
  DecisionTape tape = DecisionTape::replaying(recorded.decisions);
  const ReplayResult r = replay_against(recorded, changed, tape);
  ASSERT_TRUE(r.divergence.has_value());
  ASSERT_TRUE(r.tape_ran_out.has_value());
  EXPECT_FALSE(r.matches);
  EXPECT_EQ(r.outcome, "diverged");
  EXPECT_GT(r.divergence->index, 0u);
  EXPECT_EQ(r.divergence->index, first_difference(recorded, fresh));
  EXPECT_NE(r.divergence->actual.find("workload"), std::string::npos) << r.divergence->actual;
}

TEST(Replay, ContinuingPastTheTapeRunsWhatTheChangedCodeDoes) {
  const Trace recorded = record_run({.scenario = "taskpool", .params = {{"jobs", 60}}, .seed = 7});
  RunSpec changed = spec_of(recorded);
  changed.params["jobs"] = 90;
  changed.continue_past_tape = true;
  RunReport fresh_report;
  const Trace fresh = record_run(changed, &fresh_report);
  DecisionTape tape = DecisionTape::replaying(recorded.decisions);
  const ReplayResult r = replay_against(recorded, changed, tape);
  EXPECT_TRUE(r.tape_ran_out.has_value());
  EXPECT_FALSE(r.matches);
  // Fresh draws from the seed are the draws the changed run makes itself.
  EXPECT_EQ(r.hash, fresh.footer.hash);
  EXPECT_EQ(r.outcome, fresh_report.outcome());
}

TEST(Replay, RunningOutOfDecisionsInsideHandlersNeverAborts) {
  // Each stream cut short in turn, in scenarios whose handlers draw (router,
  // faults, backoff jitter): the run ends cleanly and says where it diverged.
  for (const char* scenario : {"taskpool", "crash-storm"}) {
    RunSpec spec{.scenario = scenario, .seed = 11};
    if (std::string(scenario) == "taskpool") spec.params = {{"crash_probability", 0.05}};
    const Trace recorded = record_run(spec);
    for (const auto& [stream, values] : recorded.decisions) {
      DecisionTape::Streams cut = recorded.decisions;
      cut[stream].resize(values.size() / 2);
      DecisionTape tape = DecisionTape::replaying(cut);
      const ReplayResult r = replay_against(recorded, spec_of(recorded), tape);
      const std::string where = std::string(scenario) + " " + stream_name(stream);
      ASSERT_TRUE(r.tape_ran_out.has_value()) << where;
      ASSERT_TRUE(r.divergence.has_value()) << where;
      EXPECT_FALSE(r.matches);
      EXPECT_EQ(r.outcome, "diverged");
      // Stopped where the tape ran out: the first event that differs is the
      // shutdown that came early, not event 0.
      EXPECT_GE(r.divergence->index, r.tape_ran_out->events_before) << where;
      EXPECT_GT(r.divergence->index, 0u) << where;

      // Going on with the seed's own draws is the recorded run again: no
      // event differs, so the divergence is where the tape ran out.
      RunSpec going_on = spec_of(recorded);
      going_on.continue_past_tape = true;
      DecisionTape again = DecisionTape::replaying(cut);
      const ReplayResult past = replay_against(recorded, going_on, again);
      ASSERT_TRUE(past.divergence.has_value()) << where;
      EXPECT_EQ(past.divergence->index, past.tape_ran_out->events_before) << where;
      EXPECT_EQ(past.hash, recorded.footer.hash) << where;
      EXPECT_EQ(past.outcome, recorded.footer.outcome) << where;
    }
  }
}

/// A failing taskpool run whose fault plan names /taskpool/w3, a worker only
/// a large enough workload spawns (the autoscaler grows the pool under load).
Trace failing_on_w3() {
  FaultPlan plan;
  plan.crash_on_message("/taskpool/w3", 1);
  Params params{{"jobs", 160}, {"rate_per_s", 100}};
  params["crash_probability"] = 0;
  params["poison_every"] = 0;
  params["max_restarts"] = 0;
  return record_run({.params = params, .seed = 7, .faults = plan});
}

TEST(Replay, AFaultOnAnActorTheChangedRunNeverSpawnsIsADivergence) {
  const Trace recorded = failing_on_w3();
  ASSERT_EQ(recorded.footer.actor, "/taskpool/w3") << recorded.footer.outcome;
  for (const bool continue_past_tape : {false, true}) {
    RunSpec changed = spec_of(recorded);
    changed.params["jobs"] = 20;  // too little load for a fourth worker
    changed.continue_past_tape = continue_past_tape;
    DecisionTape tape = DecisionTape::replaying(recorded.decisions);
    ReplayResult r;
    ASSERT_NO_THROW(r = replay_against(recorded, changed, tape));
    ASSERT_TRUE(r.divergence.has_value());
    EXPECT_FALSE(r.matches);
    EXPECT_EQ(r.outcome, "diverged");
    EXPECT_NE(r.divergence->actual.find("/taskpool/w3"), std::string::npos) << r.divergence->actual;
  }
}

TEST(Replay, AnUnchangedTraceStillMatches) {
  const Trace recorded = record_run({.scenario = "crash-storm", .seed = 4});
  const ReplayResult r = replay_trace(recorded);
  EXPECT_TRUE(r.matches);
  EXPECT_FALSE(r.tape_ran_out.has_value());
  EXPECT_FALSE(r.divergence.has_value());
}

}  // namespace
}  // namespace troupe::sim
