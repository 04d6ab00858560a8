// For tests parameterised over the two schedulers: the same actor code on
// real threads and on the simulator, named in the test's name.
//
//   class Edges : public ::testing::TestWithParam<testing::On> { ... };
//   INSTANTIATE_TEST_SUITE_P(Engine, Edges, testing::both_schedulers(), testing::scheduler_name);
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>

#include "troupe/sim/sim_scheduler.hpp"
#include "troupe/thread_scheduler.hpp"

namespace troupe::testing {

enum class On { threads, simulator };

inline auto both_schedulers() {
  return ::testing::Values(On::threads, On::simulator);
}

inline std::string scheduler_name(const ::testing::TestParamInfo<On>& info) {
  return info.param == On::threads ? "Threads" : "Simulator";
}

/// Two threads (or `threads`' settings) on threads; `seed` in the simulator.
inline std::unique_ptr<Scheduler> make_scheduler(On on, std::uint64_t seed,
                                                 ThreadSchedulerSettings threads = {.threads = 2}) {
  if (on == On::threads) return std::make_unique<ThreadScheduler>(threads);
  return std::make_unique<sim::SimScheduler>(sim::SimSettings{.seed = seed});
}

}  // namespace troupe::testing
