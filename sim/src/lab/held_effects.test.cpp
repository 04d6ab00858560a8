// What a handler does after Context::work is held until the work ends. Held
// effects must keep the guarantees immediate ones have: messages from one
// sender to one receiver arrive in the order they were sent, and a watcher
// sees every message the stopped actor sent it before its Terminated.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <vector>

#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<Scheduler> random_sim(std::uint64_t seed) {
  return std::make_unique<sim::SimScheduler>(
      sim::SimSettings{.seed = seed, .strategy = sim::Strategy::random});
}

TEST(HeldEffects, TwoSendsAfterOneWorkArriveInOrder) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    System system{random_sim(seed)};
    std::vector<int> got;
    auto sink =
        system
            .spawn("sink",
                   Props<int>::from_function([&](Context<int>&, int& m) { got.push_back(m); }))
            .value();
    auto sender = system
                      .spawn("sender", Props<int>::from_function([sink](Context<int>& ctx, int&) {
                               ctx.work(10ms);
                               for (int i = 0; i < 4; ++i) (void)sink.tell(i);
                             }))
                      .value();
    (void)sender.tell(0);
    ASSERT_TRUE(system.await_quiescence(10s));
    ASSERT_EQ(got, (std::vector<int>{0, 1, 2, 3})) << "seed " << seed;
    EXPECT_TRUE(system.stats().balanced());
  }
}

TEST(HeldEffects, AHeldSendArrivesBeforeTheSendersNextImmediateSend) {
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    System system{random_sim(seed)};
    std::vector<int> got;
    auto sink =
        system
            .spawn("sink",
                   Props<int>::from_function([&](Context<int>&, int& m) { got.push_back(m); }))
            .value();
    auto sender = system
                      .spawn("sender", Props<int>::from_function([sink](Context<int>& ctx, int& m) {
                               if (m == 1) ctx.work(10ms);  // the first message works, then sends
                               (void)sink.tell(m);
                             }))
                      .value();
    (void)sender.tell(1);
    (void)sender.tell(2);
    ASSERT_TRUE(system.await_quiescence(10s));
    ASSERT_EQ(got, (std::vector<int>{1, 2})) << "seed " << seed;
  }
}

TEST(HeldEffects, AWatcherSeesAHeldMessageBeforeTheSendersTerminated) {
  struct Watcher : Actor<int> {
    std::vector<std::string>* seen;
    explicit Watcher(std::vector<std::string>* s) : seen(s) {}
    void pre_start(Context<int>& ctx) override {
      auto me = ctx.self();
      auto worker = ctx.spawn("worker", Props<int>::from_function([me](Context<int>& c, int&) {
                                c.work(10ms);
                                (void)me.tell(1);
                                c.stop();
                              }))
                        .value();
      ctx.watch(worker);
      (void)worker.tell(0);
    }
    void receive(Context<int>&, int&) override { seen->push_back("message"); }
    void on_terminated(Context<int>&, const Terminated&) override { seen->push_back("terminated"); }
  };
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    System system{random_sim(seed)};
    std::vector<std::string> seen;
    auto watcher = system.spawn("watcher", Props<int>::of<Watcher>(&seen)).value();
    (void)watcher;
    ASSERT_TRUE(system.await_quiescence(10s));
    ASSERT_EQ(seen, (std::vector<std::string>{"message", "terminated"})) << "seed " << seed;
    EXPECT_TRUE(system.stats().balanced());
  }
}

TEST(HeldEffects, APoolTellAfterWorkArrivesWhenTheWorkEnds) {
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    System system{random_sim(seed)};
    std::vector<std::int64_t> arrived_at;
    auto pool =
        Pool<int>::spawn(system, "pool", Props<int>::from_function([&](Context<int>& ctx, int&) {
                           arrived_at.push_back(ctx.now().time_since_epoch().count());
                         }),
                         {.min = 2, .max = 2})
            .value();
    auto sender = system
                      .spawn("sender", Props<int>::from_function([pool](Context<int>& ctx, int&) {
                               ctx.work(10ms);
                               (void)pool.tell(1);
                             }))
                      .value();
    (void)sender.tell(0);
    ASSERT_TRUE(system.await_quiescence(10s));
    ASSERT_EQ(arrived_at.size(), 1u);
    EXPECT_GE(arrived_at[0], std::chrono::nanoseconds(10ms).count()) << "seed " << seed;
    EXPECT_TRUE(system.stats().balanced());
    EXPECT_TRUE(system.shutdown(5s).deadline_met);
  }
}

}  // namespace
}  // namespace troupe
