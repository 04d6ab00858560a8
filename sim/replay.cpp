#include "sim/replay.hpp"

namespace troupe::sim {

namespace {

bool same(const RecordedEvent& a, const RecordedEvent& b) {
  return a.kind == b.kind && a.time == b.time && a.actor == b.actor && a.path == b.path &&
         a.detail == b.detail && a.value == b.value;
}

std::optional<Divergence> first_divergence(const std::vector<RecordedEvent>& expected,
                                           const std::vector<RecordedEvent>& actual) {
  const std::size_t n = std::min(expected.size(), actual.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (!same(expected[i], actual[i]))
      return Divergence{i, describe(expected[i]), describe(actual[i])};
  }
  if (expected.size() == actual.size()) return std::nullopt;
  return Divergence{n, n < expected.size() ? describe(expected[n]) : "(end of trace)",
                    n < actual.size() ? describe(actual[n]) : "(end of run)"};
}

RunSpec spec_of(const TraceHeader& h) {
  return RunSpec{.scenario = h.scenario,
                 .params = h.params,
                 .seed = h.seed,
                 .strategy = h.strategy,
                 .swarm = h.swarm,
                 .faults = h.faults};
}

}  // namespace

Trace make_trace(const RunSpec& spec, const RunReport& report, const DecisionTape& tape) {
  Trace t;
  t.header = TraceHeader{.scenario = spec.scenario,
                         .params = report.params,
                         .seed = spec.seed,
                         .strategy = spec.strategy,
                         .swarm = spec.swarm,
                         .faults = report.faults};
  t.decisions = tape.streams();
  t.events = report.result.events;
  t.hashes = report.hashes;
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
  Trace trace = make_trace(spec, report, tape);
  if (report_out != nullptr) *report_out = std::move(report);
  return trace;
}

ReplayResult replay_trace(const Trace& trace) {
  DecisionTape tape = DecisionTape::replaying(trace.decisions);
  RunSpec spec = spec_of(trace.header);
  spec.tape = &tape;
  ReplayResult out;
  RunReport report;
  try {
    report = run_scenario(spec);
  } catch (const DecisionsExhausted& e) {
    // The run asked for a decision the recording never made: it diverged
    // somewhere before; the events it produced are gone with it.
    out.divergence = Divergence{0, "(a run that needs only the recorded decisions)", e.what()};
    out.outcome = "diverged";
    return out;
  }
  out.outcome = report.outcome();
  out.hash = report.result.hash;
  out.events = report.result.event_count;
  out.divergence = first_divergence(trace.events, report.result.events);
  if (!tape.exhausted().empty()) {
    // Caught inside a handler, the exhaustion looked like a failure: say what it was.
    if (!out.divergence) out.divergence = Divergence{out.events, "(the recorded run)", ""};
    out.divergence->actual += " [" + tape.exhausted() + "]";
  }
  out.matches =
      !out.divergence && out.outcome == trace.footer.outcome && out.hash == trace.footer.hash;
  return out;
}

}  // namespace troupe::sim
