// The lifecycle's transition table: the moves it allows, and that any other
// move stops the process instead of being ignored.
#include "troupe/detail/lifecycle.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

namespace troupe::detail {
namespace {

using S = LifecycleState;

constexpr S kAll[] = {S::created, S::running, S::suspended, S::restarting, S::stopping, S::stopped};

TEST(LifecycleTable, WalksTheLegalPathFromCreatedThroughARestartToStopped) {
  Lifecycle life;
  EXPECT_TRUE(life.is(S::created));
  for (const S next : {S::running, S::suspended, S::restarting, S::running, S::suspended,
                       S::running, S::stopping, S::stopped}) {
    life.move_to(next);
    EXPECT_EQ(life.state(), next) << to_string(next);
  }
  EXPECT_TRUE(life.stopping_or_stopped());
}

TEST(LifecycleTable, AllowsExactlyTheMovesItsTableLists) {
  const std::set<std::pair<S, S>> allowed{
      {S::created, S::running},      {S::running, S::suspended},   {S::running, S::restarting},
      {S::running, S::stopping},     {S::suspended, S::running},   {S::suspended, S::suspended},
      {S::suspended, S::restarting}, {S::suspended, S::stopping},  {S::restarting, S::running},
      {S::restarting, S::suspended}, {S::restarting, S::stopping}, {S::stopping, S::stopped},
  };
  for (const S from : kAll) {
    for (const S to : kAll) {
      EXPECT_EQ(lifecycle_allows(from, to), allowed.count({from, to}) == 1)
          << to_string(from) << " -> " << to_string(to);
    }
  }
}

TEST(LifecycleTable, StoppedIsFinal) {
  for (const S to : kAll) EXPECT_FALSE(lifecycle_allows(S::stopped, to)) << to_string(to);
}

TEST(LifecycleTableDeathTest, AnIllegalMoveStopsTheProcessNamingBothStates) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        Lifecycle life;
        life.move_to(S::running);
        life.move_to(S::stopping);
        life.move_to(S::stopped);
        life.move_to(S::running);
      },
      "invariant violated: lifecycle_allows\\(stopped -> running\\)");
  EXPECT_DEATH(
      {
        Lifecycle life;
        life.move_to(S::stopping);  // a cell that never ran cannot stop
      },
      "created -> stopping");
}

}  // namespace
}  // namespace troupe::detail
