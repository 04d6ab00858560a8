// Faults the simulator injects, decided from its fault stream so that a seed
// reproduces them. Each injected fault is recorded as an event.
//
//   FaultPlan plan;
//   plan.crash_on_message("/pool/w1", 3);     // its 3rd message fails
//   plan.crash_with_probability(0.01);        // any handler, 1% of messages
//   plan.delay_deliveries(0.1, 5ms);          // 10% of wake-ups arrive 5 ms late
//   plan.stall("/db", at, 200ms);             // /db runs nothing for 200 ms
//   plan.slow("/pool", 3.0);                  // handlers under /pool take 3x longer
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "troupe/sim/prng.hpp"
#include "troupe/time.hpp"

namespace troupe::sim {

struct CrashOnMessage {
  std::string path;       ///< the actor
  std::uint64_t message;  ///< 1-based message number
};

struct CrashWithProbability {
  double probability;
  std::string path_prefix;  ///< empty: every actor
};

struct DelayDeliveries {
  double probability;
  Duration delay;
};

struct Stall {
  std::string path;
  TimePoint at;
  Duration duration;
};

struct Slow {
  std::string path_prefix;
  double factor;
};

/// Bounds that keep every fault's arithmetic inside the virtual clock: a
/// delay, a stall's start and its duration each, and all delays together, at
/// most a year; all slowdowns multiplied at most a million (a handler of one
/// second then takes under twelve days).
inline constexpr Duration kMaxFaultTime = std::chrono::hours(24 * 365);
inline constexpr double kMaxSlowFactor = 1e6;

/// The kinds of fault, for swarm testing.
enum class FaultKind : std::uint8_t { crash_on_message, crash_random, delay, stall, slow };

class FaultPlan {
 public:
  // Each adder validates and throws std::invalid_argument naming the field.
  FaultPlan& crash_on_message(std::string path, std::uint64_t message);
  FaultPlan& crash_with_probability(double probability, std::string path_prefix = {});
  FaultPlan& delay_deliveries(double probability, Duration delay);
  FaultPlan& stall(std::string path, TimePoint at, Duration duration);
  FaultPlan& slow(std::string path_prefix, double factor);

  /// Swarm testing: a copy that keeps each kind of fault with probability
  /// 1/2, chosen by `prng`, so different seeds explore different mixes.
  FaultPlan swarm(Prng& prng) const;

  bool empty() const;
  /// Every actor path the plan names exactly (crashes on message, stalls).
  std::vector<std::string> named_paths() const;

  const std::vector<CrashOnMessage>& crashes() const { return crashes_; }
  const std::vector<CrashWithProbability>& random_crashes() const { return random_crashes_; }
  const std::vector<DelayDeliveries>& delays() const { return delays_; }
  const std::vector<Stall>& stalls() const { return stalls_; }
  const std::vector<Slow>& slowdowns() const { return slowdowns_; }

 private:
  std::vector<CrashOnMessage> crashes_;
  std::vector<CrashWithProbability> random_crashes_;
  std::vector<DelayDeliveries> delays_;
  std::vector<Stall> stalls_;
  std::vector<Slow> slowdowns_;
};

}  // namespace troupe::sim
