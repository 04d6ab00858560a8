// Mailbox<M>::put_back, what an unstash uses: messages go back at the very
// front in their order, outside the bound, and no overflow policy ever
// refuses or drops them.
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "troupe/detail/mailbox_queue.hpp"

namespace troupe::detail {
namespace {

using Box = Mailbox<std::unique_ptr<int>>;

std::unique_ptr<int> msg(int v) {
  return std::make_unique<int>(v);
}

/// A batch to put back (RingQueue cannot be copied or moved: filled in place).
void batch(RingQueue<std::unique_ptr<int>>& out, std::vector<int> values) {
  for (int v : values) out.push_back(msg(v));
}

std::vector<int> drain(Box& box) {
  std::vector<int> out;
  while (!box.empty()) out.push_back(*box.take());
  return out;
}

void fill(Box& box, std::vector<int> values) {
  for (int v : values) {
    auto m = msg(v);
    ASSERT_EQ(box.offer(m), Admission::accepted);
  }
}

TEST(MailboxPutBack, PutsMessagesBackAtTheFrontInTheirOrderAheadOfEarlierPutBacks) {
  Box box({.capacity = 4});
  fill(box, {10, 11});
  RingQueue<std::unique_ptr<int>> first;
  batch(first, {1, 2});
  EXPECT_EQ(box.put_back(first), 2u);
  EXPECT_TRUE(first.empty());
  RingQueue<std::unique_ptr<int>> second;
  batch(second, {5, 6});
  box.put_back(second);
  EXPECT_EQ(drain(box), (std::vector<int>{5, 6, 1, 2, 10, 11}));
}

TEST(MailboxPutBack, IsOutsideTheBoundSoAFullMailboxTakesThemAll) {
  Box box({.capacity = 2, .overflow = Overflow::reject});
  fill(box, {10, 11});
  RingQueue<std::unique_ptr<int>> back;
  batch(back, {1, 2, 3, 4, 5});
  EXPECT_EQ(box.put_back(back), 5u);
  EXPECT_EQ(box.size(), 7u);
  auto late = msg(12);
  EXPECT_EQ(box.offer(late), Admission::full);  // the bound still holds for sends
  EXPECT_EQ(box.take() != nullptr, true);       // 1 leaves: sends are still at the bound
  EXPECT_EQ(box.offer(late), Admission::full);
  EXPECT_EQ(drain(box), (std::vector<int>{2, 3, 4, 5, 10, 11}));
}

TEST(MailboxPutBack, DropOldestDropsTheOldestSentMessageNeverOneThatWasPutBack) {
  Box box({.capacity = 2, .overflow = Overflow::drop_oldest});
  fill(box, {10, 11});
  RingQueue<std::unique_ptr<int>> back;
  batch(back, {1, 2});
  box.put_back(back);
  auto late = msg(12);
  EXPECT_EQ(box.offer(late), Admission::dropped_oldest);  // 10 goes
  EXPECT_EQ(drain(box), (std::vector<int>{1, 2, 11, 12}));
}

TEST(MailboxPutBack, AHandOverKeepsPutBackMessagesFirstAndOutsideTheSuccessorsBound) {
  Box box({.capacity = 2});
  fill(box, {10, 11});
  RingQueue<std::unique_ptr<int>> back;
  batch(back, {1, 2});
  box.put_back(back);
  RingQueue<std::unique_ptr<int>> taken;
  EXPECT_EQ(box.close_and_take(taken), 4u);
  Box successor({.capacity = 2, .overflow = Overflow::reject});
  EXPECT_EQ(successor.adopt(taken), 4u);
  auto late = msg(12);
  EXPECT_EQ(successor.offer(late), Admission::full);
  EXPECT_EQ(drain(successor), (std::vector<int>{1, 2, 10, 11}));
}

}  // namespace
}  // namespace troupe::detail
