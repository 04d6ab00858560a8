// The raw-threads baseline: what the same ping-pong and fan-out cost with
// plain std::threads and mutex-and-condition-variable queues, no runtime.
// Same counts as the troupe suites (bench/savina.hpp).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "savina.hpp"

namespace troupe::bench {
namespace {

/// An unbounded blocking queue: the simplest honest mailbox.
class Queue {
 public:
  void push(int v) {
    {
      std::lock_guard lock(mu_);
      items_.push_back(v);
    }
    cv_.notify_one();
  }
  int pop() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !items_.empty(); });
    const int v = items_.front();
    items_.pop_front();
    return v;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<int> items_;
};

void BM_RawPingPong(benchmark::State& state) {
  for (auto _ : state) {
    Queue to_ping, to_pong;
    std::thread pong([&] {
      for (;;) {
        const int n = to_pong.pop();
        to_ping.push(n);
        if (n <= 0) return;
      }
    });
    to_pong.push(2 * kPingPongRoundTrips);
    for (;;) {
      const int n = to_ping.pop();
      if (n <= 0) break;
      to_pong.push(n - 1);
    }
    pong.join();
  }
  state.SetItemsProcessed(state.iterations() * 2 * kPingPongRoundTrips);
}
BENCHMARK(BM_RawPingPong)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Fan-out: the benchmark thread feeds kBenchThreads consumer threads.
void BM_RawFanOut(benchmark::State& state) {
  const int consumers = static_cast<int>(kBenchThreads);
  const int per_consumer = kForkJoinWorkers * kForkJoinMessages / consumers;
  for (auto _ : state) {
    std::vector<Queue> queues(static_cast<std::size_t>(consumers));
    std::vector<std::thread> threads;
    for (auto& q : queues) {
      threads.emplace_back([&q] {
        while (q.pop() != 0) {
        }
      });
    }
    for (int m = 1; m <= per_consumer; ++m) {
      for (auto& q : queues) q.push(m == per_consumer ? 0 : 1);
    }
    for (auto& t : threads) t.join();
  }
  state.SetItemsProcessed(state.iterations() * consumers * per_consumer);
}
BENCHMARK(BM_RawFanOut)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
