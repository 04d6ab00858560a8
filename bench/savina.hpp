// The sizes of the Savina-style workloads (Imam and Sarkar, 2014), shared by
// the troupe suites and the peer baselines so that both sides run the same
// counts; and the two worlds a troupe workload runs in (real threads, or the
// simulator on one core).
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "completion.hpp"
#include "ping_pong_count.hpp"
#include "troupe/sim/simulation.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {

inline constexpr int kPingPongRoundTrips = 40000;  // 80,000 messages
inline constexpr int kCountingMessages = 100000;
inline constexpr int kForkJoinWorkers = 8;
inline constexpr int kForkJoinMessages = 10000;  // per worker
/// Fork-join creation at 1 k to 1 M actors: flat if an actor's cost does
/// not grow with how many exist.
inline void creation_sizes_up_to(benchmark::internal::Benchmark* b, int most) {
  b->ArgName("actors");
  for (int actors = 1000; actors <= most; actors *= 10) b->Arg(actors);
}
inline void creation_sizes(benchmark::internal::Benchmark* b) {
  creation_sizes_up_to(b, 1000000);
}
inline constexpr int kRingActors = 100;
inline constexpr int kRingHops = 100000;
inline constexpr int kChameneosCreatures = 8;
inline constexpr int kChameneosMeetings = 20000;
inline constexpr int kBigActors = 64;
inline constexpr int kBigPings = 500;  // per actor
inline constexpr int kSupervisionMessages = 20000;
inline constexpr int kSupervisionCrashEvery = 100;
/// Worker threads on both sides of a troupe/peer comparison.
inline constexpr std::size_t kBenchThreads = 2;

/// The settings both sides of a comparison share, in every suite's output
/// (the context block of the console and of the JSON).
inline const bool kSettingsInContext = [] {
  const std::pair<const char*, int> settings[] = {
      {"scheduler_threads", static_cast<int>(kBenchThreads)},
      {"message_bytes", static_cast<int>(sizeof(int))},
      {"ping_pong_round_trips", kPingPongRoundTrips},
      {"fork_join_workers", kForkJoinWorkers},
      {"fork_join_messages_per_worker", kForkJoinMessages},
      {"ring_actors", kRingActors},
      {"ring_hops", kRingHops}};
  for (const auto& [name, value] : settings)
    benchmark::AddCustomContext(name, std::to_string(value));
  return true;
}();

/// A troupe system on real threads; the benchmark thread waits for `done`.
class ThreadWorld {
 public:
  static constexpr const char* kName = "threads";
  ThreadWorld()
      : sys_(std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = kBenchThreads})) {
  }
  System& system() { return sys_; }
  void expect(std::int64_t n) { done_.reset(n); }
  void finished() { done_.count_down(); }
  void wait() { done_.wait(); }

 private:
  System sys_;
  Countdown done_;
};

/// A troupe system under the simulator: wait() runs it until done.
class SimWorld {
 public:
  static constexpr const char* kName = "sim";
  System& system() { return sim_.system(); }
  void expect(std::int64_t n) { remaining_ = n; }
  void finished() { --remaining_; }
  void wait() {
    sim_.run_until([this] { return remaining_ <= 0; });
  }

 private:
  sim::Simulation sim_{{.seed = 1}, {}, 0};
  std::int64_t remaining_ = 0;
};

}  // namespace troupe::bench
