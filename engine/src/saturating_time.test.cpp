// Deadline arithmetic saturates instead of wrapping.
#include "troupe/saturating_time.hpp"

#include <gtest/gtest.h>

namespace troupe {
namespace {

using namespace std::chrono_literals;

constexpr TimePoint at(Duration d) {
  return TimePoint{d};
}

TEST(SaturatingTime, AddsLikePlusWithinRange) {
  EXPECT_EQ(saturating_add(at(5s), 2s), at(7s));
  EXPECT_EQ(saturating_add(at(5s), -2s), at(3s));
}

TEST(SaturatingTime, ClampsAtTheEndsInsteadOfWrapping) {
  EXPECT_EQ(saturating_add(at(5s), Duration::max()), TimePoint::max());
  EXPECT_EQ(saturating_add(TimePoint::max(), 1ns), TimePoint::max());
  EXPECT_EQ(saturating_add(at(-5s), Duration::min()), TimePoint::min());
  EXPECT_EQ(saturating_add(TimePoint::min(), -1ns), TimePoint::min());
  EXPECT_EQ(saturating_add(TimePoint::max(), Duration::min()), at(-1ns));
}

TEST(SaturatingTime, ADeadlineIsNeverBeforeNow) {
  EXPECT_EQ(deadline_after(at(5s), Duration::max()), TimePoint::max());
  EXPECT_EQ(deadline_after(at(5s), Duration::min()), at(5s));
  EXPECT_EQ(deadline_after(at(5s), -1ns), at(5s));
  EXPECT_EQ(deadline_after(at(5s), 1s), at(6s));
}

}  // namespace
}  // namespace troupe
