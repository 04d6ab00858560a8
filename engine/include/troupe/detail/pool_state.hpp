// The shared state behind Pool<M> handles and the pool's manager actor: the
// routing table, the consistent-hash ring, the autoscaler's settings and its
// decisions. Senders take the lock to pick a worker and queue the message;
// the manager takes it to change the table. A worker is touched outside the
// lock only through a strong reference: the table may drop it at any time.
// Resizes and autoscaler ticks reach the manager as system signals, never
// through a mailbox that could be full. Internal to the engine.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "troupe/autoscaler.hpp"
#include "troupe/detail/cell.hpp"
#include "troupe/detail/text.hpp"
#include "troupe/detail/unanswered_scope.hpp"
#include "troupe/pool_settings.hpp"
#include "troupe/router.hpp"

namespace troupe::detail {

/// The manager takes no user messages: its commands (resizes, ticks) are
/// system signals, so a flood of them can never crowd each other out.
struct PoolCommand {};

template <class M>
class PoolState : public std::enable_shared_from_this<PoolState<M>> {
 public:
  using KeyFn = std::function<std::uint64_t(const M&)>;

  PoolState(Props<M> worker, PoolSettings settings, KeyFn key)
      : worker_props_(std::move(worker)), settings_(settings), key_(std::move(key)) {}

  static Props<PoolCommand> manager_props(const std::shared_ptr<PoolState>& state);

  /// Called once the manager exists: spawns the first `min` workers before
  /// anyone can tell the pool anything.
  void start(ActorRef<PoolCommand> manager) {
    manager_ = std::move(manager);
    manager_cell_ = manager_.cell_base();
    path_ = manager_.path();
    // One series for all the workers, however the pool scales; "/*" keeps it
    // apart from the manager, whose path is the pool's.
    worker_props_.metrics_label(path_ + "/*");
    // A worker that its supervisor stops hands its queue to its replacement.
    std::weak_ptr<PoolState> weak = this->shared_from_this();
    worker_props_.writable().hand_over = [weak](Cell<M>& dying) {
      auto state = weak.lock();
      return state != nullptr && state->hand_over(dying);
    };
    auto& metrics = runtime().metrics();
    workers_gauge_ =
        &metrics.gauge("troupe_pool_workers", "Workers in routing, by pool.", {{"pool", path_}});
    // Its bounds, so that an alert can tell a pool pinned at its maximum.
    metrics
        .gauge("troupe_pool_min_workers", "The least workers a pool keeps, by pool.",
               {{"pool", path_}})
        .set(static_cast<double>(settings_.min));
    metrics
        .gauge("troupe_pool_max_workers", "The most workers a pool may grow to, by pool.",
               {{"pool", path_}})
        .set(static_cast<double>(settings_.max));
    for (const char* direction : {"up", "down"}) {
      decisions_counter_[direction[0] == 'd'] = &metrics.counter(
          "troupe_autoscaler_decisions_total", "Autoscaler resizes, by pool and direction.",
          {{"pool", path_}, {"direction", direction}});
    }
    apply_resize(settings_.min);
  }

  SendResult tell(M& message);
  /// Context::offer's attempt: the picked worker, else (except consistent
  /// hashing) any worker with room; all full, `wait` (if given) is listed
  /// with each. A refusal other than mailbox_full is counted (as tell).
  SendResult offer(M& message, WaitFor* wait);

  /// Resizes coalesce: the manager applies the latest target asked for.
  void request_resize(std::size_t n) {
    {
      std::lock_guard lock(mu_);
      pending_resize_ = n;
      if (resize_signalled_) return;
      resize_signalled_ = true;
    }
    std::weak_ptr<PoolState> weak = this->shared_from_this();
    send_command([weak] {
      if (auto state = weak.lock()) state->apply_pending_resize();
    });
  }

  template <class S>
  void start_scaler(S settings, Duration interval) {
    std::lock_guard lock(mu_);
    cancel_tick_locked();
    scaler_ = settings;
    interval_ = interval;
    arm_tick_locked();
  }

  void stop_scaler() {
    std::lock_guard lock(mu_);
    cancel_tick_locked();
    scaler_ = std::monostate{};
  }

  std::size_t size() const {
    std::lock_guard lock(mu_);
    return routed_.size();
  }
  std::vector<ActorRef<M>> workers() const {
    std::lock_guard lock(mu_);
    std::vector<ActorRef<M>> out;
    for (const auto& w : routed_) out.push_back(w.ref);
    return out;
  }
  std::vector<ScaleDecision> decisions() const {
    std::lock_guard lock(mu_);
    return decisions_;
  }
  const std::string& path() const { return path_; }
  const PoolSettings& settings() const { return settings_; }

  // The manager's side, inside its activation.
  void apply_resize(std::size_t target);
  void apply_pending_resize();
  void on_tick(std::uint64_t generation);
  void on_worker_terminated(ActorId id);
  /// A routed worker is stopping (in its own activation): replace it in its
  /// slot and move its queue to the replacement. False if it is not routed
  /// (it left on a shrink) or no replacement can be made (the pool stops).
  bool hand_over(Cell<M>& dying);

 private:
  struct Worker {
    std::uint64_t slot;
    ActorRef<M> ref;
  };
  static constexpr std::size_t kDecisionsKept = 1024;

  Runtime& runtime() const { return manager_cell_->runtime(); }
  /// The worker to route to (valid while mu_ is held), or nullptr.
  const Worker* pick_locked(const M& message);
  SendResult broadcast(M& message);
  SendResult wait_and_route(M& message, std::shared_ptr<Cell<M>>& target);
  /// Whether this sender may wait for room (block overflow, outside actors).
  bool may_block() const {
    return worker_props_.mailbox().overflow == Overflow::block && current_cell() == nullptr;
  }
  void send_command(std::function<void()> command) {
    manager_cell_->enqueue_signal(Signal{Signal::Kind::run,
                                         nullptr,
                                         {},
                                         DeadLetterReason::actor_stopped,
                                         TerminationReason::stopped,
                                         std::move(command)});
  }
  /// A new worker, watched by the manager; `before_start` as in spawn_child.
  /// A worker that left routing on a shrink stops before it drained (its
  /// supervisor stopped it): what it holds goes back into routing.
  bool reroute_locked(Cell<M>& dying);
  std::optional<ActorRef<M>> spawn_worker_ref(
      const std::function<void(Cell<M>&)>& before_start = {});
  void spawn_worker_locked(std::uint64_t slot);
  /// The routing table's invariant (mu_ held): sorted by slot, no slot
  /// twice, at most max workers, and dense (slots 0..size-1) unless a spawn
  /// was refused (the system or the pool is stopping: that slot stays empty).
  bool routing_table_ok_locked() const;
  void arm_tick_locked();
  void cancel_tick_locked();
  std::optional<ScaleDecision> decide_locked();
  void refuse(SendResult why, const Cell<M>* target);

  Props<M> worker_props_;
  const PoolSettings settings_;
  const KeyFn key_;
  ActorRef<PoolCommand> manager_;
  std::shared_ptr<CellBase> manager_cell_;
  std::string path_;

  mutable std::mutex mu_;
  std::vector<Worker> routed_;  // see routing_table_ok_locked
  bool spawn_refused_ = false;  // a worker could not be made: routed_ may have a gap
  HashRing ring_;
  std::size_t next_ = 0;  // round robin
  std::uint64_t names_ = 0;
  std::variant<std::monostate, AutoScaleSettings, PressureSettings> scaler_;
  Duration interval_{};
  std::uint64_t generation_ = 0;
  std::optional<TimerId> tick_timer_;
  std::size_t pending_resize_ = 0;
  bool resize_signalled_ = false;  // a resize command is on its way to the manager
  std::optional<TimePoint> last_change_;
  std::vector<ScaleDecision> decisions_;
  Gauge* workers_gauge_ = nullptr;               // owned by the registry
  std::array<Counter*, 2> decisions_counter_{};  // up, down
};

template <class M>
class PoolManager final : public Actor<PoolCommand> {
 public:
  explicit PoolManager(std::shared_ptr<PoolState<M>> state) : state_(std::move(state)) {}

  void receive(Context<PoolCommand>&, PoolCommand&) override {
    throw std::logic_error("a pool's manager takes no messages");
  }
  void on_terminated(Context<PoolCommand>&, const Terminated& t) override {
    state_->on_worker_terminated(t.id);
  }

 private:
  std::shared_ptr<PoolState<M>> state_;
};

template <class M>
Props<PoolCommand> PoolState<M>::manager_props(const std::shared_ptr<PoolState>& state) {
  // The manager absorbs failures (a worker's escalation, a bug of its own)
  // by resuming: restarting it would stop every worker.
  // The factory holds the state weakly: the state holds the manager's cell,
  // whose Props hold this factory, and a strong reference would be a cycle.
  std::weak_ptr<PoolState> weak = state;
  return Props<PoolCommand>([weak]() -> std::unique_ptr<Actor<PoolCommand>> {
           auto strong = weak.lock();
           if (!strong) throw std::logic_error("the pool's state is gone");
           return std::make_unique<PoolManager<M>>(std::move(strong));
         })
      .decider([](const Failure&) { return Directive::resume; })
      .kind("pool");
}

template <class M>
SendResult PoolState<M>::tell(M& message) {
  Runtime& rt = runtime();
  if (current_cell() == nullptr && rt.shutting_down()) {
    refuse(SendResult::actor_stopped, nullptr);
    UnansweredScope refused(DeadLetterReason::actor_stopped);  // a request's ask ends so
    [[maybe_unused]] M dropped(std::move(message));
    return SendResult::actor_stopped;
  }
  if (current_cell() != nullptr && rt.scheduler_times_handlers()) {
    // A simulated handler that declared work routes when the work ends (as
    // an ActorRef's tell does), counted as sent and queued until then.
    const Duration held = rt.scheduler().effects_delay();
    if (held > Duration::zero()) {
      const TimePoint due = deadline_after(rt.scheduler().now(), held);
      rt.timer_armed(due);
      auto payload = std::make_shared<M>(std::move(message));
      rt.scheduler().hold([self = this->shared_from_this(), payload, due] {
        (void)self->tell(*payload);
        self->runtime().timer_delivered(due);  // after the tell: quiescence never misses it
      });
      return SendResult::accepted;
    }
  }
  if constexpr (std::is_copy_constructible_v<M>) {
    if (settings_.routing == Routing::broadcast) return broadcast(message);
  }  // else Pool::spawn refused broadcast
  // The fast path touches the worker only under the lock, which keeps it in
  // the table; a refusal keeps a strong reference for use after unlocking.
  std::shared_ptr<Cell<M>> target;
  SendResult result = SendResult::no_workers;
  {
    std::lock_guard lock(mu_);
    const Worker* picked = pick_locked(message);
    if (picked != nullptr) {
      result = picked->ref.cell()->offer(message);
      if (result != SendResult::accepted) target = picked->ref.shared_cell();
    }
  }
  if (result == SendResult::mailbox_full && may_block()) result = wait_and_route(message, target);
  if (result != SendResult::accepted) {
    refuse(result, target.get());
    UnansweredScope refused(dead_letter_reason(result));  // a request's ask ends so
    [[maybe_unused]] M dropped(std::move(message));       // a dead letter now
  }
  return result;
}

template <class M>
SendResult PoolState<M>::offer(M& message, WaitFor* wait) {
  if (settings_.routing == Routing::broadcast) {
    throw std::logic_error("Context::offer: a broadcast pool copies a message to every worker");
  }
  std::shared_ptr<Cell<M>> target;
  SendResult result = SendResult::no_workers;
  {
    std::lock_guard lock(mu_);
    const Worker* picked = pick_locked(message);
    if (picked != nullptr) {
      target = picked->ref.shared_cell();
      result = target->offer_for_room(message, wait);
    }
    // Another worker may have room: the message is not bound to this one.
    const bool any_worker = settings_.routing != Routing::consistent_hash;
    for (std::size_t i = 0; any_worker && result != SendResult::accepted && i < routed_.size();
         ++i) {
      if (&routed_[i] == picked) continue;
      const SendResult r = routed_[i].ref.cell()->offer_for_room(message, wait);
      // Full anywhere beats stopped: the wait ends when that one has room.
      if (r != SendResult::actor_stopped || result == SendResult::actor_stopped) result = r;
    }
  }
  if (result != SendResult::accepted && result != SendResult::mailbox_full) {
    refuse(result, target.get());
    UnansweredScope refused(dead_letter_reason(result));  // a request's ask ends so
    [[maybe_unused]] M dropped(std::move(message));       // a dead letter now, as with tell
  }
  return result;
}

template <class M>
SendResult PoolState<M>::wait_and_route(M& message, std::shared_ptr<Cell<M>>& target) {
  auto& scheduler = runtime().scheduler();
  SendResult result = SendResult::mailbox_full;
  scheduler.wait_until(
      [&] {
        std::lock_guard lock(mu_);
        const Worker* picked = pick_locked(message);
        target = picked == nullptr ? nullptr : picked->ref.shared_cell();
        result = target == nullptr ? SendResult::no_workers : target->offer(message);
        return result != SendResult::mailbox_full;
      },
      deadline_after(scheduler.now(), worker_props_.mailbox().block_timeout));
  return result;
}

template <class M>
void PoolState<M>::refuse(SendResult why, const Cell<M>* target) {
  Runtime& rt = runtime();
  switch (why) {
    case SendResult::accepted:
      return;
    case SendResult::no_workers:
      rt.rejected(DeadLetterReason::no_workers, manager_.id(), path_);
      return;
    case SendResult::mailbox_full:
      TROUPE_ASSERT(target != nullptr);
      rt.rejected(DeadLetterReason::mailbox_full, *target);
      return;
    case SendResult::actor_stopped:
      if (target != nullptr) {
        rt.rejected(DeadLetterReason::actor_stopped, *target);
      } else {
        rt.rejected(DeadLetterReason::actor_stopped, manager_.id(), path_);
      }
      return;
  }
}

template <class M>
auto PoolState<M>::pick_locked(const M& message) -> const Worker* {
  if (routed_.empty()) return nullptr;
  const std::size_t n = routed_.size();
  switch (settings_.routing) {
    case Routing::round_robin:
    case Routing::broadcast:
      return &routed_[next_++ % n];
    case Routing::random:
      return &routed_[runtime().scheduler().random() % n];
    case Routing::smallest_mailbox: {
      std::size_t best = 0;
      std::size_t best_queued = routed_[0].ref.queued();
      for (std::size_t i = 1; i < n && best_queued > 0; ++i) {
        const std::size_t q = routed_[i].ref.queued();
        if (q < best_queued) {
          best = i;
          best_queued = q;
        }
      }
      return &routed_[best];
    }
    case Routing::consistent_hash: {
      const std::uint64_t slot = ring_.owner(key_(message));
      auto it = std::lower_bound(routed_.begin(), routed_.end(), slot,
                                 [](const Worker& w, std::uint64_t s) { return w.slot < s; });
      TROUPE_ASSERT(it != routed_.end() && it->slot == slot);
      return &*it;
    }
  }
  return nullptr;
}

template <class M>
SendResult PoolState<M>::broadcast(M& message) {
  static_assert(std::is_copy_constructible_v<M>,
                "troupe::Pool: broadcast routing copies the message to every worker, so it needs "
                "a copyable message type");
  // Strong references: the workers that refused are accounted after unlocking.
  std::vector<std::pair<SendResult, std::shared_ptr<Cell<M>>>> refused;
  {
    std::lock_guard lock(mu_);
    if (routed_.empty()) refused.emplace_back(SendResult::no_workers, nullptr);
    for (const auto& w : routed_) {
      M copy = message;
      const SendResult r = w.ref.cell()->offer(copy);
      if (r != SendResult::accepted) refused.emplace_back(r, w.ref.shared_cell());
    }
  }
  for (const auto& [why, cell] : refused) refuse(why, cell.get());
  return refused.empty() ? SendResult::accepted : refused.front().first;
}

template <class M>
std::optional<ActorRef<M>> PoolState<M>::spawn_worker_ref(
    const std::function<void(Cell<M>&)>& before_start) {
  auto spawned = spawn_child(*manager_cell_, std::string("w").append(std::to_string(++names_)),
                             worker_props_, before_start);
  if (!spawned.ok()) return std::nullopt;  // the system or the pool is stopping
  auto ref = std::move(spawned).value();
  manager_cell_->watch(ref.cell_base());
  return ref;
}

template <class M>
void PoolState<M>::spawn_worker_locked(std::uint64_t slot) {
  auto spawned = spawn_worker_ref();
  if (!spawned) {
    spawn_refused_ = true;  // nothing to route to in this slot
    return;
  }
  auto ref = std::move(*spawned);
  const auto at = std::lower_bound(routed_.begin(), routed_.end(), slot,
                                   [](const Worker& w, std::uint64_t s) { return w.slot < s; });
  routed_.insert(at, Worker{slot, std::move(ref)});
  ring_.add(slot);
}

template <class M>
bool PoolState<M>::routing_table_ok_locked() const {
  if (routed_.size() > settings_.max) return false;
  for (std::size_t i = 0; i < routed_.size(); ++i) {
    if (i > 0 && routed_[i - 1].slot >= routed_[i].slot) return false;
    if (!spawn_refused_ && routed_[i].slot != i) return false;
  }
  return true;
}

template <class M>
void PoolState<M>::apply_resize(std::size_t target) {
  target = std::clamp(target, settings_.min, settings_.max);
  std::vector<ActorRef<M>> leaving;
  {
    std::lock_guard lock(mu_);
    // Slots stay 0..size-1: growing adds the next slot, shrinking removes the
    // highest, so consistent hashing moves only the keys of those slots.
    while (routed_.size() < target) {
      const std::size_t before = routed_.size();
      spawn_worker_locked(before);
      if (routed_.size() == before) break;
    }
    while (routed_.size() > target) {
      ring_.remove(routed_.back().slot);
      leaving.push_back(std::move(routed_.back().ref));
      routed_.pop_back();
    }
    TROUPE_ASSERT(routing_table_ok_locked());
    workers_gauge_->set(static_cast<double>(routed_.size()));
  }
  // Out of routing under the lock: nothing new reaches them. They handle what
  // they hold, then stop.
  for (auto& w : leaving) {
    w.cell_base()->enqueue_signal(Signal{Signal::Kind::drain_and_stop, nullptr, {}});
  }
}

template <class M>
void PoolState<M>::apply_pending_resize() {
  std::size_t target = 0;
  {
    std::lock_guard lock(mu_);
    TROUPE_ASSERT(resize_signalled_);
    resize_signalled_ = false;
    target = pending_resize_;
  }
  apply_resize(target);
}

template <class M>
bool PoolState<M>::hand_over(Cell<M>& dying) {
  // Under the pool's lock no sender can pick the dying worker while its
  // queue moves: order pool lock, then cell locks, as in tell.
  std::lock_guard lock(mu_);
  auto it = std::find_if(routed_.begin(), routed_.end(),
                         [&](const Worker& w) { return w.ref.cell() == &dying; });
  if (it == routed_.end()) return reroute_locked(dying);
  // The queue moves in before the successor's first activation: on threads
  // that activation may start at once, and what its pre_start sends must
  // come after the older messages (and must not find the mailbox taken).
  bool moved_in = false;
  auto successor = spawn_worker_ref([&](Cell<M>& fresh) {
    RingQueue<M> queue;
    const auto taken = dying.take_queue(queue);
    fresh.adopt_queue(queue, taken);
    runtime().handed_over(taken.count);
    moved_in = true;
  });
  if (!successor) return false;  // the queue stayed with the dying worker
  TROUPE_ASSERT(moved_in);
  it->ref = std::move(*successor);  // same slot: the hash ring is unchanged
  return true;
}

template <class M>
bool PoolState<M>::reroute_locked(Cell<M>& dying) {
  // A broadcast copy was meant for this worker alone: it is not sent again.
  if (settings_.routing == Routing::broadcast) return false;
  RingQueue<M> queue;
  dying.take_queue(queue);
  std::uint64_t rerouted = 0;
  for (; !queue.empty(); queue.pop_front()) {
    const Worker* w = pick_locked(queue.front());
    const SendResult r =
        w == nullptr ? SendResult::no_workers : w->ref.cell()->offer(queue.front());
    if (r == SendResult::accepted) {
      ++rerouted;
    } else {
      // Already counted as sent (to the dying worker): a dead letter only.
      runtime().dead_letter(dead_letter_reason(r), dying);
    }
  }
  runtime().handed_over(rerouted);
  return true;
}

template <class M>
void PoolState<M>::on_worker_terminated(ActorId id) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(routed_.begin(), routed_.end(),
                         [&](const Worker& w) { return w.ref.id() == id; });
  if (it == routed_.end()) return;  // a worker that left on a shrink
  // Stopped by its supervisor: replace it in the same slot.
  const std::uint64_t slot = it->slot;
  routed_.erase(it);
  ring_.remove(slot);
  spawn_worker_locked(slot);
  TROUPE_ASSERT(routing_table_ok_locked());
  workers_gauge_->set(static_cast<double>(routed_.size()));
}

template <class M>
void PoolState<M>::arm_tick_locked() {
  std::weak_ptr<PoolState> weak = this->shared_from_this();
  const std::uint64_t generation = ++generation_;
  tick_timer_ = runtime().scheduler().after(interval_, [weak, generation] {
    auto state = weak.lock();
    if (!state) return;
    state->send_command([weak, generation] {
      if (auto s = weak.lock()) s->on_tick(generation);
    });
  });
}

template <class M>
void PoolState<M>::cancel_tick_locked() {
  if (tick_timer_) runtime().scheduler().cancel(*tick_timer_);
  tick_timer_.reset();
  ++generation_;
}

template <class M>
std::optional<ScaleDecision> PoolState<M>::decide_locked() {
  PoolLoad load{
      runtime().scheduler().now(), routed_.size(), {}, settings_.min, settings_.max, last_change_};
  for (const auto& w : routed_) load.pending.push_back(w.ref.queued());
  return std::visit(
      [&](const auto& s) -> std::optional<ScaleDecision> {
        if constexpr (std::is_same_v<std::decay_t<decltype(s)>, std::monostate>) {
          return std::nullopt;
        } else {
          return decide(s, load);
        }
      },
      scaler_);
}

template <class M>
void PoolState<M>::on_tick(std::uint64_t generation) {
  std::optional<ScaleDecision> decision;
  {
    std::lock_guard lock(mu_);
    if (generation != generation_ || std::holds_alternative<std::monostate>(scaler_)) return;
    decision = decide_locked();
    arm_tick_locked();
    if (decision) {
      decisions_counter_[decision->to < decision->from ? 1 : 0]->inc();
      last_change_ = decision->time;
      if (decisions_.size() == kDecisionsKept) decisions_.erase(decisions_.begin());
      decisions_.push_back(*decision);
    }
  }
  if (!decision) return;
  if (runtime().emitting()) {
    const std::string detail = concat({std::to_string(decision->from), " -> ",
                                       std::to_string(decision->to), ": ", decision->reason});
    runtime().emit(EventKind::scaled, manager_.id(), path_, detail,
                   static_cast<std::int64_t>(decision->to));
  }
  apply_resize(decision->to);
}

}  // namespace troupe::detail
