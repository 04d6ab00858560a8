#include "troupe/portable_math.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "troupe/xoshiro256.hpp"

namespace troupe::portable {
namespace {

std::uint64_t bits(double x) {
  return std::bit_cast<std::uint64_t>(x);
}

/// How many doubles apart a and b are (both finite, same sign).
std::uint64_t ulps_apart(double a, double b) {
  const std::uint64_t x = bits(a), y = bits(b);
  return x > y ? x - y : y - x;
}

TEST(PortableMath, Log1pGivesThePinnedBitsForATableOfInputs) {
  // If one of these changes, exponential draws change and recorded traces
  // may stop replaying: the point of our own log1p is that they never do.
  struct Row {
    double x;
    std::uint64_t expected;
  };
  const Row rows[] = {
      {-0x1.fffffffffffffp-1, 0xc0425e4f7b2737faULL},
      {-0x1.8p-1, 0xbff62e42fefa39efULL},
      {-0x1p-1, 0xbfe62e42fefa39efULL},
      {-0x1.2bedfa43fe5c9p-2, 0xbfd62e6b3842a25cULL},
      {-0x1.999999999999ap-4, 0xbfbaf8e8210a415eULL},
      {-0x1p-30, 0xbe10000000200000ULL},
      {-0x1p-60, 0xbc30000000000000ULL},
      {0x1p-40, 0x3d6ffffffffff000ULL},
      {0x1.4f8b588e368f1p-17, 0x3ee4f8aea9ae7317ULL},
      {0x1p-2, 0x3fcc8ff7c79a9a22ULL},
      {0x1.a82949a5657fbp-2, 0x3fd62e5616bc4029ULL},
      {0x1p-1, 0x3fd9f323ecbf984cULL},
      {0x1p+0, 0x3fe62e42fefa39efULL},
      {0x1.8p+1, 0x3ff62e42fefa39efULL},
      {0x1.2a05f2p+33, 0x4037069e2aa3184eULL},
      {0x1p+60, 0x4044cb5ecf0a9650ULL},
      {0x1.7e43c8800759cp+996, 0x4085963447f87fb5ULL},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(bits(log1p(row.x)), row.expected) << std::hexfloat << row.x;
  }
}

TEST(PortableMath, PowIntGivesThePinnedBitsForATableOfInputs) {
  struct Row {
    double base;
    unsigned n;
    std::uint64_t expected;
  };
  const Row rows[] = {
      {0x1.8p+0, 0, 0x3ff0000000000000ULL},
      {0x1.8p+0, 1, 0x3ff8000000000000ULL},
      {0x1.8p+0, 7, 0x4031160000000000ULL},
      {0x1.199999999999ap+0, 64, 0x407bdcaa43ae86e3ULL},
      {0x1.b333333333333p+0, 33, 0x418331e108e32e2cULL},
      {0x1p+1, 64, 0x43f0000000000000ULL},
      {0x1.8p+1, 40, 0x43e517168a4523fdULL},
      {0x1.000001ad7f29bp+0, 64, 0x3ff00006b5fe0969ULL},
      {0x1.4p+3, 22, 0x4480f0cf064dd592ULL},  // 1e22, exact
      {0x1.4p+3, 23, 0x44b52d02c7e14af6ULL},  // the double nearest 1e23
      {0x1.ccccccccccccdp-1, 50, 0x3f751c1fff764631ULL},
      {-0x1.4cccccccccccdp+0, 5, 0xc00db414a4d2b2c1ULL},
  };
  for (const Row& row : rows) {
    EXPECT_EQ(bits(pow_int(row.base, row.n)), row.expected)
        << std::hexfloat << row.base << " ^ " << row.n;
  }
}

TEST(PortableMath, Log1pIsWithinOneUlpOfTheLibraryOverExponentialDraws) {
  // The inputs Prng::exponential gives it: -u for u uniform in [0, 1).
  Xoshiro256 g{2024};
  for (int i = 0; i < 200'000; ++i) {
    const double u = unit_interval(g.next());
    ASSERT_LE(ulps_apart(log1p(-u), std::log1p(-u)), 1u) << std::hexfloat << -u;
  }
}

TEST(PortableMath, Log1pIsWithinOneUlpOfTheLibraryAcrossMagnitudes) {
  Xoshiro256 g{7};
  for (int i = 0; i < 200'000; ++i) {
    // Spread over 2^-60 .. 2^60, both signs where the log exists.
    const double mag =
        std::ldexp(1.0 + unit_interval(g.next()), static_cast<int>(g.below(121)) - 60);
    const double x = (g.next() & 1U) != 0 && mag < 1.0 ? -mag : mag;
    ASSERT_LE(ulps_apart(log1p(x), std::log1p(x)), 1u) << std::hexfloat << x;
  }
}

TEST(PortableMath, PowIntIsWithinOneUlpOfTheLibraryForBackoffFactors) {
  Xoshiro256 g{11};
  for (int i = 0; i < 5'000; ++i) {
    const double base = 1.0 + 9.0 * unit_interval(g.next());
    for (unsigned n = 0; n <= 64; ++n) {
      ASSERT_LE(ulps_apart(pow_int(base, n), std::pow(base, static_cast<double>(n))), 1u)
          << std::hexfloat << base << " ^ " << n;
    }
  }
}

TEST(PortableMath, EdgesGiveWhatTheMathematicsSays) {
  constexpr double inf = std::numeric_limits<double>::infinity();
  EXPECT_EQ(log1p(-1.0), -inf);
  EXPECT_TRUE(std::isnan(log1p(-1.5)));
  EXPECT_TRUE(std::isnan(log1p(std::numeric_limits<double>::quiet_NaN())));
  EXPECT_EQ(log1p(inf), inf);
  EXPECT_EQ(bits(log1p(0.0)), bits(0.0));
  EXPECT_EQ(bits(log1p(-0.0)), bits(-0.0));
  EXPECT_EQ(log1p(std::numeric_limits<double>::denorm_min()),
            std::numeric_limits<double>::denorm_min());
  EXPECT_EQ(log1p(std::numeric_limits<double>::max()),
            std::log1p(std::numeric_limits<double>::max()));
  EXPECT_EQ(pow_int(0.0, 0), 1.0);
  EXPECT_EQ(pow_int(0.0, 3), 0.0);
  EXPECT_EQ(pow_int(1e10, 64), inf);               // overflows, not NaN
  EXPECT_EQ(pow_int(1e300, 4'000'000'000U), inf);  // and fast
  EXPECT_EQ(pow_int(0.5, 2000), 0.0);              // underflows
  EXPECT_EQ(pow_int(-2.0, 3), -8.0);
  EXPECT_EQ(pow_int(1.0, ~0U), 1.0);
}

}  // namespace
}  // namespace troupe::portable
