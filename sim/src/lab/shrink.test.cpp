// Shrinking real failing traces: a candidate that cannot run is one that does
// not reproduce, never the end of the shrink; a trace that leaves parameters
// to their defaults shrinks like any other; a race found by a random schedule
// shrinks to fewer preemptions and still fails and replays.
#include "troupe/sim/shrink.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <sstream>

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;
using Ref = ActorRef<std::uint64_t>;
using Props64 = Props<std::uint64_t>;

constexpr std::uint64_t kWrite = 1;
constexpr std::uint64_t kRead = 2;

/// A planted ordering race: a writer and a reader are told to go at the same
/// instant, and the store must see the write before the read. In the default
/// order the writer (told first) runs first and the run passes; a schedule
/// that runs the reader first fails "read_before_write /store". Four actors
/// pass tokens around meanwhile, so a random schedule preempts many times,
/// and only one of its preemptions matters.
World ordering_race(Stage& stage, const Params&) {
  auto read_too_early = std::make_shared<bool>(false);
  auto written = std::make_shared<bool>(false);
  auto& sys = stage.system();
  const Ref store =
      sys.spawn("store", Props64::from_function([read_too_early, written](auto&, std::uint64_t& m) {
                  if (m == kWrite) *written = true;
                  if (m == kRead && !*written) *read_too_early = true;
                }))
          .value();
  const auto tell_store = [store](std::uint64_t what) {
    return Props64::from_function([store, what](auto&, std::uint64_t&) { (void)store.tell(what); });
  };
  const Ref writer = sys.spawn("writer", tell_store(kWrite)).value();
  const Ref reader = sys.spawn("reader", tell_store(kRead)).value();
  // The World owns the ring; its actors hold it weakly (a strong ref in a
  // handler would be a cycle that keeps the cells alive).
  auto ring = std::make_shared<std::vector<Ref>>();
  const std::weak_ptr<std::vector<Ref>> weak_ring = ring;
  for (int i = 0; i < 4; ++i) {
    ring->push_back(sys.spawn(std::string("noise").append(std::to_string(i)),
                              Props64::from_function([weak_ring, i](auto&, std::uint64_t& hops) {
                                const auto peers = weak_ring.lock();
                                if (peers && hops > 0) (void)(*peers)[(i + 1) % 4].tell(hops - 1);
                              }))
                        .value());
  }
  stage.add(Workload{Arrivals::constant(1ms, 1), [writer, reader, weak_ring](std::uint64_t) {
                       const SendResult first = writer.tell(0);
                       (void)reader.tell(0);
                       if (const auto peers = weak_ring.lock()) {
                         for (const Ref& r : *peers) (void)r.tell(6);
                       }
                       return first;
                     }});
  World world;
  world.finished = [&stage, ring] {  // the World owns the ring
    (void)ring;
    return stage.emitted(0) == 1 && stage.system().quiescent();
  };
  world.checks.push_back(
      [read_too_early](const SystemStats&,
                       const std::vector<RecordedEvent>&) -> std::optional<Violation> {
        if (!*read_too_early) return std::nullopt;
        return Violation{"read_before_write", "/store", "the read reached the store first"};
      });
  return world;
}

/// No actors and a check that always fails: never two candidates at once,
/// so its trace has no choice stream.
World failure_without_actors(Stage& stage, const Params&) {
  World world;
  world.finished = [&stage] { return stage.system().quiescent(); };
  world.checks.push_back([](const SystemStats&, const std::vector<RecordedEvent>&) {
    return std::optional<Violation>(Violation{"always", "", "planted"});
  });
  return world;
}

void register_shrink_scenarios() {
  static const bool done = [] {
    const auto no_faults = [](const Params&) { return FaultPlan{}; };
    const auto defaults = [](const Params&) { return SimSettings{}; };
    register_scenario({.name = "test-shrink-race",
                       .description = "a read that must follow a write, and noise",
                       .params = {},
                       .faults = no_faults,
                       .settings = defaults,
                       .build = ordering_race});
    register_scenario({.name = "test-shrink-no-actors",
                       .description = "no actors, a check that always fails",
                       .params = {},
                       .faults = no_faults,
                       .settings = defaults,
                       .build = failure_without_actors});
    return true;
  }();
  (void)done;
}

/// The first seed whose random schedule loses the race.
Trace failing_race() {
  register_shrink_scenarios();
  for (std::uint64_t seed = 1; seed <= 64; ++seed) {
    Trace t = record_run({.scenario = "test-shrink-race", .seed = seed});
    if (!t.footer.invariant.empty()) return t;
  }
  ADD_FAILURE() << "no seed in 1..64 loses the race";
  return {};
}

void expect_same_failure_and_replays(const Trace& shrunk, const Trace& failing) {
  EXPECT_EQ(shrunk.footer.invariant, failing.footer.invariant);
  EXPECT_EQ(shrunk.footer.actor, failing.footer.actor);
  const ReplayResult replay = replay_trace(shrunk);
  EXPECT_TRUE(replay.matches) << (replay.divergence ? replay.divergence->actual : replay.outcome);
}

TEST(ShrinkSchedule, TheDefaultOrderWinsThePlantedRace) {
  register_shrink_scenarios();
  EXPECT_TRUE(run_scenario({.scenario = "test-shrink-race", .strategy = Strategy::fifo}).passed());
}

TEST(ShrinkSchedule, ARaceFoundByRandomShrinksToFewerPreemptionsAndStillFailsAndReplays) {
  const Trace failing = failing_race();
  ASSERT_EQ(failing.footer.outcome, "fail: read_before_write /store");
  const ShrinkResult r = shrink_trace(failing);
  std::printf("race: events %llu -> %llu, preemptions %llu -> %llu (%zu runs)\n",
              static_cast<unsigned long long>(r.events_before),
              static_cast<unsigned long long>(r.events_after),
              static_cast<unsigned long long>(r.preemptions_before),
              static_cast<unsigned long long>(r.preemptions_after), r.runs);
  EXPECT_GE(r.preemptions_before, 10u);
  EXPECT_EQ(r.preemptions_before, preemption_count(failing));
  EXPECT_LT(r.preemptions_after, r.preemptions_before);
  EXPECT_GE(r.preemptions_after, 1u);  // the default order passes
  EXPECT_EQ(r.preemptions_after, preemption_count(r.trace));
  expect_same_failure_and_replays(r.trace, failing);
}

TEST(ShrinkSchedule, TheRaceNeedsOnePreemptionAndTheShrinkFindsIt) {
  const ShrinkResult r = shrink_trace(failing_race());
  EXPECT_EQ(r.preemptions_after, 1u);
}

TEST(ShrinkSchedule, ATraceWithoutPreemptionsStaysWithout) {
  const Trace failing = record_run({.params = {{"crash_probability", 0.05}, {"max_restarts", 1}},
                                    .seed = 7,
                                    .strategy = Strategy::fifo});
  ASSERT_FALSE(failing.footer.invariant.empty());
  ASSERT_EQ(preemption_count(failing), 0u);
  const ShrinkResult r = shrink_trace(failing);
  EXPECT_EQ(r.preemptions_before, 0u);
  EXPECT_EQ(r.preemptions_after, 0u);
  expect_same_failure_and_replays(r.trace, failing);
}

TEST(ShrinkSchedule, ATraceWithNoChoiceStreamShrinksAndReplays) {
  register_shrink_scenarios();
  const Trace failing = record_run({.scenario = "test-shrink-no-actors", .seed = 3});
  ASSERT_EQ(failing.footer.invariant, "always");
  ASSERT_EQ(failing.decisions.count(kChoiceStream), 0u);
  const ShrinkResult r = shrink_trace(failing);
  EXPECT_EQ(r.preemptions_before, 0u);
  EXPECT_EQ(r.preemptions_after, 0u);
  expect_same_failure_and_replays(r.trace, failing);
}

TEST(ShrinkSchedule, RefusesATraceWhoseChoiceStreamWasEmptied) {
  Trace failing = failing_race();
  failing.decisions.erase(kChoiceStream);
  EXPECT_THROW(shrink_trace(failing), std::invalid_argument);
}

TEST(ShrinkSchedule, RunningOutOfRunsMidwayStillGivesAFailingTraceThatReplays) {
  const Trace failing = failing_race();
  for (std::size_t max_runs : {1, 2, 3, 5, 8}) {
    const ShrinkResult r = shrink_trace(failing, max_runs);
    EXPECT_LE(r.runs, max_runs);
    EXPECT_LE(r.preemptions_after, r.preemptions_before);
    expect_same_failure_and_replays(r.trace, failing);
  }
}

TEST(ShrinkSchedule, ATaskpoolFailureLosesItsIrrelevantPreemptions) {
  const Trace failing = record_run(
      {.params = {{"crash_probability", 0.05}, {"max_restarts", 1}, {"jobs", 200}}, .seed = 7});
  ASSERT_FALSE(failing.footer.invariant.empty());
  ASSERT_GT(preemption_count(failing), 0u);
  const ShrinkResult r = shrink_trace(failing);
  std::printf(
      "taskpool: events %llu -> %llu, preemptions %llu -> %llu, faults %zu -> %zu (%zu runs)\n",
      static_cast<unsigned long long>(r.events_before),
      static_cast<unsigned long long>(r.events_after),
      static_cast<unsigned long long>(r.preemptions_before),
      static_cast<unsigned long long>(r.preemptions_after), r.faults_before, r.faults_after,
      r.runs);
  // The budget runs out whatever the order: no preemption is needed (the
  // smaller workload alone leaves some).
  EXPECT_EQ(r.preemptions_after, 0u);
  expect_same_failure_and_replays(r.trace, failing);
}

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
