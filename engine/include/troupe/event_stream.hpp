// EventStream: system-wide typed publish/subscribe, like Akka's and
// proto.actor's event streams. An actor subscribes to an event type E; every
// publish(E) is delivered to each subscriber of E as one of its own messages
// (M constructed from E, or an adapter's E -> M), counted as a send:
//
//   using In = std::variant<Price, DeadLetter>;
//   auto sub = sys.event_stream().subscribe<Price>(ref, {.bound = 64}).value();
//   sys.event_stream().publish(Price{42});     // or ctx.publish(Price{42}) in a handler
//   sys.event_stream().unsubscribe(sub);
//
// Each subscriber holds at most `bound` published events not yet taken from
// its mailbox; past that a publication to it is a `subscriber_overflow` dead
// letter. So nothing is lost silently: each publication to each subscriber is
// delivered or counted. A stopped subscriber is removed (its missed
// publication counted as an actor_stopped dead letter). Deliveries follow
// subscription order. The runtime publishes DeadLetter, LifecycleEvent and
// SupervisionEvent (troupe/stream_events.hpp); nothing is built for a type
// nobody subscribes to. Template bodies: troupe/detail/event_stream_impl.hpp.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeindex>
#include <vector>

#include "troupe/actor_ref.hpp"
#include "troupe/result.hpp"
#include "troupe/stream_events.hpp"

namespace troupe {

namespace detail {
class Runtime;
class SubscriptionBase;
}  // namespace detail

/// Bounds of the stream: a limit on everything.
inline constexpr std::uint32_t kMaxSubscriberBound = std::uint32_t{1} << 24;
inline constexpr std::size_t kMaxSubscriptions = std::size_t{1} << 16;

struct SubscribeSettings {
  /// Published events this subscriber may hold not yet taken from its
  /// mailbox (1..kMaxSubscriberBound); beyond it a publication is a
  /// `subscriber_overflow` dead letter instead.
  std::uint32_t bound = 1024;
  /// DeadLetter subscriptions only: carry the dead message (DeadMessage).
  /// Subscribers that do not ask never pay for it.
  bool with_message = false;
};

/// The handle unsubscribe takes.
class Subscription {
 public:
  Subscription() = default;
  std::uint64_t id() const { return id_; }
  bool valid() const { return id_ != 0; }

 private:
  friend class EventStream;
  explicit Subscription(std::uint64_t id) : id_(id) {}
  std::uint64_t id_ = 0;
};

enum class PublishStatus : std::uint8_t {
  published,  ///< offered to every subscriber: `delivered` + `dead_letters` of them
  held,       ///< in a simulated handler with declared work: published when the work ends
  closed,     ///< the system is shutting down (outside publishers) or has shut down
};

std::string_view to_string(PublishStatus status);

struct PublishResult {
  PublishStatus status = PublishStatus::published;
  std::uint32_t delivered = 0;     ///< subscribers whose mailbox took it
  std::uint32_t dead_letters = 0;  ///< subscribers for which it is a counted dead letter
  bool ok() const { return status != PublishStatus::closed; }
};

/// What the stream did since the system started.
struct EventStreamStats {
  std::uint64_t published = 0;           ///< publications fanned out (held ones once released)
  std::uint64_t delivered = 0;           ///< deliveries a subscriber's mailbox took
  std::uint64_t dead_letters = 0;        ///< deliveries that became dead letters
  std::uint64_t stopped_removed = 0;     ///< subscriptions removed because the subscriber stopped
  std::uint64_t dead_letters_muted = 0;  ///< dead letters counted but not published (no feedback)
};

class EventStream {
 public:
  explicit EventStream(detail::Runtime& runtime);
  ~EventStream();
  EventStream(const EventStream&) = delete;
  EventStream& operator=(const EventStream&) = delete;

  /// `subscriber` receives every published E as M(E). Errors (invalid_argument):
  /// an empty or stopped ref, a bound outside 1..kMaxSubscriberBound,
  /// with_message on a type other than DeadLetter; system_shutting_down;
  /// limit_reached past kMaxSubscriptions.
  template <class E, class M>
  requires std::constructible_from<M, const E&> Result<Subscription> subscribe(
      const ActorRef<M>& subscriber, SubscribeSettings settings = {});
  /// The same through `adapt`, an E -> M mapping (a pure function: it runs
  /// on the publisher's thread).
  template <class E, class M, class F>
  requires std::is_invocable_r_v<M, F&, const E&> Result<Subscription> subscribe(
      const ActorRef<M>& subscriber, F adapt, SubscribeSettings settings = {});
  /// Ends a subscription: no later publication reaches it. False if unknown.
  bool unsubscribe(Subscription subscription);

  /// Offers `event` to every subscriber of E, in subscription order. Never
  /// blocks: a full mailbox refuses (a counted dead letter).
  template <class E>
  PublishResult publish(E event);

  std::size_t subscriptions() const;
  template <class E>
  std::size_t subscribers() const {
    return subscribers_of(typeid(E));
  }
  EventStreamStats stats() const;

  // For the runtime. Each is one relaxed load when nobody subscribes.
  bool wants_dead_letters() const { return (wants_.load(std::memory_order_relaxed) & kDead) != 0; }
  bool wants_dead_messages() const {
    return (wants_.load(std::memory_order_relaxed) & kDeadMessage) != 0;
  }
  void dead_letter(DeadLetterReason reason, ActorId recipient, std::string_view path,
                   std::uint64_t count, DeadMessage message);
  void lifecycle(LifecycleEvent::Kind kind, ActorId actor, const std::string& path) {
    if ((wants_.load(std::memory_order_relaxed) & kLifecycle) != 0) {
      publish_lifecycle(kind, actor, path);
    }
  }
  void supervision(ActorId child, const std::string& path, Directive directive,
                   const std::string& failure) {
    if ((wants_.load(std::memory_order_relaxed) & kSupervision) != 0) {
      publish_supervision(child, path, directive, failure);
    }
  }
  /// `actor` stopped: its subscriptions end.
  void actor_stopped(ActorId actor) {
    if (any_.load(std::memory_order_relaxed)) end_subscriptions_of(actor);
  }
  /// The system stops its actors: every subscription ends, publishing is closed.
  void close();

 private:
  using Subscribers = std::vector<std::shared_ptr<detail::SubscriptionBase>>;
  using Snapshot = std::shared_ptr<const Subscribers>;
  static constexpr std::uint32_t kDead = 1, kDeadMessage = 2, kLifecycle = 4, kSupervision = 8;

  void publish_lifecycle(LifecycleEvent::Kind kind, ActorId actor, const std::string& path);
  void publish_supervision(ActorId child, const std::string& path, Directive directive,
                           const std::string& failure);
  void end_subscriptions_of(ActorId actor);
  std::optional<Error> check(bool empty_ref, bool stopped, const SubscribeSettings& settings,
                             bool dead_letters) const;
  Result<Subscription> add(std::type_index type, std::shared_ptr<detail::SubscriptionBase> sub);
  /// Lists replaced under the lock, destroyed by the caller after it.
  using Retired = std::vector<Snapshot>;
  bool remove_locked(std::uint64_t id, Retired& retired);
  void update_wants_locked();
  std::size_t subscribers_of(std::type_index type) const;
  /// Whether a publish here is refused (closed, or from outside during shutdown).
  bool refuses_here() const;
  /// Whether a publish here waits for the running simulated handler's work.
  bool holds_here() const;
  void hold(std::function<void()> publication);
  PublishResult fan_out(std::type_index type, const void* event);

  detail::Runtime& runtime_;
  mutable std::mutex mu_;
  bool closed_ = false;                                       // guarded by mu_
  std::uint64_t next_id_ = 1;                                 // guarded by mu_
  std::map<std::type_index, Snapshot> topics_;                // found, never iterated
  std::map<std::uint64_t, std::type_index> topic_of_;         // subscription id -> type
  std::multimap<ActorId, std::uint64_t> by_actor_;            // subscriber -> ids
  std::map<ActorId, std::uint32_t> dead_letter_subscribers_;  // muted recipients
  std::atomic<std::uint32_t> wants_{0};                       // kDead | ...: who listens
  std::atomic<bool> any_{false};                              // any subscription at all
  std::atomic<std::uint64_t> published_{0}, delivered_{0}, dead_{0}, removed_{0}, muted_{0};
};

}  // namespace troupe
