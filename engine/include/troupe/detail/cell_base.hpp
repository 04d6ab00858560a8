// The untyped half of an actor: its place in the tree, its signal queue, its
// lifecycle (lifecycle.hpp) and the supervision of its children (defined in
// src/detail/supervisor.cpp). The typed half (Cell<M>) adds the mailbox
// (Mailbox<M>) and the instance. All lifecycle state is changed only inside
// the cell's own activation, one thread at a time; other threads talk to a
// cell by enqueuing signals or messages under its lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "troupe/detail/actor_settings.hpp"
#include "troupe/detail/cell_rare.hpp"
#include "troupe/detail/child_table.hpp"
#include "troupe/detail/compact_mutex.hpp"
#include "troupe/detail/intrusive_list.hpp"
#include "troupe/detail/lifecycle.hpp"
#include "troupe/detail/ring_queue.hpp"
#include "troupe/failure.hpp"
#include "troupe/metrics.hpp"
#include "troupe/result.hpp"
#include "troupe/scheduler.hpp"
#include "troupe/send_result.hpp"
#include "troupe/supervision.hpp"

namespace troupe::detail {

class Runtime;
class CellBase;

/// A lifecycle or supervision message between cells. Signals go before user
/// messages and are never subject to mailbox limits (there are at most a few
/// per child and watcher).
struct Signal {
  enum class Kind : std::uint8_t {
    stop,              // stop (children first); `reason` labels leftover messages
    suspend,           // pause user messages (an all_for_one sibling failed)
    resume,            // continue with the same instance
    restart,           // fresh instance after `failure`
    child_failed,      // `other` failed with `failure`: decide
    child_terminated,  // `other`, the last child of a cell waiting for them, has stopped
    terminated,        // `other`, which this cell watches, has stopped
    drain_and_stop,    // handle what is queued, then stop (a pool shrinking)
    run,               // run `action` in the activation: a system command (pool resize, tick)
    stop_self,         // the actor's own ctx.stop(): a normal exit, which a
                       // permanent child turns into a restart by its parent
    child_exited,      // `other`, a permanent child, stopped itself: restart it
  };
  Kind kind;
  std::shared_ptr<CellBase> other;
  Failure failure;
  DeadLetterReason reason = DeadLetterReason::actor_stopped;
  /// For `stop`: why, as the actor's watchers will learn it (with `failure`
  /// for failed and budget_exhausted). For `terminated`: the stopped actor's.
  /// (Beside `reason`, in its padding: a signal costs no more for it.)
  TerminationReason termination = TerminationReason::stopped;
  std::function<void()> action{};
  /// For `terminated`: the user messages this cell had received when the
  /// signal arrived. It is delivered only after that many were taken from
  /// the mailbox, so it never overtakes what the stopped actor sent before.
  std::uint64_t after_messages = 0;
};

/// A stop signal saying why (`failure` for failed and budget_exhausted).
Signal stop_signal(TerminationReason why, const Failure* failure = nullptr,
                   DeadLetterReason reason = DeadLetterReason::actor_stopped);

/// The actor running on this thread, or nullptr outside actors. Kept by the
/// activation (cell_base.cpp); constinit lets other files read it directly,
/// with no call (every send's event asks for its sender).
extern constinit thread_local CellBase* tl_running_cell;

/// The actor currently running on this thread, or nullptr outside actors.
inline CellBase* current_cell() {
  return tl_running_cell;
}

/// The message of the exception being handled (call inside a catch block).
std::string describe_current_exception();

class CellBase : public Resumable, public std::enable_shared_from_this<CellBase> {
 public:
  /// `settings` is the recipe the cell was spawned from, shared with every
  /// other actor spawned from it.
  CellBase(Runtime& runtime, CellBase* parent, ActorId id,
           std::shared_ptr<const ActorSettings> settings);
  CellBase(const CellBase&) = delete;
  CellBase& operator=(const CellBase&) = delete;
  virtual ~CellBase();

  ActorId id() const { return id_; }
  /// The supervisor; nullptr for the guardian.
  const CellBase* parent() const { return parent_; }
  RestartType restart_type() const { return settings_->restart_type; }
  Duration shutdown_timeout() const { return settings_->shutdown_timeout; }
  const std::string& path() const { return path_; }
  /// The `actor` label of this actor's metrics.
  const std::string& metrics_label() const {
    return settings_->metrics_label.empty() ? path_ : settings_->metrics_label;
  }
  /// Whether the label is shared (a pool's workers): its counts outlive the actor.
  bool shares_metrics_label() const { return !settings_->metrics_label.empty(); }
  std::size_t mailbox_capacity() const { return settings_->mailbox.capacity; }
  /// The last part of the path.
  std::string_view name() const { return std::string_view(path_).substr(name_at_); }
  Runtime& runtime() const { return *runtime_; }

  /// Schedules the first activation, which builds the instance.
  void start();
  void enqueue_signal(Signal signal);

  /// Reserves `name` among this cell's children (an empty name gets a unique
  /// generated one) and names the child; an Error when that is not possible.
  std::optional<Error> adopt(std::string name, const std::shared_ptr<CellBase>& child);

  /// This cell watches `target`: one Terminated when it stops (at once if it
  /// has). Watching an actor whose Terminated is still on its way here is
  /// the same watch (one Terminated), as in Akka; so is watching twice.
  void watch(const std::shared_ptr<CellBase>& target);
  /// Ends the watch: no Terminated for `target` reaches this cell afterwards,
  /// even one already on its way (Akka's guarantee).
  void unwatch(CellBase& target);

  /// User messages queued plus the one being handled.
  std::size_t queued() const;
  bool terminated() const;
  /// Nothing queued, running or scheduled: no signal and no message pending.
  bool idle() const;
  /// Messages and signals ever queued here: grows with every piece of work.
  std::uint64_t activity() const {
    return enqueued_.load(std::memory_order_relaxed) + signals_.load(std::memory_order_relaxed);
  }

  /// Shutdown past its deadline: closes the mailbox and turns what is queued
  /// into shutdown_abandoned dead letters. Returns how many.
  std::size_t abandon_queue();

  std::uint64_t enqueued_count() const { return enqueued_.load(std::memory_order_relaxed); }
  std::uint64_t processed_count() const { return processed_.load(std::memory_order_relaxed); }
  std::uint64_t abandoned_count() const { return rare_count(&CellRare::abandoned); }
  std::uint64_t restart_count() const { return rare_count(&CellRare::restarts); }
  std::uint64_t failure_count() const { return rare_count(&CellRare::failures); }

  /// Processed count when shutdown began (guarded by the runtime's registry).
  std::uint64_t processed_at_shutdown = 0;
  /// This cell's place among the runtime's live cells (guarded by its registry).
  ListLinks<CellBase> registry_links;

  // Typed lookup (System::find).
  /// The child named `name`, or nullptr.
  std::shared_ptr<CellBase> find_child(std::string_view name) const;
  /// The type of the messages this actor handles (none for the guardian).
  virtual const std::type_info& message_type() const { return typeid(void); }

  ResumeResult resume(std::size_t max_messages) final;
  PendingMessage next_message() final;
  ResumableInfo info() const final { return ResumableInfo{id_, path_, settings_->kind}; }
  /// Sampled as on threads (one message in timing_sample_every): an
  /// observation is two atomic updates, a sixth of a simulated delivery.
  void handled_in(Duration time) final;
  /// Records one sampled handler time (the caller has done the sampling).
  void observe_handled(Duration time);
  std::uint64_t messages_handled() const final { return received_.load(std::memory_order_relaxed); }

 protected:
  // The typed half. Called only inside the activation, except the *_locked
  // functions, which are called with mu_ held.
  virtual bool process_one() = 0;
  virtual std::size_t user_queue_size_locked() const = 0;
  /// The oldest queued user message, if any (the next process_one's).
  virtual PendingMessage front_message_locked() const = 0;
  /// Closes the mailbox for good and drops what it holds; returns how many
  /// were dropped (the caller counts them as dead letters).
  virtual std::size_t close_mailbox_locked() = 0;
  virtual void create_instance() = 0;
  virtual void destroy_instance() noexcept = 0;
  virtual bool has_instance() const = 0;
  virtual void hook_pre_start() = 0;
  virtual void hook_post_stop() = 0;
  virtual void hook_pre_restart(const Failure& failure) = 0;
  virtual void hook_terminated(const Terminated& terminated) = 0;
  /// Stopping with messages queued: a pool worker hands them to its
  /// replacement instead of dropping them. True if it did.
  virtual bool hand_over_queue() { return false; }
  /// The mailbox closed for good: fires every room wait listed for it (the
  /// producers retry and see the stop). Called without mu_.
  virtual void release_room_waiters() {}
  /// The gate is closed: this actor waits for room elsewhere (Context::offer).
  bool waiting_for_room() const {
    std::lock_guard lock(mu_);
    return waiting_for_room_locked();
  }
  virtual bool waiting_for_room_locked() const { return false; }
  /// Whether process_one would find something to handle (mu_ held,
  /// activation only): a message past the gate, or a room notice.
  virtual bool user_work_ready_locked() const { return user_queue_size_locked() > 0; }

  /// Called by process_one when a handler threw: the message is a
  /// handler_failed dead letter (unless `message_accounted`: the handler
  /// stashed it or it became a dead letter already), the cell suspends and
  /// tells its parent.
  void handler_threw(std::string what, std::uint64_t message_seq, bool message_accounted = false);

  // --- Stash (troupe/detail/cell_extras.hpp) ---
  /// Stopping: the typed half drops what its stash holds and returns how
  /// many (dead letters with the stop's reason). Activation only.
  virtual std::size_t drop_stash() { return 0; }
  // --- end stash ---

  /// Counts `n` messages abandoned at a shutdown deadline.
  void count_abandoned(std::uint64_t n);

  /// Schedules this cell if it was idle; called after enqueuing with mu_ released.
  void schedule_if(bool needed);

  /// Marks the cell scheduled when work was added; returns whether the
  /// caller must call schedule_if(true) after releasing mu_.
  bool mark_scheduled_locked() {
    if (scheduled_) return false;
    scheduled_ = true;
    return true;
  }
  /// Whether an activation is scheduled or running (mu_ held).
  bool scheduled_locked() const { return scheduled_; }

  const std::shared_ptr<Runtime> runtime_;  // shared: a ref that outlives its system still counts
  const std::shared_ptr<const ActorSettings> settings_;
  /// Increments a counter that has one writer at a time (the activation, or
  /// the holder of mu_) and is only read elsewhere: no read-modify-write needed.
  static std::uint64_t bump(std::atomic<std::uint64_t>& counter, std::uint64_t by = 1) {
    const std::uint64_t next = counter.load(std::memory_order_relaxed) + by;
    counter.store(next, std::memory_order_relaxed);
    return next;
  }

  // The small fields sit together, in groups of eight bytes, so that no
  // padding grows the cell: its size is paid once per actor.
  mutable CompactMutex mu_;        // four bytes: see compact_mutex.hpp
  std::uint32_t until_timed_ = 1;  // messages until the next timed one
  std::uint32_t name_at_ = 0;      // where the name starts in path_
  // Set under mu_ together with the pop, cleared after the handler without
  // the lock: queued() never misses a message between mailbox and handler.
  std::atomic<bool> in_flight_{false};

 private:
  using State = LifecycleState;

  // All four guarded by mu_, so sharing a byte is no race. accepting_children_:
  // not stopping or restarting (a restart would wait forever for a child
  // spawned meanwhile); awaiting_children_: stopping or restarting, this cell
  // waits for its children, and the last to leave the table tells it
  // (child_terminated).
  bool scheduled_ : 1 = false;
  bool terminated_ : 1 = false;
  bool accepting_children_ : 1 = true;
  bool awaiting_children_ : 1 = false;
  Lifecycle lifecycle_;  // activation only
  // Activation only, all three (so sharing a byte is no race); stop_reason_
  // says why it is stopping, read by watchers once terminated_ is set;
  // exit_reported_: a permanent child's own stop waits for its restart (a
  // second ctx.stop() meanwhile changes nothing). A byte of its own would
  // grow every cell by eight.
  bool stop_when_empty_ : 1 = false;
  TerminationReason stop_reason_ : 3 = TerminationReason::stopped;
  bool exit_reported_ : 1 = false;
  // Lets an activation skip the lock when no signal is pending (the common case).
  std::atomic<bool> has_signals_{false};
  // Whether Terminated signals wait in the rare block (cell_rare.hpp): read
  // by idle() (a Terminated waiting for a suspended actor's restart is work
  // quiescence must see) and, without a load of the block, by activations.
  std::atomic<bool> has_deferred_{false};

 protected:
  // --- Stash (troupe/detail/cell_extras.hpp); here, it fills padding ---
  /// Messages in the stash: queued, for the conservation law. Written by
  /// the activation only (under mu_ when it moves them to the mailbox).
  std::atomic<std::uint32_t> stashed_{0};
  // --- end stash ---

 protected:
  std::atomic<std::uint64_t> enqueued_{0};
  std::atomic<std::uint64_t> processed_{0};
  std::atomic<std::uint64_t> received_{0};
  std::atomic<std::uint64_t> signals_{0};

 private:
  /// Registers `watcher` for a terminated signal; if this cell has already
  /// stopped, the signal is sent at once.
  void add_watcher(const std::shared_ptr<CellBase>& watcher);
  void remove_watcher(const CellBase& watcher);
  std::optional<Signal> take_signal();
  /// Messages taken out of the mailbox so far (handled, failed or dropped).
  std::uint64_t dequeued_count() const;
  void on_terminated_signal(Signal& signal);
  /// Delivers the oldest deferred Terminated if its messages were taken.
  bool deliver_due_termination();
  void deliver_terminated(const Signal& signal);
  ResumeResult finish_activation();
  void handle(Signal& signal);
  void on_create();
  void on_stop(DeadLetterReason reason, TerminationReason why = TerminationReason::stopped,
               const Failure* failure = nullptr);
  /// The Terminated signal this (stopped) cell sends its watchers.
  Signal termination_signal();
  void on_restart(const Failure& failure);
  /// The actor's own ctx.stop(): a stop, unless this is a permanent child
  /// outside shutdown, which waits for its parent to restart it instead.
  void on_stop_self(const Signal& signal);
  /// A stopped child leaves the table (on the child's thread, under this
  /// cell's lock): no signal and no activation per child. Returns whether it
  /// was the last one this cell waited for: the child then sends
  /// child_terminated, after its watchers' Terminated.
  bool release_child(const CellBase& child);
  /// Refuses new children; returns whether children remain, and if so the
  /// last of them to stop sends child_terminated.
  bool await_children();
  /// Back to running (a restart completed, or was abandoned for a resume):
  /// children may be spawned again, and none is awaited.
  void welcome_children();
  /// The last child this cell waited for has stopped: the stop or restart goes on.
  void on_last_child_stopped();
  void stop_children(DeadLetterReason reason);
  /// Stops `child` for a supervision decision, saying why.
  static void stop_child(CellBase& child, TerminationReason why, const Failure* failure);

  // Supervision of this cell's children (src/detail/supervisor.cpp): a
  // failed child's policy decides, and the decision is applied here.
  void on_child_failed(const std::shared_ptr<CellBase>& child, const Failure& failure);
  /// A permanent child stopped itself: restarted by the scope, as OTP does,
  /// charged to the budgets like a failure's restart, whatever the decider says.
  void on_child_exited(const std::shared_ptr<CellBase>& child);
  /// Whom a restart decision covers: the scope of the parent's strategy
  /// (under all_for_one, every sibling), or the failed child alone (a resume
  /// of a child that has no instance to resume).
  enum class RestartScope { by_strategy, only_the_failed };
  /// Restarts `failed` (and, by the scope, its siblings) after the backoff,
  /// each within its own restart budget.
  void restart_children(const std::shared_ptr<CellBase>& failed, const Failure& failure,
                        RestartScope scope);
  /// The children a decision about `failed` covers: itself alone, all
  /// children by name (all_for_one), or it and those spawned after it in
  /// spawn order (rest_for_one).
  std::vector<std::shared_ptr<CellBase>> decision_group(const std::shared_ptr<CellBase>& failed,
                                                        RestartScope scope) const;
  /// Stops the group, `failed` (and `exhausted`, if any) with the failure.
  void stop_group(const std::vector<std::shared_ptr<CellBase>>& group, const CellBase& failed,
                  TerminationReason failed_why, const Failure& failure,
                  const CellBase* exhausted = nullptr);
  /// A temporary child accepts no restart: stopped instead, as an event.
  void stop_instead_of_restart(CellBase& child, TerminationReason why, const Failure* failure);
  /// `exhausted` (the failed child or, under all_for_one, a sibling) has no
  /// restart left: stop the decision's scope and escalate.
  void budget_exhausted(const CellBase& exhausted, const std::shared_ptr<CellBase>& failed,
                        const Failure& failure, RestartScope scope);
  /// Fails this cell with a child's failure: its own supervisor decides.
  void escalate(const Failure& failure);

  void fail(Failure failure);
  void complete_restart();
  void finish_stop();
  /// The children, ordered by name: deterministic walks.
  std::vector<std::shared_ptr<CellBase>> children_snapshot() const;
  template <class Fn>
  bool guarded(Fn&& fn, std::uint64_t message_seq);

  CellBase* const parent_;
  const ActorId id_;
  std::string path_;
  // Guarded by mu_. The signal queue holds no buffer while empty: an idle
  // actor keeps nothing for signals it rarely gets.
  RingQueue<Signal> pending_signals_;
  // Children, watches, failures, restarts, deferred Terminated signals (cell_rare.hpp):
  // made by the first use, from whichever thread comes first, and published
  // once; never replaced until the cell is destroyed.
  std::atomic<CellRare*> rare_{nullptr};

  /// The rare block, made now if it was not (any thread).
  CellRare& rare();
  /// The rare block if it was made, else nullptr (any thread).
  CellRare* rare_if_made() const { return rare_.load(std::memory_order_acquire); }
  std::uint64_t rare_count(std::atomic<std::uint64_t> CellRare::*counter) const {
    const CellRare* r = rare_if_made();
    return r == nullptr ? 0 : (r->*counter).load(std::memory_order_relaxed);
  }
};

}  // namespace troupe::detail
