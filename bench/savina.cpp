// Savina-style workloads on troupe, each on the ThreadScheduler and on the
// SimScheduler (one core): counting, fork-join throughput, fork-join
// creation, thread ring, supervision cost; and the memory an idle actor
// costs. Items are messages (or actors, for creation).
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "savina.hpp"

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
                   for (int i = 1; i <= n; ++i) (void)counter.tell(i == n ? 1 : 0);
                 }))
          .value();
  for (auto _ : state) {
    world.expect(1);
    (void)producer.tell(kCountingMessages);
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
                          .spawn(std::string("w").append(std::to_string(w)),
                                 Props<int>::from_function([&world](Context<int>&, int& last) {
                                   if (last != 0) world.finished();
                                 }).mailbox({.capacity = kForkJoinMessages}))
                          .value());
  }
  for (auto _ : state) {
    world.expect(kForkJoinWorkers);
    for (int m = 1; m <= kForkJoinMessages; ++m) {
      for (auto& w : workers) (void)w.tell(m == kForkJoinMessages ? 1 : 0);
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
  const auto actors = static_cast<int>(state.range(0));
  World world;
  // A parent spawns the children (unnamed, so no name bookkeeping); each
  // handles one message and stops.
  auto child = Props<int>::from_function([&world](Context<int>& ctx, int&) {
    world.finished();
    ctx.stop();
  });
  auto parent = world.system()
                    .spawn("parent", Props<int>::from_function([child](Context<int>& ctx, int& n) {
                             for (int i = 0; i < n; ++i) (void)ctx.spawn("", child).value().tell(i);
                           }))
                    .value();
  for (auto _ : state) {
    world.expect(actors);
    (void)parent.tell(actors);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * actors);
  state.SetLabel(std::string(World::kName) + " items=actors");
}
// Flat means the cost of an actor does not grow with how many were made.
BENCHMARK_TEMPLATE(BM_ForkJoinCreation, ThreadWorld)
    ->Apply(creation_sizes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_ForkJoinCreation, SimWorld)
    ->Apply(creation_sizes)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

template <class World>
void BM_ThreadRing(benchmark::State& state) {
  World world;
  std::vector<ActorRef<int>> ring(kRingActors);
  for (int i = 0; i < kRingActors; ++i) {
    const auto next = static_cast<std::size_t>((i + 1) % kRingActors);
    ring[static_cast<std::size_t>(i)] =
        world.system()
            .spawn(std::string("r").append(std::to_string(i)),
                   Props<int>::from_function([&world, &ring, next](Context<int>&, int& hops) {
                     if (hops == 0) {
                       world.finished();
                     } else {
                       (void)ring[next].tell(hops - 1);
                     }
                   }))
            .value();
  }
  for (auto _ : state) {
    world.expect(1);
    (void)ring[0].tell(kRingHops);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kRingHops);
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_ThreadRing, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ThreadRing, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Chameneos: creatures ask a meeting place to be paired; each pair swaps
/// colours; after kChameneosMeetings meetings every creature is told to stop.
struct Meet {
  int creature;
  int colour;
};
struct Met {
  int other_colour;  // -1: the meetings are over
};

template <class World>
void BM_Chameneos(benchmark::State& state) {
  World world;
  auto creatures = std::make_shared<std::vector<ActorRef<Met>>>();
  struct Mall {
    int meetings = 0;
    int stopped = 0;
    std::optional<Meet> waiting;
  };
  auto mall_state = std::make_shared<Mall>();
  auto mall =
      world.system()
          .spawn(
              "mall",
              Props<Meet>::from_function([mall_state, creatures](Context<Meet>&, Meet& m) {
                auto& mall = *mall_state;
                auto& all = *creatures;
                const auto who = static_cast<std::size_t>(m.creature);
                if (mall.meetings >= kChameneosMeetings) {
                  (void)all[who].tell(Met{-1});
                } else if (!mall.waiting) {
                  mall.waiting = m;
                } else {
                  ++mall.meetings;
                  (void)all[static_cast<std::size_t>(mall.waiting->creature)].tell(Met{m.colour});
                  (void)all[who].tell(Met{mall.waiting->colour});
                  mall.waiting.reset();
                }
              }).mailbox({.capacity = 4 * kChameneosCreatures}))
          .value();
  for (int c = 0; c < kChameneosCreatures; ++c) {
    auto colour = std::make_shared<int>(c % 3);
    creatures->push_back(
        world.system()
            .spawn(std::string("c").append(std::to_string(c)),
                   Props<Met>::from_function([&world, mall, colour, c](Context<Met>&, Met& met) {
                     if (met.other_colour < 0) {
                       world.finished();
                       return;
                     }
                     if (met.other_colour != *colour) *colour = 3 - *colour - met.other_colour;
                     (void)mall.tell(Meet{c, *colour});
                   }))
            .value());
  }
  for (auto _ : state) {
    mall_state->meetings = 0;
    mall_state->waiting.reset();
    world.expect(kChameneosCreatures);
    for (int c = 0; c < kChameneosCreatures; ++c) (void)mall.tell(Meet{c, c % 3});
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kChameneosMeetings);
  state.SetLabel(std::string(World::kName) + " items=meetings");
}
BENCHMARK_TEMPLATE(BM_Chameneos, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Chameneos, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

/// Big: every actor pings random neighbours (the scheduler's random()), each
/// ping answered with a pong, kBigPings round trips per actor.
struct BigMsg {
  int from;
  bool ping;
};

template <class World>
void BM_Big(benchmark::State& state) {
  World world;
  auto actors = std::make_shared<std::vector<ActorRef<BigMsg>>>();
  for (int i = 0; i < kBigActors; ++i) {
    auto sent = std::make_shared<int>(0);
    actors->push_back(
        world.system()
            .spawn(std::string("b").append(std::to_string(i)),
                   Props<BigMsg>::from_function([&world, actors, sent, i](Context<BigMsg>& ctx,
                                                                          BigMsg& m) {
                     auto& all = *actors;
                     if (m.ping) {
                       (void)all[static_cast<std::size_t>(m.from)].tell(BigMsg{i, false});
                       return;
                     }
                     if (m.from >= 0 && *sent == kBigPings) {  // the last pong
                       world.finished();
                       return;
                     }
                     if (m.from < 0) *sent = 0;  // a new round starts
                     ++*sent;
                     (void)all[ctx.random() % all.size()].tell(BigMsg{i, true});
                   }).mailbox({.capacity = 4 * kBigActors}))
            .value());
  }
  for (auto _ : state) {
    world.expect(kBigActors);
    for (auto& a : *actors) (void)a.tell(BigMsg{-1, false});
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kBigActors * kBigPings * 2);
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_Big, ThreadWorld)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Big, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

/// A pool of 2..8 workers whose autoscaler ticks every millisecond while a
/// burst of messages arrives from outside: routing and resizing under load.
/// (In the simulator handlers take no virtual time, so no tick comes before
/// the burst is through: there it measures routing alone.)
template <class World>
void BM_PoolAutoscalerBurst(benchmark::State& state) {
  constexpr int kBurst = 40000;
  World world;
  auto worker = Props<int>::from_function([&world](Context<int>&, int& last) {
                  if (last != 0) world.finished();
                }).mailbox({.capacity = kBurst});
  auto pool = Pool<int>::spawn(world.system(), "burst", worker, {.min = 2, .max = 8}).value();
  const AutoScaleSettings scaling{.interval = std::chrono::milliseconds(1),
                                  .high_threshold = 64,
                                  .low_threshold = 8,
                                  .scale_up_step = 2,
                                  .scale_down_step = 1,
                                  .cooldown = std::chrono::milliseconds(2)};
  for (auto _ : state) {
    pool.autoscale(scaling);
    for (int i = 1; i <= kBurst; ++i) (void)pool.tell(0);
    // One end marker per routed worker; the autoscaler stops first so that
    // no worker leaves between the listing and the marker.
    pool.stop_autoscaler();
    const auto workers = pool.workers();
    world.expect(static_cast<std::int64_t>(workers.size()));
    for (auto& w : workers) (void)w.tell(1);
    world.wait();
  }
  state.SetItemsProcessed(state.iterations() * kBurst);
  state.counters["decisions"] = static_cast<double>(pool.decisions().size());
  state.SetLabel(World::kName);
}
BENCHMARK_TEMPLATE(BM_PoolAutoscalerBurst, ThreadWorld)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_TEMPLATE(BM_PoolAutoscalerBurst, SimWorld)->Unit(benchmark::kMillisecond)->UseRealTime();

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
    for (int i = 0; i < kSupervisionMessages; ++i) (void)flaky.tell(i);
    (void)flaky.tell(-1);
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

/// Bytes per idle actor over N spawns, once every one has been created:
/// the growth of the resident size, and of the heap in use. The resident
/// figure is the honest one in a fresh process; after other benchmarks the
/// heap reuses freed pages and it reads low, while the heap figure holds.
void BM_IdleActorMemory(benchmark::State& state) {
  const auto n = static_cast<int>(state.range(0));
  for (auto _ : state) {
    System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 1})};
    auto parent =
        sys.spawn("parent", Props<int>::from_function([](Context<int>&, int&) {})).value();
    (void)parent;
    // One recipe for all of them, as a service spawning many actors of one
    // kind would have: its cost is not per actor.
    const auto idle = Props<int>::from_function([](Context<int>&, int&) {});
    const long before = resident_bytes();
    std::vector<ActorRef<int>> refs;
    refs.reserve(static_cast<std::size_t>(n));
    const long after_reserve = resident_bytes();
    const auto heap_before = mallinfo2().uordblks;
    for (int i = 0; i < n; ++i) {
      refs.push_back(sys.spawn(std::string("a").append(std::to_string(i)), idle).value());
    }
    if (!sys.await_quiescence(std::chrono::seconds(30))) {
      state.SkipWithError("the actors were not all created within 30 s");
      break;
    }
    const long after = resident_bytes();
    const auto heap_after = mallinfo2().uordblks;
    state.counters["bytes_per_actor"] = static_cast<double>(after - after_reserve) / n;
    state.counters["heap_bytes_per_actor"] = static_cast<double>(heap_after - heap_before) / n;
    state.counters["rss_before_mb"] = static_cast<double>(before) / (1 << 20);
  }
  state.SetItemsProcessed(state.iterations() * n);
  state.SetLabel("items=actors");
}
BENCHMARK(BM_IdleActorMemory)->Arg(100000)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
