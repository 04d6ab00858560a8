#include "troupe/sim/systematic.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "troupe/assert.hpp"
#include "troupe/sim/replay.hpp"

namespace troupe::sim {

namespace {

/// Follows a prefix of choices, then the default order. Only asked at
/// decisions (two or more candidates), one call per decision.
class PrefixChooser final : public ScheduleStrategy {
 public:
  explicit PrefixChooser(std::vector<std::uint32_t> prefix) : prefix_(std::move(prefix)) {}

  std::size_t choose(const Candidates& candidates) override {
    const std::size_t at = next_++;
    if (at >= prefix_.size()) return 0;
    if (prefix_[at] >= candidates.size()) {
      diverged_ = true;  // reported after the run: throwing here would unwind the engine
      return 0;
    }
    return prefix_[at];
  }

  bool followed() const { return !diverged_ && next_ >= prefix_.size(); }

 private:
  std::vector<std::uint32_t> prefix_;
  std::size_t next_ = 0;
  bool diverged_ = false;
};

/// A schedule whose children (one more deviation after its prefix) are
/// being enumerated. The stack holds at most bound + 1 of them.
struct Frame {
  std::vector<std::uint32_t> prefix;  ///< its choices, the last one not 0 (or empty)
  std::vector<std::uint32_t> counts;  ///< candidates at each decision of its run
  /// Before the run: the parent's counts at the decisions of the prefix,
  /// which a deterministic re-run must meet again.
  std::vector<std::uint32_t> expected;
  std::uint64_t cost = 0;    ///< of the prefix, under the bound's kind
  std::size_t position = 0;  ///< the next decision to deviate at
  std::uint32_t choice = 1;  ///< the next choice to take there
};

std::uint64_t choice_cost(std::uint32_t choice, BoundKind kind) {
  if (choice == 0) return 0;
  return kind == BoundKind::preemptions ? 1 : choice;
}

struct Child {
  std::vector<std::uint32_t> prefix;
  std::uint64_t cost = 0;
  std::vector<std::uint32_t> expected;  ///< the parent's counts along the prefix
};

/// The frame's next child within the bound, advancing the frame past it.
/// Each prefix is made once: children differ from their parent at a decision
/// after the parent's prefix, and from each other in where or what.
std::optional<Child> next_child(Frame& f, const SystematicSettings& s) {
  // Every deviation costs at least 1: none fits once the prefix used the bound.
  if (f.cost >= s.bound) return std::nullopt;
  for (; f.position < f.counts.size(); ++f.position, f.choice = 1) {
    const std::uint32_t choice = f.choice;
    if (choice >= f.counts[f.position]) continue;
    const std::uint64_t cost = f.cost + choice_cost(choice, s.kind);
    if (cost > s.bound) continue;  // a delay bound: a later decision may fit choice 1
    ++f.choice;
    Child child{f.prefix, cost, {}};
    child.prefix.resize(f.position, 0);
    child.prefix.push_back(choice);
    child.expected.assign(f.counts.begin(),
                          f.counts.begin() + static_cast<std::ptrdiff_t>(child.prefix.size()));
    return child;
  }
  return std::nullopt;
}

RunSpec schedule_spec(const RunSpec& base, std::shared_ptr<ScheduleStrategy> chooser) {
  RunSpec spec = base;
  spec.strategy = Strategy::systematic;
  spec.chooser = std::move(chooser);
  spec.tape = nullptr;
  return spec;
}

void check_followed(const PrefixChooser& chooser) {
  if (!chooser.followed()) {
    throw SystematicDivergence(
        "systematic: a re-run did not reach the same decisions with the same seed and choices "
        "(the scenario depends on something outside the simulator)");
  }
}

/// Runs one schedule; fills `frame` for a passing run.
bool run_schedule(const RunSpec& base, Frame& frame) {
  auto chooser = std::make_shared<PrefixChooser>(frame.prefix);
  RunSpec spec = schedule_spec(base, chooser);
  spec.log_decisions = true;
  const RunReport report = run_scenario(spec);
  check_followed(*chooser);
  frame.counts.clear();
  frame.counts.reserve(report.decisions.size());
  for (const auto& d : report.decisions) frame.counts.push_back(d.candidates);
  frame.position = frame.prefix.size();
  TROUPE_ASSERT(frame.counts.size() >= frame.prefix.size());
  // Following the prefix is not enough: at each of its decisions the run must
  // have had the candidates its parent had, or the choices mean other things.
  for (std::size_t i = 0; i < frame.expected.size(); ++i) {
    if (frame.counts[i] != frame.expected[i]) {
      throw SystematicDivergence("systematic: a re-run with the same seed and choices had " +
                                 std::to_string(frame.counts[i]) + " candidates at decision " +
                                 std::to_string(i + 1) + " where the run it extends had " +
                                 std::to_string(frame.expected[i]) +
                                 " (the scenario depends on something outside the simulator)");
    }
  }
  return report.passed();
}

Trace record_schedule(const RunSpec& base, const std::vector<std::uint32_t>& prefix) {
  auto chooser = std::make_shared<PrefixChooser>(prefix);
  Trace trace = record_run(schedule_spec(base, chooser));
  check_followed(*chooser);
  return trace;
}

}  // namespace

std::string_view to_string(BoundKind kind) {
  return kind == BoundKind::preemptions ? "preemption" : "delay";
}

std::uint64_t bound_cost(const std::vector<std::uint32_t>& choices, BoundKind kind) {
  std::uint64_t cost = 0;
  for (const auto c : choices) cost += choice_cost(c, kind);
  return cost;
}

SystematicResult explore_systematic(const RunSpec& base, const SystematicSettings& settings) {
  if (settings.max_schedules == 0) {
    throw std::invalid_argument("systematic: max_schedules must be >= 1");
  }
  if (base.threads) throw std::invalid_argument("systematic: needs the simulator, not threads");
  SystematicResult result;
  std::vector<Frame> stack;
  // Runs a schedule; false when it failed (and the result says so).
  const auto visit = [&](Frame frame) {
    ++result.schedules;
    const bool passed = run_schedule(base, frame);
    result.max_decisions = std::max<std::uint64_t>(result.max_decisions, frame.counts.size());
    if (!passed) {
      result.failure = record_schedule(base, frame.prefix);
      result.failing_choices = frame.prefix;
      return false;
    }
    stack.push_back(std::move(frame));
    return true;
  };
  if (!visit(Frame{})) return result;
  while (!stack.empty()) {
    std::optional<Child> child = next_child(stack.back(), settings);
    if (!child) {
      stack.pop_back();
      continue;
    }
    if (result.schedules >= settings.max_schedules) return result;
    TROUPE_ASSERT(child->cost <= settings.bound);
    if (!visit(Frame{std::move(child->prefix), {}, std::move(child->expected), child->cost})) {
      return result;
    }
  }
  result.exhausted = true;
  return result;
}

}  // namespace troupe::sim
