#include "troupe/send_result.hpp"

#include "troupe/ask_result.hpp"

namespace troupe {

std::string_view to_string(SendResult r) {
  switch (r) {
    case SendResult::accepted:
      return "accepted";
    case SendResult::mailbox_full:
      return "mailbox_full";
    case SendResult::actor_stopped:
      return "actor_stopped";
    case SendResult::no_workers:
      return "no_workers";
  }
  return "unknown";
}

std::string_view to_string(DeadLetterReason r) {
  switch (r) {
    case DeadLetterReason::mailbox_full:
      return "mailbox_full";
    case DeadLetterReason::actor_stopped:
      return "actor_stopped";
    case DeadLetterReason::handler_failed:
      return "handler_failed";
    case DeadLetterReason::shutdown_abandoned:
      return "shutdown_abandoned";
    case DeadLetterReason::no_workers:
      return "no_workers";
    case DeadLetterReason::timer_cancelled:
      return "timer_cancelled";
    case DeadLetterReason::stash_full:
      return "stash_full";
    case DeadLetterReason::stash_discarded:
      return "stash_discarded";
    case DeadLetterReason::late_reply:
      return "late_reply";
    case DeadLetterReason::subscriber_overflow:
      return "subscriber_overflow";
  }
  return "unknown";
}

std::string_view to_string(AskErrorKind kind) {
  switch (kind) {
    case AskErrorKind::timeout:
      return "timeout";
    case AskErrorKind::callee_failed:
      return "callee_failed";
    case AskErrorKind::dead_letter:
      return "dead_letter";
    case AskErrorKind::unanswered:
      return "unanswered";
  }
  return "unknown";
}

}  // namespace troupe
