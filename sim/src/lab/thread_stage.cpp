#include "troupe/sim/thread_stage.hpp"

#include <stdexcept>

#include "troupe/sim/streams.hpp"

namespace troupe::sim {

struct ThreadStage::Driver {
  Driver(Workload w, Prng p, TimePoint o) : workload(std::move(w)), prng(p), origin(o) {}
  Workload workload;
  Prng prng;
  TimePoint origin;
  Duration previous{};
  std::uint64_t next = 0;  // touched by the timer that fires it only
  std::atomic<std::uint64_t> emitted{0};
};

ThreadStage::ThreadStage(std::uint64_t seed, std::size_t event_capacity)
    : seed_(seed), events_(event_capacity) {
  system_ = std::make_unique<System>(
      std::make_unique<ThreadScheduler>(ThreadSchedulerSettings{.seed = seed}),
      SystemSettings{.events = &events_});
}

ThreadStage::~ThreadStage() {
  // Shut down while the drivers still exist: arrivals may fire during it.
  system_.reset();
}

void ThreadStage::add(Workload workload) {
  if (!workload.emit) throw std::invalid_argument("workload: the emitter is empty");
  const Prng prng = Prng(seed_).fork(kWorkloadStreamBase + drivers_.size());
  auto driver = std::make_unique<Driver>(std::move(workload), prng, system_->now());
  drivers_.push_back(std::move(driver));
  arm(*drivers_.back());
}

void ThreadStage::arm(Driver& d) {
  if (d.next >= d.workload.arrivals.count()) return;
  const Duration offset = d.workload.arrivals.offset(d.next, d.previous, d.prng);
  d.previous = offset;
  // Each timer arms the next one, so one driver's state is touched by one
  // timer callback at a time.
  system_->scheduler().after(d.origin + offset - system_->now(), [this, &d] {
    (void)d.workload.emit(d.next);  // the emitter accounts its own sends
    ++d.next;
    d.emitted.fetch_add(1, std::memory_order_release);
    arm(d);
  });
}

std::uint64_t ThreadStage::emitted(std::size_t index) const {
  return drivers_.at(index)->emitted.load(std::memory_order_acquire);
}

}  // namespace troupe::sim
