#include "troupe/supervision.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/portable_math.hpp"
#include "troupe/saturating_time.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe {

void validate(const RestartBudget& budget) {
  if (budget.max_restarts < 0) {
    throw std::invalid_argument("restart.max_restarts must be >= 0, got " +
                                std::to_string(budget.max_restarts));
  }
  if (budget.within <= Duration::zero()) {
    throw std::invalid_argument("restart.within must be positive, got " +
                                std::to_string(budget.within.count()) + "ns");
  }
}

void validate(const Backoff& backoff) {
  if (backoff.min < Duration::zero()) {
    throw std::invalid_argument("backoff.min must be >= 0");
  }
  if (backoff.max < backoff.min) {
    throw std::invalid_argument("backoff.max must be >= backoff.min");
  }
  if (!(backoff.factor >= 1.0) || !std::isfinite(backoff.factor)) {
    throw std::invalid_argument("backoff.factor must be a finite number >= 1");
  }
  if (!(backoff.jitter >= 0.0 && backoff.jitter <= 1.0)) {
    throw std::invalid_argument("backoff.jitter must be within [0, 1]");
  }
}

Directive decide(const FailurePolicy& policy, const Failure& failure) {
  if (!policy.decider) return Directive::restart;
  try {
    return policy.decider(failure);
  } catch (...) {
    return Directive::stop;
  }
}

Duration backoff_delay(const Backoff& backoff, std::size_t attempt, std::uint64_t random_bits) {
  if (backoff.min <= Duration::zero()) return Duration::zero();
  const double min_ns = static_cast<double>(backoff.min.count());
  const double max_ns = static_cast<double>(backoff.max.count());
  // Capping the exponent keeps the power finite however many restarts there
  // were; our own power, since std::pow may round differently elsewhere.
  const auto exponent = static_cast<unsigned>(std::min<std::size_t>(attempt, 64));
  const double base = std::min(max_ns, min_ns * portable::pow_int(backoff.factor, exponent));
  const double jittered = base * (1.0 + backoff.jitter * unit_interval(random_bits));
  const double clamped = std::clamp(jittered, min_ns, max_ns);
  // Duration::max() as a double rounds up to 2^63, which no int64 holds: a
  // delay that reaches it is the longest there is (casting it would be
  // undefined, and in practice wrapped to a restart at once).
  constexpr double kPastLongest = 9223372036854775808.0;  // 2^63
  if (clamped >= kPastLongest) return Duration::max();
  return Duration(static_cast<Duration::rep>(clamped));
}

bool RestartHistory::allows(TimePoint now, const RestartBudget& budget) {
  // Forgetting restarts that left the window changes no answer, so it is
  // done here too.
  const TimePoint window_start = saturating_add(now, -budget.within);  // within > 0
  const auto expired =
      std::find_if(times_.begin(), times_.end(), [&](TimePoint t) { return t > window_start; });
  times_.erase(times_.begin(), expired);
  return times_.size() < static_cast<std::size_t>(budget.max_restarts);
}

bool RestartHistory::admit(TimePoint now, const RestartBudget& budget) {
  if (!allows(now, budget)) return false;
  times_.push_back(now);
  TROUPE_ASSERT(times_.size() <= static_cast<std::size_t>(budget.max_restarts));
  return true;
}

std::string_view to_string(Directive d) {
  switch (d) {
    case Directive::resume:
      return "resume";
    case Directive::restart:
      return "restart";
    case Directive::stop:
      return "stop";
    case Directive::escalate:
      return "escalate";
  }
  return "unknown";
}

std::string_view to_string(Scope s) {
  switch (s) {
    case Scope::one_for_one:
      return "one_for_one";
    case Scope::all_for_one:
      return "all_for_one";
    case Scope::rest_for_one:
      return "rest_for_one";
  }
  return "unknown";
}

std::string_view to_string(RestartType t) {
  switch (t) {
    case RestartType::permanent:
      return "permanent";
    case RestartType::transient:
      return "transient";
    case RestartType::temporary:
      return "temporary";
  }
  return "unknown";
}

void validate_shutdown_timeout(Duration timeout) {
  if (timeout < Duration::zero()) {
    std::string text =
        "shutdown_timeout must be >= 0 (Duration::max() waits as long as it takes), got ";
    text.append(std::to_string(timeout.count())).append("ns");
    throw std::invalid_argument(text);
  }
}

}  // namespace troupe
