#include "troupe/detail/room_wait.hpp"

#include <algorithm>

#include "troupe/assert.hpp"

namespace troupe::detail {

RoomWaiters::Added RoomWaiters::add(ActorId receiver, const std::shared_ptr<RoomWait>& wait,
                                    std::size_t max, std::size_t& listed) {
  TROUPE_ASSERT(wait != nullptr && max > 0);
  std::lock_guard lock(mu_);
  auto& waits = by_receiver_[receiver];
  // Dead entries (fired elsewhere, cancelled) go first: the limit counts
  // producers that still wait, and a stopped producer leaves nothing behind.
  std::erase_if(waits, [](const auto& w) { return !w->pending(); });
  Added added = Added::listed;
  const bool twice = std::any_of(waits.begin(), waits.end(),
                                 [&](const auto& w) { return w->producer() == wait->producer(); });
  if (twice) {
    added = Added::already;
  } else if (waits.size() >= max) {
    added = Added::limit;
  } else {
    waits.push_back(wait);
  }
  listed = waits.size();
  if (waits.empty()) by_receiver_.erase(receiver);
  return added;
}

std::size_t RoomWaiters::take(ActorId receiver, bool all, RoomWaitList& out) {
  std::lock_guard lock(mu_);
  const auto it = by_receiver_.find(receiver);
  if (it == by_receiver_.end()) return 0;
  auto& waits = it->second;
  while (!waits.empty()) {
    std::shared_ptr<RoomWait> wait = std::move(waits.front());
    waits.pop_front();
    if (!wait->pending()) continue;
    out.push_back(std::move(wait));
    if (!all) break;
  }
  const std::size_t left = waits.size();
  if (left == 0) by_receiver_.erase(it);
  return left;
}

std::size_t RoomWaiters::listed(ActorId receiver) const {
  std::lock_guard lock(mu_);
  const auto it = by_receiver_.find(receiver);
  return it == by_receiver_.end() ? 0 : it->second.size();
}

}  // namespace troupe::detail
