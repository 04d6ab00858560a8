// Scenarios that break determinism on purpose, for tests only (never
// registered by the library): a handler that branches on the wall clock, and
// a handler whose own thread tells another actor. Tests call
// register_nondeterministic_scenarios() and run "test-wall-clock" or
// "test-foreign-thread" like any scenario, in process or through run_troupe.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include "troupe/sim/scenario.hpp"
#include "troupe/xoshiro256.hpp"

namespace troupe::sim::planted {

using namespace std::chrono_literals;

/// Sends each item to one of two sinks by a bit of the wall clock: two runs
/// of a seed route differently (all 40 alike by chance: 2^-40).
inline World wall_clock(Stage& sim, const Params&) {
  const auto count = [] {
    return Props<std::uint64_t>::from_function([](Context<std::uint64_t>&, std::uint64_t&) {});
  };
  auto left = sim.system().spawn("left", count()).value();
  auto right = sim.system().spawn("right", count()).value();
  auto router =
      sim.system()
          .spawn("router", Props<std::uint64_t>::from_function(
                               [left, right](Context<std::uint64_t>&, std::uint64_t& n) {
                                 // Mixed, so a coarse clock still varies bit 0.
                                 std::uint64_t t = static_cast<std::uint64_t>(
                                     std::chrono::steady_clock::now().time_since_epoch().count());
                                 (void)((splitmix64(t) & 1U) != 0 ? left : right).tell(n);
                               }))
          .value();
  sim.add(Workload::to<std::uint64_t>(router, Arrivals::constant(1ms, 40),
                                      [](std::uint64_t i) { return i; }));
  World world;
  world.finished = [&sim] { return sim.emitted(0) == 40 && sim.system().quiescent(); };
  return world;
}

/// On its first message, "starter" tells "target" from a thread of its own
/// (joined at once, so the test is not flaky): a tell the simulator refuses.
inline World foreign_thread(Stage& sim, const Params&) {
  auto handled = std::make_shared<std::uint64_t>(0);
  auto target =
      sim.system()
          .spawn("target", Props<std::uint64_t>::from_function(
                               [handled](Context<std::uint64_t>&, std::uint64_t&) { ++*handled; }))
          .value();
  auto starter = sim.system()
                     .spawn("starter", Props<std::uint64_t>::from_function(
                                           [target](Context<std::uint64_t>&, std::uint64_t& n) {
                                             if (n != 0) return;
                                             std::thread([target] { (void)target.tell(7); }).join();
                                           }))
                     .value();
  sim.add(Workload::to<std::uint64_t>(starter, Arrivals::constant(1ms, 3),
                                      [](std::uint64_t i) { return i; }));
  World world;
  world.finished = [&sim] { return sim.emitted(0) == 3 && sim.system().quiescent(); };
  return world;
}

inline void register_nondeterministic_scenarios() {
  static const bool done = [] {
    const auto no_faults = [](const Params&) { return FaultPlan{}; };
    const auto defaults = [](const Params&) { return SimSettings{}; };
    register_scenario({.name = "test-wall-clock",
                       .description = "a router that branches on the wall clock",
                       .params = {},
                       .faults = no_faults,
                       .settings = defaults,
                       .build = wall_clock});
    register_scenario({.name = "test-foreign-thread",
                       .description = "a handler that tells an actor from its own thread",
                       .params = {},
                       .faults = no_faults,
                       .settings = defaults,
                       .build = foreign_thread});
    return true;
  }();
  (void)done;
}

}  // namespace troupe::sim::planted
