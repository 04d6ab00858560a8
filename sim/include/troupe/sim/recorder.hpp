// Records a simulation's event stream and folds every event into a running
// 64-bit hash: two runs are the same run exactly when their hashes are. The
// hash covers each field of each event with a portable mix, never std::hash.
// A receipt is recorded with its sender, matched from the message's send.
// A long run keeps its LAST `capacity` events (a ring): the end of a livelock
// or of a run over budget is what explains it; the hash and count cover all.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "troupe/detail/ring_queue.hpp"
#include "troupe/events.hpp"
#include "troupe/sim/event_hash.hpp"

namespace troupe::sim {

class Recorder final : public EventSink {
 public:
  /// Keeps the last `capacity` events; the hash and count cover all of them.
  explicit Recorder(std::size_t capacity = 1 << 20) : capacity_(capacity) {}

  void on_event(const Event& event) override;

  /// The stream hash before any event.
  static constexpr std::uint64_t kInitialHash = 0x6a09e667f3bcc908ULL;

  std::uint64_t hash() const { return hash_; }
  std::uint64_t count() const { return count_; }
  bool truncated() const { return count_ > events_.size(); }
  /// The kept events, oldest first: the last `capacity` of the run.
  std::vector<RecordedEvent> events() const;
  /// The kept events moved out, oldest first; none are kept after it (the
  /// hash and count go on), as if the capacity had pushed them all out.
  std::vector<RecordedEvent> take_events();
  /// The kept events as stored: in ring order once the capacity is reached.
  const std::vector<RecordedEvent>& kept_events() const { return events_; }
  /// The stream hash after each kept event: where two runs first diverge.
  std::vector<std::uint64_t> running_hashes() const;
  /// The index (in the whole run) of the first kept event.
  std::uint64_t first_kept() const { return count_ - events_.size(); }
  /// The stream hash just before the first kept event.
  std::uint64_t hash_before_kept() const { return hash_before_kept_; }
  /// Whether an actor with this path was ever spawned (kept past the capacity).
  bool spawned(std::string_view path) const { return spawned_.count(path) != 0; }
  /// The actors spawned and not yet stopped, by path.
  std::vector<std::string> live_actors() const;

  /// Events emitted on a thread other than the one that made the recorder
  /// (a tell from a thread of the user's own, even to an actor already
  /// scheduled, which never reaches the scheduler). The recorder is
  /// single-threaded, so it drops them untouched and counts them: a run with
  /// any is not reproducible (run_scenario fails it with "foreign_thread").
  std::uint64_t foreign_events() const { return foreign_events_.load(std::memory_order_acquire); }
  /// The first one, e.g. "sent /target".
  std::string first_foreign_event() const;

 private:
  void refuse_foreign(const Event& event);
  /// The sender of `receiver`'s message number `message`, recorded at its send.
  ActorId sender_of(ActorId receiver, std::uint64_t message);

  std::size_t capacity_;
  // A ring once full: `oldest_` is the slot of the oldest kept event.
  std::vector<RecordedEvent> events_;
  std::vector<std::uint64_t> hashes_;
  std::size_t oldest_ = 0;
  std::uint64_t hash_ = kInitialHash;
  std::uint64_t hash_before_kept_ = kInitialHash;
  std::uint64_t count_ = 0;
  std::set<std::string, std::less<>> spawned_;
  std::map<ActorId, std::string> live_;  // changes on spawn and stop only
  // Per receiver, (message number, sender) of messages sent and not yet received.
  // A ring, not a deque: a send and its receipt cost no allocation.
  using Pending = detail::RingQueue<std::pair<std::uint64_t, ActorId>>;
  std::unordered_map<ActorId, Pending> senders_;
  // The last receivers' queues by id: a send and its receipt skip the map.
  struct RecentPending {
    ActorId receiver = 0;
    Pending* queue = nullptr;
  };
  std::array<RecentPending, 16> recent_{};
  Pending& pending_of(ActorId receiver);
  void forget_pending(ActorId receiver);

  static const void* current_thread();
  // The only members another thread may touch (refuse_foreign).
  const void* const owner_ = current_thread();
  std::atomic<std::uint64_t> foreign_events_{0};
  mutable std::mutex foreign_mu_;
  std::string first_foreign_event_;  // guarded by foreign_mu_
};

}  // namespace troupe::sim
