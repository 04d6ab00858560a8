// A pool worker stopped by its supervisor hands its queue to a successor
// (issue 13 item 7). On threads the successor starts running on another
// thread as soon as it is spawned; these tests attack that window.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "troupe/pool.hpp"
#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

constexpr int kHello = -1;

/// Greets itself in pre_start (a common "start ticking" pattern) and fails
/// on every tenth job.
class Greeter : public Actor<int> {
 public:
  Greeter(std::atomic<int>* done, std::atomic<int>* hellos) : done_(done), hellos_(hellos) {}
  void pre_start(Context<int>& ctx) override { (void)ctx.self().tell(kHello); }
  void receive(Context<int>&, int& n) override {
    if (n == kHello) {
      ++*hellos_;
      return;
    }
    if (n % 10 == 9) throw std::runtime_error("bad job");
    ++*done_;
  }

 private:
  std::atomic<int>* done_;
  std::atomic<int>* hellos_;
};

TEST(PoolHandOver, ASuccessorThatTellsItselfInPreStartStillTakesTheWholeQueue) {
  // Before the fix the successor was started before the queue moved in: its
  // own hello could land first, and adopting the queue asserted an empty
  // mailbox (an abort), or put the older messages behind a newer one.
  for (int round = 0; round < 40; ++round) {
    std::atomic<int> done{0};
    std::atomic<int> hellos{0};
    System sys{testing::threads(4, 4)};
    auto props = Props<int>::of<Greeter>(&done, &hellos)
                     .mailbox({.capacity = 64})
                     .restart({.max_restarts = 0, .within = 1s});
    auto pool = Pool<int>::spawn(sys, "p", props, {.min = 1, .max = 1}).value();
    for (int i = 0; i < 60; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
    ASSERT_TRUE(sys.await_quiescence(20s));
    const SystemStats s = sys.stats();
    EXPECT_EQ(done.load(), 54);
    EXPECT_EQ(hellos.load(), 7);  // the first worker and six successors
    EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 6u);
    EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 0u);
    EXPECT_TRUE(s.balanced());
  }
}

TEST(PoolHandOver, AWorkerLeavingOnAShrinkThatItsSupervisorStopsReroutesWhatItHolds) {
  System sys{testing::threads(4)};
  testing::Gate gate;
  std::atomic<int> done{0};
  // Job 1 reaches the second worker first: it holds that worker in its
  // handler until the shrink took the worker out of routing, then fails,
  // and with no restart budget the supervisor stops the worker.
  auto props = Props<int>::from_function([&](Context<int>&, int& n) {
                 if (n == 1) {
                   gate.wait();
                   throw std::runtime_error("fails while draining");
                 }
                 ++done;
               })
                   .mailbox({.capacity = 64})
                   .restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<int>::spawn(sys, "shrinking", props, {.min = 1, .max = 2}).value();
  pool.resize(2);
  ASSERT_TRUE(testing::eventually(sys, [&] { return pool.size() == 2; }));
  for (int i = 0; i < 20; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  pool.resize(1);
  ASSERT_TRUE(testing::eventually(sys, [&] { return pool.size() == 1; }));
  gate.open();
  ASSERT_TRUE(sys.await_quiescence(20s));
  const SystemStats s = sys.stats();
  EXPECT_EQ(done.load(), 19);  // everything but the failed job
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 1u);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 0u);
  EXPECT_TRUE(s.balanced());
}

}  // namespace
}  // namespace troupe
