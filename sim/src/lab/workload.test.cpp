#include "troupe/sim/workload.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::sim {
namespace {

using namespace std::chrono_literals;

/// Runs one workload into a recording actor; returns the arrival times.
std::vector<Duration> arrival_times(Arrivals arrivals, std::uint64_t seed = 1) {
  std::vector<Duration> times;
  Simulation sim{{.seed = seed}};
  auto sink = sim.system()
                  .spawn("sink", Props<int>::from_function([&](Context<int>& ctx, int&) {
                           times.push_back(ctx.now().time_since_epoch());
                         }))
                  .value();
  sim.add(Workload::to<int>(sink, std::move(arrivals), [](std::uint64_t i) { return int(i); }));
  EXPECT_EQ(sim.run().outcome, Outcome::completed);
  EXPECT_EQ(sim.workload_stats(0).accepted, times.size());
  return times;
}

TEST(Workload, ConstantArrivesEveryInterval) {
  EXPECT_EQ(arrival_times(Arrivals::constant(10ms, 4)),
            (std::vector<Duration>{10ms, 20ms, 30ms, 40ms}));
}

TEST(Workload, PoissonHasItsRateAndDependsOnTheSeed) {
  const auto a = arrival_times(Arrivals::poisson(1000.0, 2000), 1);
  ASSERT_EQ(a.size(), 2000u);
  // 2000 arrivals at 1000/s take about 2 s.
  EXPECT_NEAR(std::chrono::duration<double>(a.back()).count(), 2.0, 0.15);
  EXPECT_EQ(a, arrival_times(Arrivals::poisson(1000.0, 2000), 1));
  EXPECT_NE(a, arrival_times(Arrivals::poisson(1000.0, 2000), 2));
}

TEST(Workload, BurstsAlternateOnAndOff) {
  // 3 arrivals per 30 ms burst (every 10 ms), then 70 ms of silence.
  EXPECT_EQ(arrival_times(Arrivals::bursts(30ms, 70ms, 100.0, 6)),
            (std::vector<Duration>{0ms, 10ms, 20ms, 100ms, 110ms, 120ms}));
}

TEST(Workload, ScriptDeliversEachEntryAtItsTimeToItsTarget) {
  std::vector<std::pair<std::string, Duration>> seen;
  Simulation sim;
  auto make = [&](const char* name) {
    return sim.system()
        .spawn(name, Props<int>::from_function([&](Context<int>& ctx, int&) {
                 seen.emplace_back(ctx.name(), ctx.now().time_since_epoch());
               }))
        .value();
  };
  auto a = make("a");
  auto b = make("b");
  sim.add(Workload::script<int>({{5ms, b, 1}, {5ms, a, 2}, {9ms, b, 3}}));
  sim.run();
  std::vector<std::pair<std::string, Duration>> expected{{"b", 5ms}, {"a", 5ms}, {"b", 9ms}};
  EXPECT_EQ(seen, expected);
}

TEST(Workload, RejectsNegativeRatesAndTimes) {
  EXPECT_THROW(Arrivals::constant(0ms, 1), std::invalid_argument);
  EXPECT_THROW(Arrivals::poisson(-5.0, 1), std::invalid_argument);
  EXPECT_THROW(Arrivals::bursts(10ms, -1ms, 10.0, 1), std::invalid_argument);
  EXPECT_THROW(Arrivals::at({5ms, 1ms}), std::invalid_argument);
  EXPECT_THROW(Arrivals::at({-1ms}), std::invalid_argument);
}

TEST(Workload, ArrivalsAfterShutdownAreRefusedAndCounted) {
  Simulation sim;
  auto sink =
      sim.system().spawn("sink", Props<int>::from_function([](Context<int>&, int&) {})).value();
  sim.add(Workload::to<int>(sink, Arrivals::constant(10ms, 10), [](std::uint64_t) { return 0; }));
  sim.run_for(35ms);
  sim.system().shutdown(1s);  // the remaining arrivals fire during and after it
  sim.run();
  const auto& w = sim.workload_stats(0);
  EXPECT_EQ(w.emitted, 10u);
  EXPECT_EQ(w.accepted, 3u);
  EXPECT_EQ(w.refused, 7u);
  EXPECT_TRUE(sim.system().stats().balanced());
}

}  // namespace
}  // namespace troupe::sim
