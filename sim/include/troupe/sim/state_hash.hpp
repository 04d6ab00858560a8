// The abstract state that guided exploration counts as coverage, by default:
// which actors are alive and how full each mailbox is, bucketed so that a
// queue of 17 and one of 18 are the same state (0, 1, 2-3, 4+). Cheap enough
// to take at every scheduling choice: one walk over the live actors, no
// allocation. A scenario that knows better sets World::state_hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "troupe/system.hpp"

namespace troupe::sim {

/// 0, 1, 2 (for 2-3) or 3 (for 4 or more).
std::uint64_t queue_bucket(std::size_t queued);

/// A portable 64-bit hash of a path (FNV-1a, then a finaliser).
std::uint64_t path_hash(std::string_view path);

/// The default abstract state: over every live actor, its path and its
/// bucketed queue length. The same actors in the same shapes hash alike
/// whatever order they were spawned in.
std::uint64_t mailbox_shape_hash(const System& system);

}  // namespace troupe::sim
