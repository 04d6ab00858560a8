// A one-shot countdown the benchmark thread waits on while actors work.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace troupe::bench {

class Countdown {
 public:
  void reset(std::int64_t count) {
    std::lock_guard lock(mu_);
    remaining_ = count;
  }
  void count_down(std::int64_t n = 1) {
    std::lock_guard lock(mu_);
    remaining_ -= n;
    if (remaining_ <= 0) cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return remaining_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::int64_t remaining_ = 0;
};

}  // namespace troupe::bench
