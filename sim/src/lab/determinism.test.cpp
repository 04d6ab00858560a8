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
