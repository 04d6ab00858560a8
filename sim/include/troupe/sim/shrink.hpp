// Shrinking a failing trace: delta debugging over its fault plan (drop
// faults), its workload (smaller values of the scenario's workload
// parameters) and its schedule (fewer preemptions: choices other than the
// default order), keeping a candidate only when the same failure (invariant
// and actor) still occurs. Fault and workload candidates first run with the
// trace's seed and strategy; then the schedule is cut (every choice after a
// point back to the default) and its preemptions removed chunk by chunk, each
// candidate replaying an edited choice stream and taking the default order
// past its end. Every candidate is recorded, so the result, the trace of the
// smallest failing run found, replays exactly.
#pragma once

#include <cstddef>

#include "troupe/sim/replay.hpp"

namespace troupe::sim {

struct ShrinkResult {
  Trace trace;           ///< the smallest failing run found
  std::size_t runs = 0;  ///< candidates tried
  std::size_t faults_before = 0;
  std::size_t faults_after = 0;
  std::uint64_t events_before = 0;
  std::uint64_t events_after = 0;
  std::uint64_t preemptions_before = 0;
  std::uint64_t preemptions_after = 0;
};

/// Throws std::invalid_argument when `failing` did not fail or does not
/// replay in this build (its decisions are not those of its run).
ShrinkResult shrink_trace(const Trace& failing, std::size_t max_runs = 400);

/// How many faults a plan holds (of every kind).
std::size_t fault_count(const FaultPlan& plan);

/// How many of a trace's scheduling choices are not the default order.
std::uint64_t preemption_count(const Trace& trace);

}  // namespace troupe::sim
