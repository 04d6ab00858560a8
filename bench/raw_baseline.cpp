// The baselines: what the same ping-pong and fan-out cost with plain
// std::threads and mutex-and-condition-variable queues (no runtime), and on
// a minimal single-threaded actor runtime (the simulator's floor).
// Same counts as the troupe suites (bench/savina.hpp).
#include <benchmark/benchmark.h>

#include <condition_variable>
#include <deque>
#include <memory>
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
    to_pong.push(kPingPongRoundTrips);
    for (;;) {
      const int n = to_ping.pop();
      if (n <= 0) break;
      to_pong.push(n - 1);
    }
    pong.join();
  }
  count_ping_pong(state, kPingPongRoundTrips);
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

/// The floor under the simulator: a minimal single-threaded actor runtime.
/// Each delivery allocates its message, queues it in a mailbox, queues the
/// actor on a ready list and makes a virtual call; nothing else (no events,
/// hashing, strategy, accounting or supervision). The distance from the
/// simulator to this is what the simulator's bookkeeping costs.
class MiniRuntime;

class MiniActor {
 public:
  virtual ~MiniActor() = default;
  virtual void receive(MiniRuntime& rt, int n) = 0;

 private:
  friend class MiniRuntime;
  std::deque<std::unique_ptr<int>> mailbox_;
  bool ready_ = false;
};

class MiniRuntime {
 public:
  void tell(MiniActor& to, int n) {
    to.mailbox_.push_back(std::make_unique<int>(n));
    if (!to.ready_) {
      to.ready_ = true;
      ready_.push_back(&to);
    }
  }
  void run() {
    while (!ready_.empty()) {
      MiniActor* actor = ready_.front();
      ready_.pop_front();
      const std::unique_ptr<int> message = std::move(actor->mailbox_.front());
      actor->mailbox_.pop_front();
      actor->receive(*this, *message);
      if (actor->mailbox_.empty()) {
        actor->ready_ = false;
      } else {
        ready_.push_back(actor);
      }
    }
  }

 private:
  std::deque<MiniActor*> ready_;
};

struct MiniPing final : MiniActor {
  MiniActor* pong = nullptr;
  void receive(MiniRuntime& rt, int n) override {
    if (n > 0) rt.tell(*pong, n - 1);
  }
};

struct MiniPong final : MiniActor {
  MiniActor* ping = nullptr;
  void receive(MiniRuntime& rt, int n) override { rt.tell(*ping, n); }
};

struct MiniWorker final : MiniActor {
  std::int64_t handled = 0;
  void receive(MiniRuntime&, int) override { ++handled; }
};

void BM_MinimalRuntimePingPong(benchmark::State& state) {
  MiniRuntime rt;
  MiniPing ping;
  MiniPong pong;
  ping.pong = &pong;
  pong.ping = &ping;
  for (auto _ : state) {
    rt.tell(ping, kPingPongRoundTrips);
    rt.run();
  }
  count_ping_pong(state, kPingPongRoundTrips);
}
BENCHMARK(BM_MinimalRuntimePingPong)->Unit(benchmark::kMillisecond);

void BM_MinimalRuntimeFanOut(benchmark::State& state) {
  MiniRuntime rt;
  std::vector<MiniWorker> workers(kForkJoinWorkers);
  for (auto _ : state) {
    for (int m = 0; m < kForkJoinMessages; ++m) {
      for (auto& w : workers) rt.tell(w, m);
    }
    rt.run();
  }
  std::int64_t handled = 0;
  for (const auto& w : workers) handled += w.handled;
  benchmark::DoNotOptimize(handled);
  state.SetItemsProcessed(state.iterations() * kForkJoinWorkers * kForkJoinMessages);
}
BENCHMARK(BM_MinimalRuntimeFanOut)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
