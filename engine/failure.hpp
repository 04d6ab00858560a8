// What a supervisor learns when an actor fails, and what a watcher learns
// when the actor it watches stops.
#pragma once

#include <cstdint>
#include <string>

#include "engine/time.hpp"

namespace troupe {

/// Identifies an actor for the lifetime of its system; never reused.
using ActorId = std::uint64_t;

/// A handler (or hook) threw. `message_seq` is the 1-based number of the
/// message the actor was handling (0 when it failed outside a message).
struct Failure {
  std::string actor_path;
  std::string what;
  std::uint64_t message_seq = 0;
  TimePoint time{};
};

/// Delivered to watchers once the watched actor has stopped.
struct Terminated {
  ActorId id = 0;
  std::string path;
};

}  // namespace troupe
