// Pools: messages per second through a 4-worker round-robin pool on the
// ThreadScheduler (the routing lock and the hop it saves), next to the same
// load told to the workers directly; and the cost of one autoscaler tick
// over 64 workers (measured in the simulator, where ticks are the only work).
#include <benchmark/benchmark.h>

#include <string>
#include <thread>
#include <vector>

#include "alloc_counter.hpp"
#include "completion.hpp"
#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kMessages = 40000;

Props<int> counting_worker(Countdown& done) {
  return Props<int>::from_function([&done](Context<int>&, int& last) {
           if (last != 0) done.count_down();
         })
      .mailbox({.capacity = kMessages});
}

/// Args: sender threads; metrics on (1, the default sampling) or off (0).
void BM_PoolRoundRobin(benchmark::State& state) {
  const int senders = static_cast<int>(state.range(0));
  const bool metrics = state.range(1) != 0;
  System sys{std::make_unique<ThreadScheduler>(),
             {.timing_sample_every = metrics ? SystemSettings{}.timing_sample_every : 0u}};
  Countdown done;
  auto pool = Pool<int>::spawn(sys, "pool", counting_worker(done), {.min = 4, .max = 4}).value();
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    done.reset(4 * senders);
    const auto before = allocations();
    std::vector<std::thread> threads;
    for (int s = 0; s < senders; ++s) {
      threads.emplace_back([&] {
        // The last four messages of each sender carry the end mark, one per worker.
        for (int i = 0; i < kMessages / senders; ++i)
          (void)pool.tell(i >= kMessages / senders - 4 ? 1 : 0);
      });
    }
    for (auto& t : threads) t.join();
    done.wait();
    allocs += allocations() - before;
  }
  const auto messages = static_cast<double>(state.iterations()) * kMessages;
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["senders"] = senders;
  state.counters["metrics"] = metrics ? 1 : 0;
  state.counters["allocs_per_msg"] = static_cast<double>(allocs) / messages;
  sys.shutdown(5s);
}
BENCHMARK(BM_PoolRoundRobin)
    ->ArgsProduct({{1, 4}, {0, 1}})
    ->ArgNames({"senders", "metrics"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_DirectToFourWorkers(benchmark::State& state) {
  System sys{std::make_unique<ThreadScheduler>()};
  Countdown done;
  std::vector<ActorRef<int>> workers;
  for (int i = 0; i < 4; ++i) {
    workers.push_back(
        sys.spawn(std::string("w").append(std::to_string(i)), counting_worker(done)).value());
  }
  for (auto _ : state) {
    done.reset(4);
    for (int i = 0; i < kMessages; ++i) {
      (void)workers[static_cast<std::size_t>(i) % 4].tell(i >= kMessages - 4 ? 1 : 0);
    }
    done.wait();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kMessages);
  sys.shutdown(5s);
}
BENCHMARK(BM_DirectToFourWorkers)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_AutoscalerTick64Workers(benchmark::State& state) {
  sim::Simulation sim{{}, {}, 0};
  auto pool =
      Pool<int>::spawn(sim.system(), "pool", Props<int>::from_function([](Context<int>&, int&) {}),
                       {.min = 64, .max = 64})
          .value();
  // Thresholds that never trigger: every tick observes and decides nothing.
  pool.autoscale({.interval = 1ms, .high_threshold = 1e9, .low_threshold = 0, .cooldown = 1ms});
  constexpr int kTicks = 1000;
  for (auto _ : state) sim.run_for(Duration(std::chrono::milliseconds(kTicks)));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kTicks);
  state.SetLabel("items = ticks");
}
BENCHMARK(BM_AutoscalerTick64Workers)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
