// Mailbox<M>: an actor's bounded queue of user messages with its overflow
// policy (troupe/mailbox.hpp), its closing, the count of outside senders
// waiting for room and of actors waiting for it (Context::offer), and the
// gate that holds back an actor's own messages while it waits elsewhere. Not thread-safe: the
// owning cell guards it with its lock, counts what it accepts and refuses, and does the waiting and
// the waking through the scheduler (a mailbox knows no threads).
//
//   Mailbox<Msg> box({.capacity = 2, .overflow = Overflow::reject});
//   if (box.offer(msg) == Admission::full) ...;   // msg was not moved from
//   Msg next = box.take();                        // FIFO
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "troupe/assert.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/mailbox.hpp"

namespace troupe::detail {

/// What one offer to a mailbox did.
enum class Admission : std::uint8_t {
  accepted,        ///< queued
  dropped_oldest,  ///< queued, after the oldest message was dropped for room (drop_oldest)
  full,            ///< refused: no room (reject, or block: the sender may wait and retry)
  closed,          ///< refused: the mailbox takes no message any more
};

template <class M>
class Mailbox {
 public:
  explicit Mailbox(const MailboxSettings& settings)
      : capacity_(static_cast<std::uint32_t>(settings.capacity)), overflow_(settings.overflow) {
    // validate() bounds every capacity a user can set far below 2^32.
    TROUPE_ASSERT(settings.capacity > 0 && settings.capacity <= kMaxMailboxCapacity);
  }
  Mailbox(const Mailbox&) = delete;
  Mailbox& operator=(const Mailbox&) = delete;

  /// Everything queued, put-back (unstashed) messages included.
  std::size_t size() const { return queue_.size(); }
  /// Put-back messages still queued: they are at the front, outside the bound.
  std::size_t put_back_count() const { return returned_; }
  /// Messages queued by offers (the bound counts these): they leave in the
  /// order they came, by a take or, the oldest, by drop_oldest.
  std::size_t offered_count() const { return queue_.size() - returned_; }
  bool empty() const { return queue_.empty(); }
  /// A message can be taken: something is queued and the gate is open. As
  /// cheap as !empty() (gate_ is 0 while open).
  bool ready() const { return queue_.size() > gate_; }
  std::size_t capacity() const { return capacity_; }
  Overflow overflow() const { return overflow_; }
  bool closed() const { return closed_; }

  /// One attempt to queue `message`, under the bound and the overflow
  /// policy. The message is moved from only when it was queued.
  Admission offer(M& message) {
    if (closed_) return Admission::closed;
    Admission admitted = Admission::accepted;
    if (queue_.size() - returned_ >= capacity_) {  // put-back messages are outside the bound
      if (overflow_ != Overflow::drop_oldest) return Admission::full;
      // The oldest message sent, never one put back ahead of it.
      if (returned_ == 0) {
        queue_.pop_front();
      } else {
        queue_.erase_at(returned_);
      }
      admitted = Admission::dropped_oldest;
    }
    queue_.push_back(std::move(message));  // the hot path: no assertion here
    return admitted;
  }

  /// As offer, but a full mailbox refuses whatever its policy: a sender
  /// asking for room (Context::offer) never costs another message its place.
  Admission offer_if_room(M& message) {
    if (closed_) return Admission::closed;
    if (queue_.size() - returned_ >= capacity_) return Admission::full;
    queue_.push_back(std::move(message));
    return Admission::accepted;
  }

  const M& front() const { return queue_.front(); }
  /// Removes and returns the oldest message.
  M take() {
    M message = std::move(queue_.front());
    queue_.pop_front();
    if (returned_ > 0) --returned_;
    return message;
  }

  /// Puts `messages` (oldest first) back at the very front, ahead of
  /// everything queued and of what was put back before, outside the bound:
  /// an unstash is never refused, and drop_oldest never drops what was put
  /// back. Returns how many (`messages` ends empty). The owner checks closed().
  std::size_t put_back(RingQueue<M>& messages) {
    TROUPE_ASSERT(!closed_);
    TROUPE_ASSERT(queue_.size() + messages.size() <= kMaxPutBack);
    const std::size_t n = messages.size();
    while (!messages.empty()) {
      queue_.push_front(std::move(messages.back()));
      messages.pop_back();
    }
    returned_ += static_cast<std::uint32_t>(n);
    return n;
  }

  /// Refuses every later offer, for good. Whoever waits for room must be
  /// woken by the owner (has_blocked_senders) to see the refusal.
  void close() { closed_ = true; }
  /// Drops what is queued; returns how many (the owner counts them).
  std::size_t clear() {
    const std::size_t n = queue_.size();
    queue_.clear();
    returned_ = 0;
    return n;
  }
  /// Closes and moves everything queued into `out` (empty), oldest first: a
  /// successor's queue in the making. Returns how many moved.
  std::size_t close_and_take(RingQueue<M>& out) {
    TROUPE_ASSERT(out.empty());
    closed_ = true;
    returned_ = 0;
    queue_.swap(out);
    return out.size();
  }
  /// Queues `messages` (oldest first) into this open mailbox, which must be
  /// empty and have room for all: a predecessor's queue, before anybody
  /// else can send here. Returns how many were queued.
  std::size_t adopt(RingQueue<M>& messages) {
    TROUPE_ASSERT(!closed_ && queue_.empty());
    const std::size_t n = messages.size();
    // A predecessor's put-back (unstashed) messages may exceed the bound:
    // the excess at the front stays outside it here too.
    returned_ = n > capacity_ ? static_cast<std::uint32_t>(n - capacity_) : 0;
    while (!messages.empty()) {
      queue_.push_back(std::move(messages.front()));
      messages.pop_front();
    }
    return n;
  }

  /// Outside senders (overflow = block) waiting for room; each take may let
  /// one in, so the owner wakes them after taking.
  void sender_blocked() { ++blocked_senders_; }
  void sender_unblocked() {
    TROUPE_ASSERT(blocked_senders_ > 0);
    --blocked_senders_;
  }
  bool has_blocked_senders() const { return blocked_senders_ > 0; }

  /// Actors listed in the runtime's RoomWaiters for room here (the owner
  /// sets it from the registry's count, under its lock).
  void set_room_waiters(std::size_t n) {
    TROUPE_ASSERT(n <= kMaxRoomWaiters);
    room_waiters_ = static_cast<std::uint16_t>(n);
  }
  bool has_room_waiters() const { return room_waiters_ > 0; }
  /// Someone to wake after a take: one test for both kinds of waiter.
  bool has_waiters() const { return (blocked_senders_ | room_waiters_) != 0; }

  /// Holds back every message until open(): the owner waits for room
  /// elsewhere (Context::offer). Only the owner's activation closes the gate.
  void close_gate() { gate_ = kGateClosed; }
  void open_gate() { gate_ = 0; }
  bool gated() const { return gate_ != 0; }

 private:
  /// A mailbox of kMaxMailboxCapacity plus a full stash fits (a limit on everything).
  static constexpr std::size_t kMaxPutBack = std::size_t{1} << 26;

  RingQueue<M> queue_;  // put-back messages first, then what was sent, oldest first
  std::uint32_t capacity_;
  std::uint32_t returned_ = 0;  // put-back messages at the front, outside the bound
  std::uint32_t blocked_senders_ = 0;
  std::uint32_t gate_ = 0;  // 0, or kGateClosed: ready() finds nothing
  std::uint16_t room_waiters_ = 0;
  Overflow overflow_;
  bool closed_ = false;
  static constexpr std::uint32_t kGateClosed = ~std::uint32_t{0};
  static_assert(kMaxRoomWaiters <= 0xFFFF);
};

}  // namespace troupe::detail
