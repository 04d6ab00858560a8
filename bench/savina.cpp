// Savina-style workloads on troupe, each on the ThreadScheduler and on the
// SimScheduler (one core): counting, fork-join throughput, fork-join
// creation, thread ring, supervision cost; and the memory an idle actor
// costs. Items are messages (or actors, for creation).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/savina.hpp"

namespace troupe::bench {
namespace {

template <class World>
void BM_Counting(benchmark::State& state) {
  World world;
  auto counter =
      world.system()
          .spawn("counter", Props<int>::from_function([&world](Context<int>&, int& last) {
                              if (last != 0) world.finished();
                            }).mailbox({.capacity = kCountingMessages}))
          .value();
  auto producer =
      world.system()
          .spawn("producer", Props<int>::from_function([counter](Context<int>&, int& n) {
                   for (int i = 1; i <= n; ++i) counter.tell(i == n ? 1 : 0);
                 }))
          .value();
  for (auto _ : state) {
    world.expect(1);
    producer.tell(kCountingMessages);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kCountingMessages);
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_Counting, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Counting, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class World>
void BM_ForkJoinThroughput(benchmark::State& state) {
  World world;
  std::vector<ActorRef<int>> workers;
  for (int w = 0; w < kForkJoinWorkers; ++w) {
    workers.push_back(world.system()
                          .spawn("w" + std::to_string(w),
                                 Props<int>::from_function([&world](Context<int>&, int& last) {
                                   if (last != 0) world.finished();
                                 }).mailbox({.capacity = kForkJoinMessages}))
                          .value());
  }
  for (auto _ : state) {
    world.expect(kForkJoinWorkers);
    for (int m = 1; m <= kForkJoinMessages; ++m) {
      for (auto& w : workers) w.tell(m == kForkJoinMessages ? 1 : 0);
    }
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kForkJoinWorkers * kForkJoinMessages);
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_ForkJoinThroughput, ThreadWorld)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ForkJoinThroughput, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class World>
void BM_ForkJoinCreation(benchmark::State& state) {
  World world;
  // A parent spawns the children (unnamed, so no name bookkeeping); each
  // handles one message and stops.
  auto child = Props<int>::from_function([&world](Context<int>& ctx, int&) {
    world.finished();
    ctx.stop();
  });
  auto parent = world.system()
                    .spawn("parent", Props<int>::from_function([child](Context<int>& ctx, int& n) {
                             for (int i = 0; i < n; ++i) ctx.spawn("", child).value().tell(i);
                           }))
                    .value();
  for (auto _ : state) {
    world.expect(kCreationActors);
    parent.tell(kCreationActors);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kCreationActors);
  state.SetLabel(std::string(World::kName) + " items=actors");
}
BENCHMARK_TEMPLATE(BM_ForkJoinCreation, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ForkJoinCreation, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

template <class World>
void BM_ThreadRing(benchmark::State& state) {
  World world;
  std::vector<ActorRef<int>> ring(kRingActors);
  for (int i = 0; i < kRingActors; ++i) {
    const auto next = static_cast<std::size_t>((i + 1) % kRingActors);
    ring[static_cast<std::size_t>(i)] =
        world.system()
            .spawn("r" + std::to_string(i),
                   Props<int>::from_function([&world, &ring, next](Context<int>&, int& hops) {
                     if (hops == 0) {
                       world.finished();
                     } else {
                       ring[next].tell(hops - 1);
                     }
                   }))
            .value();
  }
  for (auto _ : state) {
    world.expect(1);
    ring[0].tell(kRingHops);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kRingHops);
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_ThreadRing, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ThreadRing, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

/// A crash and restart every kSupervisionCrashEvery messages: the cost of
/// failure handling next to plain message handling.
template <class World>
void BM_SupervisionCost(benchmark::State& state) {
  World world;
  auto flaky =
      world.system()
          .spawn("flaky", Props<int>::from_function([&world](Context<int>&, int& n) {
                            if (n < 0) world.finished();
                            if (n % kSupervisionCrashEvery == kSupervisionCrashEvery - 1) {
                              throw std::runtime_error("planned crash");
                            }
                          })
                              .mailbox({.capacity = kSupervisionMessages + 1})
                              .restart({.max_restarts = 1 << 30, .within = std::chrono::hours(1)}))
          .value();
  for (auto _ : state) {
    world.expect(1);
    for (int i = 0; i < kSupervisionMessages; ++i) flaky.tell(i);
    flaky.tell(-1);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kSupervisionMessages);
  state.counters["restarts_per_msg"] = 1.0 / kSupervisionCrashEvery;
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_SupervisionCost, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_SupervisionCost, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * sysconf(_SC_PAGESIZE);
}

/// Bytes per idle actor (RSS growth over N spawns, mailbox buffer included).
void BM_IdleActorMemory(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 1})};
    auto parent =
        sys.spawn("parent", Props<int>::from_function([](Context<int>&, int&) {})).value();
    (void)parent;
    const long before = resident_bytes();
    std::vector<ActorRef<int>> refs;
    refs.reserve(static_cast<std::size_t>(n));
    const long after_reserve = resident_bytes();
    for (int i = 0; i < n; ++i) {
      refs.push_back(
          sys.spawn("a" + std::to_string(i), Props<int>::from_function([](Context<int>&, int&) {}))
              .value());
    }
    const long after = resident_bytes();
    state.counters["bytes_per_actor"] = static_cast<double>(after - after_reserve) / n;
    state.counters["rss_before_mb"] = static_cast<double>(before) / (1 << 20);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel("items=actors");
}
BENCHMARK(BM_IdleActorMemory)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
