// Mailbox settings. Every mailbox is bounded; what happens when it is full is
// the overflow policy. `tell` never blocks an actor: `block` applies only to
// senders outside the actor system, and only until `block_timeout`.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

#include "troupe/time.hpp"

namespace troupe {

enum class Overflow : std::uint8_t {
  reject,       ///< the send returns SendResult::mailbox_full
  drop_oldest,  ///< the oldest queued message becomes a mailbox_full dead letter
  block,        ///< an outside sender waits up to block_timeout for room
};

struct MailboxSettings {
  std::size_t capacity = 1024;
  Overflow overflow = Overflow::reject;
  Duration block_timeout = std::chrono::seconds(1);
  /// Actors that may wait for room here at once (Context::offer): one more
  /// is told OfferResult::busy. A pool's workers each have this many.
  std::size_t max_room_waiters = 64;
};

/// The largest capacity accepted: a limit on memory one actor may pin.
inline constexpr std::size_t kMaxMailboxCapacity = std::size_t{1} << 24;

/// The largest max_room_waiters accepted.
inline constexpr std::size_t kMaxRoomWaiters = 4096;

/// Throws std::invalid_argument naming the offending field.
void validate(const MailboxSettings& settings);

}  // namespace troupe
