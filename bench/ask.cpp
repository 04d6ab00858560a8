// The cost of an ask round trip beside a tell ping-pong, on the
// ThreadScheduler: the same echo server answers a request through its
// ReplyTo either way. Tell: the client's own ref is the ReplyTo. Ask: each
// round trip is a ctx.ask (an ask state, a timeout timer armed and
// cancelled, the outcome mapped to the client's message). Outside: a
// blocking ask(...).get() per round trip from a non-actor thread.
#include <benchmark/benchmark.h>

#include "completion.hpp"
#include "troupe/troupe.hpp"

namespace troupe::bench {
namespace {

using namespace std::chrono_literals;

constexpr int kRoundTrips = 5000;

struct Echo {
  int n;
  ReplyTo<int> reply_to;
};

Props<Echo> echo_server() {
  return Props<Echo>::from_function([](Context<Echo>&, Echo& e) { (void)e.reply_to.tell(e.n); });
}

/// Counts down from n: tell (its own ref is the ReplyTo) or ctx.ask.
Props<int> client(ActorRef<Echo> server, Countdown& done, bool asking) {
  return Props<int>::from_function([server, &done, asking](Context<int>& ctx, int& n) {
    if (n == 0) {
      done.count_down();
    } else if (!asking) {
      (void)server.tell(Echo{n - 1, ctx.self()});
    } else {
      ctx.ask<int>(
          server,
          [n](ReplyTo<int> to) {
            return Echo{n - 1, to};
          },
          10s, [](AskResult<int> r) { return r.ok() ? r.value() : 0; });
    }
  });
}

void BM_RoundTrip(benchmark::State& state) {
  const bool asking = state.range(0) != 0;
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
  auto server = sys.spawn("echo", echo_server()).value();
  Countdown done;
  auto c = sys.spawn("client", client(server, done, asking)).value();
  for (auto _ : state) {
    done.reset(1);
    (void)c.tell(kRoundTrips);
    done.wait();
  }
  state.SetItemsProcessed(state.iterations() * kRoundTrips);
  state.SetLabel(asking ? "ctx.ask" : "tell");
  (void)sys.shutdown(5s);
}
BENCHMARK(BM_RoundTrip)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("ask")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void BM_OutsideAskGet(benchmark::State& state) {
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
  auto server = sys.spawn("echo", echo_server()).value();
  int sum = 0;
  for (auto _ : state) {
    sum += ask<int>(
               server,
               [](ReplyTo<int> to) {
                 return Echo{1, to};
               },
               10s)
               .get()
               .value();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations());
  (void)sys.shutdown(5s);
}
BENCHMARK(BM_OutsideAskGet)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace troupe::bench

BENCHMARK_MAIN();
