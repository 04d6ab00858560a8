// Context<M>: what an actor can do from inside its handlers: address itself,
// spawn and stop children, watch other actors, set timers, read the clock.
// Valid only inside the actor's own hooks and handlers.
// The member bodies are in troupe/detail/context_impl.hpp (they need the actor's
// typed cell complete).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "troupe/actor_ref.hpp"
#include "troupe/behaviour.hpp"
#include "troupe/event_stream.hpp"
#include "troupe/offer.hpp"
#include "troupe/props.hpp"
#include "troupe/reply_to.hpp"
#include "troupe/result.hpp"
#include "troupe/time.hpp"

namespace troupe {

class System;
template <class M>
class Pool;

namespace detail {
template <class M>
class Cell;
}

/// The longest text Context::note takes.
inline constexpr std::size_t kMaxNoteBytes = 4096;

template <class M>
class Context {
 public:
  explicit Context(detail::Cell<M>& cell) : cell_(cell) {}
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  ActorRef<M> self() const;
  ActorId id() const;
  const std::string& path() const;
  /// The last part of the path.
  std::string_view name() const;
  System& system() const;

  /// A child supervised by this actor. An empty name generates one. A
  /// duplicate name among siblings is an Error, not an exception.
  template <class C>
  Result<ActorRef<C>> spawn(std::string name, Props<C> props);

  /// Delivers Actor::on_terminated once `ref` stops (at once if it already has).
  template <class T>
  void watch(const ActorRef<T>& ref);
  template <class T>
  void unwatch(const ActorRef<T>& ref);

  /// Stops this actor after the current message; what is still queued becomes
  /// actor_stopped dead letters. Children stop first. A permanent actor
  /// (Props::restart_type) is restarted by its parent instead, outside
  /// shutdown: its queued messages wait for the fresh instance.
  void stop();
  /// Stops another actor (usually a child) the same way.
  template <class T>
  void stop(const ActorRef<T>& ref);

  /// Sends `message` to this actor after `delay` on the scheduler's clock.
  /// Until then the message counts as sent and queued (quiescence and a
  /// draining shutdown wait for it). Pending timers are cancelled when the
  /// actor restarts or stops; a cancelled timer's message is a
  /// `timer_cancelled` dead letter.
  TimerId schedule_once(Duration delay, M message);
  /// Cancels one of this actor's pending timers (its message becomes a
  /// `timer_cancelled` dead letter); false if it fired already or is unknown.
  bool cancel_timer(TimerId id);

  /// Spends `time` in this handler, for modelled I/O or computation: on
  /// real threads the thread sleeps; in the simulator the handler's virtual
  /// service time grows by `time`, and what the handler sends or arms after
  /// the call takes effect when that work ends (a message to an actor or a
  /// pool arrives then, counted as queued until it does; a timer's delay
  /// starts then; spawns and stops still happen at once). Throws
  /// std::invalid_argument outside 0 <= time <= kMaxWork.
  void work(Duration time);

  /// Annotates the run: a `note` event of this actor with `text`, at the
  /// current (virtual) time, which traces keep and timelines show on the
  /// actor's lane (`troupe show`). Costs one branch when no one records.
  /// Throws std::invalid_argument for a text over kMaxNoteBytes.
  void note(std::string_view text);

  // --- Behaviours, stash and timers (troupe/detail/cell_extras.hpp) ---

  /// From the next message on, `behaviour` handles messages instead of
  /// `receive`. Become::replace (the default, as in Akka) replaces the top of
  /// the behaviour stack; Become::push pushes. Throws std::invalid_argument
  /// for an empty behaviour, std::length_error past kMaxBehaviourDepth.
  void become(Behaviour<M> behaviour, Become mode = Become::replace);
  /// Pops the behaviour stack; with it empty, `receive` handles messages
  /// again. Popping an empty stack does nothing.
  void unbecome();

  /// Sets the message being handled aside, moving it out of the handler's
  /// argument (do not use the argument afterwards). False when the stash is
  /// full (Props::stash): the message is then a `stash_full` dead letter.
  /// Throws std::logic_error outside receive or for a message already
  /// stashed.
  bool stash();
  /// Puts every stashed message back at the front of the mailbox, in the
  /// order stashed, ahead of newer messages and outside the mailbox's bound
  /// (never refused, never dropped). Returns how many.
  std::size_t unstash_all();
  /// Puts the oldest stashed message back at the front; false if none.
  bool unstash();
  std::size_t stash_size() const;

  /// A repeating timer: `message` (copied per tick, so M must be copyable)
  /// arrives every `interval`, with a fixed delay: the next tick is armed
  /// when the previous one is queued. A timer of the same name is replaced,
  /// and a tick of a cancelled or replaced timer still in the mailbox is
  /// not handled (a timer_cancelled dead letter). Repeating timers do not
  /// hold up quiescence or a draining shutdown. Throws std::invalid_argument
  /// for an interval <= 0; Duration::max() never ticks.
  void start_timer(std::string name, Duration interval, M message);
  /// A named single timer: `message` arrives after `delay` (at once for
  /// <= 0), like schedule_once, and replaces a timer of the same name.
  void start_single_timer(std::string name, Duration delay, M message);
  /// Cancels the named timer (its held message becomes a timer_cancelled
  /// dead letter, and so does a message of it already queued); false if
  /// there is none.
  bool cancel_timer(std::string_view name);
  /// Whether the named timer is armed, or fired and its message is not yet taken.
  bool timer_active(std::string_view name) const;
  /// Delivers `message` (copied, so M must be copyable) after `after` with
  /// no message handled; every handled message but that one re-arms it.
  /// Replaces an earlier setting. Does not hold up quiescence or a draining
  /// shutdown. Throws std::invalid_argument for after <= 0.
  void set_receive_timeout(Duration after, M message);
  void cancel_receive_timeout();
  // --- end behaviours, stash and timers ---

  // Request and reply (troupe/ask.hpp; bodies in troupe/detail/ask_impl.hpp).

  /// A ReplyTo<R> that reaches this actor as its own message `adapt(reply)`
  /// (an M): an actor of this protocol receives the replies of another.
  /// `adapt` runs in whoever replies: if it throws, the reply is a
  /// `handler_failed` dead letter of this actor, the replier's tell says
  /// `actor_stopped`, and the replier does not fail.
  template <class R, class F>
  ReplyTo<R> adapter(F adapt);
  /// Sends `make_request(reply_to)` to `ref`; the outcome (the reply, a
  /// timeout after `timeout`, the callee's failure, a dead letter) arrives
  /// later as this actor's own message `on_outcome(AskResult<R>)`, exactly
  /// once, even after a restart of this actor. Nothing blocks. `on_outcome`
  /// runs where the ask ends (maybe another thread): a pure mapping, no
  /// Context. `timeout` must be positive; Duration::max() means none.
  template <class R, class T, class F, class G>
  void ask(const ActorRef<T>& ref, F make_request, Duration timeout, G on_outcome);

  /// Publishes `event` on the system's event stream (EventStream::publish).
  /// In the simulator, after declared work, it is published when the work
  /// ends (PublishStatus::held), like a tell.
  template <class E>
  PublishResult publish(E event);
  // Backpressure (troupe/offer.hpp; bodies in troupe/detail/offer_impl.hpp).

  /// Tells `to` `message` if its mailbox has room (`accepted`, moved from).
  /// If full, `message` stays with the caller (not a dead letter: nothing was
  /// sent) and the result is `full`: from then on this actor handles none of
  /// its own messages until `notice` arrives, as its next message, once the
  /// receiver has room or has stopped (retry: the refusal is then counted).
  /// One wait at a time: offering while waiting returns `full` again and the
  /// first notice answers both. `busy`: the receiver has its limit of waiters
  /// (MailboxSettings::max_room_waiters), no notice comes; `refused`: a stop
  /// or a shutdown, counted as a dead letter like a tell. In the simulator
  /// the offer takes effect at once, even after ctx.work(). Offering to
  /// itself throws std::logic_error (it would wait for itself).
  template <class T>
  OfferResult offer(const ActorRef<T>& to, T& message, M notice);
  /// The same through a pool: any worker with room takes it (with
  /// consistent_hash, only the key's worker); the notice comes when one of
  /// them has room. Throws std::logic_error for a broadcast pool.
  template <class T>
  OfferResult offer(const Pool<T>& to, T& message, M notice);

  TimePoint now() const;
  std::uint64_t random() const;
  /// The 1-based number of the message being handled.
  std::uint64_t message_seq() const;

 private:
  detail::Cell<M>& cell_;

  // --- Stash: the message in receive (troupe/detail/cell_extras.hpp) ---
  friend class detail::Cell<M>;
  Context(detail::Cell<M>& cell, M& message) : cell_(cell), message_(&message) {}
  M* message_ = nullptr;  // until stashed or a stash_full dead letter; null outside receive
  // --- end stash ---
};

}  // namespace troupe
