// Recording a scenario run as a Trace, and replaying a Trace: the scenario is
// rebuilt from the header (parameters and the recorded fault plan) and every
// random decision comes from the trace, then the events are compared one by
// one. A run that matches ends with the recorded outcome and hash.
#pragma once

#include <optional>
#include <string>

#include "sim/scenario_run.hpp"
#include "sim/trace.hpp"

namespace troupe::sim {

/// Runs `spec` with a recording tape and returns the run as a trace.
Trace record_run(const RunSpec& spec, RunReport* report = nullptr);

/// The trace of a finished run (its decisions from `tape`).
Trace make_trace(const RunSpec& spec, const RunReport& report, const DecisionTape& tape);

struct Divergence {
  std::uint64_t index = 0;  ///< of the first event that differs
  std::string expected;     ///< from the trace, or "(end of trace)"
  std::string actual;       ///< from the replay, or "(end of run)"
};

struct ReplayResult {
  std::optional<Divergence> divergence;
  std::string outcome;  ///< the replay's
  std::uint64_t hash = 0;
  std::uint64_t events = 0;
  /// Same events, same outcome, same hash as the recording.
  bool matches = false;
};

/// Throws std::invalid_argument when the trace names an unknown scenario or
/// parameters this build does not accept.
ReplayResult replay_trace(const Trace& trace);

}  // namespace troupe::sim
