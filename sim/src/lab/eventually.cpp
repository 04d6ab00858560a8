#include "troupe/sim/eventually.hpp"

#include <algorithm>
#include <exception>
#include <set>
#include <stdexcept>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe::sim {

namespace {

std::string ms_text(Duration d) {
  if (d == Duration::max()) return "ever";
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + "ms";
}

/// Where the convergence phase stands: which property held, and the first
/// one found failing.
struct Progress {
  const std::vector<Eventually>& properties;
  TimePoint start;
  std::vector<bool> held;
  std::optional<Violation> failed;

  Violation violation(std::size_t i, const std::string& detail) const {
    return Violation{"eventually:" + properties[i].name, "", detail};
  }

  TimePoint deadline(std::size_t i) const { return saturating_add(start, properties[i].within); }

  /// Evaluates every property not yet held, at `now`. True once the phase
  /// is decided: all held, or one failed.
  bool update(TimePoint now) {
    bool all = true;
    for (std::size_t i = 0; i < properties.size() && !failed; ++i) {
      if (held[i]) continue;
      if (evaluate(i)) {
        held[i] = now <= deadline(i);
        if (!held[i])
          failed = violation(i, "held only " + ms_text(now - start) +
                                    " after the "
                                    "faults stopped, not within " +
                                    ms_text(properties[i].within));
      } else if (now > deadline(i)) {
        failed = violation(i, "did not hold within " + ms_text(properties[i].within) +
                                  " after the faults stopped");
      }
      all = all && held[i];
    }
    return failed.has_value() || all;
  }

  bool evaluate(std::size_t i) {
    try {
      return properties[i].holds();
    } catch (const std::exception& e) {
      failed = violation(i, std::string("the property threw: ") + e.what());
    } catch (...) {
      failed = violation(i, "the property threw a non-standard exception");
    }
    return false;
  }
};

/// Why a convergence run ended before its last deadline.
std::string stopped_because(const SimResult& run) {
  switch (run.outcome) {
    case Outcome::stuck:
      return "nothing was left to run";
    case Outcome::budget_exceeded:
      return "the run exceeded its budget (" + run.reason + ")";
    default:
      return "the run was stopped";
  }
}

}  // namespace

void validate_eventually(const std::vector<Eventually>& properties) {
  std::set<std::string> names;
  for (const auto& p : properties) {
    if (p.name.empty()) throw std::invalid_argument("an eventually property needs a name");
    if (!p.holds) throw std::invalid_argument("eventually '" + p.name + "': holds is empty");
    if (p.within < Duration::zero()) {
      throw std::invalid_argument("eventually '" + p.name + "': within must not be negative");
    }
    if (!names.insert(p.name).second) {
      throw std::invalid_argument("eventually '" + p.name + "' is declared twice");
    }
  }
}

std::optional<Violation> converge(Simulation& sim, const std::vector<Eventually>& properties,
                                  const std::function<bool()>& stop) {
  SimScheduler& scheduler = sim.scheduler();
  scheduler.end_faults();
  Progress progress{properties, scheduler.now(), std::vector<bool>(properties.size()), {}};
  TimePoint last = progress.start;
  for (std::size_t i = 0; i < properties.size(); ++i) last = std::max(last, progress.deadline(i));
  const auto decided = [&] { return progress.update(scheduler.now()) || stop(); };
  SimResult run;
  if (!decided()) run = sim.run_until(last, decided);
  progress.update(scheduler.now());  // the clock may have idled up to `last`
  if (progress.failed) return progress.failed;
  for (std::size_t i = 0; i < properties.size(); ++i) {
    if (progress.held[i]) continue;
    if (scheduler.now() >= progress.deadline(i)) {
      return progress.violation(
          i, "did not hold within " + ms_text(properties[i].within) + " after the faults stopped");
    }
    return progress.violation(i, "never held: " + stopped_because(run) + " " +
                                     ms_text(scheduler.now() - progress.start) +
                                     " after the faults stopped");
  }
  TROUPE_ASSERT(std::all_of(progress.held.begin(), progress.held.end(), [](bool h) { return h; }));
  return std::nullopt;
}

}  // namespace troupe::sim
