// bug-restart-state: planted bug, state lost across a restart. /tally counts
// the items it has handled in a member and publishes the count to a durable
// store after each one (what a real actor writes to a database). Random
// crashes restart it; a restart builds a fresh instance, so the count starts
// again from zero and the store goes backwards. The fixed variant (fixed=1)
// rebuilds the count from the store in pre_start.
#include <memory>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;

/// The durable store: outlives every instance of /tally.
struct Store {
  std::uint64_t published = 0;
};

class Tally : public Actor<std::uint64_t> {
 public:
  Tally(bool fixed, std::shared_ptr<ItemCounters> items, std::shared_ptr<Store> store)
      : fixed_(fixed), items_(std::move(items)), store_(std::move(store)) {}

  void pre_start(Context<std::uint64_t>&) override {
    if (fixed_) handled_ = store_->published;
  }
  void receive(Context<std::uint64_t>&, std::uint64_t&) override {
    ++handled_;
    store_->published = handled_;
    ++items_->reached_end;
  }

 private:
  bool fixed_;
  std::shared_ptr<ItemCounters> items_;
  std::shared_ptr<Store> store_;
  std::uint64_t handled_ = 0;  // lost with the instance unless rebuilt
};

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  auto store = std::make_shared<Store>();
  const auto props = Props<std::uint64_t>::of<Tally>(count(p, "fixed") != 0, items, store)
                         .restart({.max_restarts = 1000, .within = 1s})
                         .backoff({.min = 1ms, .max = 5ms, .factor = 2.0, .jitter = 0.5})
                         .kind("tally");
  const auto tally = sim.system().spawn("tally", props).value();
  const std::uint64_t messages = count(p, "messages");
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), messages),
                   [tally, items](std::uint64_t i) { return items->emit(tally.tell(i)); }});
  World world;
  world.finished = [&sim, messages] {
    return sim.emitted(0) == messages && sim.system().quiescent();
  };
  world.work = [items] { return items->ledger(); };
  // Every item /tally handled (its crashed ones are dead letters) is counted.
  world.checks.push_back(
      [items, store](const SystemStats&,
                     const std::vector<RecordedEvent>&) -> std::optional<Violation> {
        const std::uint64_t handled = items->reached_end;
        if (store->published == handled) return std::nullopt;
        return Violation{"count_survives_restart", "/tally",
                         "the store holds " + std::to_string(store->published) + " of " +
                             std::to_string(handled) + " items handled"};
      });
  return world;
}

}  // namespace

Scenario bug_restart_state_scenario() {
  return Scenario{
      .name = "bug-restart-state",
      .description = "planted bug: a count kept in the actor instance is lost when it restarts",
      .params = {{"messages", 30, 1, 100000, "items sent", true, true},
                 {"rate_per_s", 1000, 1, 1000000, "mean arrival rate (Poisson)"},
                 {"crash_probability", 0.05, 0, 1, "chance that /tally's handler crashes"},
                 {"fixed", 0, 0, 1, "1: pre_start rebuilds the count from the store", false, true}},
      .faults =
          [](const Params& p) {
            FaultPlan plan;
            if (p.at("crash_probability") > 0) {
              plan.crash_with_probability(p.at("crash_probability"), "/tally");
            }
            return plan;
          },
      .settings =
          [](const Params&) {
            return SimSettings{
                .service_time = ServiceTime::per_kind(
                    {{"tally", ServiceTime::uniform(100us, 500us)}}, ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
