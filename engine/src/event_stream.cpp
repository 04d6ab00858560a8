#include "troupe/event_stream.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/detail/stream_subscription.hpp"

namespace troupe {

namespace {

// Set while this thread fans out a DeadLetter: a dead letter that arises then
// (a DeadLetter refused by a full or bounded subscriber) is counted and not
// published again, so one dead letter publishes at most one event.
thread_local bool t_publishing_dead_letter = false;

Error invalid(std::string message) {
  return Error{ErrorCode::invalid_argument, std::move(message)};
}

}  // namespace

std::string_view to_string(PublishStatus status) {
  switch (status) {
    case PublishStatus::published:
      return "published";
    case PublishStatus::held:
      return "held";
    case PublishStatus::closed:
      return "closed";
  }
  return "unknown";
}

std::string_view to_string(LifecycleEvent::Kind kind) {
  switch (kind) {
    case LifecycleEvent::Kind::started:
      return "started";
    case LifecycleEvent::Kind::restarted:
      return "restarted";
    case LifecycleEvent::Kind::stopped:
      return "stopped";
  }
  return "unknown";
}

EventStream::EventStream(detail::Runtime& runtime) : runtime_(runtime) {}

EventStream::~EventStream() = default;

std::optional<Error> EventStream::check(bool empty_ref, bool stopped,
                                        const SubscribeSettings& settings,
                                        bool dead_letters) const {
  if (runtime_.shutting_down()) {
    return Error{ErrorCode::system_shutting_down,
                 "EventStream::subscribe: the system is shutting down"};
  }
  if (empty_ref) return invalid("EventStream::subscribe: the subscriber is an empty ActorRef");
  if (stopped) return invalid("EventStream::subscribe: the subscriber has stopped");
  if (settings.bound == 0 || settings.bound > kMaxSubscriberBound) {
    std::string message = "SubscribeSettings::bound must be in 1..";
    message.append(std::to_string(kMaxSubscriberBound)).append(", got ");
    message.append(std::to_string(settings.bound));
    return invalid(std::move(message));
  }
  if (settings.with_message && !dead_letters) {
    return invalid("SubscribeSettings::with_message applies only to DeadLetter subscriptions");
  }
  return std::nullopt;
}

Result<Subscription> EventStream::add(std::type_index type,
                                      std::shared_ptr<detail::SubscriptionBase> sub) {
  std::lock_guard lock(mu_);
  if (closed_ || runtime_.shutting_down()) {
    return Error{ErrorCode::system_shutting_down,
                 "EventStream::subscribe: the system is shutting down"};
  }
  if (topic_of_.size() >= kMaxSubscriptions) {
    std::string message = "EventStream::subscribe: the stream holds its limit of ";
    message.append(std::to_string(kMaxSubscriptions)).append(" subscriptions");
    return Error{ErrorCode::limit_reached, std::move(message)};
  }
  const std::uint64_t id = next_id_++;
  sub->set_id(id);
  // Copy on write: a publisher holds the old list while this one replaces it.
  Snapshot& topic = topics_[type];
  auto next = topic ? std::make_shared<Subscribers>(*topic) : std::make_shared<Subscribers>();
  next->push_back(sub);
  topic = std::move(next);
  topic_of_.emplace(id, type);
  by_actor_.emplace(sub->subscriber(), id);
  if (type == typeid(DeadLetter)) ++dead_letter_subscribers_[sub->subscriber()];
  update_wants_locked();
  return Subscription(id);
}

bool EventStream::unsubscribe(Subscription subscription) {
  Retired retired;  // destroyed after the lock: an adapter may hold the last ref of an actor
  std::lock_guard lock(mu_);
  return remove_locked(subscription.id(), retired);
}

bool EventStream::remove_locked(std::uint64_t id, Retired& retired) {
  const auto found = topic_of_.find(id);
  if (found == topic_of_.end()) return false;
  const std::type_index type = found->second;
  topic_of_.erase(found);
  const auto topic = topics_.find(type);
  TROUPE_ASSERT(topic != topics_.end() && topic->second);
  auto next = std::make_shared<Subscribers>();
  ActorId subscriber = 0;
  for (const auto& sub : *topic->second) {
    if (sub->id() == id) {
      subscriber = sub->subscriber();
    } else {
      next->push_back(sub);
    }
  }
  TROUPE_ASSERT(next->size() + 1 == topic->second->size());
  retired.push_back(std::move(topic->second));
  if (next->empty()) {
    topics_.erase(topic);
  } else {
    topic->second = std::move(next);
  }
  const auto [first, last] = by_actor_.equal_range(subscriber);
  by_actor_.erase(
      std::find_if(first, last, [id](const auto& entry) { return entry.second == id; }));
  if (type == typeid(DeadLetter)) {
    const auto dl = dead_letter_subscribers_.find(subscriber);
    TROUPE_ASSERT(dl != dead_letter_subscribers_.end() && dl->second > 0);
    if (--dl->second == 0) dead_letter_subscribers_.erase(dl);
  }
  update_wants_locked();
  return true;
}

void EventStream::update_wants_locked() {
  std::uint32_t wants = 0;
  if (const auto dl = topics_.find(typeid(DeadLetter)); dl != topics_.end()) {
    wants |= kDead;
    const auto& subs = *dl->second;
    if (std::any_of(subs.begin(), subs.end(),
                    [](const auto& sub) { return sub->settings().with_message; })) {
      wants |= kDeadMessage;
    }
  }
  if (topics_.count(typeid(LifecycleEvent)) != 0) wants |= kLifecycle;
  if (topics_.count(typeid(SupervisionEvent)) != 0) wants |= kSupervision;
  wants_.store(wants, std::memory_order_relaxed);
  any_.store(!topic_of_.empty(), std::memory_order_relaxed);
}

std::size_t EventStream::subscriptions() const {
  std::lock_guard lock(mu_);
  return topic_of_.size();
}

std::size_t EventStream::subscribers_of(std::type_index type) const {
  std::lock_guard lock(mu_);
  const auto topic = topics_.find(type);
  return topic == topics_.end() ? 0 : topic->second->size();
}

EventStreamStats EventStream::stats() const {
  return EventStreamStats{published_.load(), delivered_.load(), dead_.load(), removed_.load(),
                          muted_.load()};
}

bool EventStream::refuses_here() const {
  // Like a tell: outside publishers are turned away from the start of
  // shutdown; actors still publish while their mailboxes drain.
  return runtime_.shutting_down() && detail::current_cell() == nullptr;
}

bool EventStream::holds_here() const {
  return runtime_.scheduler_times_handlers() && detail::current_cell() != nullptr &&
         runtime_.scheduler().effects_delay() > Duration::zero();
}

void EventStream::hold(std::function<void()> publication) {
  // Released when the handler's declared work ends, like its tells.
  runtime_.publication_held();
  runtime_.scheduler().hold([runtime = runtime_.shared_from_this(), publication] {
    publication();
    runtime->publication_released();  // after the fan-out told: quiescence never misses it
  });
}

PublishResult EventStream::fan_out(std::type_index type, const void* event) {
  Snapshot subs;
  {
    std::lock_guard lock(mu_);
    if (closed_) return PublishResult{PublishStatus::closed};
    if (const auto topic = topics_.find(type); topic != topics_.end()) subs = topic->second;
  }
  published_.fetch_add(1, std::memory_order_relaxed);
  PublishResult result;
  if (!subs) return result;
  for (const auto& sub : *subs) {  // subscription order: deterministic in the simulator
    switch (sub->deliver(event)) {
      case detail::SubscriptionBase::Delivery::delivered:
        ++result.delivered;
        break;
      case detail::SubscriptionBase::Delivery::dead_letter:
        ++result.dead_letters;
        break;
      case detail::SubscriptionBase::Delivery::gone: {
        ++result.dead_letters;
        Retired retired;
        std::lock_guard lock(mu_);
        if (remove_locked(sub->id(), retired)) removed_.fetch_add(1, std::memory_order_relaxed);
        break;
      }
    }
  }
  delivered_.fetch_add(result.delivered, std::memory_order_relaxed);
  dead_.fetch_add(result.dead_letters, std::memory_order_relaxed);
  return result;
}

void EventStream::dead_letter(DeadLetterReason reason, ActorId recipient, std::string_view path,
                              std::uint64_t count, DeadMessage message) {
  bool muted = t_publishing_dead_letter;
  if (!muted) {
    // A DeadLetter subscriber's own dead letters (a failing or full
    // subscriber) would feed it again: counted, not published.
    std::lock_guard lock(mu_);
    muted = dead_letter_subscribers_.count(recipient) != 0;
  }
  if (muted) {
    muted_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  t_publishing_dead_letter = true;
  DeadLetter event{reason, recipient, std::string(path), count, std::move(message)};
  (void)fan_out(typeid(DeadLetter), &event);
  t_publishing_dead_letter = false;
}

void EventStream::publish_lifecycle(LifecycleEvent::Kind kind, ActorId actor,
                                    const std::string& path) {
  if (actor == 0) return;  // the guardian
  const LifecycleEvent event{kind, actor, path};
  (void)fan_out(typeid(LifecycleEvent), &event);
}

void EventStream::publish_supervision(ActorId child, const std::string& path, Directive directive,
                                      const std::string& failure) {
  const SupervisionEvent event{child, path, directive, failure};
  (void)fan_out(typeid(SupervisionEvent), &event);
}

void EventStream::end_subscriptions_of(ActorId actor) {
  Retired retired;
  std::lock_guard lock(mu_);
  for (auto entry = by_actor_.find(actor); entry != by_actor_.end() && entry->first == actor;
       entry = by_actor_.find(actor)) {
    const bool removed = remove_locked(entry->second, retired);
    TROUPE_ASSERT(removed);
    removed_.fetch_add(1, std::memory_order_relaxed);
  }
}

void EventStream::close() {
  std::map<std::type_index, Snapshot> retired;
  std::lock_guard lock(mu_);
  closed_ = true;
  topics_.swap(retired);
  topic_of_.clear();
  by_actor_.clear();
  dead_letter_subscribers_.clear();
  update_wants_locked();
}

}  // namespace troupe
