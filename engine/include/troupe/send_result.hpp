// What a tell reports to its sender, and why a message became a dead letter.
// Together with the system's counters these make the conservation law
// checkable: every message a tell accepted is processed, a dead letter with
// one of these reasons, or still queued.
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

namespace troupe {

/// The outcome of ActorRef::tell. Anything but `accepted` also counts a dead
/// letter, so the message is never lost silently.
enum class [[nodiscard]] SendResult : std::uint8_t{
    accepted,       ///< queued (with drop_oldest, possibly at the cost of the oldest)
    mailbox_full,   ///< rejected by a full mailbox (reject, or block past its deadline)
    actor_stopped,  ///< the actor is stopped, or the system is shutting down
    no_workers,     ///< a pool had no worker to route to
};

enum class DeadLetterReason : std::uint8_t {
  mailbox_full,
  actor_stopped,
  handler_failed,
  shutdown_abandoned,
  no_workers,
  timer_cancelled,  ///< held by a timer (schedule_once) that was cancelled before it fired
  // Behaviours, stash and timers (troupe/detail/cell_extras.hpp):
  stash_full,       ///< ctx.stash() found the stash at its capacity
  stash_discarded,  ///< stashed when its actor restarted (StashOnRestart::dead_letter)
  late_reply,       ///< a reply to an ask that had ended (timeout, failure) or was answered
  // The event stream (troupe/event_stream.hpp):
  subscriber_overflow,  ///< a subscriber held its bound of published events not yet taken
};

inline constexpr std::size_t kDeadLetterReasonCount = 10;

/// The dead letter a refused send becomes (`r` must not be `accepted`).
constexpr DeadLetterReason dead_letter_reason(SendResult r) {
  switch (r) {
    case SendResult::mailbox_full:
      return DeadLetterReason::mailbox_full;
    case SendResult::no_workers:
      return DeadLetterReason::no_workers;
    case SendResult::accepted:
    case SendResult::actor_stopped:
      break;
  }
  return DeadLetterReason::actor_stopped;
}

std::string_view to_string(SendResult r);
std::string_view to_string(DeadLetterReason r);

inline std::ostream& operator<<(std::ostream& out, SendResult r) {
  return out << to_string(r);
}
inline std::ostream& operator<<(std::ostream& out, DeadLetterReason r) {
  return out << to_string(r);
}

}  // namespace troupe
