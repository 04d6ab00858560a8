// The simulator's speed: message deliveries per wall second for ping-pong and
// a 16-worker fan-out on one core, and simulated time per wall second for a
// task-pool scenario with service times and a Poisson workload; and the
// shutdown of many busy actors.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "ping_pong_count.hpp"
#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {
namespace {

using namespace std::chrono_literals;

void BM_SimPingPong(benchmark::State& state) {
  constexpr int kRoundTrips = 100000;
  sim::Simulation sim{{.seed = 1, .strategy = static_cast<sim::Strategy>(state.range(0))}, {}, 0};
  ActorRef<int> ping, pong;
  ping = sim.system()
             .spawn("ping", Props<int>::from_function([&](Context<int>&, int& n) {
                      if (n > 0) (void)pong.tell(n - 1);
                    }))
             .value();
  pong = sim.system()
             .spawn("pong",
                    Props<int>::from_function([&](Context<int>&, int& n) { (void)ping.tell(n); }))
             .value();
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    const auto before = allocations();
    (void)ping.tell(kRoundTrips);
    sim.run();
    allocs += allocations() - before;
  }
  const double messages = static_cast<double>(state.iterations()) * 2 * kRoundTrips;
  count_ping_pong(state, kRoundTrips);
  state.counters["allocs_per_msg"] = static_cast<double>(allocs) / messages;
  state.SetLabel(std::string(sim::to_string(static_cast<sim::Strategy>(state.range(0)))));
}
BENCHMARK(BM_SimPingPong)
    ->Arg(static_cast<int>(sim::Strategy::fifo))
    ->Arg(static_cast<int>(sim::Strategy::random))
    ->Unit(benchmark::kMillisecond);

void BM_SimFanOut(benchmark::State& state) {
  constexpr int kWorkers = 16;
  constexpr int kPerWorker = 5000;
  sim::Simulation sim{{.seed = 1, .strategy = sim::Strategy::random}, {}, 0};
  std::vector<ActorRef<int>> workers;
  for (int i = 0; i < kWorkers; ++i) {
    workers.push_back(sim.system()
                          .spawn(std::string("w").append(std::to_string(i)),
                                 Props<int>::from_function([](Context<int>&, int&) {
                                 }).mailbox({.capacity = kPerWorker}))
                          .value());
  }
  for (auto _ : state) {
    for (int m = 0; m < kPerWorker; ++m) {
      for (auto& w : workers) (void)w.tell(m);
    }
    sim.run();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kWorkers * kPerWorker);
}
BENCHMARK(BM_SimFanOut)->Unit(benchmark::kMillisecond);

void BM_SimTaskPoolVirtualSpeed(benchmark::State& state) {
  double virtual_seconds = 0;
  for (auto _ : state) {
    sim::Simulation sim{{.seed = 5,
                         .strategy = sim::Strategy::random,
                         .service_time = sim::ServiceTime::uniform(1ms, 5ms)}};
    std::vector<ActorRef<int>> workers;
    for (int i = 0; i < 6; ++i) {
      workers.push_back(sim.system()
                            .spawn(std::string("w").append(std::to_string(i)),
                                   Props<int>::from_function([](Context<int>&, int&) {}))
                            .value());
    }
    sim.add(sim::Workload{sim::Arrivals::poisson(1000.0, 20000), [&](std::uint64_t i) {
                            return workers[i % workers.size()].tell(static_cast<int>(i));
                          }});
    const auto r = sim.run();
    virtual_seconds += std::chrono::duration<double>(r.elapsed).count();
  }
  state.counters["virtual_s_per_wall_s"] =
      benchmark::Counter(virtual_seconds, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SimTaskPoolVirtualSpeed)->Unit(benchmark::kMillisecond);

// Shutdown of many busy actors: the drain asks "quiescent?" after every
// step, so its cost per question decides whether this is linear or quadratic
// in the number of actors (20,000 actors once took 15 s, now tens of ms).
void BM_SimShutdownOfBusyActors(benchmark::State& state) {
  const auto actors = static_cast<int>(state.range(0));
  const auto props = Props<int>::from_function([](Context<int>&, int&) {});
  for (auto _ : state) {
    state.PauseTiming();
    sim::Simulation sim{{.seed = 1, .strategy = sim::Strategy::random}, {}, 0};
    for (int i = 0; i < actors; ++i) {
      auto ref = sim.system().spawn(std::string("a").append(std::to_string(i)), props).value();
      (void)ref.tell(1);
      (void)ref.tell(2);
    }
    state.ResumeTiming();
    benchmark::DoNotOptimize(sim.system().shutdown(10s));
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * actors);
  state.SetLabel("items=actors");
}
BENCHMARK(BM_SimShutdownOfBusyActors)->Arg(1000)->Arg(20000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
