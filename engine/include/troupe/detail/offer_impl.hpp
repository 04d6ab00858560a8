// Backpressure between actors (troupe/offer.hpp): the producer's wait for
// room, and the receiver's side of it in Cell<M>. A full offer lists a
// NoticeWait with the receiver and closes the producer's gate (its own
// messages wait, so the pressure travels upstream); the receiver fires the
// wait when a take makes room or its mailbox closes; the firing reaches the
// producer as a signal, which marks the notice ready, and the notice is the
// next thing the producer handles. Included at the end of troupe/detail/cell.hpp.
#pragma once

#include <memory>
#include <stdexcept>
#include <utility>

#include "troupe/context.hpp"
#include "troupe/detail/cell.hpp"
#include "troupe/detail/room_wait.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/offer.hpp"

namespace troupe::detail {

/// One producer's wait, holding the notice it gets back (an M of its own).
template <class M>
class NoticeWait final : public RoomWait, public std::enable_shared_from_this<NoticeWait<M>> {
 public:
  NoticeWait(Cell<M>& producer, M notice)
      : RoomWait(producer.id()),
        producer_(std::static_pointer_cast<Cell<M>>(producer.shared_from_this())),
        notice_(std::move(notice)) {}
  /// The producer's activation only, once.
  M take_notice() { return std::move(notice_); }

 protected:
  void deliver() override {
    auto cell = producer_.lock();
    if (cell == nullptr) return;  // the producer is gone: nobody to tell
    // The action runs in the producer's own activation, which keeps the cell.
    Cell<M>* producer = cell.get();
    cell->enqueue_signal(Signal{
        Signal::Kind::run,
        nullptr,
        {},
        DeadLetterReason::actor_stopped,
        TerminationReason::stopped,
        [producer, self = this->shared_from_this()] { producer->room_notice_arrived(*self); }});
  }

 private:
  std::weak_ptr<Cell<M>> producer_;  // weak: a wait never keeps a stopped actor
  M notice_;
};

template <class M>
void Cell<M>::list_room_wait_locked(WaitFor& wait) {
  std::size_t listed = 0;
  const auto added =
      runtime_->room_waiters().add(id(), wait.wait, mailbox_settings().max_room_waiters, listed);
  mailbox_.set_room_waiters(listed);
  if (added != RoomWaiters::Added::limit) wait.listed = true;
}

template <class M>
void Cell<M>::wake_after_take(std::unique_lock<CompactMutex>& lock) {
  const bool blocked = mailbox_.has_blocked_senders();
  RoomWaitList room;
  if (mailbox_.has_room_waiters()) {
    mailbox_.set_room_waiters(runtime_->room_waiters().take(id(), mailbox_.empty(), room));
  }
  lock.unlock();
  if (blocked) runtime_->scheduler().wake_waiters();
  for (auto& wait : room) wait->fire();
}

template <class M>
void Cell<M>::release_room_waiters() {
  RoomWaitList room;
  {
    std::lock_guard lock(mu_);
    TROUPE_ASSERT(mailbox_.closed());  // nobody can list a wait here any more
    if (!mailbox_.has_room_waiters()) return;
    mailbox_.set_room_waiters(runtime_->room_waiters().take(id(), true, room));
    TROUPE_ASSERT(!mailbox_.has_room_waiters());
  }
  for (auto& wait : room) wait->fire();
}

template <class M>
bool Cell<M>::user_work_ready_locked() const {
  return mailbox_.ready() || (mailbox_.gated() && extras_ != nullptr && extras_->room.ready);
}

template <class M>
void Cell<M>::room_notice_arrived(const RoomWait& wait) {
  // A wait cancelled by a restart may still fire in a race: not this one's.
  if (!extras_ || extras_->room.waiting.get() != &wait) return;
  extras_->room.ready = true;
}

template <class M>
bool Cell<M>::take_room_notice() {
  if (!extras_ || !extras_->room.ready) return false;
  RoomState<M>& room = extras_->room;
  TROUPE_ASSERT(room.waiting != nullptr);
  M notice = room.waiting->take_notice();
  room.waiting.reset();
  room.ready = false;
  {
    std::lock_guard lock(mu_);
    TROUPE_ASSERT(mailbox_.gated());
    mailbox_.open_gate();
  }
  // A notice is not a sent message (like a Terminated): not counted, and
  // not stashable (the Context has no message).
  Context<M> ctx(*this);
  try {
    dispatch(ctx, notice);
  } catch (...) {
    handler_threw(describe_current_exception(), message_seq(), true);
  }
  return true;
}

template <class M>
template <class Attempt>
OfferResult Cell<M>::offer_with_notice(M&& notice, Attempt attempt) {
  // The common case allocates nothing: a plain offer first.
  SendResult result = attempt(nullptr);
  if (result == SendResult::accepted) return OfferResult::accepted;
  if (result != SendResult::mailbox_full) return OfferResult::refused;  // counted by attempt
  RoomState<M>& room = extras().room;
  if (room.waiting) return OfferResult::full;  // already waiting: that notice wakes it
  auto wait = std::make_shared<NoticeWait<M>>(*this, std::move(notice));
  WaitFor waiting{wait};
  result = attempt(&waiting);  // lists the wait under the receiver's lock, so no take is missed
  if (result != SendResult::mailbox_full) {
    wait->cancel();  // room after all (or a stop): a receiver that listed it drops it
    return result == SendResult::accepted ? OfferResult::accepted : OfferResult::refused;
  }
  if (!waiting.listed) return OfferResult::busy;
  room.waiting = std::move(wait);
  std::lock_guard lock(mu_);
  mailbox_.close_gate();
  return OfferResult::full;
}

}  // namespace troupe::detail

namespace troupe {

template <class M>
template <class T>
OfferResult Context<M>::offer(const ActorRef<T>& to, T& message, M notice) {
  detail::Cell<T>* const target = to.cell();
  if (target == nullptr) throw std::logic_error("Context::offer: an empty ActorRef");
  if (static_cast<detail::CellBase*>(target) == static_cast<detail::CellBase*>(&cell_)) {
    // Its notice would wait behind its own closed gate for ever.
    throw std::logic_error(
        "Context::offer: an actor cannot wait for room in its own mailbox (use tell)");
  }
  return cell_.offer_with_notice(std::move(notice), [&](detail::WaitFor* wait) {
    const SendResult result = target->offer_for_room(message, wait);
    if (result != SendResult::accepted && result != SendResult::mailbox_full) {
      cell_.runtime().rejected(dead_letter_reason(result), *target);  // as tell counts it
      // The message was refused for good: it is a dead letter now, not the
      // caller's (a request's ask ends with the reason).
      detail::UnansweredScope refused(dead_letter_reason(result));
      [[maybe_unused]] T dropped(std::move(message));
    }
    return result;
  });
}

}  // namespace troupe
