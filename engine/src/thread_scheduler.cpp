#include "troupe/thread_scheduler.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "troupe/assert.hpp"
#include "troupe/saturating_time.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe {

namespace {

// Which worker of which scheduler the current thread is, so that work
// scheduled from inside an activation stays on the same worker (locality).
thread_local const ThreadScheduler* tl_owner = nullptr;
thread_local std::size_t tl_worker = 0;
// The scheduler whose timer thread the current thread is: one of its own
// threads, though not a worker (no run queue of its own).
thread_local const ThreadScheduler* tl_timer_owner = nullptr;

// How long wait_until sleeps between checks of its condition when nobody
// calls wake_waiters(): a bound on latency, not a busy loop.
constexpr Duration kWaitRecheck = std::chrono::milliseconds(1);

// How often a sleeping worker looks for work nobody woke it for, at most:
// work scheduled from inside an activation stays on its worker without a
// wake-up (the next thing that worker runs), and if the activation then
// runs long it would wait there while this core sleeps. The look starts at
// once and backs off to this bound (CAF's relaxed stealing polls every 10 ms).
constexpr auto kIdlePollMin = std::chrono::microseconds(500);
constexpr auto kIdlePollMax = std::chrono::milliseconds(10);

constexpr const char* kBlockingOnOwnThread =
    "a blocking wait (System::await_quiescence, System::shutdown, a wait_until, or a tell "
    "that waits for mailbox room) was made on one of the scheduler's own threads, inside an "
    "actor or a timer callback: nothing that runs there may block";

std::string describe_exception(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "an exception of unknown type";
  }
}

}  // namespace

ThreadScheduler::ThreadScheduler(ThreadSchedulerSettings settings)
    : settings_(settings), epoch_(std::chrono::steady_clock::now()) {
  if (settings_.threads == 0) {
    settings_.threads = std::max(1u, std::thread::hardware_concurrency());
  }
  if (settings_.throughput == 0) settings_.throughput = 1;
  std::uint64_t seed = settings_.seed;
  if (seed == 0) seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  seed_sequence_.store(seed);

  workers_.reserve(settings_.threads);
  for (std::size_t i = 0; i < settings_.threads; ++i) {
    workers_.push_back(std::make_unique<Worker>());
  }
  exits_->exited.assign(settings_.threads + 1, false);
  for (std::size_t i = 0; i < settings_.threads; ++i) {
    start_thread(workers_[i]->thread, i, [this, i] { run_worker(i); });
  }
  start_thread(timer_thread_, settings_.threads, [this] { run_timers(); });
}

ThreadScheduler::~ThreadScheduler() {
  stop();
  // A thread stop() left running still uses this scheduler: freeing it under
  // that thread would be a use-after-free, so the destructor waits. (A System
  // whose handler never returns keeps its scheduler alive instead.)
  await_detached();
}

void ThreadScheduler::start_thread(std::thread& slot, std::size_t index,
                                   std::function<void()> loop) {
  slot = std::thread([board = exits_, index, loop = std::move(loop)] {
    loop();
    // Past this point the thread touches only the board it co-owns.
    std::lock_guard lock(board->mu);
    board->exited[index] = true;
    board->cv.notify_all();
  });
}

void ThreadScheduler::join_or_detach(std::thread& thread, std::size_t index,
                                     std::chrono::steady_clock::time_point until) {
  if (!thread.joinable()) return;
  std::unique_lock lock(exits_->mu);
  const bool exited = exits_->cv.wait_until(lock, until, [&] { return exits_->exited[index]; });
  lock.unlock();
  if (exited) {
    thread.join();
    return;
  }
  // Stuck inside an activation (a handler that never returns): threads
  // cannot be pre-empted, so the thread is left to finish on its own.
  thread.detach();
  detached_.fetch_add(1);
}

void ThreadScheduler::await_detached() {
  if (detached_.load() == 0) return;
  std::unique_lock lock(exits_->mu);
  exits_->cv.wait(lock, [&] {
    return std::all_of(exits_->exited.begin(), exits_->exited.end(), [](bool e) { return e; });
  });
}

void ThreadScheduler::stop() {
  if (stopped_.exchange(true)) return;
  {
    std::lock_guard lock(sleep_mu_);
    stopping_ = true;
  }
  sleep_cv_.notify_all();
  {
    std::lock_guard lock(timer_mu_);
    timers_stopping_ = true;
  }
  timer_cv_.notify_all();
  TROUPE_ASSERT(!on_own_thread());  // a thread cannot join itself
  const auto until =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::clamp(
          settings_.stop_grace, Duration::zero(), Duration(std::chrono::hours(24 * 365))));
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    join_or_detach(workers_[i]->thread, i, until);
  }
  join_or_detach(timer_thread_, workers_.size(), until);
}

bool ThreadScheduler::on_own_thread() const {
  return tl_owner == this || tl_timer_owner == this;
}

bool ThreadScheduler::running_activations() const {
  return std::any_of(workers_.begin(), workers_.end(), [](const std::unique_ptr<Worker>& w) {
    return w->in_activation.load(std::memory_order_acquire);
  });
}

void ThreadScheduler::schedule(Resumable& r) {
  if (stopped_.load(std::memory_order_relaxed)) {
    // Only a handler that outlived its system's shutdown (its thread was
    // left running by stop()) can get here: what it schedules never runs.
    TROUPE_ASSERT(on_own_thread());
    return;
  }
  if (tl_owner == this) {
    // From inside an activation: keep the work on this worker. Wake a peer
    // only when this worker now has more than the one item it will run next,
    // so a ping-pong between two actors does not bounce between threads
    // (should this activation run long, sleeping peers poll: sleep_until_work).
    push(tl_worker, r, false);
  } else {
    const auto index = next_external_.fetch_add(1, std::memory_order_relaxed) % workers_.size();
    push(index, r, true);
  }
}

void ThreadScheduler::push(std::size_t index, Resumable& r, bool wake_always) {
  std::size_t depth = 0;
  {
    auto& w = *workers_[index];
    std::lock_guard lock(w.mu);
    Resumable* item = &r;
    w.queue.push_back(std::move(item));
    depth = w.queue.size();
  }
  if ((wake_always || depth > 1) && sleepers_.load() > 0) {
    std::lock_guard lock(sleep_mu_);
    sleep_cv_.notify_one();
  }
}

Resumable* ThreadScheduler::pop_local(std::size_t index) {
  auto& w = *workers_[index];
  std::lock_guard lock(w.mu);
  if (w.queue.empty()) return nullptr;
  Resumable* r = w.queue.front();
  w.queue.pop_front();
  return r;
}

Resumable* ThreadScheduler::steal(std::size_t thief) {
  const std::size_t n = workers_.size();
  for (std::size_t k = 1; k <= n; ++k) {
    auto& victim = *workers_[(thief + k) % n];
    std::lock_guard lock(victim.mu);
    if (victim.queue.empty()) continue;
    // Steal from the back: the victim runs its front next.
    Resumable* r = victim.queue.back();
    victim.queue.pop_back();
    return r;
  }
  return nullptr;
}

Resumable* ThreadScheduler::sleep_until_work(std::size_t index) {
  std::unique_lock lock(sleep_mu_);
  sleepers_.fetch_add(1);
  std::chrono::microseconds poll = kIdlePollMin;
  while (true) {
    // Registered as a sleeper before looking: a producer that pushes after
    // this look sees sleepers_ > 0 and notifies under sleep_mu_.
    if (Resumable* r = steal(index)) {
      sleepers_.fetch_sub(1);
      return r;
    }
    if (stopping_) {
      sleepers_.fetch_sub(1);
      return nullptr;
    }
    if (sleep_cv_.wait_for(lock, poll) == std::cv_status::timeout) {
      poll = std::min<std::chrono::microseconds>(2 * poll, kIdlePollMax);
    } else {
      poll = kIdlePollMin;  // woken for work: the next lull starts short again
    }
  }
}

void ThreadScheduler::run_worker(std::size_t index) {
  tl_owner = this;
  tl_worker = index;
  while (true) {
    Resumable* r = pop_local(index);
    if (r == nullptr) r = steal(index);
    if (r == nullptr) r = sleep_until_work(index);
    if (r == nullptr) break;
    auto& busy = workers_[index]->in_activation;
    busy.store(true, std::memory_order_release);
    const ResumeResult result = r->resume(settings_.throughput);
    busy.store(false, std::memory_order_release);
    if (result == ResumeResult::resume_later) {
      // Back of the local queue: everything queued behind it runs first.
      push(index, *r, false);
    }
  }
  tl_owner = nullptr;
}

TimePoint ThreadScheduler::now() const {
  return TimePoint(std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - epoch_));
}

std::chrono::steady_clock::time_point ThreadScheduler::to_steady(TimePoint t) const {
  // Same unit and range as Duration, so the sum saturates like every other
  // deadline instead of wrapping (TimePoint::max() would be the far past).
  using Steady = std::chrono::steady_clock;
  static_assert(std::ratio_equal_v<Steady::period, Duration::period> &&
                sizeof(Steady::rep) == sizeof(Duration::rep));
  const TimePoint epoch{Duration(epoch_.time_since_epoch().count())};
  const TimePoint sum = saturating_add(epoch, t.time_since_epoch());
  return Steady::time_point(Steady::duration(sum.time_since_epoch().count()));
}

TimerId ThreadScheduler::after(Duration delay, std::function<void()> callback) {
  const TimePoint due = deadline_after(now(), delay);
  TimerId id = 0;
  bool earliest = false;
  {
    std::lock_guard lock(timer_mu_);
    id = ++next_timer_;
    timers_.emplace(std::pair{due, id}, std::move(callback));
    timer_due_.emplace(id, due);
    earliest = timers_.begin()->first.second == id;
  }
  if (earliest) timer_cv_.notify_one();
  return id;
}

bool ThreadScheduler::cancel(TimerId id) {
  decltype(timers_)::node_type cancelled;  // destroyed after unlocking, as in run_timers
  std::lock_guard lock(timer_mu_);
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return false;
  cancelled = timers_.extract(std::pair{it->second, id});
  timer_due_.erase(it);
  return true;
}

void ThreadScheduler::run_timers() {
  tl_timer_owner = this;
  std::unique_lock lock(timer_mu_);
  while (!timers_stopping_) {
    // A timer due at the end of time (a saturated Duration::max()) never fires.
    if (timers_.empty() || timers_.begin()->first.first == TimePoint::max()) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto due = timers_.begin()->first.first;
    if (now() < due) {
      timer_cv_.wait_until(lock, to_steady(due));
      continue;
    }
    {
      auto node = timers_.extract(timers_.begin());
      timer_due_.erase(node.key().second);
      lock.unlock();
      fire(node.mapped());
      // The callback is destroyed here, unlocked: what it holds (a request
      // whose ask then ends) may cancel a timer, which takes timer_mu_.
    }
    lock.lock();
  }
  tl_timer_owner = nullptr;
}

void ThreadScheduler::fire(const std::function<void()>& callback) {
  // Callbacks are short and never block (a tell from here never waits for
  // room). One that throws, e.g. a blocking wait misused in a callback given
  // to after(), must not take the process down with every other timer.
  try {
    callback();
  } catch (...) {
    std::fprintf(stderr, "troupe: a timer callback threw: %s\n",
                 describe_exception(std::current_exception()).c_str());
  }
}

std::uint64_t ThreadScheduler::random() {
  // One generator per thread: no lock on the router's hot path. Each thread
  // draws its seed from a shared sequence, so threads never share a stream.
  thread_local std::uint64_t generation = 0;
  thread_local Xoshiro256 generator{0};
  const std::uint64_t token = reinterpret_cast<std::uintptr_t>(this);
  if (generation != token) {
    generator = Xoshiro256{seed_sequence_.fetch_add(0x9e3779b97f4a7c15ULL)};
    generation = token;
  }
  return generator.next();
}

bool ThreadScheduler::wait_until(const std::function<bool()>& done, TimePoint deadline) {
  if (on_own_thread()) throw std::logic_error(kBlockingOnOwnThread);
  std::unique_lock lock(wait_mu_);
  while (true) {
    if (done()) return true;
    const TimePoint t = now();
    if (t >= deadline) return false;
    const TimePoint next_check = std::min(deadline, saturating_add(t, kWaitRecheck));
    wait_cv_.wait_until(lock, to_steady(next_check));
  }
}

void ThreadScheduler::wake_waiters() {
  wait_cv_.notify_all();
}

}  // namespace troupe
