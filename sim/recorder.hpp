// Records a simulation's event stream and folds every event into a running
// 64-bit hash: two runs are the same run exactly when their hashes are. The
// hash covers each field of each event with a portable mix, never std::hash.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "engine/events.hpp"

namespace troupe::sim {

class Recorder final : public EventSink {
 public:
  /// Keeps up to `capacity` events; the hash and count cover all of them.
  explicit Recorder(std::size_t capacity = 1 << 20) : capacity_(capacity) {}

  void on_event(const Event& event) override;

  std::uint64_t hash() const { return hash_; }
  std::uint64_t count() const { return count_; }
  bool truncated() const { return count_ > events_.size(); }
  const std::vector<RecordedEvent>& events() const { return events_; }
  /// The stream hash after each kept event: where two runs first diverge.
  const std::vector<std::uint64_t>& running_hashes() const { return hashes_; }
  /// Whether an actor with this path was ever spawned (kept past the capacity).
  bool spawned(std::string_view path) const { return spawned_.count(path) != 0; }

 private:
  std::size_t capacity_;
  std::vector<RecordedEvent> events_;
  std::vector<std::uint64_t> hashes_;
  std::uint64_t hash_ = 0x6a09e667f3bcc908ULL;
  std::uint64_t count_ = 0;
  std::set<std::string, std::less<>> spawned_;
};

/// The hash of one event, as folded into the stream hash.
std::uint64_t hash_event(const Event& event);

}  // namespace troupe::sim
