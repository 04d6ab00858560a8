// DecisionTape: every number the simulator's random streams draw, by stream.
// Recording keeps them; replaying hands them back in order instead of the
// generator's, so a trace replays from its decisions (which actor ran, which
// message failed, which worker a router chose) even if the generator changes.
//
//   DecisionTape tape;                          // records
//   Simulation sim{{.seed = 7, .tape = &tape}};
//   ... later: DecisionTape replay = DecisionTape::replaying(tape.streams());
//
// A replay that asks for a decision the recording never made has diverged
// (the code or a parameter changed). The tape never throws for that: it
// remembers the first such request and from then on hands out the seed's own
// draws, so the run ends cleanly and the replay reports the divergence.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace troupe::sim {

class DecisionTape {
 public:
  using Streams = std::map<std::uint64_t, std::vector<std::uint64_t>>;

  /// The first decision a replay needed that the recording does not hold.
  struct Exhaustion {
    std::uint64_t stream = 0;
    std::uint64_t position = 0;        ///< 0-based index in that stream
    std::uint64_t decisions_used = 0;  ///< in all streams, before this one
    std::uint64_t events_before = 0;   ///< events of the run before it (see event_clock)
    std::string what;
  };

  /// An empty tape that records.
  DecisionTape() = default;
  /// A tape that replays `streams`.
  static DecisionTape replaying(Streams streams);

  bool replaying() const { return replaying_; }
  /// Set once a replay ran past the recorded decisions: from then on every
  /// draw is the seed's own (fresh), and the replay has diverged.
  const std::optional<Exhaustion>& exhausted() const { return exhausted_; }
  /// Whether a recording went past kMaxDecisions (and so is incomplete).
  bool overflowed() const { return overflowed_; }
  /// Whether a recording is close to kMaxDecisions: a run should end (as over
  /// budget) while what it drew still fits, shutdown included.
  bool nearly_full() const { return !replaying_ && size_ + kShutdownReserve >= kMaxDecisions; }

  /// The next number of `stream`: `drawn` when recording (and kept), the
  /// recorded one when replaying (`drawn`, once the recording is exhausted).
  std::uint64_t next(std::uint64_t stream, std::uint64_t drawn);

  /// A replay found a recorded decision that does not fit the run (a choice
  /// among fewer candidates than recorded): the same as running out, from
  /// here on draws are the seed's own. No effect when recording.
  void diverge(std::uint64_t stream, std::string what);

  /// Where in the event stream a replay is, so an exhaustion can say at
  /// which event it happened; reset it before what it reads goes away.
  void set_event_clock(std::function<std::uint64_t()> events_so_far) {
    event_clock_ = std::move(events_so_far);
  }

  const Streams& streams() const { return streams_; }
  /// Decisions recorded (or, when replaying, used) in all streams.
  std::uint64_t size() const { return size_; }
  /// The limit on recorded decisions: a trace stays bounded.
  static constexpr std::uint64_t kMaxDecisions = 20'000'000;
  /// Decisions kept back for the shutdown of a run stopped by nearly_full().
  static constexpr std::uint64_t kShutdownReserve = 2'000'000;

 private:
  std::uint64_t next_recorded(std::uint64_t stream, std::uint64_t drawn);

  Streams streams_;
  std::map<std::uint64_t, std::size_t> cursor_;
  std::uint64_t size_ = 0;
  bool replaying_ = false;
  std::optional<Exhaustion> exhausted_;
  std::function<std::uint64_t()> event_clock_;
  bool overflowed_ = false;
};

/// A readable name for a stream id ("schedule", "fault", "workload.2", ...).
std::string stream_name(std::uint64_t stream);

}  // namespace troupe::sim
