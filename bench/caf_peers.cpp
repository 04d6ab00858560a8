// The peer framework: CAF 0.17 (Debian's libcaf-dev) on the same workloads
// and counts as the troupe suites (bench/savina.hpp), with the same number of
// scheduler threads. Built only when CAF is found.
#include <benchmark/benchmark.h>

#include <caf/all.hpp>
#include <memory>
#include <vector>

#include "savina.hpp"

namespace troupe::bench {

// Made in main and torn down before it returns: a static actor system
// outliving main corrupts the heap at exit.
caf::actor_system* g_system = nullptr;

caf::actor_system& system() {
  return *g_system;
}

namespace {

caf::behavior ponger(caf::event_based_actor* self) {
  return {[self](int n) { self->send(caf::actor_cast<caf::actor>(self->current_sender()), n); }};
}

caf::behavior pinger(caf::event_based_actor* self, caf::actor pong, Countdown* done) {
  return {[self, pong, done](int n) {
    if (n == 0) {
      done->count_down();
    } else {
      self->send(pong, n - 1);
    }
  }};
}

void BM_CafPingPong(benchmark::State& state) {
  Countdown done;
  auto pong = system().spawn(ponger);
  auto ping = system().spawn(pinger, pong, &done);
  for (auto _ : state) {
    done.reset(1);
    caf::anon_send(ping, kPingPongRoundTrips);  // ping starts, pong answers its sender
    done.wait();
  }
  count_ping_pong(state, kPingPongRoundTrips);
  caf::anon_send_exit(ping, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(pong, caf::exit_reason::user_shutdown);
}

caf::behavior counting_worker(caf::event_based_actor*, Countdown* done) {
  return {[done](int last) {
    if (last != 0) done->count_down();
  }};
}

void BM_CafForkJoinThroughput(benchmark::State& state) {
  Countdown done;
  std::vector<caf::actor> workers;
  for (int w = 0; w < kForkJoinWorkers; ++w)
    workers.push_back(system().spawn(counting_worker, &done));
  for (auto _ : state) {
    done.reset(kForkJoinWorkers);
    for (int m = 1; m <= kForkJoinMessages; ++m) {
      for (auto& w : workers) caf::anon_send(w, m == kForkJoinMessages ? 1 : 0);
    }
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * kForkJoinWorkers * kForkJoinMessages);
  for (auto& w : workers) caf::anon_send_exit(w, caf::exit_reason::user_shutdown);
}

caf::behavior one_shot(caf::event_based_actor* self, Countdown* done) {
  return {[self, done](int) {
    done->count_down();
    self->quit();
  }};
}

caf::behavior creator(caf::event_based_actor* self, Countdown* done) {
  return {[self, done](int n) {
    for (int i = 0; i < n; ++i) self->send(self->spawn(one_shot, done), i);
  }};
}

void BM_CafForkJoinCreation(benchmark::State& state) {
  Countdown done;
  auto parent = system().spawn(creator, &done);
  const auto actors = static_cast<int>(state.range(0));
  for (auto _ : state) {
    done.reset(actors);
    caf::anon_send(parent, actors);
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * actors);
  state.SetLabel("items=actors");
  caf::anon_send_exit(parent, caf::exit_reason::user_shutdown);
}

struct Ring {
  std::vector<caf::actor> members;
};

caf::behavior ring_member(caf::event_based_actor* self, std::shared_ptr<Ring> ring,
                          std::size_t next, Countdown* done) {
  return {[self, ring, next, done](int hops) {
    if (hops == 0) {
      done->count_down();
    } else {
      self->send(ring->members[next], hops - 1);
    }
  }};
}

void BM_CafThreadRing(benchmark::State& state) {
  Countdown done;
  auto ring = std::make_shared<Ring>();
  for (int i = 0; i < kRingActors; ++i) {
    ring->members.push_back(
        system().spawn(ring_member, ring, static_cast<std::size_t>((i + 1) % kRingActors), &done));
  }
  for (auto _ : state) {
    done.reset(1);
    caf::anon_send(ring->members[0], kRingHops);
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * kRingHops);
  for (auto& m : ring->members) caf::anon_send_exit(m, caf::exit_reason::user_shutdown);
  ring->members.clear();  // breaks the cycle of handles
}

BENCHMARK(BM_CafPingPong)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_CafForkJoinThroughput)->Unit(benchmark::kMillisecond)->UseRealTime();
// Up to 100 k: CAF 0.17 took 163 s for a million here (6 k actors/s), which
// would hold make bench for minutes; its trend is clear by 100 k.
BENCHMARK(BM_CafForkJoinCreation)
    ->Apply([](benchmark::internal::Benchmark* b) { creation_sizes_up_to(b, 100000); })
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_CafThreadRing)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace troupe::bench

int main(int argc, char** argv) {
  caf::actor_system_config cfg;
  cfg.set("scheduler.max-threads", troupe::bench::kBenchThreads);
  {
    caf::actor_system sys{cfg};
    troupe::bench::g_system = &sys;
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    troupe::bench::g_system = nullptr;
  }
  return 0;
}
