#include "troupe/detail/cell_base.hpp"

#include <algorithm>
#include <exception>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/detail/runtime.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/events.hpp"

namespace troupe::detail {

void CellBase::handled_in(Duration time) {
  const std::uint32_t every = runtime_->timing_sample_every();
  if (every == 0 || --until_timed_ != 0) return;
  until_timed_ = every;
  observe_handled(time);
}

void CellBase::observe_handled(Duration time) {
  runtime_->processing_histogram(settings_->kind)
      .observe(std::chrono::duration<double>(time).count());
}

constinit thread_local CellBase* tl_running_cell = nullptr;

namespace {

class ActivationScope;
thread_local ActivationScope* tl_activation = nullptr;

/// Marks the running actor for the activation's duration, so that tell can
/// tell actors (never blocked) from outside senders. A cell that stops in
/// its activation parks its last reference here: its parent may drop its own
/// on another thread at any moment, and the cell must outlive the
/// activation. (A member for it would cost every cell sixteen bytes.)
class ActivationScope {
 public:
  explicit ActivationScope(CellBase* cell) : cell_(cell), previous_(tl_activation) {
    tl_activation = this;
    tl_running_cell = cell;
  }
  // The restore comes first; the parked reference (maybe the cell's last)
  // goes after it, with the members.
  ~ActivationScope() {
    tl_activation = previous_;
    tl_running_cell = previous_ != nullptr ? previous_->cell() : nullptr;
  }
  ActivationScope(const ActivationScope&) = delete;
  ActivationScope& operator=(const ActivationScope&) = delete;

  CellBase* cell() const { return cell_; }
  void keep_alive(std::shared_ptr<CellBase> cell) { keep_alive_ = std::move(cell); }

 private:
  CellBase* const cell_;
  ActivationScope* const previous_;
  std::shared_ptr<CellBase> keep_alive_;
};

bool valid_name(const std::string& name) {
  return name.find('/') == std::string::npos && name.size() <= 256 &&
         std::none_of(name.begin(), name.end(), [](char c) { return c < ' ' || c == 127; });
}

}  // namespace

std::string describe_current_exception() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception (not derived from std::exception)";
  }
}

Signal stop_signal(TerminationReason why, const Failure* failure, DeadLetterReason reason) {
  Signal signal{Signal::Kind::stop, nullptr, failure != nullptr ? *failure : Failure{}, reason};
  signal.termination = why;
  return signal;
}

CellBase::CellBase(Runtime& runtime, CellBase* parent, ActorId id,
                   std::shared_ptr<const ActorSettings> settings)
    : runtime_(runtime.shared_from_this()),
      settings_(std::move(settings)),
      parent_(parent),
      id_(id) {
  TROUPE_ASSERT(settings_ != nullptr);
}

CellBase::~CellBase() {
  delete rare_.load(std::memory_order_acquire);
}

CellRare& CellBase::rare() {
  CellRare* made = rare_.load(std::memory_order_acquire);
  if (made != nullptr) return *made;
  // Two threads may both find none (a parent's restart history and the
  // child's own failure count): the first to publish wins, the other's goes.
  auto fresh = std::make_unique<CellRare>();
  if (rare_.compare_exchange_strong(made, fresh.get(), std::memory_order_acq_rel,
                                    std::memory_order_acquire)) {
    return *fresh.release();
  }
  return *made;
}

void CellBase::count_abandoned(std::uint64_t n) {
  if (n == 0) return;  // most cells abandon nothing: they keep no rare block for it
  rare().abandoned.fetch_add(n, std::memory_order_relaxed);
}

void CellBase::start() {
  // Creation is the first thing every activation checks (state created),
  // not a queued signal: queuing one would allocate a signal buffer per
  // spawn, which the heap rarely gets back in one piece. It still counts as
  // a signal, so quiescence checks see it.
  bool schedule = false;
  {
    std::lock_guard lock(mu_);
    signals_.fetch_add(1, std::memory_order_relaxed);
    schedule = mark_scheduled_locked();
  }
  schedule_if(schedule);
}

void CellBase::enqueue_signal(Signal signal) {
  bool schedule = false;
  {
    std::lock_guard lock(mu_);
    if (terminated_) return;  // a stopped cell has nothing left to decide
    if (signal.kind == Signal::Kind::terminated) {
      // Every message the stopped actor sent here is already counted.
      signal.after_messages = enqueued_.load(std::memory_order_relaxed);
    }
    pending_signals_.push_back(std::move(signal));
    signals_.fetch_add(1, std::memory_order_relaxed);
    has_signals_.store(true, std::memory_order_release);
    schedule = mark_scheduled_locked();
  }
  schedule_if(schedule);
}

void CellBase::schedule_if(bool needed) {
  if (needed) runtime_->scheduler().schedule(*this);
}

std::shared_ptr<CellBase> CellBase::find_child(std::string_view name) const {
  std::lock_guard lock(mu_);
  const CellRare* r = rare_if_made();
  if (r == nullptr || !r->children) return nullptr;
  return r->children->find(name);
}

std::optional<Error> CellBase::adopt(std::string name, const std::shared_ptr<CellBase>& child) {
  std::lock_guard lock(mu_);
  if (runtime_->shutting_down()) {
    return Error{ErrorCode::system_shutting_down,
                 "cannot spawn '" + name + "': the actor system is shutting down"};
  }
  if (!accepting_children_) {
    // lifecycle_ is the activation's own: this may run on another thread.
    return Error{ErrorCode::parent_stopping,
                 "cannot spawn '" + name + "': its parent " + path_ + " is stopping or restarting"};
  }
  auto& children = rare().children;
  if (!children) children = std::make_unique<ChildTable>();
  const bool generated = name.empty();
  if (!generated && !valid_name(name)) {
    return Error{ErrorCode::invalid_name,
                 "invalid actor name '" + name + "': no '/' or control characters, at most 256"};
  }
  child->name_at_ = static_cast<std::uint32_t>(path_.size() + 1);
  // One walk down the table per spawn, not three (two lookups and the
  // insert): with many children each walk compares names all the way down.
  while (true) {
    if (generated) name = std::string("$").append(std::to_string(++children->generated_names));
    child->path_ = path_ + "/" + name;
    if (children->insert(child)) return std::nullopt;
    // A user may have taken a generated name ("$3") already: the next one.
    if (!generated) break;
  }
  child->path_.clear();
  return Error{ErrorCode::duplicate_name, "an actor named '" + name + "' already exists under " +
                                              (path_.empty() ? std::string("/") : path_)};
}

void CellBase::watch(const std::shared_ptr<CellBase>& target) {
  TROUPE_ASSERT(target != nullptr);
  {
    std::lock_guard lock(mu_);
    auto& watching = rare().watching;
    if (!watching) watching = std::make_unique<std::set<ActorId>>();
    if (!watching->insert(target->id()).second) return;  // already watched, Terminated pending
  }
  target->add_watcher(shared_from_this());
}

void CellBase::unwatch(CellBase& target) {
  {
    std::lock_guard lock(mu_);
    if (CellRare* r = rare_if_made(); r != nullptr && r->watching) r->watching->erase(target.id());
  }
  target.remove_watcher(*this);
}

void CellBase::add_watcher(const std::shared_ptr<CellBase>& watcher) {
  {
    std::lock_guard lock(mu_);
    if (!terminated_) {
      // Watching twice is one watch (one Terminated), as in Akka.
      auto& watchers = rare().watchers;
      if (!watchers) watchers = std::make_unique<std::vector<std::weak_ptr<CellBase>>>();
      const bool already = std::any_of(watchers->begin(), watchers->end(),
                                       [&](const auto& w) { return w.lock() == watcher; });
      if (!already) watchers->push_back(watcher);
      return;
    }
  }
  // Stopped: its reason and cause are final, written before terminated_ was.
  watcher->enqueue_signal(termination_signal());
}

void CellBase::remove_watcher(const CellBase& watcher) {
  std::lock_guard lock(mu_);
  CellRare* r = rare_if_made();
  if (r == nullptr || !r->watchers) return;
  std::erase_if(*r->watchers, [&](const std::weak_ptr<CellBase>& w) {
    auto p = w.lock();
    return p == nullptr || p.get() == &watcher;
  });
}

std::size_t CellBase::queued() const {
  std::lock_guard lock(mu_);
  return user_queue_size_locked() + (in_flight_.load(std::memory_order_acquire) ? 1 : 0) +
         stashed_.load(std::memory_order_relaxed);  // stashed messages are queued too
}

bool CellBase::idle() const {
  std::lock_guard lock(mu_);
  return !scheduled_ && user_queue_size_locked() == 0 &&
         !in_flight_.load(std::memory_order_relaxed) &&
         !has_deferred_.load(std::memory_order_acquire);
}

bool CellBase::terminated() const {
  std::lock_guard lock(mu_);
  return terminated_;
}

std::size_t CellBase::abandon_queue() {
  std::size_t count = 0;
  {
    UnansweredScope requests(DeadLetterReason::shutdown_abandoned);  // asks end after unlocking
    std::lock_guard lock(mu_);
    count = close_mailbox_locked();
  }
  release_room_waiters();
  count_abandoned(count);
  runtime_->dead_letter(DeadLetterReason::shutdown_abandoned, *this, count);
  return count;
}

ResumeResult CellBase::resume(std::size_t max_messages) {
  ActivationScope scope(this);
  std::size_t i = 0;
  if (lifecycle_.is(State::created)) {
    on_create();  // takes one turn of the activation, as any signal does
    ++i;
  }
  for (; i < max_messages; ++i) {
    if (auto signal = take_signal()) {
      handle(*signal);
      continue;
    }
    if (!lifecycle_.is(State::running)) break;
    if (has_deferred_.load(std::memory_order_relaxed) && deliver_due_termination()) continue;
    if (!process_one()) {
      // Out of routing and drained: nothing more can arrive through the pool.
      // (process_one fails no actor when it finds nothing: still running.)
      // A worker waiting for room holds work back (gated): not drained yet.
      if (stop_when_empty_ && !waiting_for_room()) {
        on_stop(DeadLetterReason::actor_stopped, TerminationReason::stopped_by_parent);
      }
      break;
    }
  }
  // A stopped cell is held alive by `scope` until after this returns.
  return finish_activation();
}

PendingMessage CellBase::next_message() {
  // Mirrors resume(): a lifecycle step or a signal comes before any message,
  // and a Terminated that is due is delivered before the next message.
  if (!lifecycle_.is(State::running) || has_signals_.load(std::memory_order_acquire)) return {};
  if (has_deferred_.load(std::memory_order_relaxed) &&
      dequeued_count() >= rare_if_made()->deferred_terminations->front().after_messages) {
    return {};
  }
  std::lock_guard lock(mu_);
  return front_message_locked();
}

std::optional<Signal> CellBase::take_signal() {
  if (!has_signals_.load(std::memory_order_acquire)) return std::nullopt;
  std::lock_guard lock(mu_);
  if (pending_signals_.empty()) return std::nullopt;
  Signal s = std::move(pending_signals_.front());
  pending_signals_.pop_front();
  if (pending_signals_.empty()) {
    has_signals_.store(false, std::memory_order_relaxed);
    pending_signals_.release_if_empty();
  }
  return s;
}

ResumeResult CellBase::finish_activation() {
  std::lock_guard lock(mu_);
  // A drained actor asked to stop runs once more to stop itself (not while
  // it waits for room: the notice that ends the wait schedules it).
  const bool runnable =
      lifecycle_.is(State::running) &&
      (user_work_ready_locked() || (stop_when_empty_ && !waiting_for_room_locked()) ||
       has_deferred_.load(std::memory_order_relaxed));
  if (!terminated_ && (!pending_signals_.empty() || runnable)) return ResumeResult::resume_later;
  scheduled_ = false;
  // Stopped: the caller's reference may be the last one left (the cell has
  // left its parent's table), so it must not look at the cell again.
  return terminated_ ? ResumeResult::retired : ResumeResult::done;
}

void CellBase::handle(Signal& signal) {
  switch (signal.kind) {
    case Signal::Kind::stop:
      // A second stop is a legal race, not a bug: the actor's own ctx.stop,
      // its parent's stop of all children, a supervision decision and a
      // shutdown may each send one. The first wins.
      if (!lifecycle_.stopping_or_stopped()) {
        on_stop(signal.reason, signal.termination, &signal.failure);
      }
      break;
    case Signal::Kind::suspend:
      // Only a running actor pauses: one that failed is already suspended,
      // and one restarting or stopping has no user work to pause.
      if (lifecycle_.is(State::running)) lifecycle_.move_to(State::suspended);
      break;
    case Signal::Kind::resume:
      // Late resumes are legal: the actor may have been restarted or stopped
      // by a later decision that overtook this one.
      if (!lifecycle_.is(State::suspended)) break;
      if (has_instance()) {
        lifecycle_.move_to(State::running);
        // A restart that failed over (a child's escalation suspended it)
        // and was then resumed: the old instance runs on and may spawn.
        welcome_children();
      } else {
        // The factory itself failed: there is nothing to resume, so build anew.
        on_restart(Failure{path_, "resume without an instance", 0, runtime_->scheduler().now()});
      }
      break;
    case Signal::Kind::restart:
      // Legal races: a restart delayed by backoff may arrive after a stop,
      // and under all_for_one two siblings' failures each restart all, so a
      // second restart may find the first still stopping the children.
      if (!lifecycle_.stopping_or_stopped() && !lifecycle_.is(State::restarting)) {
        on_restart(signal.failure);
      }
      break;
    case Signal::Kind::child_failed:
      on_child_failed(signal.other, signal.failure);
      break;
    case Signal::Kind::child_terminated:
      on_last_child_stopped();
      break;
    case Signal::Kind::drain_and_stop:
      stop_when_empty_ = true;
      break;
    case Signal::Kind::terminated:
      on_terminated_signal(signal);
      break;
    case Signal::Kind::run:
      if (!lifecycle_.stopping_or_stopped()) {
        guarded([&] { signal.action(); }, 0);
      }
      break;
    case Signal::Kind::stop_self:
      on_stop_self(signal);
      break;
    case Signal::Kind::child_exited:
      on_child_exited(signal.other);
      break;
  }
}

std::uint64_t CellBase::dequeued_count() const {
  std::lock_guard lock(mu_);
  return enqueued_.load(std::memory_order_relaxed) - user_queue_size_locked();
}

void CellBase::on_terminated_signal(Signal& signal) {
  // Behind an earlier deferred one, or ahead of messages the stopped actor
  // sent before it: wait (Akka's ordering guarantee for Terminated). A
  // suspended or restarting actor runs no user code either: its failed
  // instance must not see it, the instance that resumes or replaces it does
  // (deliver_due_termination runs only while running).
  const bool deferring = has_deferred_.load(std::memory_order_relaxed);
  if (deferring || !lifecycle_.is(State::running) || dequeued_count() < signal.after_messages) {
    auto& deferred = rare().deferred_terminations;
    if (!deferring) {
      deferred = std::make_unique<RingQueue<Signal>>();
      has_deferred_.store(true, std::memory_order_release);
    }
    // Marks never decrease (signals are taken in the order they were queued,
    // each marked with the growing enqueued count): only the front is due.
    TROUPE_ASSERT(deferred->empty() || deferred->back().after_messages <= signal.after_messages);
    deferred->push_back(std::move(signal));
    return;
  }
  deliver_terminated(signal);
}

bool CellBase::deliver_due_termination() {
  // has_deferred_ mirrors a queue that exists and holds something.
  auto& deferred = rare().deferred_terminations;
  TROUPE_ASSERT(deferred && !deferred->empty());
  if (dequeued_count() < deferred->front().after_messages) return false;
  Signal signal = std::move(deferred->front());
  deferred->pop_front();
  deliver_terminated(signal);
  // The delivery may have stopped the actor (finish_stop clears the queue).
  if (deferred && deferred->empty()) {
    // Cleared after the delivery: quiescence never sees a gap between the two.
    deferred.reset();
    has_deferred_.store(false, std::memory_order_release);
  }
  return true;
}

void CellBase::deliver_terminated(const Signal& signal) {
  {
    // Only a watch that is still on gets its (one) Terminated.
    std::lock_guard lock(mu_);
    CellRare* r = rare_if_made();
    if (r == nullptr || !r->watching || r->watching->erase(signal.other->id()) == 0) return;
  }
  if (has_instance() && !lifecycle_.stopping_or_stopped()) {
    Terminated t{signal.other->id(), signal.other->path(), signal.termination};
    if (signal.termination == TerminationReason::failed ||
        signal.termination == TerminationReason::budget_exhausted) {
      t.failure = signal.failure;
    }
    guarded([&] { hook_terminated(t); }, 0);
  }
}

template <class Fn>
bool CellBase::guarded(Fn&& fn, std::uint64_t message_seq) {
  try {
    fn();
    return true;
  } catch (...) {
    fail(Failure{path_, describe_current_exception(), message_seq, runtime_->scheduler().now()});
    return false;
  }
}

void CellBase::on_create() {
  lifecycle_.move_to(State::running);
  if (!guarded([&] { create_instance(); }, 0)) return;
  if (guarded([&] { hook_pre_start(); }, 0)) {
    runtime_->emit(EventKind::started, id_, path_);
    runtime_->stream().lifecycle(LifecycleEvent::Kind::started, id_, path_);
  }
}

void CellBase::handler_threw(std::string what, std::uint64_t message_seq, bool message_accounted) {
  if (!message_accounted) runtime_->dead_letter(DeadLetterReason::handler_failed, *this);
  fail(Failure{path_, std::move(what), message_seq, runtime_->scheduler().now()});
}

void CellBase::fail(Failure failure) {
  rare().failures.fetch_add(1, std::memory_order_relaxed);
  runtime_->emit(EventKind::failed, id_, path_, failure.what,
                 static_cast<std::int64_t>(failure.message_seq));
  // A stopping actor has nothing left to supervise: its failure (a child's
  // escalation that raced the stop) is an event, and no decision follows.
  if (lifecycle_.stopping_or_stopped()) return;
  lifecycle_.move_to(State::suspended);
  if (parent_ == nullptr) return;  // the guardian never fails
  parent_->enqueue_signal(
      Signal{Signal::Kind::child_failed, shared_from_this(), std::move(failure)});
}

void CellBase::on_stop_self(const Signal& signal) {
  if (lifecycle_.stopping_or_stopped() || exit_reported_) return;  // an earlier one won
  // OTP restarts a permanent child whatever way it ends; troupe restarts it
  // when it ends itself (a stop by anyone else, or by shutdown, is final),
  // and only while it runs: a failed child's pending decision stands.
  const bool restart_instead = settings_->restart_type == RestartType::permanent &&
                               parent_ != nullptr && lifecycle_.is(State::running) &&
                               !runtime_->shutting_down();
  if (!restart_instead) {
    on_stop(signal.reason, signal.termination, nullptr);
    return;
  }
  lifecycle_.move_to(State::suspended);  // its messages wait for the fresh instance
  exit_reported_ = true;
  parent_->enqueue_signal(Signal{Signal::Kind::child_exited, shared_from_this(), {}});
}

void CellBase::on_restart(const Failure& failure) {
  lifecycle_.move_to(State::restarting);
  exit_reported_ = false;
  rare().cause = std::make_unique<Failure>(failure);
  if (has_instance()) {
    try {
      hook_pre_restart(failure);
    } catch (...) {
      runtime_->emit(EventKind::failed, id_, path_, describe_current_exception());
    }
  }
  // Children belong to the old instance: stop them; the fresh instance builds
  // its own in pre_start. The old instance's watches on them end first (as
  // Akka's default preRestart does): their Terminated would otherwise reach
  // the fresh instance, maybe naming a path its own new child now has.
  if (!await_children()) {
    complete_restart();
  } else {
    for (const auto& child : children_snapshot()) unwatch(*child);
    stop_children(DeadLetterReason::actor_stopped);
  }
}

void CellBase::complete_restart() {
  TROUPE_ASSERT(lifecycle_.is(State::restarting));
  destroy_instance();
  lifecycle_.move_to(State::running);
  welcome_children();    // the fresh instance builds its own
  CellRare& r = rare();  // made by on_restart
  const auto count = r.restarts.fetch_add(1, std::memory_order_relaxed) + 1;
  runtime_->emit(EventKind::restarted, id_, path_, r.cause->what, static_cast<std::int64_t>(count));
  runtime_->stream().lifecycle(LifecycleEvent::Kind::restarted, id_, path_);
  r.cause.reset();
  if (!guarded([&] { create_instance(); }, 0)) return;
  guarded([&] { hook_pre_start(); }, 0);
}

void CellBase::on_stop(DeadLetterReason reason, TerminationReason why, const Failure* failure) {
  lifecycle_.move_to(State::stopping);
  // A shutdown past its deadline stops with shutdown_abandoned, whatever
  // signal carried it.
  stop_reason_ = reason == DeadLetterReason::shutdown_abandoned ? TerminationReason::shutdown : why;
  const bool has_cause =
      why == TerminationReason::failed || why == TerminationReason::budget_exhausted;
  if (has_cause && failure != nullptr) {
    rare().cause = std::make_unique<Failure>(*failure);
  } else if (CellRare* r = rare_if_made()) {
    r->cause.reset();  // a restart's cause, if the stop overtook it
  }
  // Stopped by supervision or by hand, not by shutdown: a pool worker's
  // queue goes to the worker that replaces it (and the mailbox is closed).
  if (reason == DeadLetterReason::actor_stopped) hand_over_queue();
  std::size_t leftovers = 0;
  {
    UnansweredScope requests(reason);  // asks the leftovers carry end after unlocking
    {
      std::lock_guard lock(mu_);
      leftovers = close_mailbox_locked();  // await_children, below, refuses new children
    }
    leftovers += drop_stash();  // a stash nobody will unstash any more
  }
  release_room_waiters();
  if (reason == DeadLetterReason::shutdown_abandoned) {
    count_abandoned(leftovers);
  }
  runtime_->dead_letter(reason, *this, leftovers);
  if (!await_children()) {
    finish_stop();
  } else {
    stop_children(reason);
  }
}

void CellBase::stop_children(DeadLetterReason reason) {
  // Children of an actor stopped by a shutdown are stopped by the shutdown.
  const TerminationReason why =
      lifecycle_.stopping_or_stopped() && stop_reason_ == TerminationReason::shutdown
          ? TerminationReason::shutdown
          : TerminationReason::stopped_by_parent;
  for (auto& child : children_snapshot()) child->enqueue_signal(stop_signal(why, nullptr, reason));
}

void CellBase::stop_child(CellBase& child, TerminationReason why, const Failure* failure) {
  child.enqueue_signal(stop_signal(why, failure));
}

Signal CellBase::termination_signal() {
  const CellRare* r = rare_if_made();
  Signal signal{Signal::Kind::terminated, shared_from_this(),
                r != nullptr && r->cause ? *r->cause : Failure{}};
  signal.termination = stop_reason_;
  return signal;
}

bool CellBase::release_child(const CellBase& child) {
  std::lock_guard lock(mu_);
  CellRare* r = rare_if_made();
  ChildTable* children = r != nullptr ? r->children.get() : nullptr;
  if (children != nullptr) children->erase(child);
  const bool last = children == nullptr || children->empty();
  if (!last || !awaiting_children_) return false;
  awaiting_children_ = false;
  return true;
}

void CellBase::welcome_children() {
  std::lock_guard lock(mu_);
  accepting_children_ = true;
  awaiting_children_ = false;
}

bool CellBase::await_children() {
  std::lock_guard lock(mu_);
  // No child joins while this cell waits (complete_restart opens the door
  // again). The same lock as release_child's: the last child either finds
  // the flag set or was gone before this look.
  accepting_children_ = false;
  const CellRare* r = rare_if_made();
  awaiting_children_ = r != nullptr && r->children && !r->children->empty();
  return awaiting_children_;
}

void CellBase::on_last_child_stopped() {
  // A stop that overtook this signal may have finished the cell already (its
  // table was empty by then).
  if (!lifecycle_.is(State::stopping) && !lifecycle_.is(State::restarting)) return;
  // No child can have joined since (await_children refused them); the check
  // only re-arms the wait should one have, rather than losing the cell.
  if (await_children()) return;
  if (lifecycle_.is(State::stopping)) finish_stop();
  if (lifecycle_.is(State::restarting)) complete_restart();
}

void CellBase::finish_stop() {
  if (has_instance()) {
    try {
      hook_post_stop();
    } catch (...) {
      runtime_->emit(EventKind::failed, id_, path_, describe_current_exception());
    }
  }
  destroy_instance();
  lifecycle_.move_to(State::stopped);
  CellRare* r = rare_if_made();
  if (r != nullptr) r->deferred_terminations.reset();  // nobody is left to tell
  has_deferred_.store(false, std::memory_order_release);
  std::unique_ptr<std::vector<std::weak_ptr<CellBase>>> watchers;
  {
    std::lock_guard lock(mu_);
    terminated_ = true;
    pending_signals_.clear();
    pending_signals_.release_if_empty();
    has_signals_.store(false, std::memory_order_relaxed);
    // A watch made since r was read made the block, under this same lock.
    if (CellRare* now = rare_if_made()) watchers.swap(now->watchers);
  }
  runtime_->emit(EventKind::stopped, id_, path_);
  runtime_->stream().actor_stopped(id_);  // its subscriptions end with it
  runtime_->stream().lifecycle(LifecycleEvent::Kind::stopped, id_, path_);
  auto self = shared_from_this();
  // The parent's table may hold the last other reference.
  TROUPE_ASSERT(tl_activation != nullptr && tl_activation->cell() == this);
  tl_activation->keep_alive(self);
  bool last_awaited = false;
  if (parent_ != nullptr) {
    // Counted from before this cell leaves the live ones until the parent
    // holds its signal, if it was the last child awaited: a wait for
    // quiescence in between saw neither the stopped child nor any work at
    // its stopping or restarting parent, and returned early.
    runtime_->termination_in_transit();
    runtime_->retire_cell(*this);
    // Out of the table before any watcher hears of the stop: a watcher's
    // on_terminated may spawn a successor under the same name.
    last_awaited = parent_->release_child(*this);
  }
  if (watchers) {
    for (auto& weak : *watchers) {
      if (auto watcher = weak.lock()) watcher->enqueue_signal(termination_signal());
    }
  }
  if (parent_ != nullptr) {
    // After the watchers': a Terminated of this child reaches anyone before
    // its parent can finish stopping and send its own.
    if (last_awaited) parent_->enqueue_signal(Signal{Signal::Kind::child_terminated, self, {}});
    runtime_->termination_delivered();
  }
  runtime_->scheduler().wake_waiters();
}

std::vector<std::shared_ptr<CellBase>> CellBase::children_snapshot() const {
  std::vector<std::shared_ptr<CellBase>> out;
  {
    std::lock_guard lock(mu_);
    if (const CellRare* r = rare_if_made(); r != nullptr && r->children) {
      out = r->children->members();
    }
  }
  // Sorted outside the lock: spawns and stopping children wait on it.
  ChildTable::sort_by_name(out);
  return out;
}

}  // namespace troupe::detail
