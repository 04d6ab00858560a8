// CellExtras<M>: what an actor holds only once it uses timers, behaviours or
// the stash: schedule_once's timers, the behaviour stack, the stashed
// messages, the named timers and the receive timeout, and the timer messages
// already put in the mailbox. Made by the first use, so an actor that uses none pays one
// pointer. Touched only inside the actor's own activation.
//
// Why timer messages in the mailbox are tracked: Akka's guarantee that a
// message of a timer cancelled or replaced after it was queued is not
// delivered. Each such message is known by its ordinal (the cell's enqueued
// count right after it was queued); it is the one being taken exactly when
// the count of messages that left the mailbox (enqueued - queued) reaches
// its ordinal. Unstashing puts messages back without counting them enqueued
// again, which lowers that count by as many as it adds ahead: the equality
// still holds. A take that finds its ordinal's timer gone drops it as a
// `timer_cancelled` dead letter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "troupe/assert.hpp"
#include "troupe/behaviour.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/time.hpp"

namespace troupe::detail {

/// The most named timers one actor may hold: a limit on everything.
inline constexpr std::size_t kMaxNamedTimers = 4096;

/// What a message taken from the mailbox is, as far as timers go.
enum class Take : std::uint8_t {
  ordinary,         ///< handle it
  receive_timeout,  ///< the receive timeout's message: handle it, and it re-arms nothing
  stale,            ///< its timer was cancelled or replaced since: a timer_cancelled dead letter
};

template <class M>
struct NamedTimer {
  std::string name;
  std::uint64_t generation = 0;  // unique per arming, across every timer of the actor
  TimerId timer = 0;             // the scheduler's timer for the next tick
  TimePoint mark{};              // what timer_armed was told (TimePoint::max(): background)
  Duration interval{};           // repeating timers only
  bool repeating = false;
  // The scheduler's timer holds a message counted as sent and queued. A
  // single timer that fired stays (not held) until its message is taken:
  // cancelling it then still keeps the message from being handled.
  bool held = true;
  std::optional<M> message;  // copied per tick when repeating; moved out when single
};

template <class M>
struct ReceiveTimeout {
  bool set = false;
  bool held = false;  // a message counts as held (sent and queued) for it
  Duration after{};
  std::uint64_t generation = 0;
  TimerId timer = 0;
  std::optional<M> message;
};

template <class M>
class NoticeWait;

/// This actor's wait for room elsewhere (Context::offer), while its gate is
/// closed: `ready` once the notice arrived and is to be handled next.
template <class M>
struct RoomState {
  std::shared_ptr<NoticeWait<M>> waiting;
  bool ready = false;
};

template <class M>
struct CellExtras {
  /// schedule_once's timers that may not have fired, with their due times.
  std::map<TimerId, TimePoint> once;

  /// A timer's message in the mailbox, not yet taken.
  struct Tracked {
    std::uint64_t ordinal;
    std::uint64_t generation;
  };

  std::vector<std::shared_ptr<const Behaviour<M>>> behaviours;
  RingQueue<M> stash;
  std::vector<NamedTimer<M>> timers;  // few per actor: searched linearly
  ReceiveTimeout<M> receive_timeout;
  std::uint64_t generations = 0;  // the last generation handed out
  RingQueue<Tracked> tracked;     // by ordinal, ascending
  RoomState<M> room;

  NamedTimer<M>* find(std::string_view name) {
    for (auto& t : timers) {
      if (t.name == name) return &t;
    }
    return nullptr;
  }
  NamedTimer<M>* find(std::uint64_t generation) {
    for (auto& t : timers) {
      if (t.generation == generation) return &t;
    }
    return nullptr;
  }
  void erase(const NamedTimer<M>* timer) {
    std::erase_if(timers, [&](const NamedTimer<M>& t) { return &t == timer; });
  }

  void track(std::uint64_t ordinal, std::uint64_t generation) {
    // Deliveries happen in the activation, one at a time: ordinals grow.
    TROUPE_ASSERT(tracked.empty() || tracked.back().ordinal < ordinal);
    tracked.push_back(Tracked{ordinal, generation});
  }
  /// Forgets tracked messages that have left the mailbox without a take
  /// (dropped by drop_oldest): those with an ordinal up to `left`.
  void forget_gone(std::uint64_t left) {
    while (!tracked.empty() && tracked.front().ordinal <= left) tracked.pop_front();
  }
  /// What the message just taken is, `left` being enqueued - queued after the take.
  Take classify(std::uint64_t left) {
    while (!tracked.empty() && tracked.front().ordinal < left) tracked.pop_front();
    if (tracked.empty() || tracked.front().ordinal != left) return Take::ordinary;
    const std::uint64_t generation = tracked.front().generation;
    tracked.pop_front();
    if (receive_timeout.set && receive_timeout.generation == generation) {
      return Take::receive_timeout;
    }
    NamedTimer<M>* timer = find(generation);
    if (timer == nullptr) return Take::stale;
    if (!timer->repeating) erase(timer);  // a single timer is done once its message is taken
    return Take::ordinary;
  }
};

}  // namespace troupe::detail
