// Ping-pong (Savina): two actors pass a counter back and forth. Measures the
// cost of one tell + one activation on the ThreadScheduler, and reports heap
// allocations per message (the hot path should make none).
#include <benchmark/benchmark.h>

#include "alloc_counter.hpp"
#include "completion.hpp"
#include "ping_pong_count.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {
namespace {

constexpr int kRoundTrips = 40000;

struct Players {
  ActorRef<int> ping;
  ActorRef<int> pong;
  Countdown done;
};

/// Args: worker threads; metrics (1: the processing-time histogram samples one
/// message in 64, the default; 0: off). The other metrics are read at scrape
/// time from counters the runtime keeps anyway.
void BM_PingPong(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  const bool metrics = state.range(1) != 0;
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = threads}),
             {.timing_sample_every = metrics ? SystemSettings{}.timing_sample_every : 0u}};
  Players players;
  players.ping = sys.spawn("ping", Props<int>::from_function([&](Context<int>&, int& n) {
                             if (n == 0) {
                               players.done.count_down();
                             } else {
                               (void)players.pong.tell(n - 1);
                             }
                           }))
                     .value();
  players.pong = sys.spawn("pong", Props<int>::from_function(
                                       [&](Context<int>&, int& n) { (void)players.ping.tell(n); }))
                     .value();
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    players.done.reset(1);
    const auto before = allocations();
    (void)players.ping.tell(kRoundTrips);
    players.done.wait();
    allocs += allocations() - before;
  }
  const auto messages = static_cast<double>(state.iterations()) * 2 * kRoundTrips;
  count_ping_pong(state, kRoundTrips);
  state.counters["allocs_per_msg"] = static_cast<double>(allocs) / messages;
  state.counters["threads"] = static_cast<double>(threads);
  state.counters["metrics"] = metrics ? 1 : 0;
  sys.shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_PingPong)
    ->ArgsProduct({{1, 2}, {0, 1}})
    ->ArgNames({"threads", "metrics"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
