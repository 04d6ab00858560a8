// The determinism check: a seed run twice from fresh state must give the same
// run, event for event. When it does not, something outside the simulator's
// control reached the run (the wall clock, std::rand, addresses, statics,
// threads), and no trace of it can be trusted to replay. `troupe run` and
// `troupe explore` use it (--check-determinism).
//
//   RunReport first;
//   record_run(spec, &first);
//   const DeterminismCheck check = check_determinism(spec, first);
//   if (!check.deterministic()) std::puts(describe(check).c_str());
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "troupe/sim/scenario_run.hpp"

namespace troupe::sim {

/// The first event at which two runs of one seed differ.
struct EventDivergence {
  std::uint64_t index = 0;  ///< of the event in the run, from 0
  /// Each run's event there; none when that run had already ended.
  std::optional<RecordedEvent> first;
  std::optional<RecordedEvent> second;
  /// The runs already differed before the earliest event both kept (a run
  /// longer than RunSpec::event_capacity keeps only its last events).
  bool before_kept = false;
};

struct DeterminismCheck {
  std::uint64_t first_hash = 0;
  std::uint64_t second_hash = 0;
  std::uint64_t first_events = 0;
  std::uint64_t second_events = 0;
  std::string first_outcome;
  std::string second_outcome;
  /// Where the event streams part, if they do.
  std::optional<EventDivergence> divergence;

  bool deterministic() const {
    return !divergence && first_hash == second_hash && first_outcome == second_outcome;
  }
};

/// Compares two finished runs of the same spec.
DeterminismCheck compare_runs(const RunReport& first, const RunReport& second);

/// Runs `spec` again from fresh state (recording, as record_run does) and
/// compares that run with `first`, a finished run of the same spec.
DeterminismCheck check_determinism(const RunSpec& spec, const RunReport& first);

/// Several lines for a person: the hashes, the first divergent event of each
/// run (index, time, kind, actor), and the likely causes.
std::string describe(const DeterminismCheck& check);

}  // namespace troupe::sim
