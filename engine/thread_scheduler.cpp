#include "engine/thread_scheduler.hpp"

#include <algorithm>
#include <random>

#include "engine/assert.hpp"
#include "engine/prng.hpp"

namespace troupe {

namespace {

// Which worker of which scheduler the current thread is, so that work
// scheduled from inside an activation stays on the same worker (locality).
thread_local const ThreadScheduler* tl_owner = nullptr;
thread_local std::size_t tl_worker = 0;

// How long wait_until sleeps between checks of its condition when nobody
// calls wake_waiters(): a bound on latency, not a busy loop.
constexpr auto kWaitRecheck = std::chrono::milliseconds(1);

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
  for (std::size_t i = 0; i < settings_.threads; ++i) {
    workers_[i]->thread = std::thread([this, i] { run_worker(i); });
  }
  timer_thread_ = std::thread([this] { run_timers(); });
}

ThreadScheduler::~ThreadScheduler() {
  stop();
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
  for (auto& w : workers_) {
    if (w->thread.joinable()) w->thread.join();
  }
  if (timer_thread_.joinable()) timer_thread_.join();
}

void ThreadScheduler::schedule(Resumable& r) {
  TROUPE_ASSERT(!stopped_.load(std::memory_order_relaxed));
  if (tl_owner == this) {
    // From inside an activation: keep the work on this worker. Wake a peer
    // only when this worker now has more than the one item it will run next,
    // so a ping-pong between two actors does not bounce between threads.
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
    sleep_cv_.wait(lock);
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
    if (r->resume(settings_.throughput) == ResumeResult::resume_later) {
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
  return epoch_ +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(t.time_since_epoch());
}

TimerId ThreadScheduler::after(Duration delay, std::function<void()> callback) {
  const TimePoint due = now() + std::max(delay, Duration::zero());
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
  std::lock_guard lock(timer_mu_);
  auto it = timer_due_.find(id);
  if (it == timer_due_.end()) return false;
  timers_.erase(std::pair{it->second, id});
  timer_due_.erase(it);
  return true;
}

void ThreadScheduler::run_timers() {
  std::unique_lock lock(timer_mu_);
  while (!timers_stopping_) {
    if (timers_.empty()) {
      timer_cv_.wait(lock);
      continue;
    }
    const auto due = timers_.begin()->first.first;
    if (now() < due) {
      timer_cv_.wait_until(lock, to_steady(due));
      continue;
    }
    auto node = timers_.extract(timers_.begin());
    timer_due_.erase(node.key().second);
    lock.unlock();
    node.mapped()();  // callbacks are short: they enqueue a message or signal
    lock.lock();
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
  TROUPE_ASSERT(tl_owner != this);  // an actor must never block its worker
  std::unique_lock lock(wait_mu_);
  while (true) {
    if (done()) return true;
    const TimePoint t = now();
    if (t >= deadline) return false;
    const TimePoint next_check = std::min(deadline, t + Duration(kWaitRecheck));
    wait_cv_.wait_until(lock, to_steady(next_check));
  }
}

void ThreadScheduler::wake_waiters() {
  wait_cv_.notify_all();
}

}  // namespace troupe
