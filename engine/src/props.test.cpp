#include "troupe/props.hpp"

#include <gtest/gtest.h>

#include <atomic>

#include "troupe/testing/test_support.hpp"

namespace troupe {
namespace {

using testing::eventually;
using testing::Gate;
using testing::threads;

Props<int> noop() {
  return Props<int>::from_function([](Context<int>&, int&) {});
}

TEST(Props, CopiesShareOneRecipeUntilOneChanges) {
  const auto original = noop().kind("worker");
  auto copy = original;
  EXPECT_EQ(copy.recipe(), original.recipe());

  copy.kind("other").mailbox({.capacity = 7});
  EXPECT_NE(copy.recipe(), original.recipe());
  EXPECT_EQ(original.kind(), "worker");
  EXPECT_EQ(original.mailbox().capacity, MailboxSettings{}.capacity);
  EXPECT_EQ(copy.kind(), "other");
  EXPECT_EQ(copy.mailbox().capacity, 7u);
}

TEST(Props, ASetterOnAnUnsharedPropsChangesItInPlace) {
  auto props = noop();
  const auto* before = props.recipe().get();
  props.kind("worker");
  EXPECT_EQ(props.recipe().get(), before);
}

TEST(Props, AMovedFromPropsStillHoldsItsRecipe) {
  auto props = noop().kind("worker");
  auto moved = std::move(props);
  EXPECT_EQ(props.kind(), "worker");  // NOLINT(bugprone-use-after-move): that is the point
  EXPECT_EQ(moved.recipe(), props.recipe());
}

TEST(Props, ActorsKeepTheRecipeTheyWereSpawnedFrom) {
  Gate gate;
  std::atomic<int> holding{0};
  auto props = Props<int>::from_function([&](Context<int>&, int&) {
                 ++holding;
                 gate.wait();
               }).mailbox({.capacity = 1});
  System sys{threads()};
  auto small = sys.spawn("small", props).value();

  // Changing the Props afterwards makes a new recipe; `small` keeps its own.
  props.mailbox({.capacity = 3});
  auto large = sys.spawn("large", props).value();

  ASSERT_EQ(small.tell(0), SendResult::accepted);
  ASSERT_EQ(large.tell(0), SendResult::accepted);
  ASSERT_TRUE(eventually(sys, [&] { return holding.load() == 2; }));
  EXPECT_EQ(small.tell(1), SendResult::accepted);
  EXPECT_EQ(small.tell(2), SendResult::mailbox_full);
  for (int i = 1; i <= 3; ++i) EXPECT_EQ(large.tell(i), SendResult::accepted);
  EXPECT_EQ(large.tell(4), SendResult::mailbox_full);
  gate.open();
}

}  // namespace
}  // namespace troupe
