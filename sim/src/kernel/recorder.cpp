#include "troupe/sim/recorder.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "troupe/sim/event_hash.hpp"

namespace troupe::sim {

void Recorder::refuse_foreign(const Event& event) {
  std::lock_guard lock(foreign_mu_);
  if (foreign_events_.load(std::memory_order_relaxed) == 0) {
    first_foreign_event_ = std::string(to_string(event.kind)) + " " + std::string(event.path);
  }
  foreign_events_.fetch_add(1, std::memory_order_release);
}

std::string Recorder::first_foreign_event() const {
  std::lock_guard lock(foreign_mu_);
  return first_foreign_event_;
}

namespace {
// Its address tells threads apart for the price of a thread-local access
// (std::this_thread::get_id is a call into libc for every event).
thread_local const char this_thread_token = 0;
}  // namespace

const void* Recorder::current_thread() {
  return &this_thread_token;
}

Recorder::Pending& Recorder::pending_of(ActorId receiver) {
  RecentPending& slot = recent_[receiver % recent_.size()];
  if (slot.queue == nullptr || slot.receiver != receiver) {
    slot = RecentPending{receiver, &senders_[receiver]};  // map nodes never move
  }
  return *slot.queue;
}

void Recorder::forget_pending(ActorId receiver) {
  RecentPending& slot = recent_[receiver % recent_.size()];
  if (slot.receiver == receiver) slot = RecentPending{};
  senders_.erase(receiver);
}

void Recorder::on_event(const Event& event) {
  if (current_thread() != owner_) {  // touch nothing: it would race the owner
    refuse_foreign(event);
    return;
  }
  // The event is read in place, not copied: a copy of what the emitter has
  // just written stalls on store forwarding (a tenth of on_event's time).
  ActorId sender = event.sender;
  if (event.kind == EventKind::sent) {
    pending_of(event.actor).push_back({event.message, event.sender});
  } else if (event.kind == EventKind::received && event.message != 0) {
    sender = sender_of(event.actor, event.message);
  } else if (event.kind == EventKind::handed_over) {
    // The successor's receipt names whoever sent it to the stopped worker.
    const auto number_there = static_cast<std::uint64_t>(event.value);
    const ActorId first_sender = number_there != 0 ? sender_of(event.sender, number_there) : 0;
    if (event.message != 0) pending_of(event.actor).push_back({event.message, first_sender});
  }
  hash_ = fold_event(hash_, event, sender);
  ++count_;
  if (event.kind == EventKind::spawned) {
    spawned_.emplace(event.path);
    live_[event.actor] = std::string(event.path);
  } else if (event.kind == EventKind::stopped) {
    live_.erase(event.actor);
    forget_pending(event.actor);  // what it held is dead letters now
  }
  if (capacity_ == 0) {
    hash_before_kept_ = hash_;
    return;
  }
  Event seen = event;
  seen.sender = sender;
  RecordedEvent kept = record(seen);
  if (events_.size() < capacity_) {
    events_.push_back(std::move(kept));
    hashes_.push_back(hash_);
    return;
  }
  // Full: the oldest kept event leaves; its running hash now precedes the kept.
  hash_before_kept_ = hashes_[oldest_];
  events_[oldest_] = std::move(kept);
  hashes_[oldest_] = hash_;
  oldest_ = (oldest_ + 1) % capacity_;
}

ActorId Recorder::sender_of(ActorId receiver, std::uint64_t message) {
  Pending& queue = pending_of(receiver);
  // Messages leave a mailbox in the order offered: any before this one
  // were dropped for room (drop_oldest) and will never be received.
  while (!queue.empty() && queue.front().first < message) queue.pop_front();
  if (queue.empty() || queue.front().first != message) return 0;
  const ActorId sender = queue.front().second;
  queue.pop_front();
  return sender;
}

std::vector<RecordedEvent> Recorder::events() const {
  std::vector<RecordedEvent> out;
  out.reserve(events_.size());
  for (std::size_t i = 0; i < events_.size(); ++i) {
    out.push_back(events_[(oldest_ + i) % events_.size()]);
  }
  return out;
}

std::vector<RecordedEvent> Recorder::take_events() {
  std::rotate(events_.begin(), events_.begin() + static_cast<std::ptrdiff_t>(oldest_),
              events_.end());
  std::vector<RecordedEvent> out = std::move(events_);
  events_.clear();
  hashes_.clear();
  oldest_ = 0;
  hash_before_kept_ = hash_;
  return out;
}

std::vector<std::uint64_t> Recorder::running_hashes() const {
  std::vector<std::uint64_t> out;
  out.reserve(hashes_.size());
  for (std::size_t i = 0; i < hashes_.size(); ++i) {
    out.push_back(hashes_[(oldest_ + i) % hashes_.size()]);
  }
  return out;
}

std::vector<std::string> Recorder::live_actors() const {
  std::vector<std::string> out;
  for (const auto& [id, path] : live_) out.push_back(path);
  return out;
}

}  // namespace troupe::sim
