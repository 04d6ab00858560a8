// Stash settings. An actor may set aside the message it is handling
// (ctx.stash) and later put everything set aside back at the front of its
// mailbox (ctx.unstash_all), in the order it was stashed, ahead of newer
// messages and outside the mailbox's bound (never refused, never dropped).
// The stash is bounded: stashing past `capacity` makes the message a
// `stash_full` dead letter. Stashed messages count as queued.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace troupe {

/// What a restart does with the messages the failed instance stashed.
enum class StashOnRestart : std::uint8_t {
  keep,         ///< they stay stashed for the fresh instance (pre_start may unstash them)
  dead_letter,  ///< they become `stash_discarded` dead letters
};

struct StashSettings {
  std::size_t capacity = 1024;
  StashOnRestart on_restart = StashOnRestart::keep;
};

/// The largest stash accepted: a limit on memory one actor may pin.
inline constexpr std::size_t kMaxStashCapacity = std::size_t{1} << 24;

/// Throws std::invalid_argument naming the offending field.
inline void validate(const StashSettings& settings) {
  if (settings.capacity == 0 || settings.capacity > kMaxStashCapacity) {
    throw std::invalid_argument("stash: capacity must be between 1 and " +
                                std::to_string(kMaxStashCapacity) + ", got " +
                                std::to_string(settings.capacity));
  }
}

}  // namespace troupe
