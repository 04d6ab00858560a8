#include "engine/thread_scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/test_support.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

TEST(ThreadScheduler, DefaultsToHardwareConcurrency) {
  ThreadScheduler s;
  EXPECT_EQ(s.worker_count(), std::max(1u, std::thread::hardware_concurrency()));
}

TEST(ThreadScheduler, TimersFireInDueOrderAndCancelledOnesNever) {
  ThreadScheduler s{{.threads = 1}};
  std::mutex mu;
  std::vector<int> order;
  auto record = [&](int v) {
    return [&, v] {
      std::lock_guard lock(mu);
      order.push_back(v);
    };
  };
  s.after(30ms, record(3));
  s.after(10ms, record(1));
  const auto cancelled = s.after(20ms, record(99));
  s.after(20ms, record(2));
  EXPECT_TRUE(s.cancel(cancelled));
  EXPECT_FALSE(s.cancel(cancelled));
  EXPECT_TRUE(s.wait_until(
      [&] {
        std::lock_guard lock(mu);
        return order.size() == 3;
      },
      s.now() + 5s));
  std::lock_guard lock(mu);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(ThreadScheduler, WaitUntilReturnsFalseAtTheDeadline) {
  ThreadScheduler s{{.threads = 1}};
  const auto start = s.now();
  EXPECT_FALSE(s.wait_until([] { return false; }, start + 20ms));
  EXPECT_GE(s.now() - start, Duration(20ms));
}

TEST(ThreadScheduler, RandomDoesNotRepeat) {
  ThreadScheduler s{{.threads = 1, .seed = 5}};
  EXPECT_NE(s.random(), s.random());
}

TEST(ThreadScheduler, OneBusyActorDoesNotStarveAnother) {
  // One worker, quota 4: the flooded actor yields after every 4 messages, so
  // the other actor's single message is handled long before the flood ends.
  std::atomic<int> flood_done{0};
  std::atomic<int> flood_at_other{-1};
  System sys{
      std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 1, .throughput = 4})};
  auto other = sys.spawn("other", Props<int>::from_function([&](Context<int>&, int&) {
                           flood_at_other = flood_done.load();
                         }))
                   .value();
  auto busy = sys.spawn("busy", Props<int>::from_function([&](Context<int>&, int& v) {
                                  if (v == 0) other.tell(1);
                                  ++flood_done;
                                }).mailbox({.capacity = 100000}))
                  .value();
  for (int i = 0; i < 20000; ++i) busy.tell(i);
  ASSERT_TRUE(sys.await_quiescence(30s));
  ASSERT_GE(flood_at_other.load(), 0);
  EXPECT_LT(flood_at_other.load(), 1000);
}

TEST(ThreadScheduler, AnIdleSchedulerUsesNoCpu) {
  ThreadScheduler s{{.threads = 4}};
  std::this_thread::sleep_for(20ms);  // let the workers go to sleep
  const std::clock_t before = std::clock();
  std::this_thread::sleep_for(300ms);
  const double cpu_seconds = static_cast<double>(std::clock() - before) / CLOCKS_PER_SEC;
  EXPECT_LT(cpu_seconds, 0.03) << "workers are spinning while idle";
}

}  // namespace
}  // namespace troupe
