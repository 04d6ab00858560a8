// Request and reply. A request carries a ReplyTo<R> (troupe/reply_to.hpp);
// `ask` sends one and waits for the outcome: the reply, a timeout, the
// callee's failure, or a dead letter. Every ask ends exactly once, on both
// schedulers, with the timeout on the scheduler's clock (virtual in the
// simulator). From outside actors:
//
//   Ask<int> pending = ask<int>(worker, [](ReplyTo<int> to) { return Square{7, to}; }, 1s);
//   AskResult<int> r = pending.get();  // blocks on threads, runs the simulation in it
//   if (r.ok()) use(r.value()); else log(r.error().message);
//
// From inside an actor, ctx.ask (troupe/context.hpp) delivers the outcome
// as one of the asker's own messages; nothing blocks.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>

#include "troupe/actor_ref.hpp"
#include "troupe/ask_result.hpp"
#include "troupe/detail/ask_state.hpp"
#include "troupe/detail/cell.hpp"
#include "troupe/reply_to.hpp"

namespace troupe {

/// The handle of an ask made outside actors.
template <class R>
class [[nodiscard]] Ask {
 public:
  explicit Ask(std::shared_ptr<detail::OutsideAsk<R>> state) : state_(std::move(state)) {}

  /// True once the ask has ended (get() then returns at once).
  bool ready() const { return state_->ready(); }

  /// The outcome, waiting for it until the ask's timeout: on threads the
  /// caller blocks; in the simulator the call runs the simulation. Only
  /// once. Throws std::logic_error inside an actor or a timer callback
  /// (nothing there may block: use ctx.ask) and on a second call.
  AskResult<R> get() {
    if (taken_) throw std::logic_error("Ask::get() called twice: the outcome was taken already");
    Scheduler& scheduler = state_->runtime().scheduler();
    if (detail::current_cell() != nullptr || scheduler.on_own_thread()) {
      throw std::logic_error(
          "Ask::get() was called inside an actor or a timer callback, where nothing may block: "
          "ask with ctx.ask there, which delivers the outcome as a message");
    }
    auto ready = [this] { return state_->ready(); };
    // Past the deadline (or in a simulation that can no longer change) the
    // ask times out here, even if its timer has not run yet.
    if (!scheduler.wait_until(ready, state_->due())) state_->expire();
    // Another thread may be finishing it: that takes moments, not the timeout.
    while (!ready()) (void)scheduler.wait_until(ready, TimePoint::max());
    taken_ = true;
    return state_->take();
  }

 private:
  std::shared_ptr<detail::OutsideAsk<R>> state_;
  bool taken_ = false;
};

/// Sends `make_request(reply_to)` to `ref` and returns the handle of the
/// reply. `timeout` must be positive; Duration::max() waits as long as it
/// takes. A request the actor refuses ends the ask at once (dead_letter).
template <class R, class M, class F>
Ask<R> ask(const ActorRef<M>& ref, F make_request, Duration timeout) {
  detail::check_ask_timeout(timeout);
  auto state = std::make_shared<detail::OutsideAsk<R>>(
      ref.cell_base()->runtime().shared_from_this(), timeout, ActorId{0}, "(ask)");
  state->arm_timeout();
  // The request holds the only ReplyTo, so a callee that fails or drops it
  // ends the ask at once (AskState::sent judges one dropped during the tell).
  // Made before the tell: make_request's own ReplyTo parameter is gone by
  // then, so the request's copy is the last one.
  const SendResult told = state->send_or_withdraw(
      [&] { return M(make_request(ReplyTo<R>(std::make_shared<detail::AskSlot<R>>(state)))); },
      [&](M&& request) { return ref.tell(std::move(request)); });
  state->sent(told);
  return Ask<R>(std::move(state));
}

}  // namespace troupe
