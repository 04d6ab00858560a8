#include "sim/sim_scheduler.hpp"

#include "sim/streams.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "engine/assert.hpp"
#include "engine/saturating_time.hpp"

namespace troupe::sim {

namespace {

bool has_prefix(std::string_view path, std::string_view prefix) {
  return path.substr(0, prefix.size()) == prefix;
}

}  // namespace

void validate(const SimSettings& s) {
  if (s.strategy == Strategy::pct) {
    if (s.pct.depth == 0) throw std::invalid_argument("sim: pct.depth must be >= 1");
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
  }
  return "unknown";
}

SimScheduler::SimScheduler(SimSettings settings, FaultPlan faults, EventSink* events)
    : settings_(std::move(settings)),
      faults_(std::move(faults)),
      events_(events),
      root_(settings_.seed),
      schedule_stream_(root_.fork(kScheduleStream)),
      fault_stream_(root_.fork(kFaultStream)),
      service_stream_(root_.fork(kServiceStream)),
      engine_stream_(root_.fork(kEngineStream)) {
  validate(settings_);
  if (settings_.tape != nullptr) {
    schedule_stream_.record_to(settings_.tape, kScheduleStream);
    fault_stream_.record_to(settings_.tape, kFaultStream);
    service_stream_.record_to(settings_.tape, kServiceStream);
    engine_stream_.record_to(settings_.tape, kEngineStream);
  }
  if (settings_.strategy == Strategy::pct) {
    for (std::size_t i = 1; i < settings_.pct.depth; ++i) {
      pct_change_points_.push_back(1 + schedule_stream_.below(settings_.pct.expected_steps));
    }
    std::sort(pct_change_points_.begin(), pct_change_points_.end());
  }
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
  const ResumableInfo info = r.info();
  TimePoint ready = now_;
  if (auto it = busy_until_.find(info.id); it != busy_until_.end()) {
    ready = std::max(ready, it->second);
    if (it->second <= now_) busy_until_.erase(it);
  }
  for (const auto& d : faults_.delays()) {
    if (fault_stream_.bernoulli(d.probability)) {
      record_fault(info, "delay", d.delay.count());
      ready += d.delay;
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
  return key.second;
}

bool SimScheduler::cancel(TimerId id) {
  auto it = timer_keys_.find(id);
  if (it == timer_keys_.end()) return false;
  timers_.erase(it->second);
  timer_keys_.erase(it);
  return true;
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

bool SimScheduler::step_once() {
  if (!runnable_.empty()) {
    Resumable* r = pick();
    ++steps_;
    const ResumableInfo info = r->info();
    if (const TimePoint until = stalled_until(info); until > now_) {
      record_fault(info, "stall", (until - now_).count());
      defer(*r, until);
      return true;
    }
    run_activation(*r);
    return true;
  }
  if (!has_due_timer() && deferred_.empty()) return false;
  ++steps_;
  fire_next_due();
  return true;
}

void SimScheduler::fire_next_due() {
  const bool timer_first =
      deferred_.empty() || (has_due_timer() && timers_.begin()->first < deferred_.begin()->first);
  if (timer_first) {
    auto node = timers_.extract(timers_.begin());
    now_ = std::max(now_, node.key().first);
    timer_keys_.erase(node.key().second);
    if (events_ != nullptr) {
      events_->on_event(
          Event{EventKind::timer, now_, 0, {}, {}, static_cast<std::int64_t>(node.key().second)});
    }
    node.mapped()();
  } else {
    auto node = deferred_.extract(deferred_.begin());
    now_ = std::max(now_, node.key().first);
    make_runnable(*node.mapped());
  }
}

namespace {

/// `cost × factor`, saturated at Duration::max(): past the clock's range is
/// "busy for ever", never a conversion that overflows into the past.
Duration scaled(Duration cost, double factor) {
  TROUPE_ASSERT(cost >= Duration::zero() && factor >= 1.0);
  const double ns = static_cast<double>(cost.count()) * factor;
  // 2^63, the first value beyond the range (max() itself rounds up to it).
  constexpr double kBeyondRange = 9223372036854775808.0;
  if (!(ns < kBeyondRange)) return Duration::max();
  return Duration(static_cast<Duration::rep>(ns));
}

}  // namespace

void SimScheduler::run_activation(Resumable& r) {
  const ResumableInfo info = r.info();
  const std::uint64_t before = r.messages_handled();
  const ResumeResult result = r.resume(1);
  const std::uint64_t handled = r.messages_handled() - before;
  messages_handled_ += handled;
  // An activation of one step either handles a message or a signal. Only a
  // signal can finish a stopping actor (and free it), so `info`'s views are
  // used below only when a message was handled; `r` only if it runs again.
  TimePoint ready = now_;
  if (handled > 0 && !settings_.service_time.is_zero()) {
    const Duration cost = settings_.service_time(info, service_stream_);
    const double factor = slow_factor(info);
    ready = saturating_add(now_, scaled(cost, factor));
  }
  // Every handled message, not a sample: virtual time costs nothing to read.
  if (handled > 0) r.handled_in(ready - now_);
  if (result == ResumeResult::resume_later) {
    if (ready > now_) {
      defer(r, ready);
    } else {
      make_runnable(r);
    }
  } else if (ready > now_) {
    busy_until_[info.id] = ready;
  }
}

Resumable* SimScheduler::pick() {
  ++activations_;
  switch (settings_.strategy) {
    case Strategy::fifo:
      break;
    case Strategy::random: {
      const std::size_t i = schedule_stream_.below(runnable_.size());
      std::swap(runnable_.at(0), runnable_.at(i));
      break;
    }
    case Strategy::pct:
      return pick_pct();
  }
  Resumable* r = runnable_.front();
  runnable_.pop_front();
  return r;
}

Resumable* SimScheduler::pick_pct() {
  // Initial priorities are above `depth`; change points lower an actor to
  // depth - i, below every initial priority.
  const auto depth = static_cast<std::int64_t>(settings_.pct.depth);
  std::size_t best = 0;
  std::int64_t best_priority = 0;
  std::uint64_t best_id = 0;
  for (std::size_t i = 0; i < runnable_.size(); ++i) {
    const std::uint64_t id = runnable_.at(i)->info().id;
    auto [it, fresh] = pct_priority_.try_emplace(id, 0);
    if (fresh) it->second = depth + 1 + static_cast<std::int64_t>(schedule_stream_.below(1u << 30));
    const bool better =
        i == 0 || it->second > best_priority || (it->second == best_priority && id < best_id);
    if (better) {
      best = i;
      best_priority = it->second;
      best_id = id;
    }
  }
  while (pct_next_change_ < pct_change_points_.size() &&
         pct_change_points_[pct_next_change_] <= activations_) {
    ++pct_next_change_;
    pct_priority_[best_id] = depth - static_cast<std::int64_t>(pct_next_change_);
  }
  std::swap(runnable_.at(0), runnable_.at(best));
  Resumable* r = runnable_.front();
  runnable_.pop_front();
  return r;
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
  for (const auto& s : faults_.stalls()) {
    if (s.path == actor.path && s.at <= now_ && now_ < s.at + s.duration) {
      until = std::max(until, s.at + s.duration);
    }
  }
  return until;
}

double SimScheduler::slow_factor(const ResumableInfo& actor) const {
  double factor = 1.0;
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
