// Backpressure between actors: what Context::offer did with a message. An
// offer is a tell that respects the receiver's capacity: when the mailbox
// (or every worker of a pool) is full, the message stays with the sender,
// nothing is counted, and the sender is paused until a notice of its own
// type says there is room (or that the receiver stopped: the retry tells).
// A full `drop_oldest` mailbox is full for an offer too: an offer never
// makes room by dropping another message.
//
//   switch (ctx.offer(sink, job, Msg{Resume{}})) {
//     case OfferResult::accepted: ...;            // `job` was moved from
//     case OfferResult::full: keep(job); break;   // Resume{} arrives later
//     case OfferResult::busy: retry_later(job);   // no notice promised
//     case OfferResult::refused: break;           // a counted dead letter, as tell
//   }
#pragma once

#include <cstdint>
#include <ostream>
#include <string_view>

namespace troupe {

/// The outcome of Context::offer.
enum class [[nodiscard]] OfferResult : std::uint8_t{
    accepted,  ///< queued; the message was moved from
    full,      ///< no room: the message is untouched, and the sender takes no
               ///< message of its own until its notice arrives (handled next)
    busy,      ///< no room and MailboxSettings::max_room_waiters senders wait
               ///< already: the message is untouched, no notice is promised
    refused,   ///< the receiver stopped, the pool has no worker: the message
               ///< became a counted dead letter, exactly as with tell
};

std::string_view to_string(OfferResult r);

inline std::ostream& operator<<(std::ostream& out, OfferResult r) {
  return out << to_string(r);
}

}  // namespace troupe
