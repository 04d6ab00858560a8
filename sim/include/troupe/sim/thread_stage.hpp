// ThreadStage: a scenario's world on real threads. A System on a
// ThreadScheduler, workloads whose arrivals are that scheduler's timers, and
// an EventLog. Runs are not reproducible here; that is the simulator's job.
#pragma once

#include <atomic>
#include <deque>
#include <memory>

#include "troupe/sim/stage.hpp"
#include "troupe/thread_scheduler.hpp"

namespace troupe::sim {

class ThreadStage final : public Stage {
 public:
  /// `seed` drives the arrival processes (and the scheduler's random()).
  ThreadStage(std::uint64_t seed, std::size_t event_capacity);
  ~ThreadStage() override;

  System& system() override { return *system_; }
  void add(Workload workload) override;
  std::uint64_t emitted(std::size_t index) const override;
  const EventLog& events() const { return events_; }

 private:
  struct Driver;
  void arm(Driver& driver);

  std::uint64_t seed_;
  EventLog events_;
  std::deque<std::unique_ptr<Driver>> drivers_;  // outlive the system's timers
  std::unique_ptr<System> system_;
};

}  // namespace troupe::sim
