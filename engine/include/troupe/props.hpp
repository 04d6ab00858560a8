// Props<M>: the recipe for an actor. It holds the factory (called again on
// every restart, so state resets), the mailbox settings and the actor's own
// failure policy, which its supervisor applies. Setters validate at once and
// throw std::invalid_argument naming the field.
//
//   auto props = Props<Task>::of<Worker>("w")
//                    .mailbox({.capacity = 16})
//                    .restart({.max_restarts = 3, .within = 5s});
//
// Props is a value, but copying one is cheap: copies share one immutable
// recipe until a setter changes one of them, and every actor spawned from
// it keeps a reference to that recipe instead of its own copy. A system of
// many actors of a few kinds pays for each recipe once.
#pragma once

#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>

#include "troupe/actor.hpp"
#include "troupe/detail/actor_settings.hpp"
#include "troupe/mailbox.hpp"
#include "troupe/supervision.hpp"

namespace troupe {

namespace detail {

template <class M>
class Cell;
template <class M>
class PoolState;

/// The typed recipe: the settings and the factory of the instance.
template <class M>
struct Recipe : ActorSettings {
  std::function<std::unique_ptr<Actor<M>>()> factory;
  /// Set for pool workers: when such an actor stops with messages queued,
  /// this may hand them to a successor; true if it did.
  std::function<bool(Cell<M>&)> hand_over;
};

}  // namespace detail

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
  explicit Props(Factory factory) : recipe_(std::make_shared<detail::Recipe<M>>()) {
    if (!factory) throw std::invalid_argument("props: the factory is empty");
    recipe_->factory = std::move(factory);
  }

  // No move operations: a moved-from Props would hold no recipe. Copying
  // shares the recipe, which costs a reference count.
  Props(const Props&) = default;
  Props& operator=(const Props&) = default;

  Props& mailbox(MailboxSettings settings) {
    validate(settings);
    writable().mailbox = settings;
    return *this;
  }
  Props& restart(RestartBudget budget) {
    validate(budget);
    writable().policy.budget = budget;
    return *this;
  }
  Props& backoff(Backoff backoff) {
    validate(backoff);
    writable().policy.backoff = backoff;
    return *this;
  }
  Props& decider(Decider decider) {
    writable().policy.decider = std::move(decider);
    return *this;
  }
  /// How this actor supervises its own children.
  Props& supervise_children(Scope scope) {
    writable().children_scope = scope;
    return *this;
  }

  /// Which restarts this actor accepts (default transient): a temporary
  /// actor is stopped where it would be restarted; a permanent one is also
  /// restarted when it stops itself (RestartType says more).
  Props& restart_type(RestartType type) {
    writable().restart_type = type;
    return *this;
  }

  /// How long this actor may keep draining its mailbox when the system
  /// shuts down: past it, what it still holds becomes shutdown_abandoned
  /// dead letters, even if the system's own deadline is later, and it is
  /// stopped with its children (its timers cancelled). Must be >= 0;
  /// Duration::max() (the default) means only the system's deadline counts.
  Props& shutdown_timeout(Duration timeout) {
    validate_shutdown_timeout(timeout);
    writable().shutdown_timeout = timeout;
    return *this;
  }

  /// A label shared by actors of one kind (e.g. "worker"): used for metrics
  /// and for per-kind service times in simulation.
  Props& kind(std::string kind) {
    writable().kind = std::move(kind);
    return *this;
  }

  /// The `actor` label of this actor's metrics; empty means its path. Pool
  /// workers carry their pool's path, so scaling adds no series.
  Props& metrics_label(std::string label) {
    writable().metrics_label = std::move(label);
    return *this;
  }

  /// The bound of this actor's stash (ctx.stash) and what a restart does
  /// with the messages stashed (see troupe/stash.hpp).
  Props& stash(StashSettings settings) {
    validate(settings);
    writable().stash = settings;
    return *this;
  }

  const Factory& factory() const { return recipe_->factory; }
  const std::string& metrics_label() const { return recipe_->metrics_label; }
  const std::string& kind() const { return recipe_->kind; }
  const MailboxSettings& mailbox() const { return recipe_->mailbox; }
  const FailurePolicy& policy() const { return recipe_->policy; }
  Scope children_scope() const { return recipe_->children_scope; }
  RestartType restart_type() const { return recipe_->restart_type; }
  Duration shutdown_timeout() const { return recipe_->shutdown_timeout; }
  const StashSettings& stash() const { return recipe_->stash; }

  /// The recipe a cell keeps: shared, never changed again.
  std::shared_ptr<const detail::Recipe<M>> recipe() const { return recipe_; }

 private:
  /// Copy-on-write: a recipe that another Props or a live actor shares is
  /// copied before it changes, so neither sees the change.
  detail::Recipe<M>& writable() {
    if (recipe_.use_count() > 1) recipe_ = std::make_shared<detail::Recipe<M>>(*recipe_);
    return *recipe_;
  }

  // A pool sets the hand-over of its workers' queues (see Recipe).
  friend class detail::PoolState<M>;

  std::shared_ptr<detail::Recipe<M>> recipe_;
};

}  // namespace troupe
