// The events the runtime itself publishes on the event stream
// (troupe/event_stream.hpp): dead letters, actor lifecycle steps and
// supervision decisions. Subscribe to one of these types like to any other:
//
//   using Watch = std::variant<DeadLetter, LifecycleEvent>;
//   stream.subscribe<DeadLetter>(watcher, {.with_message = true});
//
// Nothing is built or published while nobody subscribes to the type.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <typeinfo>
#include <utility>

#include "troupe/failure.hpp"
#include "troupe/send_result.hpp"
#include "troupe/supervision.hpp"

namespace troupe {

/// A dead letter's message, type-erased and shared (never copied). Empty
/// unless the subscriber asked for it (SubscribeSettings::with_message) and
/// the message was at hand: a send that was refused (a full mailbox, a
/// stopped actor, a subscriber's bound). Messages dropped from a queue (a
/// stop's leftovers, drop_oldest, a failed handler) are counted without it.
class DeadMessage {
 public:
  DeadMessage() = default;
  template <class M>
  static DeadMessage of(M&& message) {
    using T = std::decay_t<M>;
    DeadMessage held;
    held.type_ = &typeid(T);
    held.value_ = std::make_shared<const T>(std::forward<M>(message));
    return held;
  }

  bool has_value() const { return value_ != nullptr; }
  /// The message's type, or typeid(void) when empty.
  const std::type_info& type() const { return type_ != nullptr ? *type_ : typeid(void); }
  /// The message if it is a T (the recipient's message type M), else nullptr.
  template <class T>
  const T* as() const {
    if (type_ == nullptr || *type_ != typeid(T)) return nullptr;
    return static_cast<const T*>(value_.get());
  }

 private:
  const std::type_info* type_ = nullptr;
  std::shared_ptr<const void> value_;
};

/// Published for every dead letter the system counts (see SystemStats),
/// except those whose recipient subscribes to DeadLetter itself and those
/// that arise while a DeadLetter is being published: a dead DeadLetter is
/// counted, never published again, so the stream cannot feed itself.
struct DeadLetter {
  DeadLetterReason reason = DeadLetterReason::actor_stopped;
  ActorId recipient = 0;
  std::string recipient_path;
  std::uint64_t count = 1;  ///< messages this one event stands for (a stop's leftovers)
  DeadMessage message;      ///< only with SubscribeSettings::with_message (see DeadMessage)
};

/// Published when an actor started (pre_start ran), restarted (a fresh
/// instance replaced a failed one) or stopped (post_stop ran).
struct LifecycleEvent {
  enum class Kind : std::uint8_t { started, restarted, stopped };
  Kind kind = Kind::started;
  ActorId actor = 0;
  std::string path;
};

std::string_view to_string(LifecycleEvent::Kind kind);

/// Published when a supervisor decided about a failed child.
struct SupervisionEvent {
  ActorId child = 0;
  std::string child_path;
  Directive directive = Directive::restart;
  std::string failure;  ///< the failure's text
};

}  // namespace troupe
