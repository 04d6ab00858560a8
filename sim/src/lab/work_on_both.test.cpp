// Context::work on both schedulers: the same handler that declares 20 ms of
// work takes 20 ms of wall time on threads and 20 ms of virtual time in the
// simulator, and what it sends after the work arrives once, counted.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;
using testing::On;

class Work : public ::testing::TestWithParam<On> {};

TEST_P(Work, AHandlersDeclaredWorkTakesThatLongAndItsSendsArrive) {
  System system{testing::make_scheduler(GetParam(), 5)};
  std::atomic<int> arrived{0};
  std::atomic<std::int64_t> arrived_at_ns{0};
  auto sink = system
                  .spawn("sink", Props<int>::from_function([&](Context<int>& ctx, int&) {
                           arrived_at_ns = ctx.now().time_since_epoch().count();
                           ++arrived;
                         }))
                  .value();
  auto worker = system
                    .spawn("worker", Props<int>::from_function([sink](Context<int>& ctx, int& m) {
                             ctx.work(20ms);
                             (void)sink.tell(m);
                           }))
                    .value();
  const TimePoint start = system.now();
  (void)worker.tell(1);
  ASSERT_TRUE(system.await_quiescence(10s));
  EXPECT_EQ(arrived.load(), 1);
  EXPECT_GE(TimePoint(Duration(arrived_at_ns.load())) - start, Duration(20ms));
  const auto stats = system.stats();
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.processed, 2u);
  EXPECT_EQ(stats.dead_letters(), 0u);
  EXPECT_TRUE(system.shutdown(5s).deadline_met);
}

TEST_P(Work, AHeldSendToAnActorThatStopsMeanwhileIsACountedDeadLetter) {
  System system{testing::make_scheduler(GetParam(), 5)};
  auto sink = system.spawn("sink", Props<int>::from_function([](Context<int>&, int&) {})).value();
  auto worker = system
                    .spawn("worker", Props<int>::from_function([sink](Context<int>& ctx, int& m) {
                             ctx.stop(sink);
                             ctx.work(10ms);
                             (void)sink.tell(m);
                           }))
                    .value();
  (void)worker.tell(1);
  ASSERT_TRUE(system.await_quiescence(10s));
  const auto stats = system.stats();
  EXPECT_TRUE(stats.balanced());
  EXPECT_EQ(stats.dead_letters(DeadLetterReason::actor_stopped), 1u);
  EXPECT_TRUE(system.shutdown(5s).deadline_met);
}

TEST_P(Work, ASendThroughAPoolAfterWorkIsRoutedWhenTheWorkEnds) {
  System system{testing::make_scheduler(GetParam(), 5)};
  std::atomic<int> arrived{0};
  std::atomic<std::int64_t> arrived_at_ns{0};
  auto pool = Pool<int>::spawn(system, "p", Props<int>::from_function([&](Context<int>& ctx, int&) {
                                 arrived_at_ns = ctx.now().time_since_epoch().count();
                                 ++arrived;
                               }),
                               {.min = 2, .max = 2})
                  .value();
  auto worker = system
                    .spawn("worker", Props<int>::from_function([pool](Context<int>& ctx, int& m) {
                             ctx.work(15ms);
                             (void)pool.tell(m);
                           }))
                    .value();
  const TimePoint start = system.now();
  (void)worker.tell(1);
  ASSERT_TRUE(system.await_quiescence(10s));
  EXPECT_EQ(arrived.load(), 1);
  EXPECT_GE(TimePoint(Duration(arrived_at_ns.load())) - start, Duration(15ms));
  EXPECT_TRUE(system.stats().balanced());
  EXPECT_EQ(system.stats().dead_letters(), 0u);
  EXPECT_TRUE(system.shutdown(5s).deadline_met);
}

INSTANTIATE_TEST_SUITE_P(Engine, Work, testing::both_schedulers(), testing::scheduler_name);

}  // namespace
}  // namespace troupe
