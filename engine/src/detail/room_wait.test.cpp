#include "troupe/detail/room_wait.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "troupe/detail/mailbox_queue.hpp"

namespace troupe::detail {
namespace {

/// A wait that counts its deliveries.
class CountingWait final : public RoomWait {
 public:
  explicit CountingWait(ActorId producer) : RoomWait(producer) {}
  int delivered = 0;

 protected:
  void deliver() override { ++delivered; }
};

std::shared_ptr<CountingWait> wait_of(ActorId producer) {
  return std::make_shared<CountingWait>(producer);
}

TEST(RoomWait, FiresOnceHoweverManyReceiversListIt) {
  auto wait = wait_of(1);
  wait->fire();
  wait->fire();
  EXPECT_EQ(wait->delivered, 1);
  EXPECT_FALSE(wait->pending());
}

TEST(RoomWait, ACancelledWaitNeverDelivers) {
  auto wait = wait_of(1);
  wait->cancel();
  wait->fire();
  EXPECT_EQ(wait->delivered, 0);
}

TEST(RoomWaiters, RefusesPastTheLimitAndListsAProducerOnce) {
  RoomWaiters waiters;
  std::size_t listed = 0;
  EXPECT_EQ(waiters.add(7, wait_of(1), 2, listed), RoomWaiters::Added::listed);
  EXPECT_EQ(waiters.add(7, wait_of(1), 2, listed), RoomWaiters::Added::already);
  EXPECT_EQ(waiters.add(7, wait_of(2), 2, listed), RoomWaiters::Added::listed);
  EXPECT_EQ(waiters.add(7, wait_of(3), 2, listed), RoomWaiters::Added::limit);
  EXPECT_EQ(listed, 2U);
  EXPECT_EQ(waiters.listed(8), 0U) << "another receiver's list is apart";
}

TEST(RoomWaiters, TakesTheOldestPendingWaitAndDropsDeadOnes) {
  RoomWaiters waiters;
  std::size_t listed = 0;
  auto cancelled = wait_of(1), fired = wait_of(2), oldest_pending = wait_of(3), last = wait_of(4);
  for (const auto& w : {cancelled, fired, oldest_pending, last}) {
    (void)waiters.add(7, w, 8, listed);
  }
  cancelled->cancel();
  fired->fire();  // fired through another receiver
  RoomWaitList out;
  EXPECT_EQ(waiters.take(7, false, out), 1U);
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0], oldest_pending);
  out.clear();
  EXPECT_EQ(waiters.take(7, true, out), 0U);
  EXPECT_EQ(out.size(), 1U);
  EXPECT_EQ(waiters.listed(7), 0U) << "an empty list is forgotten";
}

TEST(RoomWaiters, DeadWaitsDoNotCountAgainstTheLimit) {
  RoomWaiters waiters;
  std::size_t listed = 0;
  auto gone = wait_of(1);
  (void)waiters.add(7, gone, 1, listed);
  gone->cancel();  // its producer stopped
  EXPECT_EQ(waiters.add(7, wait_of(2), 1, listed), RoomWaiters::Added::listed);
  EXPECT_EQ(listed, 1U);
}

TEST(MailboxGate, HoldsBackEveryMessageUntilOpenedAndCostsNoOfferRoom) {
  Mailbox<int> box({.capacity = 2});
  int one = 1, two = 2;
  EXPECT_EQ(box.offer(one), Admission::accepted);
  box.close_gate();
  EXPECT_FALSE(box.ready());
  EXPECT_TRUE(box.gated());
  EXPECT_EQ(box.offer(two), Admission::accepted);
  EXPECT_FALSE(box.ready());
  box.open_gate();
  EXPECT_TRUE(box.ready());
  EXPECT_EQ(box.take(), 1);
}

TEST(MailboxGate, ReportsEitherKindOfWaiter) {
  Mailbox<int> box({.capacity = 1});
  EXPECT_FALSE(box.has_waiters());
  box.set_room_waiters(3);
  EXPECT_TRUE(box.has_waiters());
  box.set_room_waiters(0);
  box.sender_blocked();
  EXPECT_TRUE(box.has_waiters());
  EXPECT_FALSE(box.has_room_waiters());
}

}  // namespace
}  // namespace troupe::detail
