// The waiting half of Context::offer (troupe/offer.hpp). A RoomWait is one
// producer's promise of a notice: the receivers it waits on (one actor, or
// every worker of a pool) list it in the runtime's RoomWaiters, keyed by the
// receiver's id, and the first of them to have room fires it; the rest drop
// it when they next look. A producer's restart or stop cancels its wait.
// Firing hands the producer a signal, never a message: a full mailbox cannot
// refuse it. Lock order: a receiver's cell lock, then the registry's.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "troupe/failure.hpp"

namespace troupe::detail {

class RoomWait {
 public:
  explicit RoomWait(ActorId producer) : producer_(producer) {}
  RoomWait(const RoomWait&) = delete;
  RoomWait& operator=(const RoomWait&) = delete;
  virtual ~RoomWait() = default;

  /// The first receiver with room calls this; only the first call of fire
  /// or cancel counts, so a wait listed by many receivers fires once.
  void fire() {
    if (claim(State::fired)) deliver();
  }
  /// The producer restarted or stopped: no receiver will fire it.
  void cancel() { (void)claim(State::cancelled); }
  bool pending() const { return state_.load(std::memory_order_acquire) == State::pending; }
  ActorId producer() const { return producer_; }

 protected:
  /// Hands the producer its notice (a signal to its cell, if it is alive).
  virtual void deliver() = 0;

 private:
  enum class State : std::uint8_t { pending, fired, cancelled };
  bool claim(State to) {
    State expected = State::pending;
    return state_.compare_exchange_strong(expected, to, std::memory_order_acq_rel);
  }

  const ActorId producer_;
  std::atomic<State> state_{State::pending};
};

using RoomWaitList = std::vector<std::shared_ptr<RoomWait>>;

/// A full offer's wait to list (Cell::offer), and whether some receiver
/// listed it: false when every full receiver had its limit of waiters.
struct WaitFor {
  std::shared_ptr<RoomWait> wait;
  bool listed = false;
};

/// Every receiver's waiting producers, oldest first. Touched only by a
/// receiver that has some (its mailbox counts them), under that receiver's
/// cell lock: the tell path never comes here.
class RoomWaiters {
 public:
  /// What add() did.
  enum class Added : std::uint8_t { listed, already, limit };

  /// Lists `wait` for `receiver` unless the producer has a pending wait there
  /// already, or `max` pending waits are listed. `listed` receives how many
  /// entries the receiver has afterwards (dead entries are purged first).
  Added add(ActorId receiver, const std::shared_ptr<RoomWait>& wait, std::size_t max,
            std::size_t& listed);
  /// Moves the oldest pending wait (all of them, with `all`) into `out`,
  /// dropping fired and cancelled ones on the way; returns how many entries
  /// the receiver has left.
  std::size_t take(ActorId receiver, bool all, RoomWaitList& out);
  /// Entries listed for `receiver` (tests).
  std::size_t listed(ActorId receiver) const;

 private:
  mutable std::mutex mu_;
  std::map<ActorId, std::deque<std::shared_ptr<RoomWait>>> by_receiver_;
};

}  // namespace troupe::detail
