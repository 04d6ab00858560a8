// ActorSettings: the untyped part of an actor's recipe (Props), the part the
// runtime reads: mailbox bounds, the failure policy its supervisor applies,
// how it supervises its own children and its labels. One instance is shared
// by every actor spawned from the same Props.
#pragma once

#include <string>

#include "troupe/mailbox.hpp"
#include "troupe/stash.hpp"
#include "troupe/supervision.hpp"

namespace troupe::detail {

struct ActorSettings {
  MailboxSettings mailbox;
  FailurePolicy policy;
  Scope children_scope = Scope::one_for_one;
  RestartType restart_type = RestartType::transient;  // which restart decisions it accepts
  /// How long it may drain at a shutdown before its queue is abandoned
  /// (the earlier of this and the system's deadline); max: no own limit.
  Duration shutdown_timeout = Duration::max();
  std::string kind;           // shared by actors of one kind: metrics, simulated service times
  std::string metrics_label;  // the `actor` label; empty means the actor's path
  StashSettings stash;        // the bound of ctx.stash and what a restart does with it
};

}  // namespace troupe::detail
