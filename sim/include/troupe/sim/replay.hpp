// Recording a scenario run as a Trace, and replaying a Trace: the scenario is
// rebuilt from the header (parameters and the recorded fault plan) and every
// random decision comes from the trace, then the events are compared one by
// one. A run that matches ends with the recorded outcome and hash.
#pragma once

#include <optional>
#include <string>

#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::sim {

/// Runs `spec` with a recording tape and returns the run as a trace.
Trace record_run(const RunSpec& spec, RunReport* report = nullptr);

/// The trace of a finished run (its decisions from `tape`).
Trace make_trace(const RunSpec& spec, const RunReport& report, const DecisionTape& tape);
/// The same, taking the report's events and hashes instead of copying them.
Trace make_trace(const RunSpec& spec, RunReport&& report, const DecisionTape& tape);

struct Divergence {
  std::uint64_t index = 0;  ///< of the first event that differs
  std::string expected;     ///< from the trace, or "(end of trace)"
  std::string actual;       ///< from the replay, or "(end of run)"
};

struct ReplayOptions {
  /// When the recorded decisions run out, go on with fresh draws from the
  /// seed (what the changed code does) instead of stopping there.
  bool continue_past_tape = false;
};

struct ReplayResult {
  std::optional<Divergence> divergence;
  /// Set when the replay needed a decision the trace does not hold.
  std::optional<DecisionTape::Exhaustion> tape_ran_out;
  /// "diverged" when the run was stopped where the tape ran out.
  std::string outcome;  ///< the replay's
  std::uint64_t hash = 0;
  std::uint64_t events = 0;
  /// Same events, same outcome, same hash as the recording.
  bool matches = false;
};

/// Never aborts on a run that differs from the recording (the code or a
/// parameter changed): that is a divergence, reported with the first
/// differing event. A trace that keeps only the last events of its run is
/// compared on those and on the final hash. Throws std::invalid_argument
/// when the trace names an unknown scenario or parameters this build does
/// not accept.
ReplayResult replay_trace(const Trace& trace, const ReplayOptions& options = {});
/// Replays `spec` (its decisions from `tape`) against `trace`: what
/// replay_trace does, for a spec that differs from the trace's header.
ReplayResult replay_against(const Trace& trace, RunSpec spec, DecisionTape& tape);

}  // namespace troupe::sim
