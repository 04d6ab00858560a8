#include "troupe/thread_scheduler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <ctime>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "troupe/testing/test_support.hpp"

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
                                  if (v == 0) (void)other.tell(1);
                                  ++flood_done;
                                }).mailbox({.capacity = 100000}))
                  .value();
  for (int i = 0; i < 20000; ++i) (void)busy.tell(i);
  ASSERT_TRUE(sys.await_quiescence(30s));
  ASSERT_GE(flood_at_other.load(), 0);
  EXPECT_LT(flood_at_other.load(), 1000);
}

TEST(ThreadScheduler, WorkQueuedInsideALongActivationRunsOnAnIdleWorker) {
  // A tell from inside an activation stays on that worker without waking a
  // peer; the sleeping peer must still find it while the handler runs on.
  System sys{std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.threads = 2})};
  std::atomic<bool> handled{false};
  auto quick =
      sys.spawn("quick", Props<int>::from_function([&](Context<int>&, int&) { handled = true; }))
          .value();
  std::atomic<bool> seen_while_busy{false};
  auto slow = sys.spawn("slow", Props<int>::from_function([&](Context<int>&, int&) {
                          (void)quick.tell(1);
                          const auto until = std::chrono::steady_clock::now() + 5s;
                          while (!handled && std::chrono::steady_clock::now() < until) {
                            std::this_thread::yield();
                          }
                          seen_while_busy = handled.load();
                        }))
                  .value();
  for (int round = 0; round < 20; ++round) {
    handled = false;
    std::this_thread::sleep_for(20ms);  // both workers asleep
    (void)slow.tell(round);
    ASSERT_TRUE(sys.await_quiescence(10s));
    ASSERT_TRUE(seen_while_busy.load()) << "round " << round << ": waited for the slow handler";
  }
}

TEST(ThreadScheduler, AnIdleSchedulerUsesNoCpu) {
  ThreadScheduler s{{.threads = 4}};
  std::this_thread::sleep_for(20ms);  // let the workers go to sleep
  const std::clock_t before = std::clock();
  std::this_thread::sleep_for(300ms);
  const double cpu_seconds = static_cast<double>(std::clock() - before) / CLOCKS_PER_SEC;
  EXPECT_LT(cpu_seconds, 0.03) << "workers are spinning while idle";
}

TEST(ThreadScheduler, ATimerCallbackTellingAFullBlockingMailboxDoesNotDelayOtherTimers) {
  testing::Gate gate;  // declared first: outlives the system whose handler waits on it
  std::atomic<bool> entered{false};
  System sys{testing::threads()};
  auto held =
      sys.spawn("held",
                Props<int>::from_function([&](Context<int>&, int&) {
                  entered = true;
                  gate.wait();
                }).mailbox({.capacity = 1, .overflow = Overflow::block, .block_timeout = 3s}))
          .value();
  (void)held.tell(1);
  ASSERT_TRUE(testing::eventually(sys, [&] { return entered.load(); }));
  ASSERT_EQ(held.tell(2), SendResult::accepted);  // the mailbox is full now

  auto& scheduler = sys.scheduler();
  std::atomic<int> told_from_timer{-1};
  std::atomic<std::int64_t> late_ns{-1};
  scheduler.after(0ms, [&] { told_from_timer = static_cast<int>(held.tell(3)); });
  const TimePoint due = scheduler.now() + 50ms;
  scheduler.after(50ms, [&] { late_ns = (scheduler.now() - due).count(); });
  ASSERT_TRUE(testing::eventually(sys, [&] { return late_ns.load() >= 0; }));
  EXPECT_LT(late_ns.load(), std::chrono::nanoseconds(500ms).count());
  // Like a tell from inside the system: refused at once, a counted dead letter.
  EXPECT_EQ(told_from_timer.load(), static_cast<int>(SendResult::mailbox_full));
  EXPECT_EQ(sys.stats().dead_letters(DeadLetterReason::mailbox_full), 1u);
  gate.open();
  EXPECT_TRUE(sys.await_quiescence(10s));
}

TEST(ThreadScheduler, ABlockingWaitInATimerCallbackThrowsAndOtherTimersStillRun) {
  System sys{testing::threads()};
  std::mutex mu;
  std::string error;
  std::atomic<bool> first_done{false};
  std::atomic<bool> later_ran{false};
  auto& scheduler = sys.scheduler();
  scheduler.after(0ms, [&] {
    try {
      sys.await_quiescence(1s);
    } catch (const std::logic_error& e) {
      std::lock_guard lock(mu);
      error = e.what();
    }
    first_done = true;
  });
  // Not caught by the callback: the timer thread survives it.
  scheduler.after(1ms, [&] { scheduler.wait_until([] { return true; }, TimePoint::max()); });
  scheduler.after(20ms, [&] { later_ran = true; });
  ASSERT_TRUE(testing::eventually(sys, [&] { return first_done.load() && later_ran.load(); }));
  std::lock_guard lock(mu);
  EXPECT_NE(error.find("timer callback"), std::string::npos) << error;
}

// Stands for a handler that does not return until the test says so.
struct Blocker final : Resumable {
  std::shared_future<void> released;
  std::atomic<bool> entered{false};
  ResumeResult resume(std::size_t) override {
    entered = true;
    released.wait();
    return ResumeResult::done;
  }
  ResumableInfo info() const override { return ResumableInfo{1, "/blocker", {}}; }
  std::uint64_t messages_handled() const override { return 0; }
};

TEST(ThreadScheduler, StopLeavesAThreadStuckInAnActivationRunningInsteadOfHanging) {
  std::promise<void> release;
  Blocker blocker;
  blocker.released = release.get_future().share();
  {
    ThreadScheduler s{{.threads = 1, .stop_grace = 100ms}};
    s.schedule(blocker);
    for (int i = 0; i < 1000 && !blocker.entered.load(); ++i) std::this_thread::sleep_for(1ms);
    ASSERT_TRUE(blocker.entered.load());
    EXPECT_TRUE(s.running_activations());
    const auto began = std::chrono::steady_clock::now();
    s.stop();
    EXPECT_LT(std::chrono::steady_clock::now() - began, 2s);
    EXPECT_EQ(s.detached_threads(), 1u);
    release.set_value();
  }  // the destructor waits for the detached thread: it still uses the scheduler
}

}  // namespace
}  // namespace troupe
