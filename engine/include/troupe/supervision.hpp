// How failures are handled. Each actor's Props carry its own FailurePolicy
// (decider, restart budget, backoff), which its supervisor applies; a parent
// chooses the Scope for its children. A restart builds a fresh instance from
// the factory and keeps the mailbox.
//
//   Props<Task>::of<Worker>()
//       .restart({.max_restarts = 3, .within = 5s})
//       .backoff({.min = 100ms, .max = 2s, .factor = 2.0, .jitter = 0.2});
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

#include "troupe/failure.hpp"
#include "troupe/time.hpp"

namespace troupe {

/// What a supervisor does with a failed child.
enum class Directive : std::uint8_t {
  resume,    ///< keep the instance and its state; the failing message is dropped
  restart,   ///< fresh instance from the factory; mailbox kept
  stop,      ///< stop the child
  escalate,  ///< fail the supervisor itself with this failure
};

/// Which children a decision applies to.
enum class Scope : std::uint8_t {
  one_for_one,  ///< only the failed child
  all_for_one,  ///< the failed child and all its siblings
  /// The failed child and every sibling spawned after it (OTP's
  /// rest_for_one): children that depend on earlier siblings go with them.
  rest_for_one,
};

/// Which restarts a child accepts (OTP's restart types). Its supervisor
/// still decides after a failure; the type turns a restart into a stop
/// (temporary), or a normal exit into a restart (permanent).
enum class RestartType : std::uint8_t {
  permanent,  ///< as transient, and restarted when it stops itself (ctx.stop()):
              ///< its parent restarts its scope, charged to the restart budgets,
              ///< whatever the decider says. A stop by anyone else, or by
              ///< shutdown, is final (OTP also restarts those)
  transient,  ///< restarted after a failure when its supervisor decides so; a
              ///< normal stop is final (the default, as in Akka)
  temporary,  ///< never restarted: a restart decision (its own failure, or a
              ///< sibling's under all_for_one / rest_for_one) stops it instead
};

using Decider = std::function<Directive(const Failure&)>;

/// More than `max_restarts` restarts inside any window of length `within`
/// stops the actor and escalates to its parent. max_restarts = 0 means the
/// first failure stops it.
struct RestartBudget {
  int max_restarts = 10;
  Duration within = std::chrono::seconds(60);
};

/// Delay before a restart: min * factor^k for the k-th restart in the current
/// window, capped at max, then stretched by up to `jitter` (a fraction) drawn
/// from the scheduler's PRNG, and kept within [min, max]. min = 0 restarts at once.
struct Backoff {
  Duration min = Duration::zero();
  Duration max = Duration::zero();
  double factor = 2.0;
  double jitter = 0.0;
};

struct FailurePolicy {
  Decider decider;  ///< empty means: always restart
  RestartBudget budget;
  Backoff backoff;
};

/// Throws std::invalid_argument naming the offending field.
void validate(const RestartBudget& budget);
void validate(const Backoff& backoff);
/// A per-actor shutdown timeout must not be negative.
void validate_shutdown_timeout(Duration timeout);

/// The decider's answer, or `restart` when there is no decider. A decider
/// that throws yields `stop`: a broken policy must not take the parent down.
Directive decide(const FailurePolicy& policy, const Failure& failure);

/// The delay for the restart numbered `attempt` (0-based) in the window;
/// `random_bits` comes from Scheduler::random().
Duration backoff_delay(const Backoff& backoff, std::size_t attempt, std::uint64_t random_bits);

/// Restart times of one actor inside the budget's sliding window.
class RestartHistory {
 public:
  /// Records a restart at `now` if the budget allows one; false when this
  /// would be restart number max_restarts + 1 inside `within`.
  bool admit(TimePoint now, const RestartBudget& budget);

  /// Whether admit(now, budget) would record a restart, recording nothing:
  /// an all_for_one decision asks every sibling before it charges any.
  bool allows(TimePoint now, const RestartBudget& budget);

  /// Restarts inside the current window, the one just admitted included.
  std::size_t in_window() const { return times_.size(); }

 private:
  // Oldest first; at most max_restarts entries, so a vector (which, unlike
  // std::deque, allocates nothing until the first restart) is enough.
  std::vector<TimePoint> times_;
};

std::string_view to_string(Directive d);
std::string_view to_string(Scope s);
std::string_view to_string(RestartType t);

}  // namespace troupe
