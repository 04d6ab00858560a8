// The typed half of the event stream (troupe/event_stream.hpp): a
// subscription of an actor of message type M to events of type E, and the
// template members of EventStream. They need Cell<M> complete: included at
// the end of troupe/detail/cell.hpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "troupe/detail/cell.hpp"
#include "troupe/detail/stream_subscription.hpp"
#include "troupe/event_stream.hpp"

namespace troupe::detail {

template <class E, class M>
class TypedSubscription final : public SubscriptionBase {
 public:
  TypedSubscription(const ActorRef<M>& subscriber, std::function<M(const E&)> adapt,
                    SubscribeSettings settings)
      : SubscriptionBase(subscriber.id(), subscriber.path(), settings),
        cell_(subscriber.shared_cell()),
        runtime_(subscriber.shared_cell()->runtime()),
        adapt_(std::move(adapt)),
        bound_(settings.bound) {
    TROUPE_ASSERT(adapt_ != nullptr);
  }

  Delivery deliver(const void* event) override {
    // Weak: a subscription never keeps a stopped actor's cell alive.
    const std::shared_ptr<Cell<M>> cell = cell_.lock();
    if (!cell) {
      runtime_.rejected(DeadLetterReason::actor_stopped, subscriber(), path());
      return Delivery::gone;
    }
    std::optional<M> made;
    try {
      made.emplace(make(*static_cast<const E*>(event)));
    } catch (...) {
      // The adapter (or M's constructor) threw: this delivery is a counted
      // dead letter, and the publisher goes on to the next subscriber.
      runtime_.rejected(DeadLetterReason::handler_failed, *cell);
      return Delivery::dead_letter;
    }
    M& message = *made;
    bool over_bound = false;
    const SendResult result = cell->offer_published(message, bound_, over_bound);
    if (result == SendResult::accepted) return Delivery::delivered;
    const DeadLetterReason reason =
        over_bound ? DeadLetterReason::subscriber_overflow : dead_letter_reason(result);
    (void)cell->reject(reason, std::move(message));
    return result == SendResult::actor_stopped ? Delivery::gone : Delivery::dead_letter;
  }

 private:
  M make(const E& event) const {
    if constexpr (std::is_same_v<E, DeadLetter>) {
      // Only subscribers that asked see the message (it is shared, not copied).
      if (!settings().with_message && event.message.has_value()) {
        DeadLetter plain{event.reason, event.recipient, event.recipient_path, event.count, {}};
        return adapt_(plain);
      }
    }
    return adapt_(event);
  }

  std::weak_ptr<Cell<M>> cell_;
  Runtime& runtime_;  // outlives every subscription: the stream it owns holds them
  std::function<M(const E&)> adapt_;
  StreamBound bound_;  // guarded by the subscriber cell's lock
};

}  // namespace troupe::detail

namespace troupe {

template <class E, class M>
requires std::constructible_from<M, const E&> Result<Subscription> EventStream::subscribe(
    const ActorRef<M>& subscriber, SubscribeSettings settings) {
  return subscribe<E>(
      subscriber, [](const E& event) { return M(event); }, settings);
}

template <class E, class M, class F>
requires std::is_invocable_r_v<M, F&, const E&> Result<Subscription> EventStream::subscribe(
    const ActorRef<M>& subscriber, F adapt, SubscribeSettings settings) {
  static_assert(std::is_copy_constructible_v<E>, "an event is copied for each subscriber");
  const bool empty = !subscriber.valid();
  if (auto error =
          check(empty, !empty && !subscriber.alive(), settings, std::is_same_v<E, DeadLetter>)) {
    return std::move(*error);
  }
  if (!empty && &subscriber.cell()->runtime() != &runtime_) {
    return Error{ErrorCode::invalid_argument,
                 "EventStream::subscribe: the subscriber belongs to another system"};
  }
  auto sub = std::make_shared<detail::TypedSubscription<E, M>>(
      subscriber, std::function<M(const E&)>(std::move(adapt)), settings);
  Result<Subscription> added = add(typeid(E), std::move(sub));
  // A subscriber that stopped during this call had its subscriptions ended
  // before this one was added (it is marked stopped first): end this one too.
  if (added && !subscriber.alive()) {
    (void)unsubscribe(added.value());
    return Error{ErrorCode::invalid_argument, "EventStream::subscribe: the subscriber has stopped"};
  }
  return added;
}

template <class E>
PublishResult EventStream::publish(E event) {
  static_assert(std::is_copy_constructible_v<E>, "an event is copied for each subscriber");
  if (refuses_here()) return PublishResult{PublishStatus::closed};
  if (holds_here()) {
    auto held = std::make_shared<const E>(std::move(event));
    hold([this, held] { (void)fan_out(typeid(E), held.get()); });
    return PublishResult{PublishStatus::held};
  }
  return fan_out(typeid(E), &event);
}

}  // namespace troupe
