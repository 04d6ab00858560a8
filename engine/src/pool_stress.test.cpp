// Pool tells racing the pool's own churn: resizes between 1 and 64 workers
// and workers stopped by supervision and replaced. Every tell must touch
// only live workers (ASan and TSan builds run this too) and every message
// must be accounted for.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "troupe/pool.hpp"
#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

TEST(PoolStress, TellsRacingResizesAndReplacementsTouchNoFreedWorkerAndLoseNothing) {
  System sys{testing::threads(4)};
  // Capacity 1 makes refusals (the path that touched a freed worker)
  // frequent; a failure on every 7th message with no restart budget makes
  // the supervisor stop and replace workers all the time.
  std::atomic<std::uint64_t> handled{0};
  auto props = Props<int>::from_function([&](Context<int>&, int&) {
                 if (++handled % 7 == 0) throw std::runtime_error("seventh");
               })
                   .mailbox({.capacity = 1})
                   .restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<int>::spawn(sys, "churn", props, {.min = 1, .max = 64}).value();

  constexpr int kSenders = 8;
  std::atomic<std::uint64_t> tells{0};
  std::atomic<bool> sending{true};
  std::thread resizer([&] {
    std::size_t n = 1;
    while (sending.load()) {
      pool.resize(n);
      n = n == 64 ? 1 : 64;
      std::this_thread::sleep_for(200us);
    }
  });
  std::vector<std::thread> senders;
  for (int t = 0; t < kSenders; ++t) {
    senders.emplace_back([&] {
      // For a bounded time, yielding between tells so that the workers get
      // to run (and fail, and be replaced) while the tells go on.
      const auto until = std::chrono::steady_clock::now() + 400ms;
      for (int i = 0; std::chrono::steady_clock::now() < until; ++i) {
        (void)pool.tell(i);
        ++tells;
        std::this_thread::yield();
      }
    });
  }
  for (auto& s : senders) s.join();
  sending = false;
  resizer.join();

  ASSERT_TRUE(sys.await_quiescence(60s));
  const SystemStats s = sys.stats();
  EXPECT_EQ(s.sent, tells.load());
  EXPECT_TRUE(s.balanced()) << "sent " << s.sent << " processed " << s.processed << " dead "
                            << s.dead_letters() << " queued " << s.queued;
  EXPECT_GT(s.dead_letters(DeadLetterReason::handler_failed), 0u)
      << "processed " << s.processed << " full " << s.dead_letters(DeadLetterReason::mailbox_full)
      << " stopped " << s.dead_letters(DeadLetterReason::actor_stopped) << " no workers "
      << s.dead_letters(DeadLetterReason::no_workers);
  const ShutdownReport report = sys.shutdown(30s);
  EXPECT_TRUE(report.deadline_met);
  EXPECT_TRUE(sys.stats().balanced());
}

TEST(PoolStress, AFloodOfResizesNeverSilencesTheAutoscaler) {
  System sys{testing::threads(2)};
  auto props = Props<int>::from_function([](Context<int>&, int&) {
                 std::this_thread::sleep_for(1ms);  // slow work keeps the workers pressed
               }).mailbox({.capacity = 1000});
  auto pool = Pool<int>::spawn(sys, "scaled", props, {.min = 1, .max = 8}).value();
  pool.autoscale({.interval = 5ms,
                  .high_threshold = 4,
                  .low_threshold = 1,
                  .scale_up_step = 1,
                  .scale_down_step = 1,
                  .cooldown = 1ms});
  // Half a second of resizes from two threads: each used to be a message in
  // the manager's mailbox, where an autoscaler tick then found no room and
  // was lost for good.
  std::vector<std::thread> flooders;
  for (int t = 0; t < 2; ++t) {
    flooders.emplace_back([&] {
      const auto until = std::chrono::steady_clock::now() + 500ms;
      while (std::chrono::steady_clock::now() < until) pool.resize(1);
    });
  }
  for (auto& f : flooders) f.join();
  const std::size_t decisions_before = pool.decisions().size();
  for (int i = 0; i < 400; ++i) (void)pool.tell(i);
  const bool grew = testing::eventually(
      sys,
      [&] {
        const auto d = pool.decisions();
        for (std::size_t i = decisions_before; i < d.size(); ++i) {
          if (d[i].to > d[i].from) return true;
        }
        return false;
      },
      20s);
  EXPECT_TRUE(grew) << "the autoscaler made no decision after the flood";
  pool.stop_autoscaler();
  ASSERT_TRUE(sys.await_quiescence(30s));
  EXPECT_TRUE(sys.stats().balanced());
}

}  // namespace
}  // namespace troupe
