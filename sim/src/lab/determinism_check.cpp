#include "troupe/sim/determinism_check.hpp"

#include <algorithm>
#include <cstdio>

#include "troupe/assert.hpp"
#include "troupe/sim/replay.hpp"
#include "troupe/sim/trace.hpp"

namespace troupe::sim {

namespace {

/// The running hash of `run` before event `index` (first_event <= index <= end).
std::uint64_t hash_before(const RunReport& run, std::uint64_t index) {
  const std::uint64_t first = run.result.first_event;
  TROUPE_ASSERT(index >= first && index <= first + run.hashes.size());
  return index == first ? run.result.hash_before_first : run.hashes[index - first - 1];
}

std::optional<RecordedEvent> event_at(const RunReport& run, std::uint64_t index) {
  const std::uint64_t first = run.result.first_event;
  if (index < first || index >= first + run.result.events.size()) return std::nullopt;
  return run.result.events[index - first];
}

/// The running hash covers every event, so the first index whose running
/// hash differs is the first event that differs.
std::optional<EventDivergence> first_divergence(const RunReport& a, const RunReport& b) {
  TROUPE_ASSERT(a.hashes.size() == a.result.events.size());
  TROUPE_ASSERT(b.hashes.size() == b.result.events.size());
  const std::uint64_t lo = std::max(a.result.first_event, b.result.first_event);
  const std::uint64_t end_a = a.result.first_event + a.hashes.size();
  const std::uint64_t end_b = b.result.first_event + b.hashes.size();
  const std::uint64_t hi = std::min(end_a, end_b);
  if (lo > hi || hash_before(a, lo) != hash_before(b, lo)) {
    return EventDivergence{lo, event_at(a, lo), event_at(b, lo), true};
  }
  for (std::uint64_t i = lo; i < hi; ++i) {
    if (a.hashes[i - a.result.first_event] != b.hashes[i - b.result.first_event]) {
      return EventDivergence{i, event_at(a, i), event_at(b, i), false};
    }
  }
  if (end_a == end_b) return std::nullopt;
  return EventDivergence{hi, event_at(a, hi), event_at(b, hi), false};
}

std::string event_text(const std::optional<RecordedEvent>& e, std::uint64_t events_in_run) {
  if (e) {
    const std::string actor = e->path.empty() ? "-" : e->path;
    char time[48];
    std::snprintf(time, sizeof time, "t=%.6fms",
                  std::chrono::duration<double, std::milli>(e->time.time_since_epoch()).count());
    return std::string(time) + " " + std::string(to_string(e->kind)) + " " + actor +
           (e->detail.empty() ? "" : " \"" + e->detail + "\"") +
           " value=" + std::to_string(e->value);
  }
  return "(the run had ended: " + std::to_string(events_in_run) + " events)";
}

std::string hex(std::uint64_t h) {
  char text[24];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(h));
  return text;
}

}  // namespace

DeterminismCheck compare_runs(const RunReport& first, const RunReport& second) {
  DeterminismCheck c;
  c.first_hash = first.result.hash;
  c.second_hash = second.result.hash;
  c.first_events = first.result.event_count;
  c.second_events = second.result.event_count;
  c.first_outcome = first.outcome();
  c.second_outcome = second.outcome();
  c.divergence = first_divergence(first, second);
  return c;
}

DeterminismCheck check_determinism(const RunSpec& spec, const RunReport& first) {
  RunReport second;
  record_run(spec, &second);
  return compare_runs(first, second);
}

std::string describe(const DeterminismCheck& c) {
  if (c.deterministic()) {
    return "determinism: the seed ran twice with the same " + std::to_string(c.first_events) +
           " events and hash " + hex(c.first_hash);
  }
  std::string out = "determinism: NOT DETERMINISTIC: two runs of the seed differ (hash " +
                    hex(c.first_hash) + " then " + hex(c.second_hash) + ", " +
                    std::to_string(c.first_events) + " then " + std::to_string(c.second_events) +
                    " events, " + c.first_outcome + " then " + c.second_outcome + ")\n";
  if (c.divergence) {
    const EventDivergence& d = *c.divergence;
    out += "  first divergent event: #" + std::to_string(d.index) +
           (d.before_kept ? " (or earlier: the events before it were not kept)" : "") + "\n";
    out += "    run 1: " + event_text(d.first, c.first_events) + "\n";
    out += "    run 2: " + event_text(d.second, c.second_events) + "\n";
  } else {
    out += "  the events are the same; the verdicts computed after the run differ\n";
  }
  out +=
      "  the cause is outside the simulator's control: the wall clock, std::rand or "
      "std::random_device, addresses (pointer order or hashing), statics that outlive a run, or "
      "threads of your own; go through Context/Scheduler for time, chance and timers";
  return out;
}

}  // namespace troupe::sim
