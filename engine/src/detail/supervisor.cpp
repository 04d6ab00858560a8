// How a cell supervises its children: the decision of a failed child's
// policy (troupe/supervision.hpp: decide, RestartHistory, backoff_delay)
// applied to the child or, under all_for_one, to all its siblings: resume,
// restart with the budget and the backoff, stop, or escalate. Runs inside the
// supervisor's (the parent's) activation. Members of CellBase, which holds
// the tree and the signals they travel on (cell_base.hpp).
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/events.hpp"
#include "troupe/supervision.hpp"

namespace troupe::detail {

void CellBase::on_child_failed(const std::shared_ptr<CellBase>& child, const Failure& failure) {
  if (child->terminated() || lifecycle_.stopping_or_stopped()) return;
  const Directive directive = decide(child->settings_->policy, failure);
  runtime_->emit(EventKind::decided, child->id_, child->path_, to_string(directive));
  runtime_->stream().supervision(child->id_, child->path_, directive, failure.what);
  switch (directive) {
    case Directive::resume:
      // A child whose factory (constructor or pre_start) failed has no
      // instance to resume: it must be built again, and that rebuild is a
      // restart of this child alone, charged to its budget and delayed by its
      // backoff. Resuming it "as a restart" without the budget made a
      // constructor that always throws loop forever, and no shutdown
      // deadline could end it. The child is suspended waiting for this
      // decision, so its instance does not change while we read it.
      if (child->has_instance()) {
        child->enqueue_signal(Signal{Signal::Kind::resume, nullptr, {}});
      } else {
        restart_children(child, failure, RestartScope::only_the_failed);
      }
      break;
    case Directive::restart:
      restart_children(child, failure, RestartScope::by_strategy);
      break;
    case Directive::stop:
      if (settings_->children_scope == Scope::all_for_one) {
        stop_children(DeadLetterReason::actor_stopped);
      } else {
        child->enqueue_signal(Signal{Signal::Kind::stop, nullptr, {}});
      }
      break;
    case Directive::escalate:
      child->enqueue_signal(Signal{Signal::Kind::stop, nullptr, {}});
      escalate(failure);
      break;
  }
}

void CellBase::restart_children(const std::shared_ptr<CellBase>& failed, const Failure& failure,
                                RestartScope scope) {
  auto& scheduler = runtime_->scheduler();
  std::vector<std::shared_ptr<CellBase>> targets{failed};
  if (scope == RestartScope::by_strategy && settings_->children_scope == Scope::all_for_one) {
    for (auto& sibling : children_snapshot()) {
      if (sibling != failed) targets.push_back(std::move(sibling));
    }
  }
  // Every restart counts against the restarted actor's own budget, a
  // sibling's under all_for_one included (as Akka's AllForOneStrategy asks
  // each child): otherwise its neighbours' failures restart it without limit.
  // All are asked before any is charged, so a refusal charges nobody.
  const TimePoint now = scheduler.now();
  for (const auto& target : targets) {
    if (!target->restart_history) target->restart_history = std::make_unique<RestartHistory>();
    if (!target->restart_history->allows(now, target->settings_->policy.budget)) {
      budget_exhausted(*target, failed, failure, scope);
      return;
    }
  }
  for (const auto& target : targets) {
    const bool admitted = target->restart_history->admit(now, target->settings_->policy.budget);
    TROUPE_ASSERT(admitted);
  }
  const Duration delay =
      backoff_delay(failed->settings_->policy.backoff, failed->restart_history->in_window() - 1,
                    scheduler.random());
  for (auto& target : targets) {
    if (target != failed) target->enqueue_signal(Signal{Signal::Kind::suspend, nullptr, {}});
  }
  for (auto& target : targets) {
    // Every restart decision is an event, at the time it is taken (value: the
    // delay, 0 for at once): the budget is measured at these times.
    runtime_->emit(EventKind::restart_scheduled, target->id_, target->path_, {},
                   std::max(delay, Duration::zero()).count());
    Signal restart{Signal::Kind::restart, nullptr, failure};
    if (delay <= Duration::zero()) {
      target->enqueue_signal(std::move(restart));
      continue;
    }
    std::weak_ptr<CellBase> weak = target;
    scheduler.after(delay, [weak, restart]() mutable {
      if (auto cell = weak.lock()) cell->enqueue_signal(std::move(restart));
    });
  }
}

void CellBase::budget_exhausted(const CellBase& exhausted, const std::shared_ptr<CellBase>& failed,
                                const Failure& failure, RestartScope scope) {
  const RestartBudget& budget = exhausted.settings_->policy.budget;
  runtime_->emit(EventKind::budget_exceeded, exhausted.id_, exhausted.path_, failure.what,
                 budget.max_restarts);
  // The stop applies to the decision's scope, as the stop directive does.
  if (scope == RestartScope::by_strategy && settings_->children_scope == Scope::all_for_one) {
    stop_children(DeadLetterReason::actor_stopped);
  } else {
    failed->enqueue_signal(Signal{Signal::Kind::stop, nullptr, {}});
  }
  escalate(Failure{exhausted.path_,
                   "restart budget exceeded (" + std::to_string(budget.max_restarts) + " within " +
                       duration_text(budget.within) + "): " + failure.what,
                   failure.message_seq, failure.time});
}

void CellBase::escalate(const Failure& failure) {
  runtime_->emit(EventKind::escalated, id_, path_, failure.what);
  // The guardian absorbs escalations: the child is already stopped, and a
  // failure at the top must not take the whole system down.
  if (parent_ == nullptr) return;
  // Names the chain's origin and depth, not every level: bounded text.
  fail(escalated_failure(path_, failure, runtime_->scheduler().now()));
}

}  // namespace troupe::detail
