#include "troupe/sim/simulation.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "troupe/saturating_time.hpp"

namespace troupe::sim {

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::completed:
      return "completed";
    case Outcome::stuck:
      return "stuck";
    case Outcome::budget_exceeded:
      return "budget_exceeded";
    case Outcome::invariant_violated:
      return "invariant_violated";
  }
  return "unknown";
}

struct Simulation::Driver {
  Workload workload;
  Prng prng;
  TimePoint origin;
  Duration previous{};
  std::uint64_t next = 0;
  WorkloadStats stats;
};

Simulation::Simulation(SimSettings settings, FaultPlan faults, std::size_t event_capacity)
    : recorder_(event_capacity) {
  auto scheduler =
      std::make_unique<SimScheduler>(std::move(settings), std::move(faults), &recorder_);
  scheduler_ = scheduler.get();
  system_ = std::make_unique<System>(std::move(scheduler), SystemSettings{.events = &recorder_});
}

Simulation::~Simulation() {
  // Shut down while the drivers still exist: arrivals may fire during it.
  system_.reset();
}

void Simulation::add(Workload workload) {
  if (!workload.emit) throw std::invalid_argument("workload: the emitter is empty");
  auto prng = scheduler_->workload_stream(drivers_.size());
  drivers_.push_back(std::make_unique<Driver>(
      Driver{std::move(workload), prng, scheduler_->now(), Duration::zero(), 0, {}}));
  arm(*drivers_.back());
}

void Simulation::arm(Driver& d) {
  if (d.next >= d.workload.arrivals.count()) return;
  const Duration offset = d.workload.arrivals.offset(d.next, d.previous, d.prng);
  d.previous = offset;
  scheduler_->after(d.origin + offset - scheduler_->now(), [this, &d] {
    const SendResult r = d.workload.emit(d.next);
    ++d.next;
    ++d.stats.emitted;
    ++(r == SendResult::accepted ? d.stats.accepted : d.stats.refused);
    arm(d);
  });
}

const WorkloadStats& Simulation::workload_stats(std::size_t index) const {
  return drivers_.at(index)->stats;
}

SimResult Simulation::run() {
  return run_until(TimePoint::max());
}

SimResult Simulation::run_for(Duration duration) {
  // Saturating: Duration::max() means "until idle", not a wrapped limit.
  return run_until(saturating_add(scheduler_->now(), duration));
}

SimResult Simulation::run_until(TimePoint limit) {
  run_loop(limit, nullptr);
  return result();
}

SimResult Simulation::run_until(const std::function<bool()>& done) {
  run_loop(TimePoint::max(), done);
  return result();
}

SimResult Simulation::run_until(TimePoint limit, const std::function<bool()>& done) {
  run_loop(limit, done);
  return result();
}

SimResult Simulation::run_until_without_events(const std::function<bool()>& done) {
  run_loop(TimePoint::max(), done);
  return summary({});
}

void Simulation::run_loop(TimePoint limit, const std::function<bool()>& done) {
  auto& s = *scheduler_;
  const TimePoint time_budget = TimePoint{} + s.settings().max_time;
  const std::uint64_t first_step = s.steps();
  last_outcome_ = Outcome::completed;
  last_reason_.clear();
  while (true) {
    if (s.steps() - first_step >= s.settings().max_steps) {
      last_outcome_ = Outcome::budget_exceeded;
      last_reason_ = "step budget of " + std::to_string(s.settings().max_steps) + " exhausted";
      break;
    }
    if (!s.has_runnable()) {
      const auto due = s.next_due();
      if (!due && done && !done()) {
        // Nothing will ever happen again, and what the caller waits for has not.
        last_outcome_ = Outcome::stuck;
        last_reason_ = stuck_reason();
        break;
      }
      if (!due || *due > limit) {
        // Idle until the limit: the clock still gets there (unless unbounded).
        if (limit != TimePoint::max() && limit <= time_budget) s.advance_to(limit);
        break;
      }
      if (*due > time_budget) {
        last_outcome_ = Outcome::budget_exceeded;
        last_reason_ = "virtual time budget exhausted";
        break;
      }
      if (*due > limit) break;
    }
    s.step();
    if (done && done()) break;
  }
  check_fault_targets();
}

std::string Simulation::stuck_reason() const {
  std::string reason =
      "no progress possible (nothing runnable, no pending timer) with the work "
      "unfinished; actors alive:";
  const auto live = recorder_.live_actors();
  for (const auto& path : live) reason += " " + path;
  if (live.empty()) reason += " none";
  for (const auto& h : system_->holders()) {
    reason += "; " + h.path + " holds " + std::to_string(h.queued);
  }
  return reason;
}

namespace {

/// Actors by messages handled among `events`, busiest first, at most `top`.
/// Counts receipts per path; the order of `events` does not matter.
std::vector<ActorLoad> busiest_actors(const std::vector<RecordedEvent>& events, std::size_t top) {
  std::map<std::string, std::uint64_t> handled;
  for (const auto& e : events) {
    if (e.kind == EventKind::received) ++handled[e.path];
  }
  std::vector<ActorLoad> ranked;
  for (const auto& [path, n] : handled) ranked.push_back({path, n});
  // Most first; equal counts by path, so the order is deterministic.
  std::sort(ranked.begin(), ranked.end(), [](const ActorLoad& a, const ActorLoad& b) {
    return a.handled != b.handled ? a.handled > b.handled : a.path < b.path;
  });
  if (ranked.size() > top) ranked.resize(top);
  return ranked;
}

}  // namespace

void Simulation::check_fault_targets() const {
  for (const auto& path : scheduler_->faults().named_paths()) {
    if (!recorder_.spawned(path)) {
      throw UnspawnedFaultTarget(path);
    }
  }
}

SimResult Simulation::result() const {
  return summary(recorder_.events());
}

std::vector<ActorLoad> Simulation::busiest(std::size_t top) const {
  return busiest_actors(recorder_.kept_events(), top);
}

SimResult Simulation::take_result() {
  const std::uint64_t first = recorder_.first_kept();
  const std::uint64_t before = recorder_.hash_before_kept();
  // Counted before the events leave the recorder (summary() counts from it),
  // and only for the outcome that reports it.
  std::vector<ActorLoad> busiest_before;
  if (last_outcome_ == Outcome::budget_exceeded) busiest_before = busiest(3);
  SimResult r = summary(recorder_.take_events());
  r.first_event = first;
  r.hash_before_first = before;
  if (r.outcome == Outcome::budget_exceeded) r.busiest = std::move(busiest_before);
  return r;
}

SimResult Simulation::summary(std::vector<RecordedEvent> events) const {
  SimResult r;
  r.holders = system_->holders();
  r.stats = system_->stats();
  r.hash = recorder_.hash();
  r.event_count = recorder_.count();
  r.steps = scheduler_->steps();
  r.messages = scheduler_->messages_handled();
  r.faults = scheduler_->faults_injected();
  r.elapsed = scheduler_->now().time_since_epoch();
  r.outcome = last_outcome_;
  r.reason = last_reason_;
  r.events = std::move(events);
  r.first_event = recorder_.first_kept();
  r.hash_before_first = recorder_.hash_before_kept();
  r.live_actors = recorder_.live_actors();
  // Counting every receipt by path is a map of strings: done only for the
  // outcome that reports it.
  if (r.outcome == Outcome::budget_exceeded) r.busiest = busiest(3);
  if (r.outcome == Outcome::completed && !r.holders.empty() && !scheduler_->has_runnable() &&
      !scheduler_->next_due()) {
    r.outcome = Outcome::stuck;
    r.reason = "no progress possible with messages still queued in:";
    for (const auto& h : r.holders)
      r.reason += " " + h.path + " (" + std::to_string(h.queued) + ")";
  }
  if (!r.stats.balanced()) {
    r.outcome = Outcome::invariant_violated;
    r.reason = "conservation: sent " + std::to_string(r.stats.sent) + " != processed " +
               std::to_string(r.stats.processed) + " + dead letters " +
               std::to_string(r.stats.dead_letters()) + " + queued " +
               std::to_string(r.stats.queued);
  }
  return r;
}

}  // namespace troupe::sim
