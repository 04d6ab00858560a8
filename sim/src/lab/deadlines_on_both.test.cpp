// Deadlines on both schedulers: Duration::max() means "as long as it takes"
// and a negative duration means "now", wherever a deadline is computed; and
// a blocking wait inside the system is a clear error, never an abort.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;

class Deadlines : public ::testing::TestWithParam<On> {
 protected:
  void SetUp() override {
    sys_ = std::make_unique<System>(testing::make_scheduler(GetParam(), 5));
    // Off the clock's epoch, where `now() + Duration::max()` would not yet wrap.
    if (GetParam() == On::simulator) {
      sys_->scheduler().after(1s, [] {});  // an idle simulation's clock stands still
      let_pass(1s);
    }
  }
  System& sys() { return *sys_; }
  /// Lets `d` pass on the scheduler's clock (virtual time in the simulator).
  void let_pass(Duration d) {
    sys().scheduler().wait_until([] { return false; }, sys().now() + d);
  }
  /// A handler slow enough on threads that messages queue behind it.
  Props<int> counter(std::atomic<int>& processed) {
    const bool on_threads = GetParam() == On::threads;
    return Props<int>::from_function([&processed, on_threads](Context<int>&, int&) {
      if (on_threads) std::this_thread::sleep_for(1ms);
      ++processed;
    });
  }

  std::unique_ptr<System> sys_;
};

INSTANTIATE_TEST_SUITE_P(Engine, Deadlines, testing::both_schedulers(), testing::scheduler_name);

TEST_P(Deadlines, ShutdownWithDurationMaxDrainsEverything) {
  std::atomic<int> processed{0};
  auto a = sys().spawn("a", counter(processed)).value();
  for (int i = 0; i < 30; ++i) (void)a.tell(i);
  const auto report = sys().shutdown(Duration::max());
  EXPECT_TRUE(report.deadline_met);
  EXPECT_EQ(report.abandoned, 0u);
  EXPECT_EQ(processed.load(), 30);
  EXPECT_TRUE(report.stuck_in_handler.empty());
}

TEST_P(Deadlines, AwaitQuiescenceWithDurationMaxReturnsTrueWhenWorkEnds) {
  std::atomic<int> processed{0};
  auto a = sys().spawn("a", counter(processed)).value();
  for (int i = 0; i < 30; ++i) (void)a.tell(i);
  EXPECT_TRUE(sys().await_quiescence(Duration::max()));
  EXPECT_EQ(processed.load(), 30);
}

TEST_P(Deadlines, ScheduleOnceWithDurationMaxNeverFires) {
  std::atomic<int> fired{0};
  auto a = sys()
               .spawn("a", Props<int>::from_function([&fired](Context<int>& ctx, int& n) {
                        if (n == 0) {
                          ctx.schedule_once(Duration::max(), 1);
                        } else {
                          ++fired;
                        }
                      }))
               .value();
  (void)a.tell(0);
  let_pass(200ms);
  EXPECT_EQ(fired.load(), 0);
  // The pending timer does not keep shutdown from returning.
  sys().shutdown(100ms);
  EXPECT_EQ(fired.load(), 0);
}

TEST_P(Deadlines, ABlockTimeoutOfDurationMaxWaitsForRoom) {
  std::atomic<int> processed{0};
  auto props = counter(processed).mailbox(
      {.capacity = 1, .overflow = Overflow::block, .block_timeout = Duration::max()});
  auto a = sys().spawn("a", std::move(props)).value();
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.tell(i), SendResult::accepted) << "tell " << i;
  EXPECT_TRUE(sys().await_quiescence(30s));
  EXPECT_EQ(processed.load(), 10);
  EXPECT_EQ(sys().stats().dead_letters(), 0u);
}

TEST_P(Deadlines, NegativeAndMinimalDurationsMeanNow) {
  std::atomic<int> fired{0};
  auto a = sys()
               .spawn("a", Props<int>::from_function([&fired](Context<int>& ctx, int& n) {
                        if (n == 0) {
                          ctx.schedule_once(Duration::min(), 1);
                          ctx.schedule_once(-5s, 1);
                        } else {
                          ++fired;
                        }
                      }))
               .value();
  (void)a.tell(0);
  EXPECT_TRUE(sys().scheduler().wait_until([&] { return fired.load() == 2; }, sys().now() + 10s));
  EXPECT_TRUE(sys().await_quiescence(10s));
  EXPECT_TRUE(sys().await_quiescence(Duration::min()));  // already quiescent: true at once
  (void)a.tell(0);
  const auto report = sys().shutdown(Duration::min());  // abandons at once, never hangs
  EXPECT_TRUE(sys().stats().balanced());
  EXPECT_TRUE(report.stuck_in_handler.empty());
}

TEST_P(Deadlines, ABlockingWaitInsideAHandlerIsAnOrdinaryHandlerFailure) {
  std::atomic<int> caught{0};
  auto waits = Props<int>::from_function([&caught](Context<int>& ctx, int&) {
    try {
      ctx.system().scheduler().wait_until([] { return true; }, ctx.now() + 1s);
    } catch (const std::logic_error&) {
      ++caught;
      throw;  // and the handler fails, as with any exception
    }
  });
  auto a = sys().spawn("a", std::move(waits)).value();
  (void)a.tell(1);
  EXPECT_TRUE(sys().await_quiescence(10s));
  EXPECT_EQ(caught.load(), 1);
  EXPECT_EQ(sys().stats().dead_letters(DeadLetterReason::handler_failed), 1u);
}

}  // namespace
}  // namespace troupe
