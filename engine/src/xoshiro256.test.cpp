#include "troupe/xoshiro256.hpp"

#include <gtest/gtest.h>

#include <set>

namespace troupe {
namespace {

/// below(3 * 2^62), a bound that does not divide 2^64. Without rejection, a
/// plain modulo maps the top quarter of the draws onto [0, 2^62), so half the
/// results land there instead of a third; Lemire's multiply-shift maps two
/// draws onto every value that is 0 mod 3, so half are 0 mod 3 instead of a
/// third. Both shares are checked, so removing either kind of rejection fails.
template <class Draw>
void expect_unbiased_below_three_quarters_of_2_64(Draw draw) {
  constexpr std::uint64_t kQuarter = std::uint64_t{1} << 62;
  constexpr int kDraws = 6000;
  int low = 0, multiple_of_3 = 0;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint64_t v = draw(3 * kQuarter);
    ASSERT_LT(v, 3 * kQuarter);
    low += v < kQuarter ? 1 : 0;
    multiple_of_3 += v % 3 == 0 ? 1 : 0;
  }
  // A third, give or take five standard deviations (0.006 each).
  EXPECT_NEAR(low / double{kDraws}, 1.0 / 3, 0.03);
  EXPECT_NEAR(multiple_of_3 / double{kDraws}, 1.0 / 3, 0.03);
}

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

TEST(Prng, BelowIsUnbiasedForABoundThatDoesNotDivide2To64) {
  Xoshiro256 g{3};
  expect_unbiased_below_three_quarters_of_2_64([&](std::uint64_t bound) { return g.below(bound); });
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
