// Scenarios with planted schedules, for tests and benches only (never
// registered by the library): "test-sys-timers" (n timers due at one
// instant and nothing else, whose schedules can be counted by hand) and
// "test-sys-race" (an ordering race one preemption deep, with a fixed
// variant). Call register_race_scenarios() first.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "troupe/sim/scenario.hpp"

namespace troupe::sim::planted {

using namespace std::chrono_literals;

/// `n` workloads of one arrival each, all at 1 ms, and no actor: the only
/// decisions are which timer fires first, then second, ..., so the runs are
/// the n! orders, and a run's decisions have n, n-1, ..., 2 candidates.
inline World timers(Stage& stage, const Params& p) {
  const auto n = static_cast<std::size_t>(p.at("n"));
  for (std::size_t i = 0; i < n; ++i) {
    stage.add(
        Workload{Arrivals::constant(1ms, 1), [](std::uint64_t) { return SendResult::accepted; }});
  }
  World world;
  world.finished = [&stage, n] {
    for (std::size_t i = 0; i < n; ++i) {
      if (stage.emitted(i) < 1) return false;
    }
    return true;
  };
  return world;
}

inline constexpr std::uint64_t kInit = 1;
inline constexpr std::uint64_t kUse = 2;

/// The race: at 1 ms one arrival makes `a` tell the store "init" and another
/// makes `b` tell it "use". Under the default order init comes first; one
/// preemption (the second arrival first) makes "use" reach the store first,
/// which the buggy store takes as a broken invariant. The fixed store holds
/// an early "use" until "init".
inline World race(Stage& stage, const Params& p) {
  const bool fixed = p.at("fixed") != 0;
  struct Store {
    bool initialised = false;
    std::uint64_t held = 0;
    std::uint64_t handled = 0;
    bool broken = false;
  };
  auto store = std::make_shared<Store>();
  auto& system = stage.system();
  auto store_ref =
      system
          .spawn("store", Props<std::uint64_t>::from_function(
                              [store, fixed](Context<std::uint64_t>&, std::uint64_t& m) {
                                ++store->handled;
                                if (m == kInit) {
                                  store->initialised = true;
                                  store->handled += store->held;
                                  store->held = 0;
                                } else if (!store->initialised) {
                                  if (fixed) {
                                    --store->handled;
                                    ++store->held;
                                  } else {
                                    store->broken = true;
                                  }
                                }
                              }))
          .value();
  const auto relay = [store_ref](std::uint64_t what) {
    return Props<std::uint64_t>::from_function(
        [store_ref, what](Context<std::uint64_t>&, std::uint64_t&) { (void)store_ref.tell(what); });
  };
  auto a = system.spawn("a", relay(kInit)).value();
  auto b = system.spawn("b", relay(kUse)).value();
  stage.add(Workload::to<std::uint64_t>(a, Arrivals::constant(1ms, 1),
                                        [](std::uint64_t) { return std::uint64_t{0}; }));
  stage.add(Workload::to<std::uint64_t>(b, Arrivals::constant(1ms, 1),
                                        [](std::uint64_t) { return std::uint64_t{0}; }));
  World world;
  world.finished = [store] { return store->handled == 2; };
  world.checks.push_back(
      [store](const SystemStats&, const std::vector<RecordedEvent>&) -> std::optional<Violation> {
        if (!store->broken) return std::nullopt;
        return Violation{"init_before_use", "/store", "a use reached the store before init"};
      });
  return world;
}

inline void register_race_scenarios() {
  static const bool done = [] {
    const auto no_faults = [](const Params&) { return FaultPlan{}; };
    const auto plain = [](const Params&) { return SimSettings{}; };
    register_scenario({.name = "test-sys-timers",
                       .description = "n timers due at one instant, nothing else",
                       .params = {{.name = "n",
                                   .default_value = 3,
                                   .min = 1,
                                   .max = 8,
                                   .help = "timers",
                                   .integer = true}},
                       .faults = no_faults,
                       .settings = plain,
                       .build = timers});
    register_scenario({.name = "test-sys-race",
                       .description = "use before init at a store, one preemption away",
                       .params = {{.name = "fixed",
                                   .default_value = 0,
                                   .min = 0,
                                   .max = 1,
                                   .help = "the store holds an early use",
                                   .integer = true}},
                       .faults = no_faults,
                       .settings = plain,
                       .build = race});
    return true;
  }();
  (void)done;
}

}  // namespace troupe::sim::planted
