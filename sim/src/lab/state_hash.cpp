#include "troupe/sim/state_hash.hpp"

namespace troupe::sim {

namespace {

/// splitmix64's finaliser: spreads every input bit over the word.
std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

std::uint64_t queue_bucket(std::size_t queued) {
  if (queued <= 1) return queued;
  return queued <= 3 ? 2 : 3;
}

std::uint64_t path_hash(std::string_view path) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : path) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix(h);
}

std::uint64_t mailbox_shape_hash(const System& system) {
  // A sum of per-actor terms does not depend on the walk's order.
  std::uint64_t sum = 0;
  std::uint64_t live = 0;
  system.visit_mailboxes([&](std::string_view path, std::size_t queued) {
    sum += mix(path_hash(path) + queue_bucket(queued) * 0x9e3779b97f4a7c15ULL);
    ++live;
  });
  return mix(sum ^ mix(live));
}

}  // namespace troupe::sim
