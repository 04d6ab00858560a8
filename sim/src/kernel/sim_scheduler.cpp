#include "troupe/sim/sim_scheduler.hpp"

#include "troupe/sim/streams.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "troupe/assert.hpp"
#include "troupe/saturating_time.hpp"

namespace troupe::sim {

namespace {

bool has_prefix(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix;
}

}  // namespace

void validate(const SimSettings& s) {
  if (s.strategy == Strategy::pct) {
    if (s.pct.depth == 0 || s.pct.depth > kMaxPctDepth) {
      throw std::invalid_argument("sim: pct.depth must be in [1, " + std::to_string(kMaxPctDepth) +
                                  "]");
    }
    if (s.pct.expected_steps == 0) {
      throw std::invalid_argument("sim: pct.expected_steps must be >= 1");
    }
  }
  if (s.max_steps == 0) throw std::invalid_argument("sim: max_steps must be >= 1");
  if (s.max_time <= Duration::zero()) throw std::invalid_argument("sim: max_time must be positive");
}

std::optional<Strategy> parse_strategy(std::string_view name) {
  if (name == "fifo") return Strategy::fifo;
  if (name == "random") return Strategy::random;
  if (name == "pct") return Strategy::pct;
  if (name == "guided") return Strategy::guided;
  if (name == "systematic") return Strategy::systematic;
  return std::nullopt;
}

std::string_view to_string(Strategy strategy) {
  switch (strategy) {
    case Strategy::fifo:
      return "fifo";
    case Strategy::random:
      return "random";
    case Strategy::pct:
      return "pct";
    case Strategy::guided:
      return "guided";
    case Strategy::systematic:
      return "systematic";
  }
  return "unknown";
}

namespace {

/// Timers due at one instant that are offered as candidates in one step; the
/// rest wait for a later step of the same instant (a burst of thousands of
/// arrivals stays linear).
constexpr std::size_t kMaxDueTimerCandidates = 32;

std::unique_ptr<ScheduleStrategy> make_strategy(const SimSettings& s, Prng stream) {
  switch (s.strategy) {
    case Strategy::fifo:
      return make_fifo_strategy();
    case Strategy::random:
    case Strategy::guided:  // a guided explore's run brings its own chooser
      return make_random_strategy(stream);
    case Strategy::pct:
      return std::make_unique<PctStrategy>(s.pct, stream);
    case Strategy::systematic:
      return make_fifo_strategy();
  }
  return make_fifo_strategy();
}

}  // namespace

/// The runnable actors, oldest first, then the timers due now.
class SimScheduler::StepCandidates final : public Candidates {
 public:
  explicit StepCandidates(const SimScheduler& s) : s_(s) {}
  std::size_t size() const override { return s_.runnable_.size() + s_.due_now_.size(); }
  Candidate at(std::size_t i) const override {
    if (i < s_.runnable_.size()) {
      const ResumableInfo info = s_.runnable_.at(i)->info();
      return Candidate{info.id, 0, info.path};
    }
    return Candidate{0, s_.due_now_.at(i - s_.runnable_.size()).second, {}};
  }

 private:
  const SimScheduler& s_;
};

SimScheduler::SimScheduler(SimSettings settings, FaultPlan faults, EventSink* events)
    : settings_(std::move(settings)),
      faults_(std::move(faults)),
      events_(events),
      root_(settings_.seed),
      fault_stream_(root_.fork(kFaultStream)),
      service_stream_(root_.fork(kServiceStream)),
      engine_stream_(root_.fork(kEngineStream)) {
  validate(settings_);
  if (settings_.tape != nullptr) {
    // The strategy's own draws are not recorded: its choices are (stream
    // "choice"), and a replay takes those instead of asking it.
    fault_stream_.record_to(settings_.tape, kFaultStream);
    service_stream_.record_to(settings_.tape, kServiceStream);
    engine_stream_.record_to(settings_.tape, kEngineStream);
  }
  if (settings_.chooser) {
    strategy_ = settings_.chooser.get();
  } else {
    own_strategy_ = make_strategy(settings_, root_.fork(kScheduleStream));
    strategy_ = own_strategy_.get();
  }
  strategy_sees_every_step_ = strategy_->sees_every_step();
}

void SimScheduler::refuse_foreign(std::string call, Resumable* waiting) {
  TROUPE_ASSERT(!on_owner_thread());
  std::lock_guard lock(foreign_mu_);
  if (foreign_calls_.load(std::memory_order_relaxed) == 0) first_foreign_call_ = std::move(call);
  foreign_calls_.fetch_add(1, std::memory_order_release);
  if (waiting != nullptr) {
    foreign_ready_.push_back(waiting);
    foreign_waiting_.store(true, std::memory_order_release);
  }
}

void SimScheduler::take_in_foreign() {
  if (!foreign_waiting_.load(std::memory_order_acquire)) return;  // one load in the common case
  std::vector<Resumable*> ready;
  {
    std::lock_guard lock(foreign_mu_);
    ready.swap(foreign_ready_);
    foreign_waiting_.store(false, std::memory_order_release);
  }
  for (Resumable* r : ready) make_runnable(*r);
}

std::uint64_t SimScheduler::refuse_foreign_random() {
  refuse_foreign("random");
  std::uint64_t state = foreign_calls();
  return splitmix64(state);
}

std::string SimScheduler::first_foreign_call() const {
  std::lock_guard lock(foreign_mu_);
  return first_foreign_call_;
}

void SimScheduler::schedule(Resumable& r) {
  if (!on_owner_thread()) {  // touch nothing: another thread would race the owner
    refuse_foreign("schedule " + std::string(r.info().path), &r);  // a path is fixed at spawn
    return;
  }
  TROUPE_ASSERT(!stopped_);
  // No busy actor and no delay fault (the common case): nothing can hold
  // the actor back, and nothing about it needs asking.
  if (busy_until_.empty() && (faults_ended_ || faults_.delays().empty())) {
    make_runnable(r);
    return;
  }
  const ResumableInfo info = r.info();
  TimePoint ready = now_;
  if (auto it = busy_until_.find(info.id); it != busy_until_.end()) {
    ready = std::max(ready, it->second);
    if (it->second <= now_) busy_until_.erase(it);
  }
  for (const auto& d : faults_.delays()) {
    if (faults_ended_) break;
    if (fault_stream_.bernoulli(d.probability)) {
      record_fault(info, "delay", d.delay.count());
      ready = saturating_add(ready, d.delay);
    }
  }
  if (ready > now_) {
    defer(r, ready);
  } else {
    make_runnable(r);
  }
}

void SimScheduler::make_runnable(Resumable& r) {
  Resumable* item = &r;
  runnable_.push_back(std::move(item));
}

void SimScheduler::defer(Resumable& r, TimePoint until) {
  deferred_.emplace(Key{until, next_seq_++}, &r);
}

TimerId SimScheduler::after(Duration delay, std::function<void()> callback) {
  if (!on_owner_thread()) {
    refuse_foreign("after " + std::to_string(delay.count()) + "ns");
    return std::numeric_limits<TimerId>::max();  // a timer that never fires
  }
  const Key key{deadline_after(now_, delay), next_seq_++};
  timers_.emplace(key, std::move(callback));
  timer_keys_.emplace(key.second, key);
  // A TimerId is the timer's sequence number plus one: the engine reads 0 as
  // "no timer" (an ask's timeout, a cell's timers), as the thread scheduler
  // never issues it. A first timer numbered 0 was never cancelled, and its
  // callback kept the whole system alive (found by LeakSanitizer). The
  // sequence itself, which orders timers and shapes traces, is unchanged.
  return key.second + 1;
}

bool SimScheduler::cancel(TimerId id) {
  if (id == 0) return false;
  if (!on_owner_thread()) {  // touch nothing: a lookup would race the owner's inserts
    refuse_foreign("cancel timer " + std::to_string(id));
    return false;
  }
  auto it = timer_keys_.find(id - 1);
  if (it == timer_keys_.end()) return false;
  timers_.erase(it->second);
  timer_keys_.erase(it);
  return true;
}

void SimScheduler::work(Duration time) {
  TROUPE_ASSERT(time >= Duration::zero());
  // Outside an activation (a timer callback) there is no handler to charge.
  if (in_activation_) work_ = saturating_sum(work_, time);
}

void SimScheduler::hold(std::function<void()> effect) {
  if (!in_activation_ || work_ <= Duration::zero()) {
    effect();
    return;
  }
  const TimePoint due = saturating_add(now_, work_);
  const std::uint64_t actor = running_->info().id;
  auto& queue = held_[actor];
  // One release per instant: effects due together are one candidate, not
  // several the strategy could reorder.
  const bool new_instant = queue.empty() || queue.back().due != due;
  queue.push_back(HeldEffect{due, std::move(effect)});
  if (new_instant) {
    after(work_, [this, actor] { release_held(actor); });
  }
}

void SimScheduler::release_held(std::uint64_t actor) {
  auto it = held_.find(actor);
  if (it == held_.end()) return;
  // An effect may hold nothing (it runs outside any activation), but it may
  // tell an actor whose scheduling reaches back here: take each one out first.
  while (it != held_.end() && !it->second.empty() && it->second.front().due <= now_) {
    std::function<void()> effect = std::move(it->second.front().effect);
    it->second.pop_front();
    effect();
    it = held_.find(actor);
  }
  if (it != held_.end() && it->second.empty()) held_.erase(it);
}

bool SimScheduler::has_due_timer() const {
  // A timer at the end of time (a saturated Duration::max()) never fires; the
  // timers are sorted by due time, so if the first is there, all are.
  return !timers_.empty() && timers_.begin()->first.first != TimePoint::max();
}

std::optional<TimePoint> SimScheduler::next_due() const {
  std::optional<TimePoint> due;
  if (has_due_timer()) due = timers_.begin()->first.first;
  if (!deferred_.empty()) {
    const TimePoint d = deferred_.begin()->first.first;
    if (!due || d < *due) due = d;
  }
  return due;
}

void SimScheduler::advance_to(TimePoint t) {
  TROUPE_ASSERT(runnable_.empty());
  const auto due = next_due();
  TROUPE_ASSERT(!due || *due >= t);
  now_ = std::max(now_, t);
}

bool SimScheduler::step() {
  // Actors and timer callbacks run inside a step: on_own_thread() is true.
  struct Stepping {
    int& depth;
    explicit Stepping(int& d) : depth(d) { ++depth; }
    ~Stepping() { --depth; }
    Stepping(const Stepping&) = delete;
    Stepping& operator=(const Stepping&) = delete;
  } stepping{stepping_};
  take_in_foreign();
  return step_once();
}

void SimScheduler::collect_due_now() {
  // Actors whose wait ended are runnable; timers due now become candidates
  // beside them, so arrivals at one instant interleave with each other's
  // cascades as the strategy decides.
  while (!deferred_.empty() && deferred_.begin()->first.first <= now_) {
    auto node = deferred_.extract(deferred_.begin());
    make_runnable(*node.mapped());
  }
  if (!due_now_.empty()) due_now_.clear();
  if (timers_.empty() || timers_.begin()->first.first > now_) return;  // the common case
  for (auto it = timers_.begin();
       it != timers_.end() && it->first.first <= now_ && due_now_.size() < kMaxDueTimerCandidates;
       ++it) {
    due_now_.push_back(it->first);
  }
}

bool SimScheduler::step_once() {
  collect_due_now();
  if (runnable_.empty() && due_now_.empty()) {
    const auto due = next_due();
    if (!due) return false;
    now_ = std::max(now_, *due);
    collect_due_now();
    TROUPE_ASSERT(!runnable_.empty() || !due_now_.empty());
  }
  ++steps_;
  const std::size_t chosen = decide();
  if (chosen >= runnable_.size()) {
    fire_timer(due_now_.at(chosen - runnable_.size()));
    return true;
  }
  // The others keep their order: a preemption takes one candidate out of
  // line, it does not also send the first one to the back.
  for (std::size_t k = chosen; k > 0; --k) std::swap(runnable_.at(k), runnable_.at(k - 1));
  Resumable* r = runnable_.front();
  runnable_.pop_front();
  run_actor(*r);
  return true;
}

std::size_t SimScheduler::decide() {
  const std::size_t n = runnable_.size() + due_now_.size();
  TROUPE_ASSERT(n >= 1);
  if (n == 1 && !strategy_sees_every_step_) return 0;
  const StepCandidates candidates(*this);
  std::size_t chosen = strategy_->choose(candidates);
  TROUPE_ASSERT(chosen < n);
  if (n == 1) return 0;
  if (DecisionTape* tape = settings_.tape) {
    const std::uint64_t taken = tape->next(kChoiceStream, chosen);
    if (taken < n) {
      chosen = static_cast<std::size_t>(taken);
    } else {
      tape->diverge(kChoiceStream, "the replay's recorded choice " + std::to_string(taken) +
                                       " is not among the " + std::to_string(n) +
                                       " candidates of this step");
    }
  }
  if (chosen != 0) ++preemptions_;
  if (settings_.log_decisions) {
    decisions_.push_back(
        Decision{static_cast<std::uint32_t>(n), static_cast<std::uint32_t>(chosen)});
  }
  return chosen;
}

void SimScheduler::fire_timer(const Key& key) {
  auto node = timers_.extract(key);
  TROUPE_ASSERT(!node.empty());
  timer_keys_.erase(key.second);
  if (events_ != nullptr) {
    events_->on_event(
        Event{EventKind::timer, now_, 0, {}, {}, static_cast<std::int64_t>(key.second)});
  }
  node.mapped()();
}

void SimScheduler::run_actor(Resumable& r) {
  // Without stalls or service times (the common case) the activation runs
  // at once: neither question is asked.
  if ((faults_ended_ || faults_.stalls().empty()) && settings_.service_time.is_zero()) {
    run_activation(r);
    return;
  }
  const ResumableInfo info = r.info();
  if (const TimePoint until = stalled_until(info); until > now_) {
    record_fault(info, "stall", (until - now_).count());
    defer(r, until);
    return;
  }
  if (charge_service(r, info)) return;
  run_activation(r);
}

namespace {

/// `cost × factor`, saturated at Duration::max(): past the clock's range is
/// "busy for ever", never a conversion that overflows into the past.
Duration scaled(Duration cost, double factor) {
  TROUPE_ASSERT(cost >= Duration::zero() && factor >= 1.0);
  if (factor == 1.0) return cost;
  const double ns = static_cast<double>(cost.count()) * factor;
  // 2^63, the first value beyond the range (max() itself rounds up to it).
  constexpr double kBeyondRange = 9223372036854775808.0;
  if (!(ns < kBeyondRange)) return Duration::max();
  return Duration(static_cast<Duration::rep>(ns));
}

}  // namespace

bool SimScheduler::charge_service(Resumable& r, const ResumableInfo& info) {
  // The actor is busy with its next message for the service time first and
  // runs the handler when it ends: what the handler does happens then.
  if (settings_.service_time.is_zero() || paid_.count(info.id) != 0) return false;
  const PendingMessage message = r.next_message();
  if (!message.present()) return false;
  const Duration cost =
      scaled(settings_.service_time(info, message, service_stream_), slow_factor(info));
  if (cost <= Duration::zero()) return false;
  paid_.emplace(info.id, cost);
  defer(r, saturating_add(now_, cost));
  return true;
}

void SimScheduler::run_activation(Resumable& r) {
  // The id (a virtual call) is asked only where a map is keyed by it. No
  // activation adds to paid_ (only the step around it does), so if it is
  // empty now, it is empty after.
  const std::uint64_t id = held_.empty() && paid_.empty() ? 0 : r.info().id;
  const std::uint64_t before = r.messages_handled();
  // What the actor held during earlier work is due by now (the actor was
  // busy until then): it takes effect before anything this activation does.
  if (!held_.empty()) release_held(id);
  work_ = Duration::zero();
  running_ = &r;
  in_activation_ = true;
  const ResumeResult result = r.resume(1);
  in_activation_ = false;
  running_ = nullptr;
  const Duration worked = std::exchange(work_, Duration::zero());
  // An activation of one step either handles a message or a signal. Only a
  // signal (or a drained pool worker's last look) can finish a stopping
  // actor, and its last reference may have gone with it: a retired actor is
  // not touched again (it handled no message in this step); `id` is a copy.
  const bool retired = result == ResumeResult::retired;
  const std::uint64_t handled = retired ? 0 : r.messages_handled() - before;
  messages_handled_ += handled;
  Duration paid{};
  if (!paid_.empty()) {
    if (auto it = paid_.find(id);
        it != paid_.end() && (handled > 0 || result != ResumeResult::resume_later)) {
      paid = it->second;
      paid_.erase(it);
    }
  }
  // Every handled message, not a sample: virtual time costs nothing to read.
  if (handled > 0) r.handled_in(saturating_sum(paid, worked));
  const TimePoint ready = saturating_add(now_, worked);
  if (result == ResumeResult::resume_later) {
    if (ready > now_) {
      defer(r, ready);
    } else {
      make_runnable(r);
    }
  } else if (ready > now_ && !retired) {  // a retired actor is never scheduled again
    busy_until_[r.info().id] = ready;
  }
}

bool SimScheduler::wait_until(const std::function<bool()>& done, TimePoint deadline) {
  // Work at the deadline's own instant still counts as before it: the wait
  // gives up only once the clock would have to move past the deadline.
  // Inside a step it would run the simulation re-entrantly from an actor or
  // a timer callback, which is where a blocking wait is a misuse.
  if (stepping_ > 0) {
    throw std::logic_error(
        "a blocking wait (System::await_quiescence, System::shutdown or wait_until) was made "
        "inside an actor or a timer callback of the simulator: nothing that runs there may block");
  }
  std::uint64_t used = 0;
  while (true) {
    if (done()) return true;
    if (now_ > deadline) return false;
    if (used++ >= settings_.max_steps) {
      budget_exhausted_ = true;
      return false;
    }
    if (!has_runnable()) {  // a foreign-scheduled actor waits for step()
      const auto due = next_due();
      if (!due) return false;  // idle: nothing will ever change
      if (*due > deadline) {
        advance_to(std::max(now_, deadline));
        return done();
      }
    }
    step();
  }
}

bool SimScheduler::injects_failures() const {
  return !faults_.crashes().empty() || !faults_.random_crashes().empty();
}

bool SimScheduler::inject_failure(const ResumableInfo& actor, std::uint64_t message_seq,
                                  std::string& what) {
  if (faults_ended_) return false;
  for (const auto& c : faults_.crashes()) {
    if (c.message == message_seq && c.path == actor.path) {
      record_fault(actor, "crash", static_cast<std::int64_t>(message_seq));
      what = "injected crash on message " + std::to_string(message_seq);
      return true;
    }
  }
  for (const auto& c : faults_.random_crashes()) {
    if (has_prefix(actor.path, c.path_prefix) && fault_stream_.bernoulli(c.probability)) {
      record_fault(actor, "crash", static_cast<std::int64_t>(message_seq));
      what = "injected random crash on message " + std::to_string(message_seq);
      return true;
    }
  }
  return false;
}

TimePoint SimScheduler::stalled_until(const ResumableInfo& actor) const {
  TimePoint until = now_;
  if (faults_ended_) return until;
  for (const auto& s : faults_.stalls()) {
    if (s.path == actor.path && s.at <= now_ && now_ < s.at + s.duration) {
      until = std::max(until, s.at + s.duration);
    }
  }
  return until;
}

double SimScheduler::slow_factor(const ResumableInfo& actor) const {
  double factor = 1.0;
  if (faults_ended_) return factor;
  for (const auto& s : faults_.slowdowns()) {
    if (has_prefix(actor.path, s.path_prefix)) factor *= s.factor;
  }
  return factor;
}

void SimScheduler::record_fault(const ResumableInfo& actor, std::string_view kind,
                                std::int64_t value) {
  ++faults_injected_;
  if (events_ != nullptr) {
    events_->on_event(Event{EventKind::fault, now_, actor.id, actor.path, kind, value});
  }
}

}  // namespace troupe::sim
