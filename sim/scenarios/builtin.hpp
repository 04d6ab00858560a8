// The scenarios troupe ships: taskpool, crash-storm, shutdown-deadline and
// pipeline. Each file builds one; scenario.cpp registers them on first use.
#pragma once

#include <chrono>
#include <cmath>
#include <vector>

#include "sim/scenario.hpp"

namespace troupe::sim {

std::vector<Scenario> builtin_scenarios();

Scenario taskpool_scenario();
Scenario crash_storm_scenario();
Scenario shutdown_deadline_scenario();
Scenario pipeline_scenario();

namespace scenario_detail {

/// A parameter as a whole number (the ranges keep it non-negative).
inline std::uint64_t count(const Params& p, const char* name) {
  return static_cast<std::uint64_t>(std::llround(p.at(name)));
}
inline Duration millis(const Params& p, const char* name) {
  return std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, std::milli>(p.at(name)));
}

}  // namespace scenario_detail
}  // namespace troupe::sim
