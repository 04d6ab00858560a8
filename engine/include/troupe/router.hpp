// How a pool picks a worker for a message, and the consistent-hash ring that
// keeps a key on one worker while the pool's size is stable and moves only
// the keys of added or removed workers when it changes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string_view>

namespace troupe {

enum class Routing : std::uint8_t {
  round_robin,       ///< exact rotation over the workers
  random,            ///< uniform, from the scheduler's PRNG
  smallest_mailbox,  ///< a worker with the fewest pending messages
  consistent_hash,   ///< by a key of the message
  broadcast,         ///< a copy to every worker
};

std::string_view to_string(Routing routing);
std::optional<Routing> parse_routing(std::string_view name);

/// Workers are identified by slot numbers; each slot has `replicas` points on
/// a 64-bit ring. A key belongs to the first point at or after its hash.
class HashRing {
 public:
  explicit HashRing(std::size_t replicas = 64) : replicas_(replicas) {}

  void add(std::uint64_t slot);
  void remove(std::uint64_t slot);
  bool empty() const { return points_.empty(); }
  /// The slot owning `key`; the ring must not be empty.
  std::uint64_t owner(std::uint64_t key) const;

 private:
  std::size_t replicas_;
  std::map<std::uint64_t, std::uint64_t> points_;  // point -> slot
};

}  // namespace troupe
