// Runs a scenario on the simulator and checks its invariants: the
// conservation law, pool sizes within bounds, the autoscaler's cooldown,
// restart budgets, and a shutdown that completes or reports what it abandoned
// (plus any policy the scenario sets in its World).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "troupe/sim/decision_tape.hpp"
#include "troupe/sim/scenario.hpp"
#include "troupe/sim/streams.hpp"

namespace troupe::sim {

struct RunSpec {
  std::string scenario = "taskpool";
  Params params{};  ///< overrides of the defaults
  std::uint64_t seed = 1;
  Strategy strategy = Strategy::random;
  /// PCT's depth and steps, when `strategy` is pct.
  PctSettings pct{};
  /// Keep a seeded random subset of the fault kinds (swarm testing).
  bool swarm = false;
  /// The fault plan to use instead of the scenario's (replay and shrink).
  std::optional<FaultPlan> faults{};
  /// Records or replays every random decision (not owned).
  DecisionTape* tape = nullptr;
  /// Picks every scheduling step instead of `strategy` (systematic and
  /// guided exploration); a recording tape still records its choices.
  std::shared_ptr<ScheduleStrategy> chooser{};
  /// Called on the simulator once the scenario's world is built, before it
  /// runs: guided exploration reads its states through it.
  std::function<void(const System&, const World&)> on_built{};
  /// Keep every scheduling decision in RunReport::decisions.
  bool log_decisions = false;
  /// Fill RunReport::metrics. A sweep reads no seed's metrics, and writing
  /// the exposition was a thirteenth of explore's time per seed.
  bool keep_metrics = true;
  /// A replay whose tape runs out has diverged: by default the run stops at
  /// its next step (then shuts down); with this set it goes on with fresh
  /// draws from the seed, to show what the changed code does.
  bool continue_past_tape = false;
  /// Events kept for the trace, the last ones of a longer run (the hash
  /// covers them all).
  std::size_t event_capacity = 1 << 20;
  /// Run on real threads (ThreadStage) instead of the simulator: no fault
  /// injection, no decisions to record, and no reproducible hash.
  bool threads = false;
  /// On threads: how long the workload may take (wall clock).
  Duration threads_time_limit = std::chrono::seconds(120);
};

struct RunReport {
  const Scenario* scenario = nullptr;
  Params params;  ///< resolved: every parameter with its value
  FaultPlan faults;
  SimResult result;                   ///< after shutdown: events, hash, counts
  std::vector<std::uint64_t> hashes;  ///< the running hash after each kept event
  /// Set when a replaying tape ran out and the run was stopped there.
  bool stopped_past_tape = false;
  /// Set when a replayed fault plan names an actor this run never spawned
  /// (a changed run: a divergence).
  std::optional<std::string> unspawned_fault_target;
  ShutdownReport shutdown;
  /// The first invariant broken; "foreign_thread" (a thread the simulator
  /// does not own told an actor or armed a timer) overrides any other.
  std::optional<Violation> violation;
  std::optional<WorkLedger> work;  ///< the scenario's account of its items, if it keeps one
  std::string metrics;  ///< the exposition after the run, before shutdown (RunSpec::keep_metrics)
  /// Every scheduling decision, shutdown included (when RunSpec::log_decisions).
  std::vector<Decision> decisions;
  /// Decisions that took another candidate than the first (the default order).
  std::uint64_t preemptions = 0;

  bool passed() const { return !violation.has_value(); }
  /// "pass", or "fail: <invariant> <actor>".
  std::string outcome() const;
};

/// Throws std::invalid_argument for an unknown scenario or bad parameters.
RunReport run_scenario(const RunSpec& spec);

}  // namespace troupe::sim
