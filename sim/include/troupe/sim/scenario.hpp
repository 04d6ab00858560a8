// Scenarios: named, parameterised worlds for the simulator. A scenario builds
// its actors, pools, workload and fault plan from parameters and a seed, and
// declares what must hold; run_scenario (troupe/sim/scenario_run.hpp) runs it and
// checks the invariants during and after the run. Users add their own with
// register_scenario before calling the troupe command's entry point.
//
//   register_scenario({.name = "mine", .description = "...",
//                      .params = {{"jobs", 100, 1, 100000, "jobs sent", true}},
//                      .faults = [](const Params& p) { return FaultPlan{}; },
//                      .build = [](Stage& stage, const Params& p) { World w; ...; return w; }});
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "troupe/pool.hpp"
#include "troupe/sim/simulation.hpp"
#include "troupe/supervision.hpp"

namespace troupe::sim {

/// A numeric parameter with its default and allowed range.
struct ParamSpec {
  std::string name;
  double default_value = 0;
  double min = 0;
  double max = 0;
  std::string help;
  /// A size of the workload: what `troupe shrink` may make smaller.
  bool workload = false;
  /// A count or a 0/1 switch: a fraction is refused (workload sizes always
  /// count, so they refuse fractions too).
  bool integer = false;
};

using Params = std::map<std::string, double>;

/// A broken invariant: which, where and how.
struct Violation {
  std::string invariant;
  std::string actor;  ///< the actor or pool path it concerns, if any
  std::string detail;
};

/// A pool whose bounds and cooldown the run checks.
struct PoolWatch {
  std::string path;
  std::size_t min = 0;
  std::size_t max = 0;
  Duration cooldown{};
  std::function<std::size_t()> size;
  std::function<std::vector<ScaleDecision>()> decisions;
  std::function<void()> stop_autoscaler;
};

template <class M>
PoolWatch watch_pool(const Pool<M>& pool, Duration cooldown) {
  return PoolWatch{pool.path(),
                   pool.settings().min,
                   pool.settings().max,
                   cooldown,
                   [pool] { return pool.size(); },
                   [pool] { return pool.decisions(); },
                   [pool] { pool.stop_autoscaler(); }};
}

/// Actors under `path_prefix` restart at most `budget.max_restarts` times in
/// any window `budget.within`.
struct BudgetWatch {
  std::string path_prefix;
  RestartBudget budget;
};

/// A scenario's own account of its work items, for the end-to-end check.
struct WorkLedger {
  std::uint64_t emitted = 0;      ///< items put in (by the workload)
  std::uint64_t reached_end = 0;  ///< items that reached their end (handled by the last stage)
  std::uint64_t given_up = 0;     ///< items the scenario dropped itself after a refused send
  std::uint64_t refused = 0;      ///< sends of items the scenario saw refused (each a dead letter)
};

/// A liveness property: `holds()` becomes true within `within` of virtual
/// time once the workload is finished and the faults have stopped (checked on
/// the simulator only). `within` = 0 means by the end of that instant;
/// Duration::max() means "ever, before the run goes idle or over budget".
struct Eventually {
  std::string name;  ///< the violation is "eventually:<name>"
  std::function<bool()> holds;
  Duration within{};
};

/// What a scenario's build returns: what to watch and when the work is done.
struct World {
  std::vector<PoolWatch> pools;
  std::vector<BudgetWatch> budgets;
  /// True once the workload has been delivered (the run then drains and shuts down).
  std::function<bool()> finished;
  Duration shutdown_deadline = std::chrono::seconds(15);
  /// A scenario policy: an actor stopped for exhausting its restart budget is
  /// a violation ("budget_never_exhausted").
  bool forbid_budget_exhaustion = false;
  /// A scenario policy: any message abandoned at shutdown is a violation
  /// ("shutdown_drains_everything").
  bool forbid_abandonment = false;
  /// The scenario's own invariants, checked after shutdown over the final
  /// counts and every event of the run.
  using Check = std::function<std::optional<Violation>(const SystemStats& stats,
                                                       const std::vector<RecordedEvent>& events)>;
  std::vector<Check> checks;
  /// The end-to-end check, which every built-in scenario declares: after
  /// shutdown each item emitted reached its end, was given up by the
  /// scenario, or became a dead letter after a send accepted it (the
  /// system's dead letters less the refusals the scenario saw). Anything
  /// else vanished, and the run fails with "lost_work".
  std::function<WorkLedger()> work;
  /// Liveness, checked in a convergence phase, as TigerBeetle's VOPR does:
  /// once `finished` holds, every fault is switched off and the run goes on
  /// until each property has held or its `within` has passed; one that did
  /// not hold in time fails the run with "eventually:<name>". Without
  /// properties there is no such phase (the run shuts down at once).
  std::vector<Eventually> eventually;
  /// The abstract state guided exploration counts as coverage, taken at
  /// every scheduling choice (default: the mailbox shapes of the live
  /// actors). Hash only what matters to the bugs sought: fewer states,
  /// better guidance. Must not spawn, stop or send.
  std::function<std::uint64_t()> state_hash;
};

struct Scenario {
  std::string name;
  std::string description;
  std::vector<ParamSpec> params;
  /// The fault plan for these parameters (a trace records it, so replay and
  /// shrink use the recorded one).
  std::function<FaultPlan(const Params&)> faults;
  /// The simulator settings besides seed and strategy (service time, budgets).
  std::function<SimSettings(const Params&)> settings;
  /// Builds the world on `stage` (the simulator, or real threads).
  std::function<World(Stage&, const Params&)> build;
};

/// Registers a scenario; throws std::invalid_argument for a duplicate or
/// invalid name, or a parameter whose default is outside its range.
void register_scenario(Scenario scenario);
/// The scenario, or nullptr.
const Scenario* find_scenario(const std::string& name);
/// Every scenario, sorted by name (the built-in ones included).
std::vector<const Scenario*> scenarios();

/// The defaults overridden by `given`; throws std::invalid_argument naming an
/// unknown parameter, a value out of range, or a fractional value.
Params resolve_params(const Scenario& scenario, const Params& given);

/// Parses "name=value" with a plain decimal value ("12", "-0.5"; no hex, no
/// exponent); throws std::invalid_argument when malformed.
std::pair<std::string, double> parse_param(const std::string& text);

}  // namespace troupe::sim
