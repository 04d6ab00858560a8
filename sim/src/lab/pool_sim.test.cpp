// Pools and the autoscaler under the simulator: exact decision times, exact
// routing properties, lossless shrinking.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

Duration since_start(TimePoint t) {
  return t.time_since_epoch();
}

struct Counts {
  std::map<std::string, std::vector<int>> by_worker;
  Props<int> props() {
    return Props<int>::from_function([this](Context<int>& ctx, int& v) {
             by_worker[std::string(ctx.name())].push_back(v);
           })
        .kind("worker");
  }
};

TEST(PoolSim, SmallestMailboxPicksALeastLoadedWorker) {
  Counts counts;
  Simulation sim;
  auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(),
                               {.min = 4, .max = 4, .routing = Routing::smallest_mailbox})
                  .value();
  auto busiest = pool.workers()[0];
  for (int i = 0; i < 5; ++i) (void)busiest.tell(100 + i);  // w1 is loaded directly
  for (int i = 0; i < 9; ++i) (void)pool.tell(i);           // nothing runs meanwhile
  sim.run();
  // 9 pool messages spread over the three empty workers, none to the busy one.
  EXPECT_EQ(counts.by_worker["w1"], (std::vector<int>{100, 101, 102, 103, 104}));
  EXPECT_EQ(counts.by_worker["w2"].size(), 3u);
  EXPECT_EQ(counts.by_worker["w3"].size(), 3u);
  EXPECT_EQ(counts.by_worker["w4"].size(), 3u);
}

TEST(PoolSim, RandomRoutingFollowsTheSeed) {
  auto run = [](std::uint64_t seed) {
    Counts counts;
    Simulation sim{{.seed = seed}};
    auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(),
                                 {.min = 4, .max = 4, .routing = Routing::random})
                    .value();
    for (int i = 0; i < 400; ++i) (void)pool.tell(i);
    sim.run();
    return counts.by_worker;
  };
  const auto a = run(1);
  EXPECT_EQ(a, run(1));
  EXPECT_NE(a, run(2));
  for (const auto& [w, values] : a) EXPECT_GT(values.size(), 60u) << w;
}

TEST(PoolSim, ConsistentHashMovesOnlyTheKeysOfANewWorker) {
  Counts counts;
  Simulation sim;
  auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(),
                               {.min = 4, .max = 5, .routing = Routing::consistent_hash},
                               [](const int& v) { return static_cast<std::uint64_t>(v); })
                  .value();
  for (int k = 0; k < 500; ++k) (void)pool.tell(k);
  sim.run();
  std::map<int, std::string> before;
  for (const auto& [w, keys] : counts.by_worker) {
    for (int k : keys) before[k] = w;
  }
  counts.by_worker.clear();
  pool.resize(5);
  sim.run();
  for (int k = 0; k < 500; ++k) (void)pool.tell(k);
  sim.run();
  int moved = 0;
  for (const auto& [w, keys] : counts.by_worker) {
    for (int k : keys) {
      if (before[k] != w) {
        ++moved;
        EXPECT_EQ(w, "w5") << "key " << k << " moved between old workers";
      }
    }
  }
  EXPECT_GT(moved, 0);
}

TEST(PoolSim, ShrinkingDrainsEveryMailboxAndLosesNothing) {
  Counts counts;
  Simulation sim{{.service_time = ServiceTime::fixed(1ms)}};
  auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(), {.min = 1, .max = 6}).value();
  pool.resize(6);
  sim.run();
  for (int i = 0; i < 600; ++i) (void)pool.tell(i);  // 100 queued in each of six workers
  pool.resize(1);                                    // five leave routing with full mailboxes
  const auto r = sim.run();
  EXPECT_EQ(r.outcome, Outcome::completed) << r.reason;
  EXPECT_EQ(pool.size(), 1u);
  std::size_t handled = 0;
  for (const auto& [w, values] : counts.by_worker) handled += values.size();
  EXPECT_EQ(handled, 600u);
  EXPECT_EQ(r.stats.dead_letters(), 0u);
  // The leavers stopped once drained.
  std::size_t stopped = 0;
  for (const auto& e : r.events) stopped += e.kind == EventKind::stopped ? 1 : 0;
  EXPECT_EQ(stopped, 5u);
}

/// The classic autoscaler against a 3 s burst of 1000 jobs/s, each job 10 ms.
struct BurstRun {
  std::vector<ScaleDecision> decisions;
  std::vector<RecordedEvent> events;
  std::vector<std::size_t> sizes_seen;
  SimResult result;
};

BurstRun burst_run() {
  BurstRun out;
  Simulation sim{{.seed = 1,
                  .service_time = ServiceTime::per_kind({{"worker", ServiceTime::fixed(10ms)}},
                                                        ServiceTime::zero())},
                 {},
                 1 << 20};
  Counts counts;
  auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(), {.min = 2, .max = 6}).value();
  pool.autoscale(AutoScaleSettings{.interval = 500ms,
                                   .high_threshold = 6,
                                   .low_threshold = 2,
                                   .scale_up_step = 2,
                                   .scale_down_step = 1,
                                   .cooldown = 2s});
  sim.add(Workload{Arrivals::constant(1ms, 3000),
                   [pool](std::uint64_t i) { return pool.tell(static_cast<int>(i)); }});
  for (int step = 0; step < 80; ++step) {
    sim.run_for(250ms);
    out.sizes_seen.push_back(pool.size());
  }
  pool.stop_autoscaler();
  out.result = sim.run();
  out.decisions = pool.decisions();
  for (const auto& e : sim.recorder().events()) {
    if (e.kind == EventKind::scaled) out.events.push_back(e);
  }
  return out;
}

TEST(PoolSim, TheAutoscalerFollowsABurstAtTheTimesItsSettingsImply) {
  const auto run = burst_run();
  // Ticks every 500 ms, at most one change per 2 s:
  //  500 ms: 401 queued over 2 workers (mean 200.5 > 6; the two messages in
  //          service still count, a handler takes its message when its
  //          service ends): grow by 2.
  // 2500 ms: the first tick out of cooldown, 1599 queued over 4: grow to max.
  //  Arrivals stop at 3 s; the backlog left in the first workers (about 830
  //  jobs each at 10 ms) is gone between the 8000 and 8500 ms ticks:
  // 8500, 10500, 12500, 14500 ms: shrink by 1 each time the cooldown allows.
  struct Expected {
    Duration at;
    std::size_t from, to;
  };
  const std::vector<Expected> expected{{500ms, 2, 4},   {2500ms, 4, 6},  {8500ms, 6, 5},
                                       {10500ms, 5, 4}, {12500ms, 4, 3}, {14500ms, 3, 2}};
  ASSERT_EQ(run.decisions.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(since_start(run.decisions[i].time), expected[i].at) << "decision " << i;
    EXPECT_EQ(run.decisions[i].from, expected[i].from) << "decision " << i;
    EXPECT_EQ(run.decisions[i].to, expected[i].to) << "decision " << i;
  }
  EXPECT_DOUBLE_EQ(run.decisions[0].load, 200.5);
  for (std::size_t i = 1; i < run.decisions.size(); ++i) {
    EXPECT_GE(run.decisions[i].time - run.decisions[i - 1].time, Duration(2s));
  }
  for (auto n : run.sizes_seen) {
    EXPECT_GE(n, 2u);
    EXPECT_LE(n, 6u);
  }
  EXPECT_EQ(run.sizes_seen.back(), 2u);
  EXPECT_EQ(run.result.outcome, Outcome::completed);
  EXPECT_EQ(run.result.stats.dead_letters(), 0u);
  std::size_t scaled_events = 0;
  for (const auto& e : run.events) scaled_events += e.kind == EventKind::scaled ? 1 : 0;
  EXPECT_EQ(scaled_events, expected.size());
}

TEST(PoolSim, ThePressurePolicyGrowsUnderLoadAndBacksOffAfter) {
  Counts counts;
  Simulation sim{{.service_time = ServiceTime::per_kind({{"worker", ServiceTime::fixed(10ms)}},
                                                        ServiceTime::zero())}};
  auto pool = Pool<int>::spawn(sim.system(), "p", counts.props(), {.min = 1, .max = 8}).value();
  pool.autoscale_by_pressure({.interval = 100ms,
                              .pressure_threshold = 2,
                              .rampup_rate = 0.5,
                              .backoff_threshold = 0.3,
                              .backoff_rate = 0.5,
                              .cooldown = 200ms});
  sim.add(Workload{Arrivals::constant(2ms, 1000),
                   [pool](std::uint64_t i) { return pool.tell(static_cast<int>(i)); }});
  sim.run_for(30s);
  pool.stop_autoscaler();
  const auto r = sim.run();
  const auto decisions = pool.decisions();
  ASSERT_FALSE(decisions.empty());
  std::size_t peak = 0;
  for (const auto& d : decisions) peak = std::max(peak, d.to);
  EXPECT_GT(peak, 1u);
  EXPECT_EQ(pool.size(), 1u);
  EXPECT_LT(decisions.back().to, decisions.back().from);
  EXPECT_EQ(r.stats.dead_letters(), 0u);
}

}  // namespace
}  // namespace troupe::sim
