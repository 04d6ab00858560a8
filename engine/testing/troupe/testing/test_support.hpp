// Helpers shared by the engine's tests: a system on real threads, a
// bounded wait for a condition, and one sample read from a scrape.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "troupe/troupe.hpp"

namespace troupe::testing {

inline std::unique_ptr<ThreadScheduler> threads(std::size_t n = 2, std::size_t throughput = 64) {
  return std::make_unique<ThreadScheduler>(
      ThreadSchedulerSettings{.threads = n, .throughput = throughput, .seed = 42});
}

/// Waits (blocking this non-actor thread through the scheduler) until `done`
/// holds, at most `timeout`.
inline bool eventually(System& sys, const std::function<bool()>& done,
                       Duration timeout = std::chrono::seconds(10)) {
  return sys.scheduler().wait_until(done, sys.now() + timeout);
}

/// The value of the sample line of a Prometheus exposition that starts with
/// `series` plus a space, or "<missing SERIES>".
inline std::string metric_sample(const std::string& text, const std::string& series) {
  const std::string key = "\n" + series + " ";
  const auto at = text.find(key);
  if (at == std::string::npos) return "<missing " + series + ">";
  const auto from = at + key.size();
  return text.substr(from, text.find('\n', from) - from);
}

}  // namespace troupe::testing

#include <condition_variable>
#include <mutex>

namespace troupe::testing {

/// Holds handlers back until the test opens it: how a test fills a mailbox
/// or keeps a handler running at a moment of its choosing.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return open_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

}  // namespace troupe::testing
