// Trace files: one simulated run as JSON Lines. A header (format version,
// scenario, parameters, seed, strategy, fault plan), the random decisions by
// stream, every event with its virtual time and the running hash, and a
// footer (outcome, event count, final hash). `troupe replay` re-runs the
// scenario from the decisions and compares event by event.
//
//   {"type":"header","format":1,"scenario":"taskpool","seed":7,...}
//   {"type":"decisions","stream":1,"values":[...]}
//   {"type":"event","t_ns":1000000,"kind":"sent","actor":3,"path":"/a","detail":"","value":1,"hash":"..."}
//   {"type":"footer","outcome":"pass","events":812,"hash":"9f0c..."}
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/decision_tape.hpp"
#include "sim/scenario.hpp"

namespace troupe::sim {

inline constexpr int kTraceFormat = 1;

/// A trace file that cannot be read: says which line and why.
class TraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TraceHeader {
  int format = kTraceFormat;
  std::string scenario;
  Params params;
  std::uint64_t seed = 0;
  Strategy strategy = Strategy::random;
  bool swarm = false;
  FaultPlan faults{};
};

struct TraceFooter {
  std::string outcome;  ///< "pass" or "fail: <invariant> <actor>"
  std::string invariant;
  std::string actor;
  std::string detail;
  std::uint64_t events = 0;
  std::uint64_t hash = 0;
};

struct Trace {
  TraceHeader header;
  DecisionTape::Streams decisions;
  std::vector<RecordedEvent> events;
  std::vector<std::uint64_t> hashes;  ///< the running hash after each event
  /// A long run keeps only its last events: `events` then starts at this
  /// index of the run, after the running hash `hash_before_first` (written
  /// in the header as "events_from" and "hash_before", only when not 0;
  /// `hash_before_first` means nothing while `first_event` is 0).
  std::uint64_t first_event = 0;
  std::uint64_t hash_before_first = 0;
  TraceFooter footer;
};

void write_trace(const Trace& trace, std::ostream& out);
void write_trace_file(const Trace& trace, const std::string& path);
/// Throws TraceError naming the line and the problem: bad JSON, a missing or
/// mistyped field, an unknown kind, a wrong format version, a missing footer
/// (truncated file), counts or hashes that do not add up (hand edits).
Trace read_trace(std::istream& in, const std::string& name = "trace");
Trace read_trace_file(const std::string& path);

/// An event as one readable line: "12.500ms sent /a value=1".
std::string describe(const RecordedEvent& event);

/// Hex text of a 64-bit hash, 16 digits.
std::string hash_hex(std::uint64_t hash);

}  // namespace troupe::sim
