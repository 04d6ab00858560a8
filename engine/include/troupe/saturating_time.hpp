// Deadline arithmetic that cannot overflow. `Duration::max()` is how a caller
// says "as long as it takes", and `now() + Duration::max()` would wrap to the
// distant past (a deadline that has always passed): every deadline in the
// engine and the schedulers is computed with saturating_add instead.
//
//   const TimePoint deadline = saturating_add(scheduler.now(), timeout);
#pragma once

#include <chrono>
#include <limits>

#include "troupe/time.hpp"

namespace troupe {

/// `t + d`, clamped to [TimePoint::min(), TimePoint::max()] instead of wrapping.
constexpr TimePoint saturating_add(TimePoint t, Duration d) {
  using Rep = Duration::rep;
  const Rep base = t.time_since_epoch().count();
  const Rep step = d.count();
  if (step > 0 && base > std::numeric_limits<Rep>::max() - step) return TimePoint::max();
  if (step < 0 && base < std::numeric_limits<Rep>::min() - step) return TimePoint::min();
  return t + d;
}

/// `a + b` for non-negative durations, clamped at Duration::max().
constexpr Duration saturating_sum(Duration a, Duration b) {
  return saturating_add(TimePoint{} + a, b).time_since_epoch();
}

/// A deadline `delay` from `now` that is never before `now`: a negative (or
/// Duration::min()) delay means "now", Duration::max() saturates to "never".
constexpr TimePoint deadline_after(TimePoint now, Duration delay) {
  return saturating_add(now, delay < Duration::zero() ? Duration::zero() : delay);
}

}  // namespace troupe
