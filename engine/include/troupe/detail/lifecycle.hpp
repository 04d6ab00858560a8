// An actor's lifecycle as an explicit state machine: the states a cell goes
// through and the only moves between them. A move the table does not allow
// is a bug in the engine and stops the process (TROUPE_ASSERT's contract);
// a caller that may legitimately see a late or repeated request (a second
// stop, a restart after a stop) checks the state itself and says why.
//
//   created    -> running
//   running    -> suspended | restarting | stopping
//   suspended  -> running | suspended | restarting | stopping
//   restarting -> running | suspended | stopping
//   stopping   -> stopped
//   stopped       (final)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace troupe::detail {

enum class LifecycleState : std::uint8_t {
  created,     ///< spawned; its first activation builds the instance
  running,     ///< handles messages
  suspended,   ///< failed, or paused for an all_for_one sibling: waits for its supervisor
  restarting,  ///< its children stop, then a fresh instance is built
  stopping,    ///< its children stop, then post_stop
  stopped,     ///< final: nothing runs here any more
};

inline constexpr std::size_t kLifecycleStates = 6;

std::string_view to_string(LifecycleState state);

/// Whether `from -> to` is a move of the lifecycle.
constexpr bool lifecycle_allows(LifecycleState from, LifecycleState to) {
  using S = LifecycleState;
  constexpr auto bit = [](S s) {
    return static_cast<std::uint8_t>(1u << static_cast<unsigned>(s));
  };
  // Row `from`: the states it may move to.
  constexpr std::array<std::uint8_t, kLifecycleStates> next{
      /* created    */ bit(S::running),
      // A running actor is restarted directly when its restart was decided
      // while it ran (an all_for_one sibling, or a delayed restart after a
      // resume).
      /* running    */
      static_cast<std::uint8_t>(bit(S::suspended) | bit(S::restarting) | bit(S::stopping)),
      // Suspended again: a second failure while waiting (an escalation from a
      // child, a failing system command) is reported to the supervisor too.
      /* suspended  */
      static_cast<std::uint8_t>(bit(S::running) | bit(S::suspended) | bit(S::restarting) |
                                bit(S::stopping)),
      // A failure while the children stop (an escalation) suspends the
      // restart: the supervisor decides again.
      /* restarting */
      static_cast<std::uint8_t>(bit(S::running) | bit(S::suspended) | bit(S::stopping)),
      /* stopping   */ bit(S::stopped),
      /* stopped    */ 0,
  };
  return (next[static_cast<std::size_t>(from)] & bit(to)) != 0;
}

/// The lifecycle of one cell. Not thread-safe: changed only inside the
/// cell's own activation.
class Lifecycle {
 public:
  LifecycleState state() const { return state_; }
  bool is(LifecycleState state) const { return state_ == state; }
  /// Stopping or stopped: nothing is left to supervise, restart or resume.
  bool stopping_or_stopped() const {
    return state_ == LifecycleState::stopping || state_ == LifecycleState::stopped;
  }
  /// Moves to `next`; a move the table does not allow stops the process.
  void move_to(LifecycleState next) {
    if (!lifecycle_allows(state_, next)) illegal_move(state_, next);
    state_ = next;
  }

 private:
  [[noreturn]] static void illegal_move(LifecycleState from, LifecycleState to);

  LifecycleState state_ = LifecycleState::created;
};

}  // namespace troupe::detail
