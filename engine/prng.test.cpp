#include "engine/prng.hpp"

#include <gtest/gtest.h>

#include <set>

namespace troupe {
namespace {

TEST(Prng, SplitmixMatchesTheReferenceSequence) {
  // First outputs of the reference splitmix64 for seed 1234567.
  std::uint64_t state = 1234567;
  EXPECT_EQ(splitmix64(state), 6457827717110365317ULL);
  EXPECT_EQ(splitmix64(state), 3203168211198807973ULL);
}

TEST(Prng, SameSeedGivesTheSameStream) {
  Xoshiro256 a{42};
  Xoshiro256 b{42};
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next(), b.next());
}

TEST(Prng, DifferentSeedsGiveDifferentStreams) {
  Xoshiro256 a{1};
  Xoshiro256 b{2};
  EXPECT_NE(a.next(), b.next());
}

TEST(Prng, BelowStaysInRangeAndCoversIt) {
  Xoshiro256 g{7};
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 2000; ++i) {
    const auto v = g.below(10);
    ASSERT_LT(v, 10u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 10u);
}

TEST(Prng, UnitIntervalIsHalfOpen) {
  EXPECT_EQ(unit_interval(0), 0.0);
  EXPECT_LT(unit_interval(~std::uint64_t{0}), 1.0);
  Xoshiro256 g{9};
  double sum = 0;
  for (int i = 0; i < 10000; ++i) sum += g.unit();
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

}  // namespace
}  // namespace troupe
