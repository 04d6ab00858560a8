// The scenarios troupe ships: taskpool, crash-storm, shutdown-deadline and
// pipeline, and the planted-bug suite (bug-*: each with a bug and, with
// fixed=1, its fix), the yardstick for the simulator's strategies. Each file
// builds one; scenario.cpp registers them on first use.
#pragma once

#include <atomic>
#include <chrono>
#include <cmath>
#include <vector>

#include "troupe/sim/scenario.hpp"

namespace troupe::sim {

std::vector<Scenario> builtin_scenarios();

Scenario taskpool_scenario();
Scenario crash_storm_scenario();
Scenario shutdown_deadline_scenario();
Scenario pipeline_scenario();
Scenario bug_order_2_scenario();
Scenario bug_order_3_scenario();
Scenario bug_restart_state_scenario();
Scenario bug_slow_timeout_scenario();
Scenario bug_same_instant_scenario();

namespace scenario_detail {

/// A parameter as a whole number (the ranges keep it non-negative).
inline std::uint64_t count(const Params& p, const char* name) {
  return static_cast<std::uint64_t>(std::llround(p.at(name)));
}
inline Duration millis(const Params& p, const char* name) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::milli>(p.at(name)));
}

/// A scenario's item counts, safe to bump from handlers on real threads.
struct ItemCounters {
  std::atomic<std::uint64_t> emitted{0};
  std::atomic<std::uint64_t> reached_end{0};
  std::atomic<std::uint64_t> given_up{0};
  std::atomic<std::uint64_t> refused{0};

  /// Counts a send of an item; a refused one is given up unless `retried`.
  SendResult sent(SendResult r, bool retried = false) {
    if (r == SendResult::accepted) return r;
    ++refused;
    if (!retried) ++given_up;
    return r;
  }
  /// Counts an item the workload put in (a refused one is lost at the door).
  SendResult emit(SendResult r) {
    ++emitted;
    return sent(r);
  }
  WorkLedger ledger() const { return {emitted, reached_end, given_up, refused}; }
};

}  // namespace scenario_detail
}  // namespace troupe::sim
