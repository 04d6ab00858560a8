// Systematic exploration: every schedule of a scenario within a bound,
// depth first and stateless. A schedule is the list of choices made at the
// run's decisions (steps with two or more candidates); each schedule re-runs
// the scenario from the start with a chooser that follows a prefix of
// choices and then takes index 0, the default (fifo) order. The bound caps
// the prefix's preemptions (choices other than 0) or its delays (the sum of
// the choices). When the enumeration ends without a failure, every schedule
// within the bound was run and passed: a proof no random tester can give.
//
//   SystematicResult r = explore_systematic({.scenario = "race", .seed = 1},
//                                           {.bound = 2});
//   if (r.exhausted) ...  // all r.schedules schedules pass
//
// The seed fixes everything else (service times, faults, workload draws).
//
// Pruning: the enumeration is a tree (a child deviates from its parent at a
// decision after the parent's prefix), so no prefix is ever run twice and no
// schedule is counted twice. It does not skip swaps of "independent" steps
// (sleep sets, partial-order reduction): that is unsound here, since service
// times and the engine's random() are drawn in execution order (two actors
// swapped swap their draws), scenarios share state through their World
// (counters, the finished predicate checked after every step), and bounded
// mailboxes make two sends to one actor order-dependent.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "troupe/sim/scenario_run.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::sim {

enum class BoundKind : std::uint8_t {
  preemptions,  ///< how many choices are not 0 (Musuvathi and Qadeer, PLDI 2007)
  delays,       ///< the sum of the choices (Emmi, Qadeer and Rakamaric, POPL 2011)
};

std::string_view to_string(BoundKind kind);

struct SystematicSettings {
  std::uint64_t bound = 2;
  BoundKind kind = BoundKind::preemptions;
  /// Schedules run at most (>= 1): a large space ends early, not exhausted.
  std::uint64_t max_schedules = 100'000;
};

struct SystematicResult {
  std::uint64_t schedules = 0;  ///< run, the failing one included
  /// Every schedule within the bound ran and none failed.
  bool exhausted = false;
  /// The first failing schedule: its choices (one per decision, up to the
  /// last choice that is not 0) and its trace (strategy "systematic"; it
  /// replays from its tape).
  std::optional<std::vector<std::uint32_t>> failing_choices;
  std::optional<Trace> failure;
  /// The most decisions one schedule made.
  std::uint64_t max_decisions = 0;
};

/// A re-run did not reach the decisions its parent schedule made with the
/// same seed and choices (other candidate counts, or too few decisions): the
/// scenario is not deterministic from its seed, and no enumeration of it
/// can be trusted.
class SystematicDivergence : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Throws std::invalid_argument for max_schedules 0, an unknown scenario or
/// bad parameters, and SystematicDivergence when a re-run does not follow its
/// prefix (a scenario that is not deterministic from its seed).
SystematicResult explore_systematic(const RunSpec& base, const SystematicSettings& settings);

/// What a schedule's choices cost under `kind`.
std::uint64_t bound_cost(const std::vector<std::uint32_t>& choices, BoundKind kind);

}  // namespace troupe::sim
