#include "troupe/sim/workload.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace troupe::sim {

namespace {

Duration gap_for_rate(double rate_per_second, const char* field) {
  if (!std::isfinite(rate_per_second) || rate_per_second <= 0.0) {
    throw std::invalid_argument(std::string("workload: ") + field + " must be a positive rate");
  }
  const double ns = 1e9 / rate_per_second;
  return Duration(std::max<Duration::rep>(1, static_cast<Duration::rep>(std::llround(ns))));
}

}  // namespace

Arrivals Arrivals::constant(Duration interval, std::uint64_t count) {
  if (interval <= Duration::zero()) {
    throw std::invalid_argument("workload: constant interval must be positive");
  }
  Arrivals a;
  a.kind_ = Kind::constant;
  a.interval_ = interval;
  a.count_ = count;
  return a;
}

Arrivals Arrivals::poisson(double rate_per_second, std::uint64_t count) {
  Arrivals a;
  a.kind_ = Kind::poisson;
  a.mean_gap_ = gap_for_rate(rate_per_second, "poisson rate");
  a.count_ = count;
  return a;
}

Arrivals Arrivals::bursts(Duration on, Duration off, double rate_per_second, std::uint64_t count) {
  if (on <= Duration::zero()) throw std::invalid_argument("workload: bursts.on must be positive");
  if (off < Duration::zero())
    throw std::invalid_argument("workload: bursts.off must not be negative");
  Arrivals a;
  a.kind_ = Kind::bursts;
  a.interval_ = gap_for_rate(rate_per_second, "bursts rate");
  a.on_ = on;
  a.off_ = off;
  a.count_ = count;
  return a;
}

Arrivals Arrivals::at(std::vector<Duration> offsets) {
  for (std::size_t i = 0; i < offsets.size(); ++i) {
    if (offsets[i] < Duration::zero()) {
      throw std::invalid_argument("workload: scripted offsets must not be negative");
    }
    if (i > 0 && offsets[i] < offsets[i - 1]) {
      throw std::invalid_argument("workload: scripted offsets must be sorted ascending");
    }
  }
  Arrivals a;
  a.kind_ = Kind::at;
  a.count_ = offsets.size();
  a.offsets_ = std::move(offsets);
  return a;
}

Duration Arrivals::offset(std::uint64_t index, Duration previous, Prng& prng) const {
  switch (kind_) {
    case Kind::constant:
      return interval_ * static_cast<Duration::rep>(index + 1);
    case Kind::poisson:
      return previous + prng.exponential(mean_gap_);
    case Kind::bursts: {
      const auto per_burst =
          std::max<std::uint64_t>(1, static_cast<std::uint64_t>(on_.count() / interval_.count()));
      const auto burst = static_cast<Duration::rep>(index / per_burst);
      const auto within = static_cast<Duration::rep>(index % per_burst);
      return (on_ + off_) * burst + interval_ * within;
    }
    case Kind::at:
      return offsets_[index];
  }
  return previous;
}

}  // namespace troupe::sim
