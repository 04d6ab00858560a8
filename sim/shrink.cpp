#include "sim/shrink.hpp"

#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>

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

  /// Runs the candidate; adopts it when it fails the same way.
  bool try_candidate(const Params& params, const FaultPlan& faults) {
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
        if (try_candidate(best_.header.params, rebuild(rest))) {
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
        if (try_candidate(candidate, best_.header.faults)) {
          high = mid;
        } else {
          low = mid + 1;
        }
      }
    }
  }

  const Trace& best() const { return best_; }
  std::size_t runs() const { return runs_; }

 private:
  Trace best_;
  std::size_t runs_ = 0;
  std::size_t max_runs_;
  const Scenario* scenario_;
};

}  // namespace

std::size_t fault_count(const FaultPlan& plan) {
  return pieces(plan).size();
}

ShrinkResult shrink_trace(const Trace& failing, std::size_t max_runs) {
  if (failing.footer.invariant.empty()) {
    throw std::invalid_argument("the trace passed: there is no failure to shrink");
  }
  Shrinker shrinker(failing, max_runs);
  shrinker.shrink_faults();
  shrinker.shrink_workload();
  shrinker.shrink_faults();  // a smaller workload may need fewer faults
  ShrinkResult out;
  out.trace = shrinker.best();
  out.runs = shrinker.runs();
  out.faults_before = fault_count(failing.header.faults);
  out.faults_after = fault_count(out.trace.header.faults);
  out.events_before = failing.footer.events;
  out.events_after = out.trace.footer.events;
  return out;
}

}  // namespace troupe::sim
