// The simulator's random numbers: the engine's portable xoshiro256** with the
// helpers a simulation needs. Every helper is computed with integer or plain
// IEEE arithmetic of our own, never std::*_distribution, so a seed gives the
// same run on every compiler and standard library.
#pragma once

#include <cstdint>

#include "troupe/sim/decision_tape.hpp"
#include "troupe/time.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe::sim {

class Prng {
 public:
  explicit Prng(std::uint64_t seed) : generator_(seed), seed_(seed) {}

  std::uint64_t next() {
    const std::uint64_t drawn = generator_.next();
    return tape_ == nullptr ? drawn : tape_->next(stream_, drawn);
  }
  /// Uniform in [0, bound); bound > 0.
  std::uint64_t below(std::uint64_t bound);
  /// Uniform in [lo, hi], inclusive; lo <= hi.
  std::int64_t range(std::int64_t lo, std::int64_t hi);
  /// Uniform in [0, 1).
  double real() { return unit_interval(next()); }
  /// True with probability p (p outside [0, 1] is clamped).
  bool bernoulli(double p);
  /// Uniform duration in [lo, hi].
  Duration uniform(Duration lo, Duration hi);
  /// Exponentially distributed with the given mean, rounded to nanoseconds.
  Duration exponential(Duration mean);

  /// An independent stream for one concern (scheduling, faults, a workload),
  /// so that using more numbers in one does not shift the others.
  Prng fork(std::uint64_t stream) const;

  /// Passes every number drawn through `tape` as stream `stream`: recorded,
  /// or replaced by the recorded one when the tape replays.
  void record_to(DecisionTape* tape, std::uint64_t stream) {
    tape_ = tape;
    stream_ = stream;
  }

 private:
  Xoshiro256 generator_;
  std::uint64_t seed_;
  DecisionTape* tape_ = nullptr;
  std::uint64_t stream_ = 0;
};

}  // namespace troupe::sim
