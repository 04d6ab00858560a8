#include "troupe/sim/shrink.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>

#include "troupe/assert.hpp"

namespace troupe::sim {

namespace {

/// One fault of any kind, so a plan can be cut into pieces and rebuilt.
using FaultAdder = std::function<void(FaultPlan&)>;

std::vector<FaultAdder> pieces(const FaultPlan& plan) {
  std::vector<FaultAdder> out;
  for (const auto& c : plan.crashes()) {
    out.push_back([c](FaultPlan& p) { p.crash_on_message(c.path, c.message); });
  }
  for (const auto& c : plan.random_crashes()) {
    out.push_back([c](FaultPlan& p) { p.crash_with_probability(c.probability, c.path_prefix); });
  }
  for (const auto& d : plan.delays()) {
    out.push_back([d](FaultPlan& p) { p.delay_deliveries(d.probability, d.delay); });
  }
  for (const auto& s : plan.stalls()) {
    out.push_back([s](FaultPlan& p) { p.stall(s.path, s.at, s.duration); });
  }
  for (const auto& s : plan.slowdowns()) {
    out.push_back([s](FaultPlan& p) { p.slow(s.path_prefix, s.factor); });
  }
  return out;
}

FaultPlan rebuild(const std::vector<FaultAdder>& kept) {
  FaultPlan plan;
  for (const auto& add : kept) add(plan);
  return plan;
}

/// A trace's scheduling choices, in the order the run made them.
using Choices = std::vector<std::uint64_t>;

Choices choices_of(const Trace& trace) {
  const auto it = trace.decisions.find(kChoiceStream);
  return it == trace.decisions.end() ? Choices{} : it->second;
}

/// Where `choices` leaves the default order: the preemptions, by position.
std::vector<std::size_t> preemption_positions(const Choices& choices) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] != 0) out.push_back(i);
  }
  return out;
}

/// Plays a script of choices, then the default order (index 0) once the
/// script runs out. A scripted index the step does not have (an earlier edit
/// changed the run) takes the default too. Asked only when there are two or
/// more candidates, so the i-th question is the i-th choice of the stream.
class ScriptedChoices final : public ScheduleStrategy {
 public:
  explicit ScriptedChoices(Choices script) : script_(std::move(script)) {}
  std::size_t choose(const Candidates& candidates) override {
    const std::uint64_t wanted = asked_ < script_.size() ? script_[asked_] : 0;
    ++asked_;
    return wanted < candidates.size() ? static_cast<std::size_t>(wanted) : 0;
  }

 private:
  Choices script_;
  std::size_t asked_ = 0;
};

class Shrinker {
 public:
  Shrinker(const Trace& failing, std::size_t max_runs)
      : best_(failing), max_runs_(max_runs), scenario_(find_scenario(failing.header.scenario)) {
    if (scenario_ == nullptr) {
      throw std::invalid_argument("unknown scenario '" + failing.header.scenario + "'");
    }
    // Every parameter explicit (a trace may leave some to their defaults), and
    // refused here if this build does not accept them, not silently in every
    // candidate.
    best_.header.params = resolve_params(*scenario_, failing.header.params);
  }

  /// Runs the candidate; adopts it when it fails the same way. Its schedule
  /// is the seed's (the trace's strategy) until the schedule passes start,
  /// then `script` (the best run's choices, edited), followed by the default
  /// order. Every candidate is a recording, so the trace adopted holds
  /// exactly the decisions its run used and replays as it is.
  bool try_candidate(const Params& params, const FaultPlan& faults,
                     const std::optional<Choices>& script) {
    if (runs_ >= max_runs_) return false;
    ++runs_;
    const auto& h = best_.header;
    RunSpec spec{.scenario = h.scenario,
                 .params = params,
                 .seed = h.seed,
                 .strategy = h.strategy,
                 .pct = h.pct,
                 .swarm = h.swarm,
                 .faults = faults};
    if (script) spec.chooser = std::make_shared<ScriptedChoices>(*script);
    std::optional<Trace> run = run_candidate(spec);
    if (!run) return false;
    Trace& candidate = *run;
    if (candidate.footer.invariant != best_.footer.invariant ||
        candidate.footer.actor != best_.footer.actor) {
      return false;
    }
    best_ = std::move(candidate);
    return true;
  }

  /// The candidate's trace, or nullopt when it cannot run: a smaller workload
  /// may never spawn an actor the fault plan names, or a run may outgrow a
  /// trace. Such a candidate does not reproduce the failure; the shrink goes
  /// on. (The parameters were checked once, in the constructor.)
  static std::optional<Trace> run_candidate(const RunSpec& spec) {
    try {
      return record_run(spec);
    } catch (const std::invalid_argument&) {
      return std::nullopt;
    } catch (const std::length_error&) {
      return std::nullopt;
    }
  }

  /// ddmin-style: remove chunks of faults, halving the chunk size.
  void shrink_faults() {
    auto all = pieces(best_.header.faults);
    for (std::size_t chunk = std::max<std::size_t>(1, all.size() / 2);
         chunk >= 1 && !all.empty();) {
      bool removed = false;
      for (std::size_t from = 0; from < all.size();) {
        std::vector<FaultAdder> rest(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(from));
        rest.insert(rest.end(),
                    all.begin() + static_cast<std::ptrdiff_t>(std::min(all.size(), from + chunk)),
                    all.end());
        if (try_candidate(best_.header.params, rebuild(rest), script())) {
          all = std::move(rest);
          removed = true;
        } else {
          from += chunk;
        }
      }
      if (!removed) {
        if (chunk == 1) break;
        chunk /= 2;
      }
    }
  }

  /// For each workload parameter: binary search down towards its minimum.
  void shrink_workload() {
    for (const auto& spec : scenario_->params) {
      if (!spec.workload) continue;
      double low = spec.min;
      double high = best_.header.params.at(spec.name);  // known to fail
      while (high - low >= 1 && runs_ < max_runs_) {
        const double mid = std::floor((low + high) / 2);
        Params candidate = best_.header.params;
        candidate[spec.name] = mid;
        if (try_candidate(candidate, best_.header.faults, script())) {
          high = mid;
        } else {
          low = mid + 1;
        }
      }
    }
  }

  /// From here on every candidate keeps the best run's schedule (edited by
  /// the schedule passes) instead of the seed's.
  void keep_schedule() { scripted_ = true; }

  /// Cuts the schedule's tail: binary search for the fewest leading
  /// preemptions that still fail, everything after them the default order.
  /// Not monotone in general, so a heuristic; the zero-preemption schedule
  /// is tried first, as it is the answer when the failure needs no race.
  void truncate_schedule() {
    keep_schedule();
    std::size_t low = 0;
    std::size_t high = preemption_positions(choices_of(best_)).size();  // known to fail
    while (low < high && runs_ < max_runs_) {
      const std::size_t keep = low == 0 && high > 1 ? 0 : low + (high - low) / 2;
      if (try_schedule(truncated(choices_of(best_), keep))) {
        high = keep;  // the run kept the first `keep` preemptions, then defaults
      } else {
        low = keep + 1;
      }
    }
  }

  /// ddmin over the preemptions: set chunks of them to the default order,
  /// halving the chunk size, until no single one can go.
  void minimise_preemptions() {
    keep_schedule();
    auto count = [this] { return preemption_positions(choices_of(best_)).size(); };
    for (std::size_t chunk = std::max<std::size_t>(1, count() / 2); chunk >= 1 && count() > 0;) {
      bool removed = false;
      for (std::size_t from = 0; from < count() && runs_ < max_runs_;) {
        if (try_schedule(without(choices_of(best_), from, chunk))) {
          removed = true;  // the positions before `from` are unchanged: same prefix, same run
        } else {
          from += chunk;
        }
      }
      if (runs_ >= max_runs_) break;
      if (!removed) {
        if (chunk == 1) break;
        chunk /= 2;
      }
    }
  }

  const Trace& best() const { return best_; }
  std::size_t runs() const { return runs_; }

 private:
  std::optional<Choices> script() const {
    if (!scripted_) return std::nullopt;
    return choices_of(best_);
  }

  /// A schedule candidate has strictly fewer preemptions than the best run:
  /// its script is the best's with some set to 0, and a scripted run never
  /// preempts where its script does not.
  bool try_schedule(const Choices& script) {
    const std::size_t before = preemption_positions(choices_of(best_)).size();
    if (!try_candidate(best_.header.params, best_.header.faults, script)) return false;
    TROUPE_ASSERT(preemption_positions(choices_of(best_)).size() < before);
    return true;
  }

  /// `choices` up to its (keep+1)-th preemption; the default order after.
  static Choices truncated(Choices choices, std::size_t keep) {
    const auto at = preemption_positions(choices);
    if (keep < at.size()) choices.resize(at[keep]);
    return choices;
  }

  /// `choices` with preemptions [from, from + count) set to the default.
  static Choices without(Choices choices, std::size_t from, std::size_t count) {
    const auto at = preemption_positions(choices);
    for (std::size_t i = from; i < std::min(at.size(), from + count); ++i) choices[at[i]] = 0;
    return choices;
  }

  Trace best_;
  bool scripted_ = false;
  std::size_t runs_ = 0;
  std::size_t max_runs_;
  const Scenario* scenario_;
};

}  // namespace

std::size_t fault_count(const FaultPlan& plan) {
  return pieces(plan).size();
}

std::uint64_t preemption_count(const Trace& trace) {
  return preemption_positions(choices_of(trace)).size();
}

ShrinkResult shrink_trace(const Trace& failing, std::size_t max_runs) {
  if (failing.footer.invariant.empty()) {
    throw std::invalid_argument("the trace passed: there is no failure to shrink");
  }
  // The schedule passes edit the trace's choices, which mean something only
  // if they are the ones its run made.
  const ReplayResult replay = replay_trace(failing);
  if (!replay.matches) {
    throw std::invalid_argument(
        "the trace does not replay in this build" +
        (replay.divergence ? " (diverged at event " + std::to_string(replay.divergence->index) + ")"
                           : std::string()) +
        ": shrink needs a trace it can reproduce");
  }
  Shrinker shrinker(failing, max_runs);
  shrinker.shrink_faults();
  shrinker.shrink_workload();
  shrinker.shrink_faults();  // a smaller workload may need fewer faults
  // The schedule last: a fault or workload candidate with the seed's
  // schedule would bring every preemption back.
  shrinker.truncate_schedule();
  shrinker.minimise_preemptions();
  shrinker.shrink_faults();  // with the smaller schedule kept
  ShrinkResult out;
  out.trace = shrinker.best();
  out.runs = shrinker.runs();
  out.faults_before = fault_count(failing.header.faults);
  out.faults_after = fault_count(out.trace.header.faults);
  out.events_before = failing.footer.events;
  out.events_after = out.trace.footer.events;
  out.preemptions_before = preemption_count(failing);
  out.preemptions_after = preemption_count(out.trace);
  return out;
}

}  // namespace troupe::sim
