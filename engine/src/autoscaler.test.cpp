#include "troupe/autoscaler.hpp"

#include <gtest/gtest.h>

#include "troupe/pool_settings.hpp"

namespace troupe {
namespace {

using namespace std::chrono_literals;

PoolLoad load(std::size_t workers, std::size_t each, TimePoint now = TimePoint{} + 10s,
              std::optional<TimePoint> last = std::nullopt) {
  return PoolLoad{now, workers, std::vector<std::size_t>(workers, each), 2, 6, last};
}

const AutoScaleSettings kClassic{.interval = 500ms,
                                 .high_threshold = 6,
                                 .low_threshold = 2,
                                 .scale_up_step = 2,
                                 .scale_down_step = 1,
                                 .cooldown = 2s};

TEST(AutoScaler, GrowsByTheStepAboveTheHighThreshold) {
  const auto d = decide(kClassic, load(2, 7));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->from, 2u);
  EXPECT_EQ(d->to, 4u);
  EXPECT_DOUBLE_EQ(d->load, 7.0);
  EXPECT_NE(d->reason.find("above"), std::string::npos);
}

TEST(AutoScaler, ShrinksByTheStepBelowTheLowThreshold) {
  const auto d = decide(kClassic, load(5, 1));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->to, 4u);
}

TEST(AutoScaler, HoldsBetweenTheThresholdsAndAtTheThresholdsThemselves) {
  EXPECT_FALSE(decide(kClassic, load(3, 4)));
  EXPECT_FALSE(decide(kClassic, load(3, 6)));  // not above
  EXPECT_FALSE(decide(kClassic, load(3, 2)));  // not below
}

TEST(AutoScaler, StaysWithinMinAndMax) {
  const auto up = decide(kClassic, load(5, 100));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to, 6u);                         // 5 + 2 clamped to max
  EXPECT_FALSE(decide(kClassic, load(6, 100)));  // already at max
  EXPECT_FALSE(decide(kClassic, load(2, 0)));    // already at min
}

TEST(AutoScaler, NeverDecidesTwiceWithinTheCooldown) {
  const TimePoint t = TimePoint{} + 10s;
  EXPECT_FALSE(decide(kClassic, load(2, 9, t, t - 1999ms)));
  EXPECT_TRUE(decide(kClassic, load(2, 9, t, t - 2s)));
}

TEST(AutoScaler, UsesTheMeanOverWorkers) {
  PoolLoad l = load(2, 0);
  l.pending = {13, 0};  // mean 6.5
  EXPECT_TRUE(decide(kClassic, l));
  l.pending = {12, 0};  // mean 6
  EXPECT_FALSE(decide(kClassic, l));
}

TEST(PressureScaler, RampsUpWhenEveryWorkerIsPressedAndBacksOffWhenFewAre) {
  const PressureSettings p{.pressure_threshold = 2,
                           .rampup_rate = 0.5,
                           .backoff_threshold = 0.3,
                           .backoff_rate = 0.5,
                           .cooldown = 1s};
  const auto up = decide(p, load(4, 2));
  ASSERT_TRUE(up);
  EXPECT_EQ(up->to, 6u);  // 4 + ceil(0.5 * 4) = 6
  PoolLoad few = load(5, 0);
  few.pending = {3, 0, 0, 0, 0};  // 20% pressed, below 30%
  const auto down = decide(p, few);
  ASSERT_TRUE(down);
  EXPECT_EQ(down->to, 3u);  // 5 - floor(0.5 * 5)
  PoolLoad some = load(4, 0);
  some.pending = {3, 3, 0, 0};  // 50%: hold
  EXPECT_FALSE(decide(p, some));
}

TEST(AutoScaleSettings, RejectsBadValuesNamingTheField) {
  auto message = [](auto settings) {
    try {
      validate(settings);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(message(AutoScaleSettings{.interval = 0ms}).find("interval"), std::string::npos);
  EXPECT_NE(message(AutoScaleSettings{.cooldown = -1s}).find("cooldown"), std::string::npos);
  EXPECT_NE(
      message(AutoScaleSettings{.high_threshold = 2, .low_threshold = 2}).find("low_threshold"),
      std::string::npos);
  EXPECT_NE(message(AutoScaleSettings{.scale_up_step = 0}).find("scale_up_step"),
            std::string::npos);
  EXPECT_NE(message(AutoScaleSettings{.scale_down_step = 0}).find("scale_down_step"),
            std::string::npos);
  EXPECT_NE(message(PressureSettings{.rampup_rate = 0}).find("rampup_rate"), std::string::npos);
  EXPECT_NE(message(PressureSettings{.backoff_threshold = 1.0}).find("backoff_threshold"),
            std::string::npos);
  EXPECT_EQ(message(kClassic), "accepted");
}

TEST(PoolSettings, RejectsBadBoundsNamingTheField) {
  EXPECT_THROW(validate(PoolSettings{.min = 0, .max = 3}), std::invalid_argument);
  try {
    validate(PoolSettings{.min = 4, .max = 2});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("pool.max"), std::string::npos);
  }
  EXPECT_THROW(validate(PoolSettings{.min = 1, .max = kMaxPoolWorkers + 1}), std::invalid_argument);
}

}  // namespace
}  // namespace troupe
