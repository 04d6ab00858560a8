#include "troupe/sim/pct_strategy.hpp"

#include <algorithm>

namespace troupe::sim {

namespace {

constexpr std::uint64_t kTimerKey = std::uint64_t{1} << 63;

std::uint64_t key_of(const Candidate& c) {
  return c.actor != 0 ? c.actor : (kTimerKey | c.timer);
}

}  // namespace

PctStrategy::PctStrategy(PctSettings settings, Prng stream) : settings_(settings), stream_(stream) {
  for (std::size_t i = 1; i < settings_.depth; ++i) {
    change_points_.push_back(1 + stream_.below(settings_.expected_steps));
  }
  std::sort(change_points_.begin(), change_points_.end());
}

std::int64_t PctStrategy::priority_of(const Candidate& c) {
  // Initial priorities are above `depth`; change points lower a candidate
  // to depth - i, below every initial priority.
  const auto depth = static_cast<std::int64_t>(settings_.depth);
  auto [it, fresh] = priority_.try_emplace(key_of(c), 0);
  if (fresh) it->second = depth + 1 + static_cast<std::int64_t>(stream_.below(1u << 30));
  return it->second;
}

std::size_t PctStrategy::choose(const Candidates& candidates) {
  ++steps_;
  std::size_t best = 0;
  std::int64_t best_priority = 0;
  std::uint64_t best_key = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const Candidate c = candidates.at(i);
    const std::int64_t p = priority_of(c);
    const std::uint64_t key = key_of(c);
    if (i == 0 || p > best_priority || (p == best_priority && key < best_key)) {
      best = i;
      best_priority = p;
      best_key = key;
    }
  }
  const auto depth = static_cast<std::int64_t>(settings_.depth);
  while (next_change_ < change_points_.size() && change_points_[next_change_] <= steps_) {
    ++next_change_;
    priority_[best_key] = depth - static_cast<std::int64_t>(next_change_);
  }
  return best;
}

}  // namespace troupe::sim
