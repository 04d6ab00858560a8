// Fan-out: one outside sender spreads messages over K workers; measures
// throughput with several workers busy at once on the ThreadScheduler.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "alloc_counter.hpp"
#include "completion.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {
namespace {

constexpr int kPerWorker = 10000;

void BM_FanOut(benchmark::State& state) {
  const auto workers = static_cast<int>(state.range(0));
  System sys{std::make_unique<ThreadScheduler>()};
  Countdown done;
  std::vector<ActorRef<int>> refs;
  for (int i = 0; i < workers; ++i) {
    // Each worker counts locally and reports once: the benchmark measures
    // the runtime, not a shared counter.
    auto props = Props<int>::from_function([&done](Context<int>&, int& last) {
                   if (last != 0) done.count_down();
                 }).mailbox({.capacity = kPerWorker});
    refs.push_back(sys.spawn(std::string("w").append(std::to_string(i)), props).value());
  }
  std::uint64_t allocs = 0;
  for (auto _ : state) {
    done.reset(workers);
    const auto before = allocations();
    for (int m = 0; m < kPerWorker; ++m) {
      for (auto& r : refs) (void)r.tell(m == kPerWorker - 1 ? 1 : 0);
    }
    done.wait();
    allocs += allocations() - before;
  }
  const auto messages = static_cast<double>(state.iterations()) * workers * kPerWorker;
  state.SetItemsProcessed(static_cast<std::int64_t>(messages));
  state.counters["allocs_per_msg"] = static_cast<double>(allocs) / messages;
  sys.shutdown(std::chrono::seconds(5));
}
BENCHMARK(BM_FanOut)->Arg(4)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
