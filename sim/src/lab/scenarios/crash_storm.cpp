// crash-storm: a supervision tree under random crashes. A supervisor /storm
// keeps K children under one_for_one or all_for_one; their failures restart
// them with backoff, an exhausted budget escalates to /storm, whose own
// supervisor (the guardian) restarts it and so the whole subtree.
#include <memory>
#include <string>
#include <vector>

#include "builtin.hpp"

namespace troupe::sim {

namespace {

using namespace std::chrono_literals;
using scenario_detail::count;
using scenario_detail::ItemCounters;
using scenario_detail::millis;

/// Forwards message i to child i mod K; rebuilds its children on (re)start.
class StormSupervisor : public Actor<std::uint64_t> {
 public:
  StormSupervisor(std::uint64_t children, Props<std::uint64_t> child,
                  std::shared_ptr<ItemCounters> items)
      : children_(children), child_(std::move(child)), items_(std::move(items)) {}

  void pre_start(Context<std::uint64_t>& ctx) override {
    for (std::uint64_t i = 0; i < children_; ++i) {
      kids_.push_back(ctx.spawn(std::string("s").append(std::to_string(i)), child_).value());
    }
  }
  void receive(Context<std::uint64_t>&, std::uint64_t& n) override {
    // A child stopped for good refuses: the item ends there, as a dead letter.
    (void)items_->sent(kids_[n % kids_.size()].tell(n));  // recorded in items_
  }

 private:
  std::uint64_t children_;
  Props<std::uint64_t> child_;
  std::shared_ptr<ItemCounters> items_;
  std::vector<ActorRef<std::uint64_t>> kids_;
};

World build(Stage& sim, const Params& p) {
  auto items = std::make_shared<ItemCounters>();
  const auto child = Props<std::uint64_t>::from_function(
                         [items](Context<std::uint64_t>&, std::uint64_t&) { ++items->reached_end; })
                         .restart({.max_restarts = static_cast<int>(count(p, "max_restarts")),
                                   .within = millis(p, "within_ms")})
                         .backoff({.min = 1ms, .max = 50ms, .factor = 2.0, .jitter = 0.5})
                         .kind("storm-child");
  const RestartBudget root_budget{.max_restarts = 1000, .within = 1s};
  const auto scope = count(p, "all_for_one") != 0 ? Scope::all_for_one : Scope::one_for_one;
  auto storm = sim.system()
                   .spawn("storm", Props<std::uint64_t>::of<StormSupervisor>(count(p, "children"),
                                                                             child, items)
                                       .supervise_children(scope)
                                       .restart(root_budget)
                                       .kind("storm-supervisor"))
                   .value();
  const std::uint64_t messages = count(p, "messages");
  sim.add(Workload{Arrivals::poisson(p.at("rate_per_s"), messages),
                   [storm, items](std::uint64_t i) { return items->emit(storm.tell(i)); }});
  World world;
  world.budgets.push_back({"/storm/", child.policy().budget});
  world.budgets.push_back({"/storm", root_budget});
  world.finished = [&sim, messages] {
    return sim.emitted(0) == messages && sim.system().quiescent();
  };
  world.shutdown_deadline = 5s;
  world.forbid_budget_exhaustion = count(p, "strict") != 0;
  world.work = [items] { return items->ledger(); };
  return world;
}

}  // namespace

Scenario crash_storm_scenario() {
  return Scenario{
      .name = "crash-storm",
      .description = "a supervision tree under random crashes: backoff, scopes, escalation",
      .params = {{"children", 4, 1, 64, "children of /storm", false, true},
                 {"messages", 400, 1, 100000, "messages sent", true},
                 {"rate_per_s", 1000, 1, 1000000, "mean arrival rate (Poisson)"},
                 {"crash_probability", 0.05, 0, 1, "chance that a child's handler crashes"},
                 {"all_for_one", 0, 0, 1, "1: a failure restarts every sibling", false, true},
                 {"max_restarts", 5, 0, 1000, "restart budget per child", false, true},
                 {"within_ms", 1000, 1, 3600000, "the budget's window"},
                 {"strict", 0, 0, 1, "1: an exhausted budget is a violation", false, true}},
      .faults =
          [](const Params& p) {
            FaultPlan plan;
            if (p.at("crash_probability") > 0) {
              plan.crash_with_probability(p.at("crash_probability"), "/storm/");
            }
            return plan;
          },
      .settings =
          [](const Params&) {
            return SimSettings{
                .service_time = ServiceTime::per_kind(
                    {{"storm-child", ServiceTime::uniform(1ms, 3ms)}}, ServiceTime::zero())};
          },
      .build = build};
}

}  // namespace troupe::sim
