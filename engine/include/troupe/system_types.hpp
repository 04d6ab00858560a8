// Plain reports the system gives back: the conservation counts and the
// outcome of a graceful shutdown.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "troupe/send_result.hpp"
#include "troupe/time.hpp"

namespace troupe {

/// The conservation counts. Every tell is counted in `sent`, and so is every
/// message given to a timer (`schedule_once`); each such message is
/// processed, a dead letter (by reason) or still queued, where queued
/// includes the messages timers still hold (`scheduled`). So at a quiescent
/// point and after shutdown `balanced()` is true.
struct SystemStats {
  std::uint64_t sent = 0;
  std::uint64_t processed = 0;
  std::uint64_t queued = 0;     ///< in mailboxes, in handlers and in timers
  std::uint64_t scheduled = 0;  ///< the part of `queued` that timers hold
  std::array<std::uint64_t, kDeadLetterReasonCount> dead_by_reason{};

  std::uint64_t dead_letters() const;
  std::uint64_t dead_letters(DeadLetterReason reason) const {
    return dead_by_reason[static_cast<std::size_t>(reason)];
  }
  bool balanced() const { return sent == processed + dead_letters() + queued; }
};

/// What shutdown did to one actor that was alive when it began.
struct ActorShutdown {
  std::string path;
  std::uint64_t drained = 0;    ///< messages processed after shutdown began
  std::uint64_t abandoned = 0;  ///< queued messages dropped at the deadline
};

/// An actor that still holds messages (queued or in its handler).
struct MessageHolder {
  std::string path;
  std::uint64_t queued = 0;
};

struct ShutdownReport {
  bool deadline_met = true;  ///< every mailbox drained before the deadline
  Duration elapsed{};        ///< on the scheduler's clock
  std::uint64_t drained = 0;
  std::uint64_t abandoned = 0;
  std::vector<ActorShutdown> actors;  ///< sorted by path
  /// Actors still inside a message handler when shutdown stopped waiting for
  /// them (a handler that does not return cannot be pre-empted); they and
  /// their ancestors never stopped. Empty when every actor stopped. By path.
  std::vector<std::string> stuck_in_handler;
};

}  // namespace troupe
