#include "troupe/sim/recorder.hpp"

#include <string>
#include <utility>

#include "troupe/xoshiro256.hpp"

namespace troupe::sim {

namespace {

std::uint64_t fnv1a(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t mix(std::uint64_t h, std::uint64_t value) {
  std::uint64_t state = h ^ value;
  return splitmix64(state);
}

}  // namespace

std::uint64_t hash_event(const Event& e) {
  std::uint64_t h = static_cast<std::uint64_t>(e.kind);
  h = mix(h, static_cast<std::uint64_t>(e.time.time_since_epoch().count()));
  h = mix(h, e.actor);
  h = mix(h, fnv1a(e.path));
  h = mix(h, fnv1a(e.detail));
  h = mix(h, static_cast<std::uint64_t>(e.value));
  if (!names_a_message(e.kind)) return h;
  h = mix(h, e.sender);
  h = mix(h, e.message);
  return mix(h, fnv1a(e.type));
}

std::uint64_t fold_event(std::uint64_t before, const Event& event) {
  return mix(before, hash_event(event));
}

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

void Recorder::on_event(const Event& event) {
  if (std::this_thread::get_id() != owner_) {  // touch nothing: it would race the owner
    refuse_foreign(event);
    return;
  }
  Event seen = event;
  if (event.kind == EventKind::sent) {
    senders_[event.actor].emplace_back(event.message, event.sender);
  } else if (event.kind == EventKind::received && event.message != 0) {
    seen.sender = sender_of(event.actor, event.message);
  } else if (event.kind == EventKind::handed_over) {
    // The successor's receipt names whoever sent it to the stopped worker.
    const auto number_there = static_cast<std::uint64_t>(event.value);
    const ActorId first_sender = number_there != 0 ? sender_of(event.sender, number_there) : 0;
    if (event.message != 0) senders_[event.actor].emplace_back(event.message, first_sender);
  }
  hash_ = fold_event(hash_, seen);
  ++count_;
  if (event.kind == EventKind::spawned) {
    spawned_.emplace(event.path);
    live_[event.actor] = std::string(event.path);
  } else if (event.kind == EventKind::stopped) {
    live_.erase(event.actor);
    senders_.erase(event.actor);  // what it held is dead letters now
  }
  if (capacity_ == 0) {
    hash_before_kept_ = hash_;
    return;
  }
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
  const auto it = senders_.find(receiver);
  if (it == senders_.end()) return 0;
  auto& queue = it->second;
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
