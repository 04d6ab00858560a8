// The bodies of Cell<M>'s behaviours, stash and timers (cell_extras.hpp) and
// of the Context<M> members that reach them. Included at the end of
// troupe/detail/cell.hpp; never on its own.
//
// Accounting (the conservation law): a stashed message stays queued (the
// cell's stashed_ count) and is neither enqueued nor processed again until
// it is handled after an unstash. A named timer or a receive timeout holds
// one message, counted as sent and queued, like schedule_once; a repeating
// timer's tick is a fresh send (a copy). Repeating timers and the receive
// timeout are background: their held message does not keep the system from
// quiescence (Runtime::timer_armed with TimePoint::max()).
#pragma once

#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "troupe/detail/cell.hpp"
#include "troupe/detail/cell_extras.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/detail/text.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe::detail {

template <class M>
CellExtras<M>& Cell<M>::extras() {
  if (!extras_) extras_ = std::make_unique<CellExtras<M>>();
  return *extras_;
}

template <class M>
void Cell<M>::dispatch(Context<M>& ctx, M& message) {
  if (extras_ && !extras_->behaviours.empty()) {
    // A copy of the pointer: the behaviour may replace itself while it runs.
    const auto behaviour = extras_->behaviours.back();
    (*behaviour)(ctx, message);
    return;
  }
  instance_->receive(ctx, message);
}

template <class M>
void Cell<M>::become(Behaviour<M> behaviour, Become mode) {
  if (!behaviour) throw std::invalid_argument("Context::become: the behaviour is empty");
  auto& stack = extras().behaviours;
  auto shared = std::make_shared<const Behaviour<M>>(std::move(behaviour));
  if (mode == Become::replace && !stack.empty()) {
    stack.back() = std::move(shared);
    return;
  }
  if (stack.size() >= kMaxBehaviourDepth) {
    throw std::length_error(
        concat({"Context::become: more than ", std::to_string(kMaxBehaviourDepth),
                " behaviours pushed (unbecome, or Become::replace)"}));
  }
  stack.push_back(std::move(shared));
}

template <class M>
void Cell<M>::unbecome() {
  if (extras_ && !extras_->behaviours.empty()) extras_->behaviours.pop_back();
}

template <class M>
bool Cell<M>::stash(M& message) {
  auto& stashed = extras().stash;
  if (stashed.size() >= settings_->stash.capacity) {
    runtime_->dead_letter(DeadLetterReason::stash_full, *this);
    UnansweredScope full(DeadLetterReason::stash_full);  // a request's ask ends so
    [[maybe_unused]] M dropped(std::move(message));
    return false;
  }
  stashed.push_back(std::move(message));
  stashed_.store(static_cast<std::uint32_t>(stashed.size()), std::memory_order_relaxed);
  return true;
}

template <class M>
std::size_t Cell<M>::unstash(std::size_t max) {
  if (!extras_ || extras_->stash.empty() || max == 0) return 0;
  RingQueue<M>& stashed = extras_->stash;
  RingQueue<M> batch;
  if (max >= stashed.size()) {
    batch.swap(stashed);
  } else {
    for (std::size_t i = 0; i < max; ++i) {
      batch.push_back(std::move(stashed.front()));
      stashed.pop_front();
    }
  }
  const std::size_t n = batch.size();
  bool closed = false;
  {
    std::lock_guard lock(mu_);
    // Tracked timer messages that left without a take (drop_oldest) are
    // forgotten while the count of departures says which they are.
    extras_->forget_gone(enqueued_.load(std::memory_order_relaxed) - mailbox_.offered_count());
    closed = mailbox_.closed();
    if (!closed) mailbox_.put_back(batch);
    // Under the lock, with the mailbox: queued() never counts them twice.
    stashed_.store(static_cast<std::uint32_t>(stashed.size()), std::memory_order_relaxed);
  }
  if (closed) {
    // Only a shutdown past its deadline closes a running actor's mailbox.
    count_abandoned(n);
    runtime_->dead_letter(DeadLetterReason::shutdown_abandoned, *this, n);
  }
  stashed.release_if_empty();
  return n;
}

template <class M>
std::size_t Cell<M>::drop_stash() {
  if (!extras_) return 0;
  const std::size_t n = extras_->stash.size();
  extras_->stash.clear();
  extras_->stash.release_if_empty();
  stashed_.store(0, std::memory_order_relaxed);
  return n;
}

template <class M>
void Cell<M>::instance_gone() {
  // The fresh instance (or none) starts in receive, with no timers: the old
  // instance's timers are cancelled, their held messages dead letters, and
  // their messages still queued are dropped when taken (no longer live).
  CellExtras<M>& x = *extras_;
  x.behaviours.clear();
  for (auto& timer : x.timers) cancel_named(timer);
  x.timers.clear();
  cancel_receive_timeout();
  if (x.room.waiting) {
    // The fresh instance (or none) knows nothing of the wait: its receivers
    // drop it, and this actor takes its messages again.
    x.room.waiting->cancel();
    x.room.waiting.reset();
    x.room.ready = false;
    std::lock_guard lock(mu_);
    mailbox_.open_gate();
  }
  if (settings_->stash.on_restart == StashOnRestart::dead_letter) {
    UnansweredScope discarded(DeadLetterReason::stash_discarded);  // asks they carry end so
    runtime_->dead_letter(DeadLetterReason::stash_discarded, *this, drop_stash());
  }
}

template <class M>
Take Cell<M>::classify_take(std::uint64_t left) {
  return extras_->classify(left);
}

template <class M>
void Cell<M>::after_handled(Take taken) {
  // Every handled message but the timeout's own re-arms the receive timeout.
  if (taken != Take::receive_timeout && extras_->receive_timeout.set) {
    runtime_->scheduler().cancel(extras_->receive_timeout.timer);
    arm_receive_timeout();
  }
}

template <class M>
TimerId Cell<M>::arm_extras_timer(Duration delay, std::uint64_t generation, bool receive_timeout) {
  // The callback runs on a scheduler thread: it only asks the actor (by a
  // signal, run in its activation) to act on the timer, if still current.
  std::weak_ptr<CellBase> weak = shared_from_this();
  return runtime_->scheduler().after(delay, [weak, generation, receive_timeout] {
    auto cell = weak.lock();
    if (!cell) return;  // stopped: its timers were accounted then
    auto* typed = static_cast<Cell<M>*>(cell.get());
    cell->enqueue_signal(Signal{Signal::Kind::run,
                                nullptr,
                                {},
                                DeadLetterReason::actor_stopped,
                                TerminationReason::stopped,
                                [typed, generation, receive_timeout] {
                                  if (receive_timeout) {
                                    typed->receive_timeout_fired(generation);
                                  } else {
                                    typed->named_timer_fired(generation);
                                  }
                                }});
  });
}

template <class M>
void Cell<M>::start_named_timer(std::string name, Duration delay, M message, bool repeating) {
  if (repeating && delay <= Duration::zero()) {
    throw std::invalid_argument(
        concat({"Context::start_timer('", name, "'): the interval must be > 0, got ",
                std::to_string(delay.count()), " ns"}));
  }
  CellExtras<M>& x = extras();
  if (NamedTimer<M>* old = x.find(name)) {
    cancel_named(*old);  // replaced, as in Akka
    x.erase(old);
  }
  if (x.timers.size() >= kMaxNamedTimers) {
    throw std::length_error(concat(
        {"Context::start_timer: more than ", std::to_string(kMaxNamedTimers), " named timers"}));
  }
  const Duration interval = delay;
  delay = std::max(delay, Duration::zero());
  // After declared work (simulator), a timer's delay starts when the work ends.
  if (runtime_->scheduler_times_handlers()) {
    delay = saturating_sum(delay, runtime_->scheduler().effects_delay());
  }
  NamedTimer<M> timer;
  timer.name = std::move(name);
  timer.generation = fresh_generation();
  timer.repeating = repeating;
  timer.interval = interval;
  timer.mark = repeating ? TimePoint::max() : deadline_after(runtime_->scheduler().now(), delay);
  timer.message.emplace(std::move(message));
  runtime_->timer_armed(timer.mark);  // sent and queued from now on
  timer.timer = arm_extras_timer(delay, timer.generation, false);
  x.timers.push_back(std::move(timer));
}

template <class M>
void Cell<M>::cancel_named(NamedTimer<M>& timer) {
  if (!timer.held) return;  // fired: its queued message is dropped when taken
  runtime_->scheduler().cancel(timer.timer);
  timer.held = false;
  runtime_->timer_cancelled(*this, timer.mark);
}

template <class M>
bool Cell<M>::cancel_named_timer(std::string_view name) {
  if (!extras_) return false;
  NamedTimer<M>* timer = extras_->find(name);
  if (timer == nullptr) return false;
  cancel_named(*timer);
  extras_->erase(timer);
  return true;
}

template <class M>
bool Cell<M>::named_timer_active(std::string_view name) const {
  return extras_ && const_cast<CellExtras<M>&>(*extras_).find(name) != nullptr;
}

template <class M>
void Cell<M>::deliver_tracked(M&& message, std::uint64_t generation) {
  std::uint64_t ordinal = 0;
  const SendResult result = offer(message, &ordinal);
  if (result == SendResult::accepted) {
    extras().track(ordinal, generation);
  } else {
    (void)reject(dead_letter_reason(result), std::move(message));  // counted as a dead letter there
  }
}

template <class M>
void Cell<M>::named_timer_fired(std::uint64_t generation) {
  NamedTimer<M>* timer = extras_ ? extras_->find(generation) : nullptr;
  if (timer == nullptr || !timer->held) return;  // cancelled or replaced since: accounted then
  if (!timer->repeating) {
    timer->held = false;
    const TimePoint mark = timer->mark;
    deliver_tracked(std::move(*timer->message), generation);
    timer->message.reset();
    runtime_->timer_delivered(mark);  // after the offer: quiescence never misses it
    return;
  }
  if constexpr (std::is_copy_constructible_v<M>) {
    M tick = *timer->message;
    const Duration interval = timer->interval;
    deliver_tracked(std::move(tick), generation);
    // deliver_tracked touches only the tracked queue: `timer` stays valid.
    timer->timer = arm_extras_timer(interval, generation, false);
  } else {
    TROUPE_ASSERT(false && "a repeating timer of a move-only message cannot be started");
  }
}

template <class M>
void Cell<M>::arm_receive_timeout() {
  ReceiveTimeout<M>& rt = extras().receive_timeout;
  TROUPE_ASSERT(rt.set);
  rt.generation = fresh_generation();
  if (!rt.held) {
    rt.held = true;
    runtime_->timer_armed(TimePoint::max());  // background: see the header
  }
  Duration delay = rt.after;
  if (runtime_->scheduler_times_handlers()) {
    delay = saturating_sum(delay, runtime_->scheduler().effects_delay());
  }
  rt.timer = arm_extras_timer(delay, rt.generation, true);
}

template <class M>
void Cell<M>::set_receive_timeout(Duration after, M message) {
  if (after <= Duration::zero()) {
    throw std::invalid_argument("Context::set_receive_timeout: the time must be > 0, got " +
                                std::to_string(after.count()) + " ns");
  }
  cancel_receive_timeout();
  ReceiveTimeout<M>& rt = extras().receive_timeout;
  rt.set = true;
  rt.after = after;
  rt.message.emplace(std::move(message));
  arm_receive_timeout();
}

template <class M>
void Cell<M>::cancel_receive_timeout() {
  if (!extras_ || !extras_->receive_timeout.set) return;
  ReceiveTimeout<M>& rt = extras_->receive_timeout;
  runtime_->scheduler().cancel(rt.timer);
  if (rt.held) runtime_->timer_cancelled(*this, TimePoint::max());
  rt = ReceiveTimeout<M>{};  // its message still queued, if any, is now stale
}

template <class M>
void Cell<M>::receive_timeout_fired(std::uint64_t generation) {
  if (!extras_) return;
  ReceiveTimeout<M>& rt = extras_->receive_timeout;
  if (!rt.set || !rt.held || rt.generation != generation) return;  // re-armed or cancelled since
  if constexpr (std::is_copy_constructible_v<M>) {
    rt.held = false;
    deliver_tracked(M(*rt.message), generation);
    runtime_->timer_delivered(TimePoint::max());
  } else {
    TROUPE_ASSERT(false && "a receive timeout of a move-only message cannot be set");
  }
}

}  // namespace troupe::detail

namespace troupe {

template <class M>
void Context<M>::become(Behaviour<M> behaviour, Become mode) {
  cell_.become(std::move(behaviour), mode);
}

template <class M>
void Context<M>::unbecome() {
  cell_.unbecome();
}

template <class M>
bool Context<M>::stash() {
  if (message_ == nullptr) {
    throw std::logic_error("Context::stash: only inside receive or a behaviour, once per message");
  }
  M& message = *message_;
  message_ = nullptr;  // the stash's from now on: never counted processed by the handler
  return cell_.stash(message);
}

template <class M>
std::size_t Context<M>::unstash_all() {
  return cell_.unstash(static_cast<std::size_t>(-1));
}

template <class M>
bool Context<M>::unstash() {
  return cell_.unstash(1) == 1;
}

template <class M>
std::size_t Context<M>::stash_size() const {
  return cell_.stash_size();
}

template <class M>
void Context<M>::start_timer(std::string name, Duration interval, M message) {
  static_assert(std::is_copy_constructible_v<M>,
                "Context::start_timer: a repeating timer copies its message for every tick, so "
                "the message type must be copyable (use start_single_timer for move-only ones)");
  cell_.start_named_timer(std::move(name), interval, std::move(message), true);
}

template <class M>
void Context<M>::start_single_timer(std::string name, Duration delay, M message) {
  cell_.start_named_timer(std::move(name), delay, std::move(message), false);
}

template <class M>
bool Context<M>::cancel_timer(std::string_view name) {
  return cell_.cancel_named_timer(name);
}

template <class M>
bool Context<M>::timer_active(std::string_view name) const {
  return cell_.named_timer_active(name);
}

template <class M>
void Context<M>::set_receive_timeout(Duration after, M message) {
  static_assert(std::is_copy_constructible_v<M>,
                "Context::set_receive_timeout: the timeout message is copied each time it "
                "fires, so the message type must be copyable");
  cell_.set_receive_timeout(after, std::move(message));
}

template <class M>
void Context<M>::cancel_receive_timeout() {
  cell_.cancel_receive_timeout();
}

}  // namespace troupe
