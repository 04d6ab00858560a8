#include "troupe/send_result.hpp"

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
  }
  return "unknown";
}

}  // namespace troupe
