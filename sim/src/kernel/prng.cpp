#include "troupe/sim/prng.hpp"

#include <cmath>

#include "troupe/assert.hpp"
#include "troupe/portable_math.hpp"

namespace troupe::sim {

std::uint64_t Prng::below(std::uint64_t bound) {
  TROUPE_ASSERT(bound > 0);
  // Xoshiro256::below's rejection sampling, over next() so a tape sees each draw.
  const std::uint64_t limit = -bound % bound;
  while (true) {
    const std::uint64_t r = next();
    if (r >= limit) return r % bound;
  }
}

std::int64_t Prng::range(std::int64_t lo, std::int64_t hi) {
  TROUPE_ASSERT(lo <= hi);
  const auto span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == ~std::uint64_t{0}) return static_cast<std::int64_t>(next());
  return lo + static_cast<std::int64_t>(below(span + 1));
}

bool Prng::bernoulli(double p) {
  if (p <= 0.0) return false;
  if (p >= 1.0) return true;
  return real() < p;
}

Duration Prng::uniform(Duration lo, Duration hi) {
  return Duration(range(lo.count(), hi.count()));
}

Duration Prng::exponential(Duration mean) {
  TROUPE_ASSERT(mean >= Duration::zero());
  // Inverse transform; 1 - u is in (0, 1], so the log is finite. Our own
  // log1p: the library's may round differently on another machine.
  const double u = real();
  const double ns = -portable::log1p(-u) * static_cast<double>(mean.count());
  return Duration(static_cast<Duration::rep>(std::llround(ns)));
}

Prng Prng::fork(std::uint64_t stream) const {
  std::uint64_t mixed = seed_ ^ (stream * 0xd1b54a32d192ed03ULL);
  return Prng(splitmix64(mixed));
}

}  // namespace troupe::sim
