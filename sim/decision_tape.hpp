// DecisionTape: every number the simulator's random streams draw, by stream.
// Recording keeps them; replaying hands them back in order instead of the
// generator's, so a trace replays from its decisions (which actor ran, which
// message failed, which worker a router chose) even if the generator changes.
//
//   DecisionTape tape;                          // records
//   Simulation sim{{.seed = 7, .tape = &tape}};
//   ... later: DecisionTape replay = DecisionTape::replaying(tape.streams());
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace troupe::sim {

/// Thrown when a replay asks for more decisions than the trace holds: the
/// run has diverged from the recording.
class DecisionsExhausted : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class DecisionTape {
 public:
  using Streams = std::map<std::uint64_t, std::vector<std::uint64_t>>;

  /// An empty tape that records.
  DecisionTape() = default;
  /// A tape that replays `streams`.
  static DecisionTape replaying(Streams streams);

  bool replaying() const { return replaying_; }
  /// Why a replay ran out of decisions, or empty if it has not.
  const std::string& exhausted() const { return exhausted_; }
  /// Whether a recording went past kMaxDecisions (and so is incomplete).
  bool overflowed() const { return overflowed_; }

  /// The next number of `stream`: `drawn` when recording (and kept), the
  /// recorded one when replaying (`drawn` is ignored).
  std::uint64_t next(std::uint64_t stream, std::uint64_t drawn);

  const Streams& streams() const { return streams_; }
  /// Decisions recorded (or, when replaying, used) in all streams.
  std::uint64_t size() const { return size_; }
  /// The limit on recorded decisions: a trace stays bounded.
  static constexpr std::uint64_t kMaxDecisions = 20'000'000;

 private:
  Streams streams_;
  std::map<std::uint64_t, std::size_t> cursor_;
  std::uint64_t size_ = 0;
  bool replaying_ = false;
  std::string exhausted_;
  bool overflowed_ = false;
};

/// A readable name for a stream id ("schedule", "fault", "workload.2", ...).
std::string stream_name(std::uint64_t stream);

}  // namespace troupe::sim
