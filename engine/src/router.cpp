#include "troupe/router.hpp"

#include "troupe/assert.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe {

std::string_view to_string(Routing routing) {
  switch (routing) {
    case Routing::round_robin:
      return "round_robin";
    case Routing::random:
      return "random";
    case Routing::smallest_mailbox:
      return "smallest_mailbox";
    case Routing::consistent_hash:
      return "consistent_hash";
    case Routing::broadcast:
      return "broadcast";
  }
  return "unknown";
}

std::optional<Routing> parse_routing(std::string_view name) {
  for (auto r : {Routing::round_robin, Routing::random, Routing::smallest_mailbox,
                 Routing::consistent_hash, Routing::broadcast}) {
    if (to_string(r) == name) return r;
  }
  return std::nullopt;
}

namespace {
std::uint64_t point_of(std::uint64_t slot, std::uint64_t replica) {
  std::uint64_t state = (slot << 20) ^ replica ^ 0x5bd1e9955bd1e995ULL;
  return splitmix64(state);
}
}  // namespace

void HashRing::add(std::uint64_t slot) {
  for (std::uint64_t r = 0; r < replicas_; ++r) points_[point_of(slot, r)] = slot;
}

void HashRing::remove(std::uint64_t slot) {
  for (std::uint64_t r = 0; r < replicas_; ++r) {
    auto it = points_.find(point_of(slot, r));
    if (it != points_.end() && it->second == slot) points_.erase(it);
  }
}

std::uint64_t HashRing::owner(std::uint64_t key) const {
  TROUPE_ASSERT(!points_.empty());
  std::uint64_t state = key;
  const std::uint64_t h = splitmix64(state);
  auto it = points_.lower_bound(h);
  if (it == points_.end()) it = points_.begin();
  return it->second;
}

}  // namespace troupe
