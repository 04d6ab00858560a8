// What a supervisor learns when an actor fails, and what a watcher learns
// when the actor it watches stops.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "troupe/time.hpp"

namespace troupe {

/// Identifies an actor for the lifetime of its system; never reused.
using ActorId = std::uint64_t;

/// A handler (or hook) threw. `message_seq` is the 1-based number of the
/// message the actor was handling (0 when it failed outside a message).
///
/// A supervisor that escalates fails with a new Failure of its own. That one
/// names where the chain began (`origin_path`, `origin_what`) and how many
/// supervisors passed it up (`escalations`), never the whole chain: however
/// deep the tree, each level's text stays within kFailureTextMax.
struct Failure {
  std::string actor_path;
  std::string what;
  std::uint64_t message_seq = 0;
  TimePoint time{};
  std::string origin_path{};      ///< the actor that first failed; empty if this one did
  std::string origin_what{};      ///< its text, at most kFailureTextMax bytes
  std::uint32_t escalations = 0;  ///< supervisors that escalated it; 0 for an own failure
};

/// The longest text an escalation writes, in bytes.
inline constexpr std::size_t kFailureTextMax = 1024;

/// The failure `supervisor_path` fails with when it escalates `cause`:
/// "escalated from /a/b/c (2 levels): boom" (no count for one level), with the
/// origin's path shortened in the middle and the text cut to kFailureTextMax.
Failure escalated_failure(const std::string& supervisor_path, const Failure& cause, TimePoint now);

/// A duration as a person writes it, in the largest unit that divides it:
/// "5s", "250ms", "1500us", "7ns".
std::string duration_text(Duration d);

/// Why an actor stopped, as its watchers learn it.
enum class TerminationReason : std::uint8_t {
  stopped,            ///< it stopped itself (ctx.stop()), or a non-parent stopped it
  stopped_by_parent,  ///< its parent stopped it: ctx.stop(child), the parent stopping or
                      ///< restarting, a sibling's group decision, a pool shrinking
  shutdown,           ///< the system shut down
  failed,             ///< it failed and its supervisor stopped it (stop, escalate, or a
                      ///< restart of a temporary child): `failure` says with what
  budget_exhausted,   ///< it failed once more than its restart budget allows: `failure`
};

std::string_view to_string(TerminationReason reason);

/// Delivered to watchers once the watched actor has stopped.
struct Terminated {
  ActorId id = 0;
  std::string path;
  TerminationReason reason = TerminationReason::stopped;
  /// The failure behind `failed` and `budget_exhausted`; empty otherwise.
  std::optional<Failure> failure{};
};

}  // namespace troupe
