// Stage: where a scenario builds its world. The simulator is one (Simulation);
// ThreadStage is the other, real threads and the steady clock, so the same
// scenario code runs on both, as the same actor code does.
#pragma once

#include <cstddef>
#include <cstdint>

#include "troupe/sim/workload.hpp"
#include "troupe/system.hpp"

namespace troupe::sim {

class Stage {
 public:
  virtual ~Stage() = default;
  virtual System& system() = 0;
  /// Starts a workload now; its arrivals are the scheduler's timers.
  virtual void add(Workload workload) = 0;
  /// Arrivals workload `index` has emitted so far (safe from any thread).
  virtual std::uint64_t emitted(std::size_t index) const = 0;
};

}  // namespace troupe::sim
