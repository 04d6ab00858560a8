// The state of one pending ask, shared by its handle (or its asker), its
// timeout timer and the ReplyTo its request carries. It ends exactly once:
// by the reply, the timeout, the callee's failure, a dead letter, or the
// last ReplyTo dropped unanswered. Accounting: from the start, the ask's one
// outcome counts as sent and queued (like a timer's message); a reply after
// the end is a counted `late_reply` dead letter.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "troupe/ask_result.hpp"
#include "troupe/assert.hpp"
#include "troupe/detail/cell_base.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/detail/text.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/reply_to.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe::detail {

/// "1500 ms": a duration for error messages.
inline std::string describe_duration(Duration d) {
  if (d == Duration::max()) return "forever";
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

/// An ask's timeout must be positive; Duration::max() means no timeout.
inline void check_ask_timeout(Duration timeout) {
  if (timeout <= Duration::zero()) {
    throw std::invalid_argument(
        "ask: the timeout must be positive (Duration::max() waits as long as it takes), got " +
        std::to_string(timeout.count()) + " ns");
  }
}

template <class R>
class AskState : public std::enable_shared_from_this<AskState<R>> {
 public:
  /// `asker` and `asker_path` name whom late replies were meant for.
  AskState(std::shared_ptr<Runtime> runtime, Duration timeout, ActorId asker,
           std::string asker_path)
      : runtime_(std::move(runtime)),
        timeout_(timeout),
        due_(deadline_after(runtime_->scheduler().now(), timeout)),
        asker_(asker),
        asker_path_(std::move(asker_path)) {
    runtime_->timer_armed(due_);  // the outcome: sent and queued until the ask ends
  }
  AskState(const AskState&) = delete;
  AskState& operator=(const AskState&) = delete;
  virtual ~AskState() = default;

  Runtime& runtime() const { return *runtime_; }
  TimePoint due() const { return due_; }
  bool done() const { return done_.load(std::memory_order_acquire); }

  /// Arms the timeout timer (none for Duration::max()).
  void arm_timeout() {
    if (due_ == TimePoint::max()) return;
    auto self = this->shared_from_this();
    const TimerId id = runtime_->scheduler().after(timeout_, [self] { self->expire(); });
    timer_.store(id, std::memory_order_release);
    if (done()) runtime_->scheduler().cancel(id);  // ended before the id was stored
  }

  /// Ends the ask with `outcome`; false (and nothing happens) if it had ended.
  bool complete(AskResult<R>&& outcome) {
    if (done_.exchange(true, std::memory_order_acq_rel)) return false;
    if (const TimerId id = timer_.load(std::memory_order_acquire); id != 0) {
      runtime_->scheduler().cancel(id);
    }
    finish(std::move(outcome));
    return true;
  }

  /// The request never left (making it or telling it threw): there was no
  /// ask, so its outcome leaves the counts it entered at the start, and a
  /// ReplyTo that escaped and answers later is a counted late reply.
  void withdraw() {
    if (done_.exchange(true, std::memory_order_acq_rel)) return;
    if (const TimerId id = timer_.load(std::memory_order_acquire); id != 0) {
      runtime_->scheduler().cancel(id);
    }
    runtime_->timer_delivered(due_);
  }

  /// Makes the request with `make` and tells it with `tell`, returning what
  /// the tell said; withdraws the ask if either throws, and rethrows.
  template <class Make, class Tell>
  SendResult send_or_withdraw(Make&& make, Tell&& tell) {
    try {
      auto request = make();
      return tell(std::move(request));
    } catch (...) {
      withdraw();
      throw;
    }
  }

  void expire() {
    (void)complete(AskError{AskErrorKind::timeout, DeadLetterReason::actor_stopped,
                            concat({"no reply within ", describe_duration(timeout_)})});
  }

  /// A reply: ends the ask, or is a late reply, counted as a dead letter.
  SendResult reply(R&& value) {
    if (complete(AskResult<R>(std::move(value)))) return SendResult::accepted;
    runtime_->rejected(DeadLetterReason::late_reply, asker_, asker_path_);
    return SendResult::actor_stopped;
  }

  /// The request could not be sent.
  void refused(SendResult why) {
    phase_.store(kSent, std::memory_order_release);
    const DeadLetterReason reason = dead_letter_reason(why);
    (void)complete(AskError{AskErrorKind::dead_letter, reason,
                            concat({"the request became a dead letter: ", to_string(reason)})});
  }

  /// The last ReplyTo died without a reply: the cause is the scope the
  /// cell set around the disposal (a failed handler, a dead letter), if any.
  void unanswered() {
    if (done()) return;
    auto self = this->shared_from_this();
    if (UnansweredScope* scope = UnansweredScope::active()) {
      AskError error =
          scope->failed()
              ? AskError{AskErrorKind::callee_failed, DeadLetterReason::handler_failed,
                         concat({"the callee failed: ", scope->failure()})}
              : AskError{
                    AskErrorKind::dead_letter, scope->reason(),
                    concat({"the request became a dead letter: ", to_string(scope->reason())})};
      scope->defer([self, error]() mutable { (void)self->complete(std::move(error)); });
      return;
    }
    // Dropped while the request was being sent (a refusal, or a callee
    // quicker than the tell's return): the sender judges by the result.
    int sending = kSending;
    if (phase_.compare_exchange_strong(sending, kDroppedWhileSending)) return;
    complete_unanswered(unanswered_error());
  }

  /// The request went with the only ReplyTo: `result` is what its tell said.
  void sent(SendResult result) {
    if (result != SendResult::accepted) {
      refused(result);
      return;
    }
    int sending = kSending;
    if (!phase_.compare_exchange_strong(sending, kSent)) complete_unanswered(unanswered_error());
  }

 protected:
  /// Delivers the outcome; called once.
  virtual void finish(AskResult<R>&& outcome) = 0;
  /// Outside any scope: an asker that is an actor is told later (a lock may
  /// be held here); by default at once.
  virtual void complete_unanswered(AskError error) { (void)complete(std::move(error)); }

  const std::shared_ptr<Runtime> runtime_;
  const Duration timeout_;
  const TimePoint due_;
  const ActorId asker_;
  const std::string asker_path_;

 private:
  static AskError unanswered_error() {
    return AskError{AskErrorKind::unanswered, DeadLetterReason::actor_stopped,
                    "the request's ReplyTo was dropped without a reply"};
  }

  static constexpr int kSending = 0;
  static constexpr int kSent = 1;
  static constexpr int kDroppedWhileSending = 2;
  std::atomic<int> phase_{kSending};
  std::atomic<bool> done_{false};
  std::atomic<TimerId> timer_{0};
};

/// What a request's ReplyTo holds for an ask: the last copy dropped without
/// a reply ends the ask at once instead of at its timeout.
template <class R>
class AskSlot final : public ReplySink<R> {
 public:
  explicit AskSlot(std::shared_ptr<AskState<R>> state) : state_(std::move(state)) {}
  ~AskSlot() override {
    if (!answered_.load(std::memory_order_acquire)) state_->unanswered();
  }

  SendResult deliver(R&& reply) override {
    answered_.store(true, std::memory_order_release);
    Runtime& rt = state_->runtime();
    if (rt.scheduler_times_handlers() && current_cell() != nullptr) {
      // A simulated handler that declared work replies when the work ends.
      const Duration held = rt.scheduler().effects_delay();
      if (held > Duration::zero()) {
        const TimePoint due = deadline_after(rt.scheduler().now(), held);
        rt.timer_armed(due);
        auto payload = std::make_shared<R>(std::move(reply));
        rt.scheduler().hold([state = state_, payload, due] {
          (void)state->reply(std::move(*payload));
          state->runtime().timer_delivered(due);
        });
        return SendResult::accepted;
      }
    }
    return state_->reply(std::move(reply));
  }

 private:
  std::shared_ptr<AskState<R>> state_;
  std::atomic<bool> answered_{false};
};

/// An ask made outside actors: the outcome waits in the state for get().
template <class R>
class OutsideAsk final : public AskState<R> {
 public:
  using AskState<R>::AskState;

  bool ready() const { return ready_.load(std::memory_order_acquire); }
  /// The outcome, once ready(); only once.
  AskResult<R> take() {
    std::lock_guard lock(mu_);
    TROUPE_ASSERT(outcome_.has_value());
    AskResult<R> out = std::move(*outcome_);
    outcome_.reset();
    return out;
  }

 protected:
  void finish(AskResult<R>&& outcome) override {
    {
      std::lock_guard lock(mu_);
      outcome_.emplace(std::move(outcome));
    }
    ready_.store(true, std::memory_order_release);
    this->runtime_->ask_answered_outside(this->due_);
    this->runtime_->scheduler().wake_waiters();
  }

 private:
  std::mutex mu_;
  std::optional<AskResult<R>> outcome_;  // guarded by mu_
  std::atomic<bool> ready_{false};
};

}  // namespace troupe::detail
