// Pools of move-only messages (std::unique_ptr payloads), on both
// schedulers: every routing but broadcast, which needs copies.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <stdexcept>

#include "troupe/testing/both_schedulers.hpp"
#include "troupe/troupe.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

using testing::On;
using Job = std::unique_ptr<int>;

class Summer : public Actor<Job> {
 public:
  explicit Summer(std::atomic<int>* sum) : sum_(sum) {}
  void receive(Context<Job>& /*ctx*/, Job& job) override { *sum_ += *job; }

 private:
  std::atomic<int>* sum_;
};

class MoveOnlyPool : public ::testing::TestWithParam<On> {};
INSTANTIATE_TEST_SUITE_P(Engine, MoveOnlyPool, testing::both_schedulers(), testing::scheduler_name);

TEST_P(MoveOnlyPool, RoutesUniquePtrMessagesAndLosesNone) {
  System sys(testing::make_scheduler(GetParam(), 3));
  std::atomic<int> sum{0};
  auto pool =
      Pool<Job>::spawn(sys, "pool", Props<Job>::of<Summer>(&sum), PoolSettings{.min = 2, .max = 4})
          .value();
  for (int i = 1; i <= 100; ++i)
    EXPECT_EQ(pool.tell(std::make_unique<int>(i)), SendResult::accepted);
  ASSERT_TRUE(sys.await_quiescence(10s));
  EXPECT_EQ(sum.load(), 5050);
  EXPECT_TRUE(sys.stats().balanced());
}

TEST_P(MoveOnlyPool, BroadcastIsRefusedAtSpawnWithAClearMessage) {
  System sys(testing::make_scheduler(GetParam(), 3));
  std::atomic<int> sum{0};
  PoolSettings settings{.min = 2, .max = 2};
  settings.routing = Routing::broadcast;
  try {
    (void)Pool<Job>::spawn(sys, "pool", Props<Job>::of<Summer>(&sum), settings);
    FAIL() << "a broadcast pool of move-only messages was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("copyable"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace troupe
