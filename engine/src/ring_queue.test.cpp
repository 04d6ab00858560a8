#include "troupe/detail/ring_queue.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace troupe::detail {
namespace {

TEST(RingQueue, AllocatesNothingUntilTheFirstPush) {
  RingQueue<std::string> q;
  EXPECT_EQ(q.capacity(), 0u);
  q.push_back("a");
  EXPECT_GE(q.capacity(), 1u);
}

TEST(RingQueue, KeepsOrderAcrossGrowthAndWrapAround) {
  RingQueue<int> q;
  int next_in = 0;
  int next_out = 0;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 3 + round % 7; ++i) q.push_back(int{next_in++});
    for (int i = 0; i < 2 + round % 5 && !q.empty(); ++i) {
      EXPECT_EQ(q.front(), next_out++);
      q.pop_front();
    }
  }
  while (!q.empty()) {
    EXPECT_EQ(q.front(), next_out++);
    q.pop_front();
  }
  EXPECT_EQ(next_out, next_in);
}

TEST(RingQueue, ReleasesItsBufferOnlyWhenEmpty) {
  RingQueue<std::unique_ptr<int>> q;
  q.push_back(std::make_unique<int>(1));
  q.push_back(std::make_unique<int>(2));
  q.release_if_empty();
  EXPECT_GT(q.capacity(), 0u);  // still holding two: nothing may be lost
  EXPECT_EQ(*q.front(), 1);

  q.clear();
  q.release_if_empty();
  EXPECT_EQ(q.capacity(), 0u);

  q.push_back(std::make_unique<int>(3));  // usable again afterwards
  EXPECT_EQ(*q.front(), 3);
}

}  // namespace
}  // namespace troupe::detail
