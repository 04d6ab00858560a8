// Shrinking a failing trace: delta debugging over its fault plan (drop
// faults) and its workload (smaller values of the scenario's workload
// parameters), keeping a candidate only when the same failure (invariant and
// actor) still occurs. Each candidate is a fresh run with the trace's seed and
// strategy; the result is the trace of the smallest failing run found.
#pragma once

#include <cstddef>

#include "sim/replay.hpp"

namespace troupe::sim {

struct ShrinkResult {
  Trace trace;           ///< the smallest failing run found
  std::size_t runs = 0;  ///< candidates tried
  std::size_t faults_before = 0;
  std::size_t faults_after = 0;
  std::uint64_t events_before = 0;
  std::uint64_t events_after = 0;
};

/// Throws std::invalid_argument when `failing` did not fail.
ShrinkResult shrink_trace(const Trace& failing, std::size_t max_runs = 400);

/// How many faults a plan holds (of every kind).
std::size_t fault_count(const FaultPlan& plan);

}  // namespace troupe::sim
