// The one seam between the actor runtime and the world: threads, time and
// chance. Everything in engine/ that needs any of the three asks a Scheduler,
// so the same actors run on real threads (ThreadScheduler) or on a seeded,
// single-threaded virtual clock (the simulator in sim/).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <typeinfo>

#include "troupe/saturating_time.hpp"
#include "troupe/time.hpp"

namespace troupe {

/// What a Resumable asks of its scheduler after an activation.
enum class ResumeResult : std::uint8_t {
  done,          ///< nothing left to do; it will be scheduled again when work arrives
  resume_later,  ///< quota used up with work left: run it again after others had a turn
  /// It stopped for good in this activation and may already be freed (its
  /// parent no longer holds it): the scheduler must not touch it again.
  retired,
};

/// Who a Resumable is, for schedulers that decide per actor (the simulator's
/// strategies, service times and faults). Valid while the actor lives.
struct ResumableInfo {
  std::uint64_t id = 0;   ///< unique, assigned in spawn order
  std::string_view path;  ///< "/parent/child"
  std::string_view kind;  ///< Props::kind, or empty
};

/// A look at the message an actor's next activation will hand to its
/// handler, for a scheduler that charges service time per message (the
/// simulator's models see it). Valid only until the mailbox changes.
class PendingMessage {
 public:
  PendingMessage() = default;
  PendingMessage(const std::type_info& type, const void* value) : type_(&type), value_(value) {}

  /// False when the next activation handles no user message (a signal, a
  /// lifecycle step, or nothing).
  bool present() const { return value_ != nullptr; }
  /// The message if the actor's message type is `M`, else nullptr.
  template <class M>
  const M* as() const {
    return present() && *type_ == typeid(M) ? static_cast<const M*>(value_) : nullptr;
  }

 private:
  const std::type_info* type_ = nullptr;
  const void* value_ = nullptr;
};

/// Something a scheduler can run: an actor with pending work.
class Resumable {
 public:
  /// Runs at most `max_messages` messages; never blocks.
  virtual ResumeResult resume(std::size_t max_messages) = 0;
  virtual ResumableInfo info() const = 0;
  /// User messages taken into a handler so far (processed or failed), so a
  /// simulator can charge service time for each one.
  virtual std::uint64_t messages_handled() const = 0;
  /// A scheduler that keeps its own clock for handlers (times_handlers())
  /// reports the time the message just handled took on it.
  virtual void handled_in(Duration /*time*/) {}
  /// The user message the next activation would handle, if that is what it
  /// would do. Asked between activations by a single-threaded scheduler.
  virtual PendingMessage next_message() { return {}; }

 protected:
  ~Resumable() = default;
};

/// The longest a handler may declare it works in one call (Context::work).
inline constexpr Duration kMaxWork = std::chrono::hours(24);

/// The interface every scheduler implements.
class Scheduler {
 public:
  virtual ~Scheduler() = default;

  /// Makes `r` runnable. Called once per transition from idle to having work;
  /// the scheduler calls r.resume() later, on some thread it owns.
  virtual void schedule(Resumable& r) = 0;

  /// The scheduler's clock: steady in production, virtual in simulation.
  virtual TimePoint now() const = 0;

  /// Runs `callback` once, `delay` from now (a negative delay means now;
  /// Duration::max() saturates to the end of time: never).
  virtual TimerId after(Duration delay, std::function<void()> callback) = 0;

  /// Cancels a pending timer; false if it already ran or never existed.
  virtual bool cancel(TimerId id) = 0;

  /// The only source of randomness in the runtime.
  virtual std::uint64_t random() = 0;

  /// How many messages one activation may process before others get a turn.
  virtual std::size_t throughput() const = 0;

  /// Blocks the calling (non-actor) thread, or drives a simulation, until
  /// `done()` is true or the clock reaches `deadline`. Returns done().
  /// `done` must be cheap and is called repeatedly. Throws std::logic_error
  /// when called on one of the scheduler's own threads (on_own_thread()).
  virtual bool wait_until(const std::function<bool()>& done, TimePoint deadline) = 0;

  /// True on a thread the scheduler runs actors or timers on (inside step()
  /// for a simulator). Nothing running there may block: a tell made there
  /// never waits for mailbox room, and wait_until throws std::logic_error.
  virtual bool on_own_thread() const { return false; }

  /// True while one of the scheduler's own threads is inside an activation.
  /// A scheduler that runs activations on the caller's thread answers false
  /// to the caller. Lets shutdown tell a handler that does not return (it
  /// cannot be pre-empted) from an actor that is merely waiting for its turn.
  virtual bool running_activations() const { return false; }

  /// Tells threads blocked in wait_until that their condition may now hold.
  virtual void wake_waiters() = 0;

  /// Stops running actors and timers and releases every thread. Called by
  /// the system after its shutdown; what is scheduled afterwards never runs.
  /// A thread still inside an activation (a handler that never returns) may
  /// be left running: the caller then keeps the scheduler alive (System does).
  virtual void stop() = 0;

  /// Whether inject_failure can ever answer true; asked once, so that the
  /// production path pays one branch per message, not a call.
  virtual bool injects_failures() const { return false; }

  /// True when handler time is not what now() shows around a handler (the
  /// simulator charges virtual service time after it) and the scheduler
  /// reports it through Resumable::handled_in instead.
  virtual bool times_handlers() const { return false; }

  /// A handler spends `time` (modelled I/O, computation): by default the
  /// thread sleeps for it; a simulator adds it to the handler's virtual
  /// service time instead. Called from inside a handler, with
  /// 0 <= time <= kMaxWork (Context::work checks).
  virtual void work(Duration time);

  /// How long after now the effects of the running handler take place: the
  /// work it has declared so far (simulator only; real threads slept it).
  virtual Duration effects_delay() const { return Duration::zero(); }

  /// Runs `effect` (a held send) when the running handler's declared work
  /// ends: the simulator keeps each actor's held effects in the order they
  /// were made, releases those due at one instant together, and releases
  /// them before the actor's next activation, so a held send never overtakes
  /// or is overtaken by another send of the same actor. Called only inside a
  /// handler while effects_delay() > 0; other schedulers never hold.
  virtual void hold(std::function<void()> effect) { effect(); }

  /// A fault point before each message: a simulator may answer true (and set
  /// `what`) to make the handler fail as if it had thrown.
  virtual bool inject_failure(const ResumableInfo& /*actor*/, std::uint64_t /*message_seq*/,
                              std::string& /*what*/) {
    return false;
  }
};

}  // namespace troupe
