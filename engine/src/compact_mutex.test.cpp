#include "troupe/detail/compact_mutex.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace troupe::detail {
namespace {

TEST(CompactMutex, TryLockFailsWhileHeldAndSucceedsAfter) {
  CompactMutex mu;
  ASSERT_TRUE(mu.try_lock());
  EXPECT_FALSE(mu.try_lock());
  mu.unlock();
  EXPECT_TRUE(mu.try_lock());
  mu.unlock();
}

TEST(CompactMutex, KeepsIncrementsFromManyThreadsApart) {
  // A plain counter, deliberately not atomic: only the lock keeps it right
  // (and ThreadSanitizer reports a race if the lock fails to order them).
  CompactMutex mu;
  std::uint64_t counter = 0;
  constexpr int kThreads = 4;
  constexpr int kEach = 100000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kEach; ++i) {
        std::lock_guard lock(mu);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, std::uint64_t{kThreads} * kEach);
}

TEST(CompactMutex, WakesAWaiterThatWentToSleep) {
  // The holder keeps the lock far longer than the spin, so the waiter must
  // sleep and be woken by the unlock.
  CompactMutex mu;
  std::atomic<bool> waiting{false};
  std::atomic<bool> acquired{false};
  mu.lock();
  std::thread waiter([&] {
    waiting = true;
    std::unique_lock lock(mu);
    acquired = true;
  });
  while (!waiting) std::this_thread::yield();
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(acquired.load());
  mu.unlock();
  waiter.join();
  EXPECT_TRUE(acquired.load());
}

#if defined(__SANITIZE_THREAD__)
// The lock is annotated for ThreadSanitizer, which therefore checks the
// order in which cell locks are taken, as it does for std::mutex. Taking
// two in both orders must be reported (exit code 66), though it never
// deadlocks here.
TEST(CompactMutexDeathTest, ThreadSanitizerReportsAnInvertedLockOrder) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(
      {
        CompactMutex a;
        CompactMutex b;
        std::thread([&] {
          std::lock_guard first(a);
          std::lock_guard second(b);
        }).join();
        std::thread([&] {
          std::lock_guard first(b);
          std::lock_guard second(a);
        }).join();
        std::exit(0);
      },
      ::testing::ExitedWithCode(66), "lock-order-inversion");
}
#endif

}  // namespace
}  // namespace troupe::detail
