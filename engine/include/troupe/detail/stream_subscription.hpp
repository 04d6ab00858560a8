// One subscription of the event stream (troupe/event_stream.hpp), untyped
// half, and the per-subscriber bound. The typed half (TypedSubscription<E, M>)
// needs the subscriber's cell complete: it is in event_stream_impl.hpp.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "troupe/assert.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/event_stream.hpp"

namespace troupe::detail {

/// Published events a subscriber holds not yet taken from its mailbox: the
/// mailbox ordinals (places in the cell's enqueued count) of those given to
/// it. One whose ordinal the cell's dequeued count has reached was taken (or
/// dropped), so the check needs no hook where messages are handled. Guarded
/// by the subscriber cell's lock.
class StreamBound {
 public:
  explicit StreamBound(std::uint32_t limit) : limit_(limit) { TROUPE_ASSERT(limit > 0); }

  /// Forgets the events taken by now; true if one more fits.
  bool admit(std::uint64_t dequeued) {
    while (!ordinals_.empty() && ordinals_.front() <= dequeued) ordinals_.pop_front();
    return ordinals_.size() < limit_;
  }
  void taken(std::uint64_t ordinal) {
    TROUPE_ASSERT(ordinals_.size() < limit_);
    TROUPE_ASSERT(ordinals_.empty() || ordinals_.back() < ordinal);
    ordinals_.push_back(std::uint64_t{ordinal});
  }

 private:
  RingQueue<std::uint64_t> ordinals_;
  std::uint32_t limit_;
};

class SubscriptionBase {
 public:
  /// What one delivery did; `gone`: the subscriber has stopped (remove it).
  enum class Delivery : std::uint8_t { delivered, dead_letter, gone };

  SubscriptionBase(ActorId subscriber, std::string path, SubscribeSettings settings)
      : subscriber_(subscriber), path_(std::move(path)), settings_(settings) {}
  virtual ~SubscriptionBase() = default;
  SubscriptionBase(const SubscriptionBase&) = delete;
  SubscriptionBase& operator=(const SubscriptionBase&) = delete;

  /// Offers `event` (an E) to the subscriber, counting a refusal.
  virtual Delivery deliver(const void* event) = 0;

  ActorId subscriber() const { return subscriber_; }
  const std::string& path() const { return path_; }
  const SubscribeSettings& settings() const { return settings_; }
  std::uint64_t id() const { return id_; }
  void set_id(std::uint64_t id) { id_ = id; }  // once, by the stream, before publishing it

 private:
  const ActorId subscriber_;
  const std::string path_;
  const SubscribeSettings settings_;
  std::uint64_t id_ = 0;
};

}  // namespace troupe::detail
