// The determinism guard: a seed, a strategy and a fault plan reproduce a run
// exactly, hash for hash; a different seed gives a different schedule.
#include <gtest/gtest.h>

#include <string>
#include <variant>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

struct Job {
  int n;
};
using Task = std::variant<Job>;

struct WorldEnd {
  std::uint64_t hash = 0;
  std::string metrics;  ///< the Prometheus exposition after shutdown
};

/// A small task pool: a dispatcher spreading jobs over workers that crash
/// now and then, with backoff, service times, timers and a shutdown.
WorldEnd run_world_end(std::uint64_t seed, Strategy strategy, bool faults) {
  FaultPlan plan;
  if (faults) plan.crash_with_probability(0.05, "/w").delay_deliveries(0.1, 3ms);
  Simulation sim{
      {.seed = seed, .strategy = strategy, .service_time = ServiceTime::uniform(1ms, 5ms)}, plan};
  std::vector<ActorRef<Task>> workers;
  for (int i = 0; i < 4; ++i) {
    auto props = Props<Task>::from_function([](Context<Task>& ctx, Task& t) {
                   if (std::get<Job>(t).n % 10 == 0) ctx.schedule_once(2ms, Job{1});
                 })
                     .restart({.max_restarts = 100, .within = 1s})
                     .backoff({.min = 1ms, .max = 20ms, .jitter = 0.5});
    workers.push_back(
        sim.system().spawn(std::string("w").append(std::to_string(i)), props).value());
  }
  auto dispatcher =
      sim.system()
          .spawn("dispatch", Props<int>::from_function([workers](Context<int>& ctx, int& n) {
                   (void)workers[ctx.random() % workers.size()].tell(Job{n});
                 }))
          .value();
  sim.add(Workload::to<int>(dispatcher, Arrivals::poisson(500.0, 300),
                            [](std::uint64_t i) { return static_cast<int>(i); }));
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  // Before shutdown: a stopped actor's series leave the exposition with it.
  const std::string metrics = sim.system().metrics_text();
  sim.system().shutdown(1s);
  const auto end = sim.result();
  EXPECT_TRUE(end.stats.balanced());
  return {end.hash, metrics};
}

std::uint64_t run_world(std::uint64_t seed, Strategy strategy, bool faults) {
  return run_world_end(seed, strategy, faults).hash;
}

TEST(Determinism, TheSameWorldTwiceGivesTheSameHash) {
  for (const auto strategy : {Strategy::fifo, Strategy::random, Strategy::pct}) {
    for (const bool faults : {false, true}) {
      EXPECT_EQ(run_world(42, strategy, faults), run_world(42, strategy, faults))
          << to_string(strategy) << (faults ? " with faults" : "");
    }
  }
}

TEST(Determinism, DifferentSeedsGiveDifferentRuns) {
  for (const auto strategy : {Strategy::random, Strategy::pct}) {
    EXPECT_NE(run_world(1, strategy, true), run_world(2, strategy, true)) << to_string(strategy);
  }
}

TEST(Determinism, TheSameWorldTwiceGivesByteIdenticalMetrics) {
  const WorldEnd first = run_world_end(7, Strategy::random, true);
  const WorldEnd second = run_world_end(7, Strategy::random, true);
  EXPECT_EQ(first.metrics, second.metrics);
  // Not trivially equal: the run restarted workers and timed handlers on the
  // virtual clock.
  EXPECT_NE(first.metrics.find("troupe_actor_restarts_total{actor=\"/w0\"}"), std::string::npos);
  EXPECT_EQ(first.metrics.find("troupe_message_processing_seconds_sum{kind=\"actor\"} 0\n"),
            std::string::npos)
      << first.metrics;
  EXPECT_NE(first.metrics, run_world_end(8, Strategy::random, true).metrics);
}

TEST(Determinism, HandlerTimeIsSampledOneInSixtyFourAsOnThreads) {
  Simulation sim{{.seed = 3, .service_time = ServiceTime::fixed(1ms)}, {}, 0};
  auto ref =
      sim.system().spawn("timed", Props<int>::from_function([](Context<int>&, int&) {})).value();
  for (int i = 0; i < 128; ++i) (void)ref.tell(i);
  sim.run();
  const std::string text = sim.system().metrics_text();
  // The default SystemSettings::timing_sample_every is 64: two of 128, each
  // its 1 ms of service time.
  EXPECT_NE(text.find("troupe_message_processing_seconds_count{kind=\"actor\"} 2\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("troupe_message_processing_seconds_sum{kind=\"actor\"} 0.002\n"),
            std::string::npos)
      << text;
}

TEST(Determinism, ARunOverBudgetNamesItsBusiestActorWhetherItsEventsAreCopiedOrTaken) {
  Simulation sim{{.seed = 1, .max_steps = 1000}};
  auto ref = sim.system()
                 .spawn("spin", Props<int>::from_function(
                                    [](Context<int>& ctx, int& v) { (void)ctx.self().tell(v); }))
                 .value();
  (void)ref.tell(1);
  const SimResult copied = sim.run();
  ASSERT_EQ(copied.outcome, Outcome::budget_exceeded);
  ASSERT_FALSE(copied.busiest.empty());
  EXPECT_EQ(copied.busiest.front().path, "/spin");
  const SimResult taken = sim.take_result();
  ASSERT_FALSE(taken.busiest.empty());
  EXPECT_EQ(taken.busiest.front().path, "/spin");
  EXPECT_EQ(taken.events.size(), copied.events.size());
}

TEST(Determinism, TheHashCoversEveryEventField) {
  Recorder a, b;
  Event e{EventKind::sent, TimePoint{} + 5ms, 3, "/x", "", 1};
  a.on_event(e);
  e.value = 2;
  b.on_event(e);
  EXPECT_NE(a.hash(), b.hash());
  EXPECT_EQ(a.count(), 1u);
}

}  // namespace
}  // namespace troupe::sim
