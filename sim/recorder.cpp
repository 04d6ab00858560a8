#include "sim/recorder.hpp"

#include <string>

#include "engine/prng.hpp"

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
  return mix(h, static_cast<std::uint64_t>(e.value));
}

void Recorder::on_event(const Event& event) {
  hash_ = mix(hash_, hash_event(event));
  ++count_;
  if (event.kind == EventKind::spawned) spawned_.emplace(event.path);
  if (events_.size() < capacity_) {
    events_.push_back(RecordedEvent{event.kind, event.time, event.actor, std::string(event.path),
                                    std::string(event.detail), event.value});
    hashes_.push_back(hash_);
  }
}

}  // namespace troupe::sim
