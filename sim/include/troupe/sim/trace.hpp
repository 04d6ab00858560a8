// Trace files: one simulated run as JSON Lines. A header (format version,
// scenario, parameters, seed, strategy, fault plan), the random decisions by
// stream, every event with its virtual time, and a footer (outcome, event
// count, final hash, seal). `troupe replay` re-runs the scenario from the
// decisions and compares event by event. Format 5 (written today) is compact:
//
//   {"type":"header","format":5,"scenario":"taskpool","seed":7,...,
//    "event_kinds":["spawned","started","sent",...],"message_types":["Job",...]}
//   {"type":"decisions","stream":6,"count":812,"varints":"AQIDBA..."}
//   {"type":"events","rows":[[0,0,1,0,"/a"],[1000000,2,1,1,0,1,0],...],"hash":"..."}
//   {"type":"footer","outcome":"pass","events":812,"hash":"9f0c...","seal":"41d2..."}
//
// Decisions are LEB128 numbers in base64url (varint_text.hpp). Events come
// up to 256 to a line, each row [time since the previous event in ns, index
// into event_kinds, actor id, value, path, detail]; a sent or received row
// has the message's sender, number and index into message_types after the
// value. The path is left out (or null, when a detail follows) while an
// actor's path is the one it last had, the detail while it is empty; "hash"
// is the running hash after the line's last event. The verbose encoding has
// one event object per line (decisions as JSON arrays) and no event_kinds.
// A file whose first bytes are gzip's is read through gzip; a trace is
// written gzipped when its file name ends in ".gz". Formats before 5 are
// refused with a line that says to record the run again.
//
// What a reader refuses: each event is chained into the running hash (an
// edited event fails on its line), and the footer's seal covers the header
// (scenario, seed, strategy, parameters, fault plan), every decision and the
// footer's own fields, so an edit anywhere is refused. The seal detects
// edits, not forgery: anyone can recompute it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <vector>

#include "troupe/sim/decision_tape.hpp"
#include "troupe/sim/scenario.hpp"

namespace troupe::sim {

/// 2: the footer's seal covers the header, the decisions and the footer.
/// 4: decisions and events in compact lines (about a fifth of format 3).
/// 5: sent and received events name their sender, number and message type;
///    note events.
/// 6: the event hash takes 8 bytes of text per step (the simulator's hashing
///    cost halved).
/// 7: a stopped child leaves its parent's table by itself; the parent runs
///    only for the last child it waits for (a stop or restart), so the
///    schedules, and the decisions that record them, changed. The verbose
///    encoding (format 3's lines) is format 7 too.
inline constexpr int kTraceFormat = 7;
/// The oldest format this troupe still reads: older traces hold hashes that
/// today's runs compute another way, so their replays could only diverge.
inline constexpr int kOldestTraceFormat = 7;
/// Distinct message types one trace may name.
inline constexpr std::size_t kTraceMaxMessageTypes = 4096;
/// Events on one line of a compact trace.
inline constexpr std::size_t kTraceEventsPerLine = 256;

// Limits a reader enforces as it reads, so no input exhausts memory.
inline constexpr std::size_t kTraceMaxLineBytes = std::size_t{64} << 20;
inline constexpr std::uint64_t kTraceMaxBytes = std::uint64_t{1} << 30;
/// A header's fault list is 4 levels deep; nothing needs more than this.
inline constexpr int kTraceMaxJsonDepth = 8;
/// A decisions line holds 4096 values; no line needs more than this.
inline constexpr std::size_t kTraceMaxValuesPerLine = std::size_t{1} << 16;
/// As many events as a run keeps (RunSpec::event_capacity's default).
inline constexpr std::size_t kTraceMaxEvents = std::size_t{1} << 20;

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
  /// Written as "pct_depth" and "pct_steps" only for a pct run that changed
  /// the defaults, so older traces read and seal as before. A replay takes
  /// its choices from the tape whatever the strategy; shrink re-runs with it.
  PctSettings pct{};
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

/// How a trace is written: compact (the default) or verbose (one JSON object
/// per event with its running hash, for reading by eye or with jq). Both are
/// format 5; a reader tells them apart by the header's "event_kinds".
enum class TraceEncoding { compact, verbose };

/// Writes the encoding asked for, whatever format the trace was read from.
void write_trace(const Trace& trace, std::ostream& out,
                 TraceEncoding encoding = TraceEncoding::compact);
/// Gzipped when `path` ends in ".gz".
void write_trace_file(const Trace& trace, const std::string& path,
                      TraceEncoding encoding = TraceEncoding::compact);
/// Throws TraceError naming the line and the problem: bad JSON, a missing or
/// mistyped field, a number of the wrong kind (a fraction, a sign) or out of
/// range, events out of time order, an unknown kind, a wrong format version,
/// a missing footer (truncated file), a limit passed, counts, hashes or a
/// seal that do not add up (hand edits).
Trace read_trace(std::istream& in, const std::string& name = "trace");
/// How a reader treats the running hashes and the seal.
enum class Integrity {
  verify,     ///< refuse a file whose hashes or seal do not match (every user-facing read)
  recompute,  ///< take the events as they are and recompute the hashes: for tools that
              ///< make traces (the fuzzer), never for a file a user hands in
};
Trace read_trace(std::istream& in, const std::string& name, Integrity integrity);
Trace read_trace_file(const std::string& path);

/// An event as one readable line: "12.500ms sent /a value=1".
std::string describe(const RecordedEvent& event);

/// Hex text of a 64-bit hash, 16 digits.
std::string hash_hex(std::uint64_t hash);

}  // namespace troupe::sim
