// Named, repeating and receive-timeout timers on both schedulers, with the
// same actor code: ticks in virtual time, replacement by name, cancellation
// (also of a message already queued), the receive timeout after idleness and
// its reset by traffic, the edges of the intervals, restarts, and a draining
// shutdown with a repeating timer running. Each test checks the conservation
// law and explicit counts.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/testing/test_support.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::eventually;
using testing::On;

struct T {
  enum Kind { tick, start, single, cancel, idle, ping, boom, arm_and_work } kind;
  int n = 0;
  Duration d{};
};

/// What the actor saw, shared with the test.
struct Seen {
  std::mutex mu;
  std::vector<std::pair<T::Kind, TimePoint>> messages;
  std::vector<std::string> errors;
  std::atomic<int> ticks{0};
  std::atomic<int> idles{0};
  void add(T::Kind kind, TimePoint at) {
    std::lock_guard lock(mu);
    messages.emplace_back(kind, at);
  }
  TimePoint last(T::Kind kind) {
    std::lock_guard lock(mu);
    for (auto it = messages.rbegin(); it != messages.rend(); ++it) {
      if (it->first == kind) return it->second;
    }
    return TimePoint{};
  }
};

/// Runs timer commands; counts ticks and idles; cancels "tick" at `stop_after` ticks.
class Timed : public Actor<T> {
 public:
  Timed(Seen* seen, int stop_after) : seen_(seen), stop_after_(stop_after) {}
  void receive(Context<T>& ctx, T& m) override {
    seen_->add(m.kind, ctx.now());
    try {
      switch (m.kind) {
        case T::tick:
          if (++seen_->ticks == stop_after_) ctx.cancel_timer("tick");
          break;
        case T::start:
          ctx.start_timer("tick", m.d, T{T::tick});
          break;
        case T::single:
          ctx.start_single_timer("once", m.d, T{T::tick, m.n});
          break;
        case T::cancel:
          ctx.cancel_timer("once");
          ctx.cancel_timer("tick");
          break;
        case T::idle:
          ++seen_->idles;
          break;
        case T::ping:
          if (m.n > 0) ctx.schedule_once(m.d, T{T::ping, m.n - 1, m.d});
          break;
        case T::arm_and_work:
          ctx.start_single_timer("once", 0ms, T{T::tick});
          ctx.work(20ms);  // the timer fires meanwhile: its message queues behind `cancel`
          break;
        case T::boom:
          throw std::runtime_error("boom");
      }
    } catch (const std::invalid_argument& e) {
      std::lock_guard lock(seen_->mu);
      seen_->errors.emplace_back(e.what());
    }
  }

 private:
  Seen* seen_;
  int stop_after_;
};

/// Timed, with a receive timeout set in pre_start.
class Idler : public Timed {
 public:
  Idler(Seen* seen, Duration timeout) : Timed(seen, 0), timeout_(timeout) {}
  void pre_start(Context<T>& ctx) override { ctx.set_receive_timeout(timeout_, T{T::idle}); }

 private:
  Duration timeout_;
};

class TimersOnBoth : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override { sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 9)); }
  void TearDown() override { sys_.reset(); }
  System& sys() { return *sys_; }
  bool simulated() const { return GetParam() == On::simulator; }
  /// Lets `time` pass on the system's clock (virtual in the simulator).
  void pass(Duration time) {
    const TimePoint until = sys().now() + time;
    sys().scheduler().wait_until([&] { return sys().now() >= until; }, until);
  }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, TimersOnBoth, testing::both_schedulers(), testing::scheduler_name);

TEST_P(TimersOnBoth, ARepeatingTimerTicksUntilCancelled) {
  Seen seen;
  auto a = sys().spawn("timed", Props<T>::of<Timed>(&seen, 5)).value();
  const TimePoint start = sys().now();
  (void)a.tell(T{T::start, 0, 10ms});
  ASSERT_TRUE(eventually(sys(), [&] { return seen.ticks.load() == 5; }));
  const Duration took = seen.last(T::tick) - start;
  if (simulated()) {
    EXPECT_EQ(took, 50ms);  // fixed delay, exact in virtual time
  } else {
    EXPECT_GE(took, 50ms);
  }
  pass(50ms);
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(seen.ticks.load(), 5);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 1u);  // the next tick, held
  EXPECT_EQ(s.scheduled, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(TimersOnBoth, StartingANamedTimerAgainReplacesIt) {
  Seen seen;
  auto a = sys().spawn("timed", Props<T>::of<Timed>(&seen, 0)).value();
  (void)a.tell(T{T::single, 1, 1h});
  (void)a.tell(T{T::single, 2, 10ms});  // replaces the hour-long one
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(seen.ticks.load(), 1);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_EQ(s.scheduled, 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(TimersOnBoth, ACancelledTimersMessageIsNeverHandledEvenWhenAlreadyQueued) {
  Seen seen;
  auto a = sys().spawn("timed", Props<T>::of<Timed>(&seen, 0)).value();
  (void)a.tell(T{T::arm_and_work});
  (void)a.tell(T{T::cancel});  // handled after the timer put its message behind it
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(seen.ticks.load(), 0);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(TimersOnBoth, TimerActiveUntilItsMessageIsTakenAndCancelReportsIt) {
  struct Probe : Actor<T> {
    explicit Probe(std::vector<int>* out) : out_(out) {}
    void pre_start(Context<T>& ctx) override {
      out_->push_back(ctx.timer_active("x"));
      ctx.start_single_timer("x", 10ms, T{T::tick});
      out_->push_back(ctx.timer_active("x"));
    }
    void receive(Context<T>& ctx, T&) override {
      out_->push_back(ctx.timer_active("x"));
      out_->push_back(ctx.cancel_timer("x"));
    }
    std::vector<int>* out_;
  };
  std::vector<int> out;
  sys().spawn("probe", Props<T>::of<Probe>(&out)).value();
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(out, (std::vector<int>{0, 1, 0, 0}));
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(TimersOnBoth, AReceiveTimeoutFiresAfterIdlenessOnce) {
  Seen seen;
  auto a = sys().spawn("idler", Props<T>::of<Idler>(&seen, 100ms)).value();
  const TimePoint start = sys().now();
  ASSERT_TRUE(eventually(sys(), [&] { return seen.idles.load() == 1; }));
  if (simulated()) {
    EXPECT_EQ(seen.last(T::idle) - start, 100ms);
  }
  pass(300ms);  // the timeout message itself re-arms nothing
  EXPECT_EQ(seen.idles.load(), 1);
  (void)a.tell(T{T::ping});
  ASSERT_TRUE(eventually(sys(), [&] { return seen.idles.load() == 2; }));
  EXPECT_GE(seen.last(T::idle) - seen.last(T::ping), 100ms);
  sys().shutdown(10s);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 0u);
  EXPECT_TRUE(s.balanced());
}

TEST_P(TimersOnBoth, TrafficResetsTheReceiveTimeout) {
  Seen seen;
  auto a = sys().spawn("idler", Props<T>::of<Idler>(&seen, 100ms)).value();
  (void)a.tell(T{T::ping, 5, 60ms});  // a ping every 60 ms, five more times
  ASSERT_TRUE(eventually(sys(), [&] { return seen.idles.load() == 1; }));
  const Duration idle_for = seen.last(T::idle) - seen.last(T::ping);
  if (simulated()) {
    EXPECT_EQ(idle_for, 100ms);
  } else {
    EXPECT_GE(idle_for, 100ms);
  }
  EXPECT_EQ(seen.idles.load(), 1);  // none between the pings
  sys().shutdown(10s);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(TimersOnBoth, IntervalsAtTheEdges) {
  Seen seen;
  auto a = sys().spawn("timed", Props<T>::of<Timed>(&seen, 0)).value();
  (void)a.tell(T{T::start, 0, 0ms});
  (void)a.tell(T{T::start, 0, -5ms});
  (void)a.tell(T{T::single, 1, -5ms});  // a single timer in the past fires at once
  ASSERT_TRUE(sys().await_quiescence(10s));
  {
    std::lock_guard lock(seen.mu);
    ASSERT_EQ(seen.errors.size(), 2u);
    EXPECT_NE(seen.errors[0].find("interval must be > 0"), std::string::npos);
  }
  EXPECT_EQ(seen.ticks.load(), 1);
  (void)a.tell(T{T::start, 0, Duration::max()});  // never ticks, never holds up quiescence
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(seen.ticks.load(), 1);
  EXPECT_EQ(sys().stats().scheduled, 1u);
  EXPECT_TRUE(sys().stats().balanced());
  EXPECT_TRUE(sys().shutdown(Duration::max()).deadline_met);
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_TRUE(sys().stats().balanced());
}

TEST_P(TimersOnBoth, AReceiveTimeoutOfZeroIsRejected) {
  struct Bad : Actor<T> {
    explicit Bad(std::atomic<int>* thrown) : thrown_(thrown) {}
    void pre_start(Context<T>& ctx) override {
      try {
        ctx.set_receive_timeout(0ms, T{T::idle});
      } catch (const std::invalid_argument&) {
        ++*thrown_;
      }
    }
    void receive(Context<T>&, T&) override {}
    std::atomic<int>* thrown_;
  };
  std::atomic<int> thrown{0};
  sys().spawn("bad", Props<T>::of<Bad>(&thrown)).value();
  ASSERT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(thrown.load(), 1);
}

TEST_P(TimersOnBoth, ARestartCancelsEveryTimerAndPreStartMayReArm) {
  Seen seen;
  auto a = sys().spawn("idler", Props<T>::of<Idler>(&seen, 1h)).value();
  (void)a.tell(T{T::start, 0, 1h});
  (void)a.tell(T{T::single, 1, 1h});
  (void)a.tell(T{T::boom});
  ASSERT_TRUE(eventually(sys(), [&] { return sys().stats().dead_letters() == 4; }));
  const SystemStats s = sys().stats();
  // The repeating, the single and the receive timeout's held messages.
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 3u);
  EXPECT_EQ(s.dead_letters(DeadLetterReason::handler_failed), 1u);
  EXPECT_EQ(s.scheduled, 1u);  // the receive timeout the fresh instance's pre_start set
  EXPECT_TRUE(s.balanced());
}

TEST_P(TimersOnBoth, ARepeatingTimerDoesNotKeepADrainingShutdownFromFinishing) {
  Seen seen;
  auto a = sys().spawn("timed", Props<T>::of<Timed>(&seen, 0)).value();
  (void)a.tell(T{T::start, 0, 10ms});
  ASSERT_TRUE(eventually(sys(), [&] { return seen.ticks.load() >= 3; }));
  const ShutdownReport report = sys().shutdown(Duration::max());
  EXPECT_TRUE(report.deadline_met);
  const SystemStats s = sys().stats();
  EXPECT_EQ(s.dead_letters(DeadLetterReason::timer_cancelled), 1u);
  EXPECT_EQ(s.queued, 0u);
  EXPECT_TRUE(s.balanced());
}

}  // namespace
}  // namespace troupe
