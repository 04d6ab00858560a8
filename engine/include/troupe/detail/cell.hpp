// Cell<M>: the typed half of an actor: its bounded mailbox (Mailbox<M>), its
// instance and its Context; and the spawn used by both System and Context.
// The members of ActorRef<M> and Context<M> need the complete cell: they are
// in actor_ref_impl.hpp and context_impl.hpp, included at the end.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <typeinfo>
#include <utility>

#include "troupe/actor.hpp"
#include "troupe/actor_ref.hpp"
#include "troupe/context.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/detail/cell_extras.hpp"
#include "troupe/detail/mailbox_queue.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/detail/room_wait.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/detail/stream_subscription.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/props.hpp"
#include "troupe/type_name.hpp"

namespace troupe::detail {

template <class M>
class Cell final : public CellBase {
 public:
  Cell(Runtime& runtime, CellBase* parent, ActorId id, const Props<M>& props)
      : CellBase(runtime, parent, id, props.recipe()), mailbox_(props.recipe()->mailbox) {}

  ~Cell() override { destroy_instance(); }

  /// Queues `message` with full accounting: a refusal counts a dead letter.
  SendResult tell(M&& message);

  /// One attempt to queue that never blocks and counts nothing when refused
  /// (the caller does): for routers that retry or account themselves. The
  /// message is moved from only when the result is `accepted`; then
  /// `ordinal`, if given, receives its place in the enqueued count. Found
  /// full, it lists `wait` (if given) among the actors waiting for room.
  SendResult offer(M& message, std::uint64_t* ordinal = nullptr, WaitFor* wait = nullptr);
  /// An offer from a sender that waits for room (Context::offer): as offer,
  /// but a full drop_oldest mailbox refuses it too, rather than make room
  /// by dropping its oldest message.
  SendResult offer_for_room(M& message, WaitFor* wait) {
    return offer_unscoped(message, nullptr, wait, false);
  }
  /// An offer from the event stream under the subscriber's `bound` (guarded
  /// by this cell's lock): past it, `over_bound` is set and nothing is
  /// queued. Counts nothing when refused (the stream does, with reject).
  SendResult offer_published(M& message, StreamBound& bound, bool& over_bound);
  /// Counts a refused send of `message` as a dead letter, handing the message
  /// to DeadLetter subscribers that asked for it.
  SendResult reject(DeadLetterReason reason, M&& message) {
    // A request among the refused ends its ask with this reason (not as
    // unanswered) when the scope ends.
    UnansweredScope refused(reason);
    if (runtime_->stream().wants_dead_messages()) {
      runtime_->rejected(reason, *this, DeadMessage::of(std::move(message)));
    } else {
      runtime_->rejected(reason, *this);
      [[maybe_unused]] M dropped(std::move(message));  // inside the scope
    }
    return reason == DeadLetterReason::mailbox_full ? SendResult::mailbox_full
                                                    : SendResult::actor_stopped;
  }

  /// An outside sender may wait for room in this mailbox (overflow = block);
  /// an actor never does.
  bool may_block() const {
    return mailbox_settings().overflow == Overflow::block && current_cell() == nullptr &&
           !runtime_->scheduler().on_own_thread();
  }
  SendResult wait_for_room(M& message);
  Duration block_timeout() const { return mailbox_settings().block_timeout; }

  ActorRef<M> ref() { return ActorRef<M>(std::static_pointer_cast<Cell<M>>(shared_from_this())); }

  TimerId schedule_once(Duration delay, M message);
  bool cancel_timer(TimerId id);
  /// Delivers `message` to this actor after `delay` (a timer's message, or a
  /// send held until a simulated handler's declared work ends), counted as
  /// sent and queued until then.
  std::pair<TimerId, TimePoint> arm_delivery(Duration delay, M&& message);
  /// A send held by the running handler's declared work (Scheduler::hold),
  /// counted as sent and queued until it arrives.
  void hold_delivery(Duration held, M&& message);
  /// What delivers a message held by a timer or by declared work, due at `due`.
  std::function<void()> delivery(M&& message, TimePoint due);
  /// A timer's message arriving: never blocks (it runs on the scheduler's
  /// own thread) and is not turned away by a shutdown that is draining,
  /// since it is the actor's own work. A refusal is a counted dead letter.
  void deliver_from_timer(M&& message) {
    const SendResult result = offer(message);
    if (result == SendResult::accepted) return;
    (void)reject(dead_letter_reason(result), std::move(message));  // counted: no sender to tell
  }
  // --- Backpressure: Context::offer (bodies in offer_impl.hpp) ---
  /// Offers `message` through `attempt` (a Cell or Pool offer that counts
  /// its own refusals); found full, lists a wait for `notice` and closes the
  /// gate on this actor's own messages until the notice is handled.
  template <class Attempt>
  OfferResult offer_with_notice(M&& notice, Attempt attempt);
  /// A wait of this actor fired (a signal in its activation).
  void room_notice_arrived(const RoomWait& wait);
  /// This actor stops or restarts: the receivers hold nothing for it.
  void release_room_waiters() override;
  bool waiting_for_room_locked() const override { return mailbox_.gated(); }
  bool user_work_ready_locked() const override;
  // --- end backpressure ---

  /// The number of the message being handled: its handler runs right after
  /// the count of received messages went up to it.
  std::uint64_t message_seq() const { return received_.load(std::memory_order_relaxed); }

 protected:
  bool process_one() override;
  std::size_t user_queue_size_locked() const override { return mailbox_.size(); }
  PendingMessage front_message_locked() const override {
    if (!mailbox_.ready()) return {};  // gated: a room notice or nothing comes next
    return PendingMessage(typeid(M), &mailbox_.front());
  }
  std::size_t close_mailbox_locked() override {
    mailbox_.close();
    return mailbox_.clear();
  }
  void create_instance() override {
    instance_ = recipe().factory();
    if (!instance_) throw std::logic_error("the actor factory returned nullptr");
  }
  void destroy_instance() noexcept override {
    if (extras_) {
      // A timer's message belongs to this instance: cancelled with it, and
      // counted as a dead letter. One that fired already delivers itself.
      UnansweredScope requests(DeadLetterReason::timer_cancelled);  // asks they carry end
      for (const auto& [id, due] : extras_->once) {
        if (runtime_->scheduler().cancel(id)) runtime_->timer_cancelled(*this, due);
      }
      extras_->once.clear();
      instance_gone();  // behaviours, named timers, the stash's restart setting
    }
    instance_.reset();
  }
  bool has_instance() const override { return instance_ != nullptr; }
  const std::type_info& message_type() const override { return typeid(M); }
  // A Context is a view of its cell (one reference), made for each call
  // rather than stored in every cell.
  void hook_pre_start() override {
    Context<M> ctx(*this);
    instance_->pre_start(ctx);
  }
  void hook_post_stop() override {
    Context<M> ctx(*this);
    instance_->post_stop(ctx);
  }
  void hook_pre_restart(const Failure& f) override {
    Context<M> ctx(*this);
    instance_->pre_restart(ctx, f);
  }
  void hook_terminated(const Terminated& t) override {
    Context<M> ctx(*this);
    instance_->on_terminated(ctx, t);
  }
  bool hand_over_queue() override { return recipe().hand_over && recipe().hand_over(*this); }

 public:
  /// Closes the mailbox and moves what it holds into `out` (a successor's
  /// queue in the making). Returns how many messages moved.
  /// Where a queue taken from a stopping cell came from: its messages'
  /// numbers there, for the `handed_over` events (events.hpp).
  struct TakenQueue {
    ActorId from = 0;
    std::size_t count = 0;
    std::size_t put_back = 0;        ///< the first ones, numbered 0 there
    std::uint64_t first_number = 0;  ///< the number of the first offered one
  };
  TakenQueue take_queue(RingQueue<M>& out) {
    std::lock_guard lock(mu_);
    TakenQueue taken{id(), 0, mailbox_.put_back_count(), 0};
    taken.first_number = enqueued_.load(std::memory_order_relaxed) - mailbox_.offered_count() + 1;
    taken.count = mailbox_.close_and_take(out);
    return taken;
  }
  /// Queues messages taken from a predecessor into this cell before its
  /// first activation (spawn_child's before_start), when nobody else can
  /// reach it yet; start() schedules it. The caller accounts them
  /// (Runtime::handed_over). A recorded run gets one `handed_over` event per
  /// message, so each receipt here is matched to its send there.
  void adopt_queue(RingQueue<M>& messages, const TakenQueue& taken) {
    struct Moved {
      std::uint64_t there, here;
      std::string_view type;
    };
    std::vector<Moved> moved;
    {
      std::lock_guard lock(mu_);
      TROUPE_ASSERT(!scheduled_locked());
      TROUPE_ASSERT(enqueued_.load(std::memory_order_relaxed) == 0);
      if (runtime_->emitting()) {
        moved.reserve(messages.size());
        for (std::size_t i = 0; i < messages.size(); ++i) {
          const std::uint64_t there =
              i < taken.put_back ? 0 : taken.first_number + (i - taken.put_back);
          moved.push_back({there, 0, message_type_name(messages.at(i))});
        }
      }
      bump(enqueued_, mailbox_.adopt(messages));
      // Numbered here as a fresh cell numbers offers: the i-th is i + 1,
      // except the excess put back ahead of the bound (mailbox_queue.hpp).
      for (std::size_t i = mailbox_.put_back_count(); i < moved.size(); ++i) moved[i].here = i + 1;
    }
    for (const Moved& m : moved) {
      runtime_->emit_hand_over(id(), path(), taken.from, m.there, m.here, m.type);
    }
  }

 private:
  /// What an accepted offer leaves to do once the lock is released.
  struct Offered {
    bool dropped_oldest = false;
    bool schedule = false;
    std::size_t length = 0;
    std::uint64_t ordinal = 0;  ///< the message's number among those offered here
    std::string_view type;      ///< its type's name, when events are emitted
  };
  SendResult offer_locked(M& message, std::uint64_t* ordinal, Offered& done, bool may_evict = true);
  void after_offer(const Offered& done);
  SendResult offer_unscoped(M& message, std::uint64_t* ordinal, WaitFor* wait, bool may_evict);
  void prune_fired_timers();
  /// Disposes of the message whose handler failed: an ask whose ReplyTo it
  /// held unanswered ends with the failure (troupe/ask.hpp), not its timeout.
  static void drop_failed(M&& message, const std::string& what) {
    UnansweredScope failed(what);
    [[maybe_unused]] M dropped(std::move(message));
  }

  // The recipe this cell was spawned from, which CellBase keeps.
  const Recipe<M>& recipe() const { return static_cast<const Recipe<M>&>(*settings_); }
  const MailboxSettings& mailbox_settings() const { return settings_->mailbox; }

  Mailbox<M> mailbox_;  // guarded by mu_
  std::unique_ptr<Actor<M>> instance_;

  // --- Behaviours, stash and timers (bodies in cell_extras_impl.hpp) ---
 public:
  void become(Behaviour<M> behaviour, Become mode);
  void unbecome();
  bool stash(M& message);
  /// Puts up to `max` stashed messages back at the front of the mailbox.
  std::size_t unstash(std::size_t max);
  std::size_t stash_size() const { return stashed_.load(std::memory_order_relaxed); }
  void start_named_timer(std::string name, Duration delay, M message, bool repeating);
  bool cancel_named_timer(std::string_view name);
  bool named_timer_active(std::string_view name) const;
  void set_receive_timeout(Duration after, M message);
  void cancel_receive_timeout();

 private:
  CellExtras<M>& extras();
  /// Under mu_, the mailbox full: lists `wait` in the runtime's RoomWaiters.
  void list_room_wait_locked(WaitFor& wait);
  /// After a take with waiters: wakes outside senders blocked for room and
  /// fires the oldest room wait (every one, if the mailbox is now empty, so
  /// that a producer not using its notice strands nobody). Unlocks `lock`.
  void wake_after_take(std::unique_lock<CompactMutex>& lock);
  /// The gate is closed or the mailbox is empty: handles a notice that
  /// arrived, if any, opening the gate. False when there was none.
  bool take_room_notice();
  /// The handler for `message`: the top behaviour, else the instance's receive.
  void dispatch(Context<M>& ctx, M& message);
  /// After a take: what it is, if timer messages are being tracked.
  Take classify_take(std::uint64_t left);
  void after_handled(Take taken);
  std::uint64_t fresh_generation() { return ++extras().generations; }
  TimerId arm_extras_timer(Duration delay, std::uint64_t generation, bool receive_timeout);
  void named_timer_fired(std::uint64_t generation);
  void receive_timeout_fired(std::uint64_t generation);
  void arm_receive_timeout();
  void cancel_named(NamedTimer<M>& timer);
  /// Queues a timer's message, tracked; a refusal is a counted dead letter.
  void deliver_tracked(M&& message, std::uint64_t generation);
  void instance_gone();
  std::size_t drop_stash() override;

  // Made by the first use of schedule_once, a behaviour, the stash or a
  // named timer, since most actors use none. Activation only.
  std::unique_ptr<CellExtras<M>> extras_;
  // --- end behaviours, stash and timers ---
};

template <class M>
SendResult Cell<M>::offer_locked(M& message, std::uint64_t* ordinal, Offered& done,
                                 bool may_evict) {
  // Named before the offer moves the message away; only a recorded run asks.
  if (runtime_->emitting()) done.type = message_type_name(message);
  const Admission admitted = may_evict ? mailbox_.offer(message) : mailbox_.offer_if_room(message);
  if (admitted == Admission::closed) return SendResult::actor_stopped;
  if (admitted == Admission::full) return SendResult::mailbox_full;
  done.dropped_oldest = admitted == Admission::dropped_oldest;
  const std::uint64_t enqueued = bump(enqueued_);  // every writer holds mu_
  done.ordinal = enqueued;
  if (ordinal != nullptr) *ordinal = enqueued;
  done.schedule = mark_scheduled_locked();
  done.length = mailbox_.size();
  return SendResult::accepted;
}

template <class M>
void Cell<M>::after_offer(const Offered& done) {
  if (done.dropped_oldest) runtime_->dead_letter(DeadLetterReason::mailbox_full, *this);
  if (runtime_->emitting()) {
    runtime_->emit_message(EventKind::sent, id(), path(), static_cast<std::int64_t>(done.length),
                           done.ordinal, done.type);
  }
  schedule_if(done.schedule);
}

template <class M>
SendResult Cell<M>::offer(M& message, std::uint64_t* ordinal, WaitFor* wait) {
  if (mailbox_.overflow() == Overflow::drop_oldest) [[unlikely]] {
    // The message dropped for room may be a request: its ask ends as a
    // mailbox_full dead letter once the lock is released, not as unanswered.
    UnansweredScope dropped(DeadLetterReason::mailbox_full);
    return offer_unscoped(message, ordinal, wait, true);
  }
  return offer_unscoped(message, ordinal, wait, true);
}

template <class M>
SendResult Cell<M>::offer_unscoped(M& message, std::uint64_t* ordinal, WaitFor* wait,
                                   bool may_evict) {
  Offered done;
  {
    std::lock_guard lock(mu_);
    const SendResult result = offer_locked(message, ordinal, done, may_evict);
    if (result == SendResult::mailbox_full && wait != nullptr) list_room_wait_locked(*wait);
    if (result != SendResult::accepted) return result;
  }
  after_offer(done);
  return SendResult::accepted;
}

template <class M>
SendResult Cell<M>::offer_published(M& message, StreamBound& bound, bool& over_bound) {
  Offered done;
  {
    std::lock_guard lock(mu_);
    if (mailbox_.closed()) return SendResult::actor_stopped;
    // Taken or dropped: everything enqueued that is no longer in the mailbox.
    if (!bound.admit(enqueued_.load(std::memory_order_relaxed) - mailbox_.size())) {
      over_bound = true;
      return SendResult::mailbox_full;
    }
    std::uint64_t ordinal = 0;
    const SendResult result = offer_locked(message, &ordinal, done);
    if (result != SendResult::accepted) return result;
    bound.taken(ordinal);
  }
  after_offer(done);
  return SendResult::accepted;
}

template <class M>
SendResult Cell<M>::tell(M&& message) {
  // Shutdown stops new work from outside; actors still talk while draining.
  if (current_cell() == nullptr && runtime_->shutting_down()) {
    return reject(DeadLetterReason::actor_stopped, std::move(message));
  }
  if (runtime_->scheduler_times_handlers()) {
    // A simulated handler that declared work sends when the work ends.
    const Duration held = runtime_->scheduler().effects_delay();
    if (held > Duration::zero()) {
      hold_delivery(held, std::move(message));
      return SendResult::accepted;
    }
  }
  SendResult result = offer(message);
  if (result == SendResult::mailbox_full && may_block()) result = wait_for_room(message);
  if (result == SendResult::accepted) return result;
  return reject(dead_letter_reason(result), std::move(message));
}

template <class M>
SendResult Cell<M>::wait_for_room(M& message) {
  {
    std::lock_guard guard(mu_);
    mailbox_.sender_blocked();
  }
  auto& scheduler = runtime_->scheduler();
  SendResult result = SendResult::mailbox_full;
  scheduler.wait_until(
      [&] {
        result = offer(message);
        return result != SendResult::mailbox_full;
      },
      deadline_after(scheduler.now(), mailbox_settings().block_timeout));
  std::lock_guard guard(mu_);
  mailbox_.sender_unblocked();
  return result;
}

template <class M>
bool Cell<M>::process_one() {
  std::unique_lock lock(mu_);
  if (!mailbox_.ready()) {
    if (!mailbox_.gated()) return false;  // nothing queued: the usual end of an activation
    // The gate is closed while this actor waits for room: only its notice is due.
    lock.unlock();
    return take_room_notice();
  }
  // Timer messages tracked in the mailbox (cell_extras.hpp): which one this
  // is. Offered messages leave in order, so the count of those that left is
  // the ordinal of the one taken; a put-back (unstashed) one is none of them.
  const bool tracking = extras_ && !extras_->tracked.empty();
  const bool emitting = runtime_->emitting();
  const bool put_back = (tracking || emitting) && mailbox_.put_back_count() > 0;
  M message = mailbox_.take();
  // The taken message's ordinal (0 for a put-back one): events name it.
  const std::uint64_t taken_ordinal =
      (tracking || emitting) && !put_back
          ? enqueued_.load(std::memory_order_relaxed) - mailbox_.offered_count()
          : 0;
  const std::uint64_t left = tracking ? taken_ordinal : 0;
  in_flight_.store(true, std::memory_order_relaxed);
  if (mailbox_.has_waiters()) {  // the one test the hot path pays for waiters
    wake_after_take(lock);
  } else {
    lock.unlock();
  }
  const Take taken = left != 0 ? classify_take(left) : Take::ordinary;
  if (taken == Take::stale) {
    in_flight_.store(false, std::memory_order_release);
    runtime_->dead_letter(DeadLetterReason::timer_cancelled, *this);
    return true;
  }

  const std::uint64_t message_seq = bump(received_);
  if (emitting) {
    runtime_->emit_message(EventKind::received, id(), path(),
                           static_cast<std::int64_t>(message_seq), taken_ordinal,
                           message_type_name(message));
  }
  if (runtime_->injects_failures()) {
    std::string injected;
    if (runtime_->scheduler().inject_failure(info(), message_seq, injected)) {
      in_flight_.store(false, std::memory_order_release);
      drop_failed(std::move(message), injected);
      handler_threw(std::move(injected), message_seq);
      return true;
    }
  }
  // Timing every message would cost two clock reads and three shared atomic
  // updates each: one in N is timed, counted down without a division.
  const bool timed = runtime_->timing_sample_every() != 0 &&
                     !runtime_->scheduler_times_handlers() && --until_timed_ == 0;
  if (timed) until_timed_ = runtime_->timing_sample_every();
  const TimePoint started = timed ? runtime_->scheduler().now() : TimePoint{};
  Context<M> ctx(*this, message);
  try {
    dispatch(ctx, message);
  } catch (...) {
    if (timed) observe_handled(runtime_->scheduler().now() - started);  // failures take time too
    std::string what = describe_current_exception();
    const bool accounted = ctx.message_ == nullptr;  // stashed, or a stash_full dead letter
    in_flight_.store(false, std::memory_order_release);
    // A stashed message is not the failed one any more: only an unstashed
    // request ends its asks with this failure.
    if (!accounted) drop_failed(std::move(message), what);
    handler_threw(std::move(what), message_seq, accounted);
    return true;
  }
  if (timed) observe_handled(runtime_->scheduler().now() - started);
  // A stashed message is still queued (in the stash), not processed.
  if (ctx.message_ != nullptr) bump(processed_);
  in_flight_.store(false, std::memory_order_release);
  if (extras_) after_handled(taken);
  return true;
}

template <class M>
std::function<void()> Cell<M>::delivery(M&& message, TimePoint due) {
  auto payload = std::make_shared<M>(std::move(message));
  std::weak_ptr<CellBase> weak = shared_from_this();
  return [weak, payload, rt = runtime_, actor = this->id(), due] {
    if (auto cell = weak.lock()) {
      static_cast<Cell<M>&>(*cell).deliver_from_timer(std::move(*payload));
    } else {
      rt->rejected(DeadLetterReason::actor_stopped, actor, "(stopped actor)");
      UnansweredScope gone(DeadLetterReason::actor_stopped);  // a request's ask ends so
      [[maybe_unused]] M dropped(std::move(*payload));
    }
    rt->timer_delivered(due);  // after the tell: quiescence never misses it
  };
}

template <class M>
std::pair<TimerId, TimePoint> Cell<M>::arm_delivery(Duration delay, M&& message) {
  auto& scheduler = runtime_->scheduler();
  // The message counts as sent and queued from now on (conservation law).
  const TimePoint due = deadline_after(scheduler.now(), delay);
  runtime_->timer_armed(due);
  const TimerId timer = scheduler.after(delay, delivery(std::move(message), due));
  return {timer, due};
}

template <class M>
void Cell<M>::hold_delivery(Duration held, M&& message) {
  auto& scheduler = runtime_->scheduler();
  const TimePoint due = deadline_after(scheduler.now(), held);
  runtime_->timer_armed(due);
  scheduler.hold(delivery(std::move(message), due));
}

template <class M>
TimerId Cell<M>::schedule_once(Duration delay, M message) {
  prune_fired_timers();
  if (runtime_->scheduler_times_handlers()) {
    // After declared work, a timer's delay starts when the work ends.
    delay =
        saturating_sum(std::max(delay, Duration::zero()), runtime_->scheduler().effects_delay());
  }
  const auto [timer, due] = arm_delivery(delay, std::move(message));
  extras().once.emplace(timer, due);
  return timer;
}

template <class M>
bool Cell<M>::cancel_timer(TimerId id) {
  // Only this actor's own timers: an id is just a number.
  if (!extras_) return false;
  auto& timers = extras_->once;
  const auto entry = timers.find(id);
  if (entry == timers.end()) return false;
  const TimePoint due = entry->second;
  timers.erase(entry);
  UnansweredScope requests(DeadLetterReason::timer_cancelled);  // an ask it carries ends
  if (!runtime_->scheduler().cancel(id)) return false;
  runtime_->timer_cancelled(*this, due);
  return true;
}

template <class M>
void Cell<M>::prune_fired_timers() {
  // Bounds the bookkeeping of an actor that sets many timers: entries whose
  // time has passed have fired already.
  if (!extras_ || extras_->once.size() < 32) return;
  const TimePoint now = runtime_->scheduler().now();
  std::erase_if(extras_->once, [&](const auto& entry) { return entry.second < now; });
}

/// Creates a child of `parent`; shared by System::spawn and Context::spawn.
/// `before_start`, if given, runs once the child is registered but before
/// its first activation is scheduled: nothing else can reach it yet (a pool
/// moves a predecessor's queue in there, ahead of anything pre_start sends).
template <class M>
Result<ActorRef<M>> spawn_child(CellBase& parent, std::string name, Props<M> props,
                                const std::function<void(Cell<M>&)>& before_start = {}) {
  Runtime& runtime = parent.runtime();
  auto cell = std::make_shared<Cell<M>>(runtime, &parent, runtime.next_id(), props);
  if (auto error = parent.adopt(std::move(name), cell)) return std::move(*error);
  runtime.register_cell(*cell);
  runtime.emit(EventKind::spawned, cell->id(), cell->path(), {},
               static_cast<std::int64_t>(parent.id()));
  if (before_start) before_start(*cell);
  cell->start();
  return cell->ref();
}

}  // namespace troupe::detail

// The members of ActorRef<M> and Context<M> that need the complete cell.
#include "troupe/detail/actor_ref_impl.hpp"    // IWYU pragma: export
#include "troupe/detail/cell_extras_impl.hpp"  // IWYU pragma: export
#include "troupe/detail/context_impl.hpp"      // IWYU pragma: export
#include "troupe/detail/offer_impl.hpp"        // IWYU pragma: export
// Request and reply: Context<M>::ask and Context<M>::adapter.
#include "troupe/detail/ask_impl.hpp"  // IWYU pragma: export
// The event stream's typed subscriptions.
#include "troupe/detail/event_stream_impl.hpp"  // IWYU pragma: export
