#include "engine/detail/compact_mutex.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
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

}  // namespace
}  // namespace troupe::detail
