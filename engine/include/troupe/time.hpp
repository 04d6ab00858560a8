// The time types every scheduler speaks. A TimePoint is measured from the
// scheduler's own epoch (its start), so the same code reads a steady clock in
// production and a virtual clock in simulation.
#pragma once

#include <chrono>
#include <cstdint>

namespace troupe {

/// A clock tag without now(): only a Scheduler knows what time it is.
struct SchedulerClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<SchedulerClock>;
  static constexpr bool is_steady = true;
};

using Duration = SchedulerClock::duration;
using TimePoint = SchedulerClock::time_point;

/// Identifies a pending timer so that it can be cancelled.
using TimerId = std::uint64_t;

}  // namespace troupe
