// The hash of the event stream: what "replay matches" and the determinism
// check compare. It is part of the trace format (a trace stores running
// hashes), so changing it means a new trace format version.
#pragma once

#include <cstdint>
#include <string_view>

#include "troupe/events.hpp"

namespace troupe::sim {

/// A 64-bit hash of `text`, the same on every platform: 8 bytes at a time,
/// little-endian, so a path costs a couple of multiplications, not one per byte.
std::uint64_t hash_text(std::string_view text);

/// The hash of one event. The fields that only a message event carries
/// (sender, number, type) count only for those kinds.
std::uint64_t hash_event(const Event& event);
/// The same with `sender` in place of the event's own (a recorder fills in
/// the sender of a receipt without copying the event).
std::uint64_t hash_event(const Event& event, ActorId sender);

/// The running hash after `event`, from the running hash before it.
std::uint64_t fold_event(std::uint64_t before, const Event& event);
std::uint64_t fold_event(std::uint64_t before, const Event& event, ActorId sender);

}  // namespace troupe::sim
