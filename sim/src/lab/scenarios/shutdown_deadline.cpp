// shutdown-deadline: slow handlers against a shutdown deadline. A burst of
// jobs reaches one slow worker, then the system shuts down with a deadline
// that may be too short: what is left must be reported as abandoned.
#include <memory>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  auto slow =
      sim.system()
          .spawn("slow",
                 Props<std::uint64_t>::from_function(
                     [items](Context<std::uint64_t>&, std::uint64_t&) { ++items->reached_end; })
                     .mailbox({.capacity = 100000})
                     .kind("slow"))
          .value();
  const std::uint64_t jobs = count(p, "jobs");
  sim.add(Workload{Arrivals::constant(1ms, jobs),
                   [slow, items](std::uint64_t i) { return items->emit(slow.tell(i)); }});
  World world;
  // Shut down as soon as the burst is in, whatever is still queued.
  world.finished = [&sim, jobs] { return sim.emitted(0) == jobs; };
  world.shutdown_deadline = millis(p, "deadline_ms");
  world.forbid_abandonment = count(p, "strict") != 0;
  // What the deadline abandons ends as shutdown_abandoned dead letters.
  world.work = [items] { return items->ledger(); };
  return world;
}

}  // namespace

Scenario shutdown_deadline_scenario() {
  return Scenario{
      .name = "shutdown-deadline",
      .description = "slow handlers against a shutdown deadline",
      .params = {{"jobs", 100, 1, 100000, "jobs in the burst", true},
                 {"service_ms", 20, 0, 10000, "time each job takes"},
                 {"deadline_ms", 1000, 0, 3600000, "the shutdown deadline"},
                 {"strict", 0, 0, 1, "1: abandoning anything is a violation", false, true}},
      .faults = [](const Params&) { return FaultPlan{}; },
      .settings =
          [](const Params& p) {
            return SimSettings{
                .service_time = ServiceTime::per_kind(
                    {{"slow", ServiceTime::fixed(millis(p, "service_ms"))}}, ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
