// Mailbox<M> alone, without a cell, a lock or a scheduler: the bound, each
// overflow policy, closing and FIFO order.
#include "troupe/detail/mailbox_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace troupe::detail {
namespace {

using Box = Mailbox<std::unique_ptr<int>>;

std::unique_ptr<int> msg(int v) {
  return std::make_unique<int>(v);
}

std::vector<int> drain(Box& box) {
  std::vector<int> out;
  while (!box.empty()) out.push_back(*box.take());
  return out;
}

TEST(MailboxQueue, HandsMessagesOutInTheOrderTheyCame) {
  Box box({.capacity = 8});
  for (int i = 0; i < 8; ++i) {
    auto m = msg(i);
    ASSERT_EQ(box.offer(m), Admission::accepted);
    EXPECT_EQ(m, nullptr) << "an accepted message is moved into the mailbox";
  }
  EXPECT_EQ(drain(box), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(MailboxQueue, KeepsFifoOrderAcrossWrapAround) {
  Box box({.capacity = 3});
  std::vector<int> seen;
  for (int i = 0; i < 20; ++i) {
    auto m = msg(i);
    ASSERT_EQ(box.offer(m), Admission::accepted);
    if (box.size() == 3) seen.push_back(*box.take());
  }
  for (int v : drain(box)) seen.push_back(v);
  for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[i], i);
}

TEST(MailboxQueue, RejectRefusesWhenFullAndLeavesTheMessageWithTheSender) {
  Box box({.capacity = 2, .overflow = Overflow::reject});
  auto a = msg(1);
  auto b = msg(2);
  auto c = msg(3);
  ASSERT_EQ(box.offer(a), Admission::accepted);
  ASSERT_EQ(box.offer(b), Admission::accepted);
  EXPECT_EQ(box.offer(c), Admission::full);
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(*c, 3);
  EXPECT_EQ(box.size(), 2u);
  EXPECT_EQ(drain(box), (std::vector<int>{1, 2}));
}

TEST(MailboxQueue, BlockRefusesWhenFullSoTheSenderCanWaitAndRetry) {
  Box box({.capacity = 1, .overflow = Overflow::block});
  auto a = msg(1);
  auto b = msg(2);
  ASSERT_EQ(box.offer(a), Admission::accepted);
  EXPECT_EQ(box.offer(b), Admission::full);
  ASSERT_NE(b, nullptr);
  box.sender_blocked();
  EXPECT_TRUE(box.has_blocked_senders());
  EXPECT_EQ(*box.take(), 1);
  EXPECT_EQ(box.offer(b), Admission::accepted) << "a take makes room for the waiting sender";
  box.sender_unblocked();
  EXPECT_FALSE(box.has_blocked_senders());
  EXPECT_EQ(drain(box), (std::vector<int>{2}));
}

TEST(MailboxQueue, DropOldestMakesRoomByDroppingTheOldestMessage) {
  Box box({.capacity = 2, .overflow = Overflow::drop_oldest});
  for (int i = 1; i <= 2; ++i) {
    auto m = msg(i);
    ASSERT_EQ(box.offer(m), Admission::accepted);
  }
  auto third = msg(3);
  EXPECT_EQ(box.offer(third), Admission::dropped_oldest);
  EXPECT_EQ(third, nullptr);
  EXPECT_EQ(box.size(), 2u) << "the bound holds";
  EXPECT_EQ(drain(box), (std::vector<int>{2, 3}));
}

TEST(MailboxQueue, AClosedMailboxRefusesEveryOfferAndStillCountsItsBlockedSenders) {
  Box box({.capacity = 1, .overflow = Overflow::block});
  auto a = msg(1);
  ASSERT_EQ(box.offer(a), Admission::accepted);
  box.sender_blocked();  // an outside sender waits for room
  box.close();
  EXPECT_TRUE(box.closed());
  // The owner wakes the waiting sender (it reads has_blocked_senders), whose
  // retry is then refused as closed, not as full: it stops waiting.
  EXPECT_TRUE(box.has_blocked_senders());
  auto b = msg(2);
  EXPECT_EQ(box.offer(b), Admission::closed);
  EXPECT_EQ(box.clear(), 1u);
  EXPECT_EQ(box.offer(b), Admission::closed) << "room does not reopen a closed mailbox";
  ASSERT_NE(b, nullptr);
  box.sender_unblocked();
}

TEST(MailboxQueue, CloseAndTakeMovesEverythingOutInOrderAndRefusesAfterwards) {
  Box box({.capacity = 4});
  for (int i = 1; i <= 3; ++i) {
    auto m = msg(i);
    ASSERT_EQ(box.offer(m), Admission::accepted);
  }
  RingQueue<std::unique_ptr<int>> out;
  EXPECT_EQ(box.close_and_take(out), 3u);
  EXPECT_TRUE(box.empty());
  auto late = msg(4);
  EXPECT_EQ(box.offer(late), Admission::closed);

  Box successor({.capacity = 4});
  EXPECT_EQ(successor.adopt(out), 3u);
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(drain(successor), (std::vector<int>{1, 2, 3}));
}

TEST(MailboxQueue, KeepsTheSettingsItWasMadeWith) {
  const Box box({.capacity = 5, .overflow = Overflow::drop_oldest});
  EXPECT_EQ(box.capacity(), 5u);
  EXPECT_EQ(box.overflow(), Overflow::drop_oldest);
  EXPECT_FALSE(box.closed());
  EXPECT_TRUE(box.empty());
}

}  // namespace
}  // namespace troupe::detail
