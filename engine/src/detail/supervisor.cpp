// How a cell supervises its children: the decision of a failed child's
// policy (troupe/supervision.hpp: decide, RestartHistory, backoff_delay)
// applied to the child or, by the parent's scope, to a group of its siblings
// (all_for_one: all; rest_for_one: those spawned after it): resume, restart
// with the budget and the backoff, stop, or escalate. A temporary child
// accepts no restart: it is stopped instead. Runs inside the
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
      stop_group(decision_group(child, RestartScope::by_strategy), *child,
                 TerminationReason::failed, failure);
      break;
    case Directive::escalate:
      stop_child(*child, TerminationReason::failed, &failure);
      escalate(failure);
      break;
  }
}

void CellBase::on_child_exited(const std::shared_ptr<CellBase>& child) {
  if (child->terminated() || lifecycle_.stopping_or_stopped()) return;
  TROUPE_ASSERT(child->restart_type() == RestartType::permanent);
  const Failure exit{child->path_, "stopped itself (a permanent child is restarted)", 0,
                     runtime_->scheduler().now()};
  runtime_->emit(EventKind::decided, child->id_, child->path_, to_string(Directive::restart));
  runtime_->stream().supervision(child->id_, child->path_, Directive::restart, exit.what);
  restart_children(child, exit, RestartScope::by_strategy);
}

std::vector<std::shared_ptr<CellBase>> CellBase::decision_group(
    const std::shared_ptr<CellBase>& failed, RestartScope scope) const {
  const Scope strategy = settings_->children_scope;
  if (scope == RestartScope::only_the_failed || strategy == Scope::one_for_one) return {failed};
  // all_for_one keeps the children's name order, as it always had: the
  // order signals go out in is part of a recorded trace.
  std::vector<std::shared_ptr<CellBase>> group = children_snapshot();
  if (strategy == Scope::rest_for_one) {
    // Ids grow with spawn order and a restart keeps the cell (and its id).
    std::erase_if(group, [&](const auto& c) { return c->id_ < failed->id_; });
    std::sort(group.begin(), group.end(),
              [](const auto& a, const auto& b) { return a->id_ < b->id_; });
  }
  // A child stopping on its own is still a child until it has stopped.
  if (std::find(group.begin(), group.end(), failed) == group.end()) group.push_back(failed);
  return group;
}

void CellBase::stop_group(const std::vector<std::shared_ptr<CellBase>>& group,
                          const CellBase& failed, TerminationReason failed_why,
                          const Failure& failure, const CellBase* exhausted) {
  for (const auto& member : group) {
    if (member.get() == exhausted) {
      stop_child(*member, TerminationReason::budget_exhausted, &failure);
    } else if (member.get() == &failed) {
      stop_child(*member, failed_why, &failure);
    } else {
      stop_child(*member, TerminationReason::stopped_by_parent, nullptr);
    }
  }
}

void CellBase::stop_instead_of_restart(CellBase& child, TerminationReason why,
                                       const Failure* failure) {
  TROUPE_ASSERT(child.restart_type() == RestartType::temporary);
  runtime_->emit(EventKind::not_restarted, child.id_, child.path_, to_string(child.restart_type()));
  stop_child(child, why, failure);
}

void CellBase::restart_children(const std::shared_ptr<CellBase>& failed, const Failure& failure,
                                RestartScope scope) {
  auto& scheduler = runtime_->scheduler();
  // A temporary child's failure restarts nobody (as in OTP, where it is
  // simply removed): it stops, and its siblings are left alone.
  if (failed->restart_type() == RestartType::temporary) {
    stop_instead_of_restart(*failed, TerminationReason::failed, &failure);
    return;
  }
  // The failed child first, then its group; temporary siblings stop instead.
  std::vector<std::shared_ptr<CellBase>> targets{failed};
  std::vector<std::shared_ptr<CellBase>> temporaries;
  for (auto& sibling : decision_group(failed, scope)) {
    if (sibling == failed) continue;
    auto& into = sibling->restart_type() == RestartType::temporary ? temporaries : targets;
    into.push_back(std::move(sibling));
  }
  // Every restart counts against the restarted actor's own budget, a
  // sibling's under all_for_one included (as Akka's AllForOneStrategy asks
  // each child): otherwise its neighbours' failures restart it without limit.
  // All are asked before any is charged, so a refusal charges nobody.
  const TimePoint now = scheduler.now();
  for (const auto& target : targets) {
    auto& history = target->rare().restart_history;
    if (!history) history = std::make_unique<RestartHistory>();
    if (!history->allows(now, target->settings_->policy.budget)) {
      budget_exhausted(*target, failed, failure, scope);
      return;
    }
  }
  for (const auto& temporary : temporaries) {
    stop_instead_of_restart(*temporary, TerminationReason::stopped_by_parent, nullptr);
  }
  for (const auto& target : targets) {
    const bool admitted =
        target->rare().restart_history->admit(now, target->settings_->policy.budget);
    TROUPE_ASSERT(admitted);
  }
  const Duration delay =
      backoff_delay(failed->settings_->policy.backoff,
                    failed->rare().restart_history->in_window() - 1, scheduler.random());
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
  stop_group(decision_group(failed, scope), *failed, TerminationReason::failed, failure,
             &exhausted);
  std::string text = "restart budget exceeded (";
  text.append(std::to_string(budget.max_restarts))
      .append(" within ")
      .append(duration_text(budget.within))
      .append("): ")
      .append(failure.what);
  escalate(Failure{exhausted.path_, std::move(text), failure.message_seq, failure.time});
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
