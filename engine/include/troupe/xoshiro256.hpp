// The project's portable pseudo-random generator: xoshiro256** seeded through
// splitmix64. Unlike std::*_distribution, every helper here gives the same
// numbers for the same seed on every compiler and standard library, which is
// what makes a seeded run reproducible anywhere.
#pragma once

#include <array>
#include <cstdint>

namespace troupe {

/// splitmix64 step: used to expand one 64-bit seed into generator state.
std::uint64_t splitmix64(std::uint64_t& state);

/// xoshiro256** (Blackman and Vigna): small, fast, and good enough for
/// scheduling choices, jitter and fault injection.
class Xoshiro256 {
 public:
  explicit Xoshiro256(std::uint64_t seed);

  std::uint64_t next();

  /// A uniform integer in [0, bound); bound must be positive. Unbiased.
  std::uint64_t below(std::uint64_t bound);

  /// A uniform real in [0, 1) with 53 bits of precision.
  double unit();

 private:
  std::array<std::uint64_t, 4> state_;
};

/// Maps 64 random bits to a uniform real in [0, 1).
double unit_interval(std::uint64_t bits);

}  // namespace troupe
