// Props<M>: the recipe for an actor. It holds the factory (called again on
// every restart, so state resets), the mailbox settings and the actor's own
// failure policy, which its supervisor applies. Setters validate at once and
// throw std::invalid_argument naming the field.
//
//   auto props = Props<Task>::of<Worker>("w")
//                    .mailbox({.capacity = 16})
//                    .restart({.max_restarts = 3, .within = 5s});
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "engine/actor.hpp"
#include "engine/mailbox.hpp"
#include "engine/supervision.hpp"

namespace troupe {

template <class M>
class Props {
 public:
  using Factory = std::function<std::unique_ptr<Actor<M>>()>;

  /// Each instance is A(args...); the arguments are copied into the factory.
  template <class A, class... Args>
  static Props of(Args... args) {
    static_assert(std::is_base_of_v<Actor<M>, A>, "A must derive from Actor<M>");
    return Props([args = std::make_tuple(std::move(args)...)]() -> std::unique_ptr<Actor<M>> {
      return std::apply([](const auto&... a) { return std::make_unique<A>(a...); }, args);
    });
  }

  /// A stateless actor from a function (Context<M>&, M&).
  static Props from_function(typename FunctionActor<M>::Handler handler) {
    if (!handler) throw std::invalid_argument("props: the handler function is empty");
    return Props([handler = std::move(handler)]() -> std::unique_ptr<Actor<M>> {
      return std::make_unique<FunctionActor<M>>(handler);
    });
  }

  /// Any factory; it must not return nullptr.
  explicit Props(Factory factory) : factory_(std::move(factory)) {
    if (!factory_) throw std::invalid_argument("props: the factory is empty");
  }

  Props& mailbox(MailboxSettings settings) {
    validate(settings);
    mailbox_ = settings;
    return *this;
  }
  Props& restart(RestartBudget budget) {
    validate(budget);
    policy_.budget = budget;
    return *this;
  }
  Props& backoff(Backoff backoff) {
    validate(backoff);
    policy_.backoff = backoff;
    return *this;
  }
  Props& decider(Decider decider) {
    policy_.decider = std::move(decider);
    return *this;
  }
  /// How this actor supervises its own children.
  Props& supervise_children(Scope scope) {
    children_scope_ = scope;
    return *this;
  }

  /// A label shared by actors of one kind (e.g. "worker"): used for metrics
  /// and for per-kind service times in simulation.
  Props& kind(std::string kind) {
    kind_ = std::move(kind);
    return *this;
  }

  /// The `actor` label of this actor's metrics; empty means its path. Pool
  /// workers carry their pool's path, so scaling adds no series.
  Props& metrics_label(std::string label) {
    metrics_label_ = std::move(label);
    return *this;
  }

  const Factory& factory() const { return factory_; }
  const std::string& metrics_label() const { return metrics_label_; }
  const std::string& kind() const { return kind_; }
  const MailboxSettings& mailbox() const { return mailbox_; }
  const FailurePolicy& policy() const { return policy_; }
  Scope children_scope() const { return children_scope_; }

 private:
  Factory factory_;
  MailboxSettings mailbox_;
  FailurePolicy policy_;
  Scope children_scope_ = Scope::one_for_one;
  std::string kind_;
  std::string metrics_label_;
};

}  // namespace troupe
