// The bodies of Context<M>::adapter and Context<M>::ask (troupe/context.hpp)
// and the state of an ask made by an actor, whose outcome arrives as one of
// the asker's own messages. Included at the end of troupe/detail/cell.hpp.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "troupe/context.hpp"
#include "troupe/detail/ask_state.hpp"
#include "troupe/detail/cell.hpp"
#include "troupe/reply_to.hpp"

namespace troupe::detail {

/// A ReplyTo that tells actor `ref` (protocol M) `adapt(reply)`.
template <class R, class M, class F>
class AdapterSink final : public ReplySink<R> {
 public:
  AdapterSink(ActorRef<M> ref, F adapt) : ref_(std::move(ref)), adapt_(std::move(adapt)) {}
  SendResult deliver(R&& reply) override {
    std::optional<M> adapted;
    try {
      adapted.emplace(adapt_(std::move(reply)));
    } catch (...) {
      // The adapter is the asker's code, run by whoever replies: its throw
      // must not fail the replier. The reply is the asker's dead letter.
      Cell<M>* const asker = ref_.cell();
      asker->runtime().rejected(DeadLetterReason::handler_failed, *asker);
      return SendResult::actor_stopped;
    }
    return ref_.tell(std::move(*adapted));
  }

 private:
  ActorRef<M> ref_;
  F adapt_;
};

/// An ask made by an actor of protocol M: the outcome, mapped to an M, is
/// delivered to the asker like a timer's message (refused: a dead letter).
template <class R, class M>
class InsideAsk final : public AskState<R> {
 public:
  InsideAsk(std::shared_ptr<Runtime> runtime, Duration timeout, Cell<M>& asker,
            std::function<M(AskResult<R>)> map)
      : AskState<R>(std::move(runtime), timeout, asker.id(), asker.path()),
        asker_cell_(std::static_pointer_cast<Cell<M>>(asker.shared_from_this())),
        map_(std::move(map)) {}

 protected:
  void finish(AskResult<R>&& outcome) override {
    Runtime& rt = *this->runtime_;
    if (auto cell = asker_cell_.lock()) {
      std::optional<M> mapped;
      try {
        mapped.emplace(map_(std::move(outcome)));
      } catch (...) {
        rt.rejected(DeadLetterReason::handler_failed, *cell);  // the mapping threw
      }
      if (mapped) cell->deliver_from_timer(std::move(*mapped));
    } else {
      rt.rejected(DeadLetterReason::actor_stopped, this->asker_, this->asker_path_);
    }
    rt.timer_delivered(this->due_);  // after the delivery: quiescence never misses it
  }
  // Telling the asker here could take a lock held by whoever dropped the
  // ReplyTo (a mailbox dropping its oldest): a timer does it a moment later.
  void complete_unanswered(AskError error) override {
    auto self = this->shared_from_this();
    (void)this->runtime_->scheduler().after(
        Duration::zero(), [self, error]() mutable { (void)self->complete(std::move(error)); });
  }

 private:
  std::weak_ptr<Cell<M>> asker_cell_;
  std::function<M(AskResult<R>)> map_;
};

}  // namespace troupe::detail

namespace troupe {

template <class M>
template <class R, class F>
ReplyTo<R> Context<M>::adapter(F adapt) {
  return ReplyTo<R>(std::make_shared<detail::AdapterSink<R, M, F>>(self(), std::move(adapt)));
}

template <class M>
template <class R, class T, class F, class G>
void Context<M>::ask(const ActorRef<T>& ref, F make_request, Duration timeout, G on_outcome) {
  detail::check_ask_timeout(timeout);
  detail::Runtime& rt = cell_.runtime();
  if (rt.scheduler_times_handlers()) {
    // After declared work the request leaves when the work ends: so does the clock.
    timeout = saturating_sum(timeout, rt.scheduler().effects_delay());
  }
  auto state = std::make_shared<detail::InsideAsk<R, M>>(
      rt.shared_from_this(), timeout, cell_, std::function<M(AskResult<R>)>(std::move(on_outcome)));
  state->arm_timeout();
  // See troupe::ask: the request holds the only ReplyTo; a throw withdraws the ask.
  const SendResult told = state->send_or_withdraw(
      [&] { return T(make_request(ReplyTo<R>(std::make_shared<detail::AskSlot<R>>(state)))); },
      [&](T&& request) { return ref.tell(std::move(request)); });
  state->sent(told);
}

}  // namespace troupe
