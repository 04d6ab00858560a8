// The production scheduler: N worker threads with a run queue each, work
// stealing when a worker runs dry, a throughput quota per activation so one
// busy actor cannot starve the others, and one timer thread. Idle workers
// sleep on a condition variable: an idle system uses no CPU.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "troupe/detail/ring_queue.hpp"
#include "troupe/scheduler.hpp"

namespace troupe {

struct ThreadSchedulerSettings {
  /// Worker threads; 0 means std::thread::hardware_concurrency().
  std::size_t threads = 0;
  /// Messages one actor may process per activation before yielding.
  std::size_t throughput = 64;
  /// Seed for random(); 0 draws one from std::random_device.
  std::uint64_t seed = 0;
  /// How long stop() waits for a thread still inside an activation before it
  /// leaves the thread running, detached (a handler that never returns).
  Duration stop_grace = std::chrono::seconds(1);
};

class ThreadScheduler final : public Scheduler {
 public:
  explicit ThreadScheduler(ThreadSchedulerSettings settings = {});
  ~ThreadScheduler() override;

  ThreadScheduler(const ThreadScheduler&) = delete;
  ThreadScheduler& operator=(const ThreadScheduler&) = delete;

  void schedule(Resumable& r) override;
  TimePoint now() const override;
  TimerId after(Duration delay, std::function<void()> callback) override;
  bool cancel(TimerId id) override;
  std::uint64_t random() override;
  std::size_t throughput() const override { return settings_.throughput; }
  bool wait_until(const std::function<bool()>& done, TimePoint deadline) override;
  void wake_waiters() override;
  void stop() override;
  bool on_own_thread() const override;
  bool running_activations() const override;

  std::size_t worker_count() const { return workers_.size(); }
  /// Threads stop() left running because they were stuck in an activation.
  std::size_t detached_threads() const { return detached_.load(); }

 private:
  struct Worker {
    std::mutex mu;
    detail::RingQueue<Resumable*> queue;  // grows, never shrinks: no allocation per push
    std::thread thread;
    std::atomic<bool> in_activation{false};  // written by this worker only
  };

  // Which of the scheduler's threads have left their loop. Shared with the
  // threads themselves, so that a detached thread that exits late never
  // touches freed memory when it says so.
  struct ExitBoard {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<bool> exited;  // guarded by mu: workers, then the timer thread
  };
  void start_thread(std::thread& slot, std::size_t index, std::function<void()> loop);
  void join_or_detach(std::thread& thread, std::size_t index,
                      std::chrono::steady_clock::time_point until);
  void await_detached();

  void run_worker(std::size_t index);
  Resumable* pop_local(std::size_t index);
  Resumable* steal(std::size_t thief);
  Resumable* sleep_until_work(std::size_t index);
  void push(std::size_t index, Resumable& r, bool wake_always);
  void run_timers();
  static void fire(const std::function<void()>& callback);
  std::chrono::steady_clock::time_point to_steady(TimePoint t) const;

  ThreadSchedulerSettings settings_;
  std::chrono::steady_clock::time_point epoch_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::atomic<std::size_t> next_external_{0};

  std::mutex sleep_mu_;
  std::condition_variable sleep_cv_;
  std::atomic<int> sleepers_{0};
  bool stopping_ = false;  // guarded by sleep_mu_

  std::mutex timer_mu_;
  std::condition_variable timer_cv_;
  std::map<std::pair<TimePoint, TimerId>, std::function<void()>> timers_;
  std::map<TimerId, TimePoint> timer_due_;
  TimerId next_timer_ = 0;
  bool timers_stopping_ = false;
  std::thread timer_thread_;

  std::mutex wait_mu_;
  std::condition_variable wait_cv_;

  std::atomic<std::uint64_t> seed_sequence_;
  std::atomic<bool> stopped_{false};
  std::shared_ptr<ExitBoard> exits_ = std::make_shared<ExitBoard>();
  std::atomic<std::size_t> detached_{0};
};

}  // namespace troupe
