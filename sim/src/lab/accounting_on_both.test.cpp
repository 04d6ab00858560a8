// The conservation law at its edges, on both schedulers: messages held by
// timers, a pool worker replaced with messages queued, and Terminated
// arriving after the last messages of the actor that stopped.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class Accounting : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5)); }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, Accounting, testing::both_schedulers(), testing::scheduler_name);

struct Arm {
  Duration delay;
};
struct Fire {};
struct CancelAll {};
struct Boom {};
using TimerMsg = std::variant<Arm, Fire, CancelAll, Boom>;

/// Arms a timer per Arm; counts the Fire messages that arrive.
class TimerUser : public Actor<TimerMsg> {
 public:
  explicit TimerUser(std::atomic<int>* fired) : fired_(fired) {}
  void receive(Context<TimerMsg>& ctx, TimerMsg& m) override {
    if (auto* arm = std::get_if<Arm>(&m)) {
      ids_.push_back(ctx.schedule_once(arm->delay, Fire{}));
    } else if (std::holds_alternative<Fire>(m)) {
      ++*fired_;
    } else if (std::holds_alternative<CancelAll>(m)) {
      for (TimerId id : ids_) ctx.cancel_timer(id);
    } else {
      throw std::runtime_error("boom");
    }
  }

 private:
  std::atomic<int>* fired_;
  std::vector<TimerId> ids_;
};

ActorRef<TimerMsg> spawn_timer_user(System& sys, std::atomic<int>& fired) {
  return sys.spawn("timers", Props<TimerMsg>::of<TimerUser>(&fired)).value();
}

TEST_P(Accounting, AMessageInATimerIsSentAndQueuedAndQuiescenceWaitsForIt) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{200ms});
  // Quiescence needs the timer's message handled, not just empty mailboxes.
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(fired.load(), 1);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.scheduled, 0u);
  EXPECT_EQ(s.sent, 2u);
  EXPECT_EQ(s.processed, 2u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(Accounting, APendingTimerIsCountedUntilItFires) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{1h});
  EXPECT_FALSE(sys().await_quiescence(50ms));  // the timer still holds a message
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.scheduled, 1u);
  EXPECT_EQ(s.sent, 2u);
  EXPECT_EQ(s.queued, 1u);
  EXPECT_TRUE(s.balanced());
  sys().shutdown(0ms);  // not the destructor's 10 s wait for the hour-long timer
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::timer_cancelled), 1u);
}

TEST_P(Accounting, ATimerPendingAtShutdownBecomesATimerCancelledDeadLetter) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{1h});
  const ShutdownReport report = sys().shutdown(100ms);
  EXPECT_FALSE(report.deadline_met);
  const SystemStats s = sys().stats();
  EXPECT_EQ(fired.load(), 0);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(Accounting, ATimerThatCanNeverFireDoesNotHoldUpQuiescenceButIsStillCounted) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{Duration::max()});
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(sys().stats().scheduled, 1u);
  EXPECT_TRUE(sys().stats().balanced());
  const ShutdownReport report = sys().shutdown(Duration::max());  // returns: nothing is due
  EXPECT_TRUE(report.deadline_met);
  EXPECT_EQ(fired.load(), 0);
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(Accounting, ATimerDueWithinTheDeadlineIsDeliveredWhileShutdownDrains) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{100ms});
  const ShutdownReport report = sys().shutdown(10s);
  EXPECT_TRUE(report.deadline_met);
  EXPECT_EQ(fired.load(), 1);
  EXPECT_TRUE(sys().stats().balanced());
  EXPECT_EQ(sys().stats().dead_letters(), 0u);
}

TEST_P(Accounting, CancellingATimerOrRestartingCountsItsMessageAsADeadLetter) {
  std::atomic<int> fired{0};
  auto a = spawn_timer_user(sys(), fired);
  (void)a.tell(Arm{1h});
  (void)a.tell(Arm{1h});
  (void)a.tell(CancelAll{});
  (void)a.tell(Arm{1h});
  (void)a.tell(Boom{});  // restart: the fresh instance starts with no timers
  ASSERT_TRUE(sys().await_quiescence(10s));
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 3u);
  EXPECT_EQ(s.scheduled, 0u);
  EXPECT_TRUE(s.balanced());
}

using Job = int;

TEST_P(Accounting, AWorkerStoppedBySupervisionHandsItsQueueToItsReplacement) {
  // One worker, no restarts allowed: each failure stops it, and the pool
  // replaces it. Its queued messages must go to the replacement.
  std::atomic<int> done{0};
  auto props = Props<Job>::from_function([&](Context<Job>&, Job& n) {
                 if (n % 10 == 9) throw std::runtime_error("bad job");
                 ++done;
               })
                   .mailbox({.capacity = 64})
                   .restart({.max_restarts = 0, .within = 1s});
  auto pool = Pool<Job>::spawn(sys(), "p", props, {.min = 1, .max = 1}).value();
  for (Job i = 0; i < 60; ++i) ASSERT_EQ(pool.tell(i), SendResult::accepted);
  ASSERT_TRUE(sys().await_quiescence(20s));
  const SystemStats s = sys().stats();
  EXPECT_EQ(done.load(), 54);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 6u);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::actor_stopped), 0u);
  EXPECT_TRUE(s.balanced());
  EXPECT_EQ(pool.size(), 1u);
}

struct Done {
  int child;
};
struct Go {
  int children;
};
using ParentMsg = std::variant<Go, Done>;

/// Spawns children that each send Done and stop; checks Terminated comes after.
class Parent : public Actor<ParentMsg> {
 public:
  explicit Parent(std::atomic<int>* overtaken, std::atomic<int>* terminated)
      : overtaken_(overtaken), terminated_(terminated) {}
  void receive(Context<ParentMsg>& ctx, ParentMsg& m) override {
    if (auto* d = std::get_if<Done>(&m)) {
      done_.insert(ctx.path() + "/c" + std::to_string(d->child));
      return;
    }
    auto self = ctx.self();
    for (int i = 0; i < std::get<Go>(m).children; ++i) {
      auto child = ctx.spawn(std::string("c").append(std::to_string(i)),
                             Props<int>::from_function([self, i](Context<int>& c, int&) {
                               (void)self.tell(Done{i});
                               c.stop();
                             }))
                       .value();
      ctx.watch(child);
      (void)child.tell(0);
    }
  }
  void on_terminated(Context<ParentMsg>&, const Terminated& t) override {
    ++*terminated_;
    if (done_.count(t.path) == 0) ++*overtaken_;
  }

 private:
  std::atomic<int>* overtaken_;
  std::atomic<int>* terminated_;
  std::set<std::string> done_;
};

TEST_P(Accounting, TerminatedNeverOvertakesTheStoppedActorsLastMessages) {
  std::atomic<int> overtaken{0};
  std::atomic<int> terminated{0};
  auto parent =
      sys().spawn("parent", Props<ParentMsg>::of<Parent>(&overtaken, &terminated)).value();
  (void)parent.tell(Go{500});
  ASSERT_TRUE(sys().await_quiescence(30s));
  EXPECT_EQ(terminated.load(), 500);
  EXPECT_EQ(overtaken.load(), 0);
}

}  // namespace
}  // namespace troupe
