#include "troupe/sim/replay.hpp"

#include <algorithm>

namespace troupe::sim {

namespace {

bool same(const RecordedEvent& a, const RecordedEvent& b) {
  return a.kind == b.kind && a.time == b.time && a.actor == b.actor && a.path == b.path &&
         a.detail == b.detail && a.value == b.value;
}

/// Events kept from a run: `events[i]` is event `first + i` of `total`, and
/// `hashes[i]` the running hash after it.
struct Kept {
  const std::vector<RecordedEvent>& events;
  const std::vector<std::uint64_t>& hashes;
  std::uint64_t first;
  std::uint64_t total;

  std::uint64_t end() const { return first + events.size(); }
  std::string at(std::uint64_t index, const char* past_end) const {
    if (index >= total) return past_end;
    if (index < first || index >= end()) return "(not kept)";
    return describe(events[index - first]);
  }
};

/// The first index where the two runs differ, over the events both kept. A
/// matching event with a different running hash means an earlier event that
/// one of them did not keep differs.
std::optional<Divergence> first_divergence(const Kept& expected, const Kept& actual) {
  const std::uint64_t lo = std::max(expected.first, actual.first);
  const std::uint64_t hi = std::min(expected.end(), actual.end());
  for (std::uint64_t i = lo; i < hi; ++i) {
    const auto& e = expected.events[i - expected.first];
    const auto& a = actual.events[i - actual.first];
    if (!same(e, a)) return Divergence{i, describe(e), describe(a)};
    if (expected.hashes[i - expected.first] != actual.hashes[i - actual.first]) {
      return Divergence{lo, "(an earlier event, not kept) then " + describe(e),
                        "(a different earlier event) then " + describe(a)};
    }
  }
  // Same length and every shared event the same: the final hashes decide.
  if (expected.total == actual.total) return std::nullopt;
  const std::uint64_t at = std::max(lo, hi);
  return Divergence{at, expected.at(at, "(end of trace)"), actual.at(at, "(end of run)")};
}

RunSpec spec_of(const TraceHeader& h) {
  return RunSpec{.scenario = h.scenario,
                 .params = h.params,
                 .seed = h.seed,
                 .strategy = h.strategy,
                 .pct = h.pct,
                 .swarm = h.swarm,
                 .faults = h.faults};
}

}  // namespace

Trace make_trace(const RunSpec& spec, const RunReport& report, const DecisionTape& tape) {
  RunReport copy = report;
  return make_trace(spec, std::move(copy), tape);
}

Trace make_trace(const RunSpec& spec, RunReport&& report, const DecisionTape& tape) {
  Trace t;
  t.header = TraceHeader{.scenario = spec.scenario,
                         .params = report.params,
                         .seed = spec.seed,
                         .strategy = spec.strategy,
                         .pct = spec.pct,
                         .swarm = spec.swarm,
                         .faults = report.faults};
  t.decisions = tape.streams();
  t.events = std::move(report.result.events);
  t.hashes = std::move(report.hashes);
  t.first_event = report.result.first_event;
  t.hash_before_first = report.result.hash_before_first;
  t.footer.outcome = report.outcome();
  if (report.violation) {
    t.footer.invariant = report.violation->invariant;
    t.footer.actor = report.violation->actor;
    t.footer.detail = report.violation->detail;
  }
  t.footer.events = report.result.event_count;
  t.footer.hash = report.result.hash;
  return t;
}

Trace record_run(const RunSpec& spec, RunReport* report_out) {
  DecisionTape tape;
  RunSpec recording = spec;
  recording.tape = &tape;
  RunReport report = run_scenario(recording);
  if (tape.overflowed()) {
    throw std::length_error("the run drew more random decisions than a trace holds");
  }
  // A sweep records every seed: the events move into the trace unless the
  // caller keeps the report too (a copy of every event was a twentieth of
  // explore's time).
  if (report_out == nullptr) return make_trace(spec, std::move(report), tape);
  Trace trace = make_trace(spec, report, tape);
  *report_out = std::move(report);
  return trace;
}

ReplayResult replay_against(const Trace& trace, RunSpec spec, DecisionTape& tape) {
  spec.tape = &tape;
  const RunReport report = run_scenario(spec);
  ReplayResult out;
  out.tape_ran_out = tape.exhausted();
  const bool diverged = report.stopped_past_tape || report.unspawned_fault_target;
  out.outcome = diverged ? "diverged" : report.outcome();
  out.hash = report.result.hash;
  out.events = report.result.event_count;
  const Kept expected{trace.events, trace.hashes, trace.first_event, trace.footer.events};
  const Kept actual{report.result.events, report.hashes, report.result.first_event,
                    report.result.event_count};
  out.divergence = first_divergence(expected, actual);
  if (!out.divergence && out.hash != trace.footer.hash) {
    out.divergence = Divergence{actual.first, "(the recorded run, by its hash)",
                                "(a run with the same kept events and another hash)"};
  }
  if (out.tape_ran_out) {
    // Running out of decisions is a divergence even if every event matched:
    // it happened before the event the run was about to record.
    if (!out.divergence) {
      const std::uint64_t at = out.tape_ran_out->events_before;
      out.divergence =
          Divergence{at, expected.at(at, "(end of trace)"), actual.at(at, "(end of run)")};
    }
    out.divergence->actual += " [" + out.tape_ran_out->what + "]";
  }
  if (report.unspawned_fault_target) {
    if (!out.divergence) {
      out.divergence =
          Divergence{actual.end(), expected.at(actual.end(), "(end of trace)"), "(end of run)"};
    }
    out.divergence->actual +=
        " [the fault plan names " + *report.unspawned_fault_target + ", never spawned in this run]";
  }
  out.matches =
      !out.divergence && out.outcome == trace.footer.outcome && out.hash == trace.footer.hash;
  return out;
}

ReplayResult replay_trace(const Trace& trace, const ReplayOptions& options) {
  DecisionTape tape = DecisionTape::replaying(trace.decisions);
  RunSpec spec = spec_of(trace.header);
  spec.continue_past_tape = options.continue_past_tape;
  // A trace of a long run kept its last events: keep as many, so the two
  // runs' kept windows and what the verdict says of them agree.
  if (trace.first_event > 0) spec.event_capacity = trace.events.size();
  return replay_against(trace, spec, tape);
}

}  // namespace troupe::sim
